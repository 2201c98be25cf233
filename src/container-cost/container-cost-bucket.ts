import { Aws, CfnOutput, CfnResource, CustomResource, Duration, Lazy, RemovalPolicy, SecretValue, Stack, Tags } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { validateBucketNamesUnique } from './bucket-name-uniqueness';
import { validateContainerCostProps } from './container-cost-validation';
import { ReconcilerDriftReads } from './drift-reads';
import { agentRoleArns, acceptingRolesStatements, agentBoundaryStatements, reconcilerRoleStatements } from './reconciler-policy';
import { ENV } from './role-sync/config';
import { acceptingRolesTag, agentRoleName, agentRolePath, userClusterPrefix, userCredentialsSecretName } from './role-sync/naming';
import { RoleSyncFunction } from './role-sync-function';
import { ArgumentChecker } from '../core/arguments';
import { handlerProvider } from '../core/handler-provider';
import { acknowledgeNagFinding, nagResourceName } from '../core/nag';
import { stableHash } from '../core/naming';
import { partitionOf } from '../core/partition';
import { EKS_CLUSTER_NAME, REGION } from '../core/rules';
import { ServiceAccountRef } from '../core/service-account';
import { checkStackResourceBudget } from '../core/stack-budget';
import { literalAccount, literalRegion } from '../core/stack-env';
import { describeConstruct } from '../core/validation';

/**
 * How the cost bucket encrypts objects.
 */
export enum ContainerCostEncryption {
  /** SSE-S3 (AES-256, as the cost platform's own template encrypts its bucket). */
  S3_MANAGED = 'S3_MANAGED',
  /** SSE-KMS with a customer managed key (`encryptionKey`, or a new one with rotation). */
  KMS = 'KMS',
}

/**
 * How cost agents get credentials to write the bucket.
 */
export enum ContainerCostAgentIdentity {
  /** One IRSA role per EKS cluster, kept by the reconciler (needs the cluster's OIDC provider in IAM). */
  ROLES = 'ROLES',
  /** One IAM user per cluster listed in `iamUserClusters`, with an access key in Secrets Manager; no reconciler. */
  IAM_USER = 'IAM_USER',
  /** Both: roles for clusters with OIDC, users for the clusters listed in `iamUserClusters`. */
  ROLES_AND_IAM_USER = 'ROLES_AND_IAM_USER',
}

/**
 * A cluster that uses the IAM-user fallback.
 */
export interface ContainerCostClusterRef {
  /** The EKS cluster's name. */
  readonly clusterName: string;
  /** The cluster's region. */
  readonly region: string;
}

/**
 * Props of {@link ContainerCostBucket}.
 */
export interface ContainerCostBucketProps {
  /**
   * The regions whose EKS clusters get an agent role.
   *
   * @default - the stack's region
   */
  readonly includeRegions?: string[];

  /**
   * An existing role (the cost platform's onboarding role) that gets read access to the bucket.
   *
   * @default - none; use `grantRead`
   */
  readonly readerRoleName?: string;

  /**
   * The cost agent's service account in every cluster.
   *
   * @default { namespace: 'container-cost', name: 'container-cost-agent' }
   */
  readonly agentServiceAccount?: ServiceAccountRef;

  /**
   * How agents get credentials: per-cluster roles (the reconciler), per-cluster IAM users (for
   * clusters without an OIDC provider; no reconciler is deployed), or both.
   *
   * @default ContainerCostAgentIdentity.ROLES
   */
  readonly agentIdentity?: ContainerCostAgentIdentity;

  /**
   * The clusters that get an IAM user (with `agentIdentity` IAM_USER or ROLES_AND_IAM_USER): one user
   * each, with a long-lived access key kept in Secrets Manager (never in an output), that may write
   * only `iam-user/<region>/<cluster>/` of the bucket. Weaker than the per-cluster roles.
   *
   * @default - none (required with the user modes)
   */
  readonly iamUserClusters?: ContainerCostClusterRef[];

  /**
   * Same as `agentIdentity: ROLES_AND_IAM_USER` (it needs `iamUserClusters`).
   *
   * @deprecated use `agentIdentity`
   * @default false
   */
  readonly createIamUser?: boolean;

  /**
   * How often the reconciler checks the clusters and roles.
   *
   * @default events.Schedule.rate(Duration.hours(2))
   */
  readonly schedule?: events.Schedule;

  /**
   * The bucket name is `<bucketNamePrefix>-<account>`. Two ContainerCostBuckets in one account (for
   * example one per region's stack) need different prefixes: synth fails when two buckets of the app
   * get one name. A CDK token works end to end (the name is then checked by S3 at deploy time only).
   *
   * @default 'container-cost'
   */
  readonly bucketNamePrefix?: string;

  /**
   * Object encryption.
   *
   * @default ContainerCostEncryption.S3_MANAGED
   */
  readonly encryption?: ContainerCostEncryption;

  /**
   * The KMS key for `ContainerCostEncryption.KMS`.
   *
   * @default - a new key with rotation enabled
   */
  readonly encryptionKey?: kms.IKey;

  /**
   * Keep object versions.
   *
   * @default false
   */
  readonly versioned?: boolean;

  /**
   * Delete objects (and old versions) this long after they are written.
   *
   * @default - never
   */
  readonly expiration?: Duration;

  /**
   * Write S3 server access logs to this bucket.
   *
   * @default - no access logs (the cdk-nag finding is acknowledged with that reason)
   */
  readonly serverAccessLogsBucket?: s3.IBucket;

  /**
   * The prefix of the access logs.
   *
   * @default 'container-cost/'
   */
  readonly serverAccessLogsPrefix?: string;

  /**
   * What happens to the bucket when the stack is deleted.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;

  /**
   * The stack-unique key that marks this construct's agent roles: their path is
   * `/container-cost/<ownerId>/` and their tag `container-cost:owner` carries it. Must be a literal
   * (a CDK token is refused): it names IAM paths and tag keys and is passed to charts.
   *
   * @default - a hash of the account, region, stack name and construct path (needs a literal account and region)
   */
  readonly ownerId?: string;

  /**
   * How the reconciler reads its roles for the drift check, and so which IAM reads its role gets.
   * `PER_ROLE` lists the roles at this stack's path and reads each with four calls scoped to the
   * path: about 4 IAM calls per cluster a run (2,006 at 500 clusters), and its role reads no other
   * role's policies, tags or boundary, nor any user's or group's. `ACCOUNT_AUTHORIZATION_DETAILS`
   * reads them in pages of 1,000 (2 calls for an account of up to 2,000 roles), but
   * `iam:GetAccountAuthorizationDetails` has no resource-level permission: the role can read the
   * whole account's IAM configuration. The default is the narrower role (nothing deployed opens a
   * role wider than the flow needs); choose the bulk read for large fleets where the run's IAM
   * calls matter more than that.
   *
   * @default ReconcilerDriftReads.PER_ROLE
   */
  readonly driftReads?: ReconcilerDriftReads;
}

const DEFAULT_SERVICE_ACCOUNT: ServiceAccountRef = { namespace: 'container-cost', name: 'container-cost-agent' };

/**
 * The cluster-account side of a cost platform's container cost data (the pattern of nOps' container
 * cost CloudFormation template), hardened: an S3 bucket for the cost
 * agent's files, read access for the cost platform, and a reconciler Lambda that keeps one IRSA
 * role per EKS cluster of the included regions, touching only the roles it owns.
 */
export class ContainerCostBucket extends Construct {
  /**
   * The agent role name of a cluster: the one rule the reconciler and the chart share.
   *
   * @param clusterName the EKS cluster's name
   * @param region the cluster's region
   */
  public static agentRoleName(clusterName: string, region: string): string {
    const a = new ArgumentChecker('ContainerCostBucket.agentRoleName(clusterName, region)');
    // Case-tagged and hashed at 64 characters at synth: deploy-time values cannot be.
    a.string('clusterName', clusterName, EKS_CLUSTER_NAME, { tokens: 'refused' });
    a.string('region', region, REGION, { tokens: 'refused' });
    return a.result(() => agentRoleName(clusterName, region));
  }

  /** The bucket. */
  public readonly bucket: s3.IBucket;

  /** The key that marks this construct's agent roles (path and owner tag). */
  public readonly ownerKey: string;

  /** The IAM path of the agent roles. */
  public readonly rolePath: string;

  /** The regions the reconciler scans. */
  public readonly includeRegions: string[];

  /** How agents get credentials. */
  public readonly agentIdentity: ContainerCostAgentIdentity;

  /** How the reconciler reads its roles (and which reads its role has). */
  public readonly driftReads: ReconcilerDriftReads;

  /** The reconciler (absent with `agentIdentity` IAM_USER). */
  public readonly reconciler?: lambda.IFunction;

  /** The permissions boundary of every agent role (absent with `agentIdentity` IAM_USER). */
  public readonly agentBoundary?: iam.IManagedPolicy;

  /** The first fallback user, when there is one. */
  public readonly user?: iam.IUser;

  /** The secret holding the first fallback user's access key, when there is one. */
  public readonly userCredentials?: secretsmanager.ISecret;

  /** The fallback users, one per `iamUserClusters` entry, in that order. */
  public readonly users: iam.IUser[] = [];

  /** The secrets of the fallback users' access keys, in the order of `iamUserClusters`. */
  public readonly userCredentialSecrets: secretsmanager.ISecret[] = [];

  private readonly bucketNameValue: string;
  private readonly encryptionKey?: kms.IKey;

  /**
   * @param scope a construct in the cluster account's stack
   * @param id the construct ID
   * @param props regions, reader, agent service account and bucket options
   */
  constructor(scope: Construct, id: string, propsOrNull: ContainerCostBucketProps = {}) {
    super(scope, id);
    checkStackResourceBudget(this, 'ContainerCostBucket');
    // null (from JavaScript) means "not given", as undefined does.
    const props: ContainerCostBucketProps = Object.fromEntries(Object.entries(propsOrNull ?? {}).filter(([, value]) => value !== null));
    const owner = describeConstruct('ContainerCostBucket', this.node.path);
    const stack = Stack.of(this);
    const region = literalRegion(this);
    this.includeRegions = props.includeRegions ?? (region ? [region] : []);
    const serviceAccount = props.agentServiceAccount ?? DEFAULT_SERVICE_ACCOUNT;
    this.agentIdentity = validateContainerCostProps(owner, props, this.includeRegions, serviceAccount, literalAccount(this), region);
    this.driftReads = props.driftReads ?? ReconcilerDriftReads.PER_ROLE;
    const roles = this.agentIdentity !== ContainerCostAgentIdentity.IAM_USER;

    this.ownerKey = props.ownerId ?? stableHash(`${stack.account}/${region}/${stack.stackName}/${this.node.path}`, 12);
    this.rolePath = agentRolePath(this.ownerKey);
    const prefix = props.bucketNamePrefix ?? 'container-cost';
    this.bucketNameValue = `${prefix}-${stack.account}`;

    if ((props.encryption ?? ContainerCostEncryption.S3_MANAGED) === ContainerCostEncryption.KMS) {
      this.encryptionKey = props.encryptionKey ?? new kms.Key(this, 'Key', { enableKeyRotation: true, description: `Container cost data bucket ${this.bucketNameValue}` });
    }
    const bucket = new s3.Bucket(this, 'Bucket', {
      bucketName: this.bucketNameValue,
      encryption: this.encryptionKey ? s3.BucketEncryption.KMS : s3.BucketEncryption.S3_MANAGED,
      encryptionKey: this.encryptionKey,
      bucketKeyEnabled: this.encryptionKey ? true : undefined,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      versioned: props.versioned ?? false,
      lifecycleRules: props.expiration ? [{
        expiration: props.expiration,
        ...(props.versioned ? { noncurrentVersionExpiration: props.expiration } : {}),
        abortIncompleteMultipartUploadAfter: Duration.days(7),
      }] : [{ abortIncompleteMultipartUploadAfter: Duration.days(7) }],
      serverAccessLogsBucket: props.serverAccessLogsBucket,
      serverAccessLogsPrefix: props.serverAccessLogsBucket ? (props.serverAccessLogsPrefix ?? 'container-cost/') : undefined,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });
    this.bucket = bucket;
    validateBucketNamesUnique(this, bucket.node.defaultChild as s3.CfnBucket);
    if (!props.serverAccessLogsBucket) {
      acknowledgeNagFinding(bucket, 'AwsSolutions-S1',
        'Server access logs are optional (serverAccessLogsBucket); the bucket only takes writes from per-cluster agent roles and reads from the named reader.');
    }

    if (props.readerRoleName) this.addReaderPolicy(props.readerRoleName);
    (props.iamUserClusters ?? []).forEach((cluster, i) => {
      const [user, secret] = this.createUser(cluster, i);
      this.users.push(user);
      this.userCredentialSecrets.push(secret);
    });
    this.user = this.users[0];
    this.userCredentials = this.userCredentialSecrets[0];
    if (roles) {
      // A deterministic name, so its ARN is a plain string in every fence (readable, lintable).
      const boundaryName = `container-cost-agent-boundary-${this.ownerKey}`;
      const boundary = new iam.ManagedPolicy(this, 'AgentBoundary', {
        managedPolicyName: boundaryName,
        path: this.rolePath,
        description: `Permissions boundary of the container-cost agent roles under ${this.rolePath}: writes under the role's own prefix tag`,
        statements: agentBoundaryStatements(bucket.bucketArn, this.encryptionKey?.keyArn),
      });
      acknowledgeNagFinding(boundary, `AwsSolutions-IAM5[Resource::${nagResourceName(this, bucket.bucketArn)}/<aws:PrincipalTag/container-cost:prefix>*]`,
        'A boundary caps every agent role at the objects under the prefix its own tag names (set at creation only).');
      this.agentBoundary = boundary;
      const boundaryArn = `arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:policy${this.rolePath}${boundaryName}`;
      this.reconciler = this.createReconciler(serviceAccount, props.schedule ?? events.Schedule.rate(Duration.hours(2)), boundary, boundaryArn);
    }

    new CfnOutput(this, 'BucketName', { value: bucket.bucketName, description: 'The container cost data bucket' });
    new CfnOutput(this, 'S3BucketSecureURL', { value: `https://${bucket.bucketRegionalDomainName}`, description: 'The bucket\'s HTTPS endpoint' });
  }

  /** The bucket name as a plain string when the stack's account is literal. */
  public get bucketName(): string {
    return this.bucketNameValue;
  }

  /**
   * The ARN of the agent role the reconciler keeps for a cluster, as a plain string (for
   * `ContainerCostAgentChart`). Throws when the stack has no literal account.
   *
   * @param clusterName the EKS cluster's name
   * @param region the cluster's region
   */
  public agentRoleArn(clusterName: string, region: string): string {
    const account = literalAccount(this);
    if (!account) throw new Error(`${describeConstruct('ContainerCostBucket', this.node.path)}: agent role ARNs are plain strings only when the stack has a literal account`);
    return `arn:${partitionOf(region).partition}:iam::${account}:role${this.rolePath}${agentRoleName(clusterName, region)}`;
  }

  /**
   * Lets a principal read the cost data: `s3:GetObject` on the objects and `s3:ListBucket` on the
   * bucket (and decrypt with the bucket's key, when it has one).
   *
   * @param grantee who may read
   */
  public grantRead(grantee: iam.IGrantable): iam.Grant {
    const grant = iam.Grant.addToPrincipalOrResource({ grantee, actions: ['s3:GetObject'], resourceArns: [this.bucket.arnForObjects('*')], resource: this.bucket });
    iam.Grant.addToPrincipalOrResource({ grantee, actions: ['s3:ListBucket'], resourceArns: [this.bucket.bucketArn], resource: this.bucket });
    this.encryptionKey?.grantDecrypt(grantee);
    return grant;
  }

  private addReaderPolicy(readerRoleName: string): void {
    const statements = [
      new iam.PolicyStatement({ sid: 'ReadCostData', actions: ['s3:GetObject'], resources: [this.bucket.arnForObjects('*')] }),
      new iam.PolicyStatement({ sid: 'ListCostData', actions: ['s3:ListBucket'], resources: [this.bucket.bucketArn] }),
    ];
    if (this.encryptionKey) statements.push(new iam.PolicyStatement({ sid: 'DecryptCostData', actions: ['kms:Decrypt'], resources: [this.encryptionKey.keyArn] }));
    const policy = new iam.Policy(this, 'ReaderPolicy', { statements, roles: [iam.Role.fromRoleName(this, 'Reader', readerRoleName)] });
    acknowledgeNagFinding(policy, `AwsSolutions-IAM5[Resource::${nagResourceName(this, this.bucket.arnForObjects('*'))}]`,
      'The cost platform reads every object of this bucket, and nothing outside it.');
  }

  /**
   * The name of the Secrets Manager secret that holds a fallback cluster's access key
   * (`container-cost/<ownerKey>/<user name>`): what `ContainerCostAgentChart`'s user mode references.
   *
   * @param clusterName the EKS cluster's name
   * @param region the cluster's region
   */
  public userCredentialsSecretName(clusterName: string, region: string): string {
    return userCredentialsSecretName(this.ownerKey, clusterName, region);
  }

  private createUser(cluster: ContainerCostClusterRef, index: number): [iam.IUser, secretsmanager.ISecret] {
    const id = index === 0 ? '' : String(index);
    const userName = agentRoleName(cluster.clusterName, cluster.region);
    const prefix = userClusterPrefix(cluster.clusterName, cluster.region);
    const user = new iam.User(this, `User${id}`, { userName, path: this.rolePath });
    const objects = this.bucket.arnForObjects(`${prefix}*`);
    const policy = new iam.Policy(this, `UserPolicy${id}`, {
      users: [user],
      statements: [
        new iam.PolicyStatement({ sid: 'WriteClusterPrefix', actions: ['s3:PutObject', 's3:AbortMultipartUpload'], resources: [objects] }),
        new iam.PolicyStatement({ sid: 'ListClusterPrefix', actions: ['s3:ListBucket'], resources: [this.bucket.bucketArn], conditions: { StringLike: { 's3:prefix': `${prefix}*` } } }),
        ...(this.encryptionKey ? [new iam.PolicyStatement({ sid: 'UploadWithBucketKey', actions: ['kms:GenerateDataKey', 'kms:Decrypt'], resources: [this.encryptionKey.keyArn] })] : []),
      ],
    });
    const key = new iam.AccessKey(this, `UserAccessKey${id}`, { user });
    const secret = new secretsmanager.Secret(this, `UserCredentials${id}`, {
      secretName: userCredentialsSecretName(this.ownerKey, cluster.clusterName, cluster.region),
      description: `Access key of ${userName} (container cost agent of cluster ${cluster.clusterName} in ${cluster.region}, which has no OIDC provider)`,
      secretObjectValue: { accessKeyId: SecretValue.unsafePlainText(key.accessKeyId), secretAccessKey: key.secretAccessKey },
    });
    acknowledgeNagFinding(policy, `AwsSolutions-IAM5[Resource::${nagResourceName(this, objects)}]`,
      `The fallback user writes objects it names itself, under its cluster's ${prefix} prefix only.`);
    acknowledgeNagFinding(secret, 'AwsSolutions-SMG4',
      'An IAM access key cannot be rotated by Secrets Manager without a custom rotation function; rotate it by replacing the UserAccessKey resource. The per-cluster roles need no keys.');
    new CfnOutput(this, `UserCredentialsSecretArn${id}`, { value: secret.secretArn, description: `Secrets Manager secret with the access key of ${userName} (the key itself is never an output)` });
    return [user, secret];
  }

  private createReconciler(
    serviceAccount: ServiceAccountRef, schedule: events.Schedule, boundary: iam.ManagedPolicy, boundaryArn: string,
  ): lambda.IFunction {
    const roleArns = agentRoleArns(this.rolePath);
    const markerTag = acceptingRolesTag(this.ownerKey);
    const logGroup = new logs.LogGroup(this, 'ReconcilerLogs', { retention: logs.RetentionDays.ONE_YEAR, removalPolicy: RemovalPolicy.DESTROY });
    const role = new iam.Role(this, 'ReconcilerRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Keeps the container-cost agent roles under ${this.rolePath}, and only those`,
      inlinePolicies: {
        Reconcile: new iam.PolicyDocument({
          statements: [
            new iam.PolicyStatement({ sid: 'Logs', actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [logGroup.logGroupArn] }),
            ...reconcilerRoleStatements({ rolePath: this.rolePath, ownerKey: this.ownerKey, boundaryArn, regions: this.includeRegions }),
            // The drift check's listing (per role: ListRoles, then the reads scoped to the path above; in
            // bulk: whole roles in pages of 1,000) and the OIDC providers: read-only, no resource-level permissions.
            new iam.PolicyStatement({ sid: 'ReadRolesAndProviders', actions: [driftListAction(this.driftReads), 'iam:ListOpenIDConnectProviders'], resources: ['*'] }),
            new iam.PolicyStatement({ sid: 'ListClusters', actions: ['eks:ListClusters'], resources: ['*'] }),
            new iam.PolicyStatement({ sid: 'DescribeClusters', actions: ['eks:DescribeCluster'], resources: [`arn:${Aws.PARTITION}:eks:*:${Aws.ACCOUNT_ID}:cluster/*`] }),
            // A Delete is acted on only while CloudFormation is really deleting this stack's resource.
            new iam.PolicyStatement({ sid: 'ConfirmDeletes', actions: ['cloudformation:DescribeStacks', 'cloudformation:DescribeStackResource'], resources: [Aws.STACK_ID] }),
          ],
        }),
      },
    });
    // The marker that lets runs create roles; the Delete handler removes it before anything else.
    Tags.of(role).add(markerTag, 'true');
    acceptingRolesStatements(role.roleArn, markerTag).forEach((statement) => role.addToPrincipalPolicy(statement));
    const fn = new RoleSyncFunction(this, 'Reconciler', {
      role,
      logGroup,
      timeout: Duration.minutes(15),
      memorySize: 512,
      // No reserved concurrency (it fails in new accounts with the minimum concurrency quota): an
      // overlapping run is safe, since creates and deletes tolerate a concurrent run's work.
      description: 'Keeps one IRSA role per EKS cluster for the container cost agent (cdk-eks-cross-account-observability)',
      environment: {
        [ENV.PARTITION]: Aws.PARTITION,
        [ENV.ACCOUNT]: Aws.ACCOUNT_ID,
        [ENV.BUCKET_NAME]: this.bucket.bucketName,
        [ENV.KMS_KEY_ARN]: this.encryptionKey?.keyArn ?? '',
        [ENV.REGIONS]: this.includeRegions.join(','),
        [ENV.OWNER_KEY]: this.ownerKey,
        [ENV.SA_NAMESPACE]: serviceAccount.namespace,
        [ENV.SA_NAME]: serviceAccount.name,
        [ENV.BOUNDARY_ARN]: boundaryArn,
        [ENV.RECONCILER_ROLE]: role.roleName,
        [ENV.STACK_ID]: Aws.STACK_ID,
        [ENV.DRIFT_READS]: this.driftReads,
      },
    });
    const provider = handlerProvider(this, 'ReconcilerProvider', fn, 'the reconciler');
    const sync = new CustomResource(this, 'AgentRoles', {
      serviceToken: provider.serviceToken,
      resourceType: 'Custom::ContainerCostAgentRoles',
      properties: {
        OwnerKey: this.ownerKey,
        // What a Delete needs, from the deleted resource's own properties.
        BoundaryArn: boundaryArn,
        ReconcilerRoleName: role.roleName,
        // Any change of configuration reconciles again at deploy time.
        ConfigFingerprint: Lazy.string({
          produce: () => stableHash(JSON.stringify(Stack.of(this).resolve((fn.node.defaultChild as lambda.CfnFunction).environment)), 16),
        }),
      },
    });
    // The one resource whose Delete the function acts on (a forged Delete may name any other).
    fn.addEnvironment(ENV.LOGICAL_ID, (sync.node.defaultChild as CfnResource).logicalId);
    // The boundary outlives the roles: created before the first run, deleted after the last Delete.
    sync.node.addDependency(boundary);
    const rule = new events.Rule(this, 'Schedule', {
      schedule,
      description: 'Reconciles the container-cost agent roles with the EKS clusters',
      targets: [new targets.LambdaFunction(fn, { event: events.RuleTargetInput.fromObject({ source: 'container-cost-schedule' }) })],
    });
    // On stack deletion the schedule goes first; a run already in flight is fenced by the marker tag.
    rule.node.addDependency(sync);

    this.acknowledgeReconcilerFindings(role, roleArns);
    return fn;
  }

  private acknowledgeReconcilerFindings(role: iam.Role, roleArns: string): void {
    acknowledgeNagFinding(role, `AwsSolutions-IAM5[Resource::${nagResourceName(this, roleArns)}]`,
      'Agent roles are created per cluster at exactly this stack\'s IAM path (deeper paths denied), only with this stack\'s permissions boundary and owner tag; changes need both.');
    acknowledgeNagFinding(role, 'AwsSolutions-IAM5[Resource::*]',
      `${driftListAction(this.driftReads)} (read-only: the drift check), iam:ListOpenIDConnectProviders and eks:ListClusters have no resource-level permissions; every other * is in a Deny.`);
    acknowledgeNagFinding(role, 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:eks:*:<AWS::AccountId>:cluster/*]',
      'The reconciler describes every cluster of the account in the included regions; describing is read-only.');
  }
}

/** The drift check's one read on `*`: IAM has no resource-level permission for either. */
function driftListAction(mode: ReconcilerDriftReads): string {
  return mode === ReconcilerDriftReads.PER_ROLE ? 'iam:ListRoles' : 'iam:GetAccountAuthorizationDetails';
}

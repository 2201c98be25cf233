import { Aws, CfnOutput, CustomResource, Duration, Lazy, RemovalPolicy, SecretValue, Stack, Token } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { ENV } from './role-sync/config';
import { agentRoleName, agentRolePath, OWNER_TAG } from './role-sync/naming';
import { RoleSyncFunction } from './role-sync-function';
import { handlerProvider } from '../core/handler-provider';
import { acknowledgeNagFinding, nagResourceName } from '../core/nag';
import { stableHash } from '../core/naming';
import { partitionOf } from '../core/partition';
import { IAM_ROLE_NAME, REGION } from '../core/rules';
import { ServiceAccountRef } from '../core/service-account';
import { literalAccount, literalRegion } from '../core/stack-env';
import { describeConstruct, PropsValidator } from '../core/validation';

/**
 * How the cost bucket encrypts objects.
 */
export enum ContainerCostEncryption {
  /** SSE-S3 (AES-256, as the seed's bucket). */
  S3_MANAGED = 'S3_MANAGED',
  /** SSE-KMS with a customer managed key (`encryptionKey`, or a new one with rotation). */
  KMS = 'KMS',
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
   * Also create an IAM user for clusters without an OIDC provider. Weaker than the per-cluster
   * roles: a long-lived access key (kept in Secrets Manager, never in an output) that can write
   * the `iam-user/` prefix of the bucket.
   *
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
   * The bucket name is `<bucketNamePrefix>-<account>`.
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
   * `/container-cost/<ownerId>/` and their tag `container-cost:owner` carries it.
   *
   * @default - a hash of the account, region, stack name and construct path (needs a literal account and region)
   */
  readonly ownerId?: string;
}

const DEFAULT_SERVICE_ACCOUNT: ServiceAccountRef = { namespace: 'container-cost', name: 'container-cost-agent' };
const USER_PREFIX = 'iam-user/';

/**
 * The cluster-account side of container cost data (seed 003), hardened: an S3 bucket for the cost
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
    return agentRoleName(clusterName, region);
  }

  /** The bucket. */
  public readonly bucket: s3.IBucket;

  /** The key that marks this construct's agent roles (path and owner tag). */
  public readonly ownerKey: string;

  /** The IAM path of the agent roles. */
  public readonly rolePath: string;

  /** The regions the reconciler scans. */
  public readonly includeRegions: string[];

  /** The reconciler. */
  public readonly reconciler: lambda.IFunction;

  /** The IAM user, when `createIamUser` is set. */
  public readonly user?: iam.IUser;

  /** The secret holding the user's access key, when `createIamUser` is set. */
  public readonly userCredentials?: secretsmanager.ISecret;

  private readonly bucketNameValue: string;
  private readonly encryptionKey?: kms.IKey;

  /**
   * @param scope a construct in the cluster account's stack
   * @param id the construct ID
   * @param props regions, reader, agent service account and bucket options
   */
  constructor(scope: Construct, id: string, props: ContainerCostBucketProps = {}) {
    super(scope, id);
    const owner = describeConstruct('ContainerCostBucket', this.node.path);
    const stack = Stack.of(this);
    const region = literalRegion(this);
    this.includeRegions = props.includeRegions ?? (region ? [region] : []);
    const serviceAccount = props.agentServiceAccount ?? DEFAULT_SERVICE_ACCOUNT;
    validate(owner, props, this.includeRegions, serviceAccount, literalAccount(this), region);

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
    if (!props.serverAccessLogsBucket) {
      acknowledgeNagFinding(bucket, 'AwsSolutions-S1',
        'Server access logs are optional (serverAccessLogsBucket); the bucket only takes writes from per-cluster agent roles and reads from the named reader.');
    }

    if (props.readerRoleName) this.addReaderPolicy(props.readerRoleName);
    if (props.createIamUser) [this.user, this.userCredentials] = this.createUser(prefix);
    this.reconciler = this.createReconciler(serviceAccount, props.schedule ?? events.Schedule.rate(Duration.hours(2)));

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

  private createUser(prefix: string): [iam.IUser, secretsmanager.ISecret] {
    const user = new iam.User(this, 'User', { userName: `${prefix}-s3-writer` });
    const objects = this.bucket.arnForObjects(`${USER_PREFIX}*`);
    const policy = new iam.Policy(this, 'UserPolicy', {
      users: [user],
      statements: [
        new iam.PolicyStatement({ sid: 'WriteUserPrefix', actions: ['s3:PutObject', 's3:AbortMultipartUpload'], resources: [objects] }),
        new iam.PolicyStatement({ sid: 'ListUserPrefix', actions: ['s3:ListBucket'], resources: [this.bucket.bucketArn], conditions: { StringLike: { 's3:prefix': `${USER_PREFIX}*` } } }),
        ...(this.encryptionKey ? [new iam.PolicyStatement({ sid: 'EncryptWithBucketKey', actions: ['kms:GenerateDataKey', 'kms:Encrypt'], resources: [this.encryptionKey.keyArn] })] : []),
      ],
    });
    const key = new iam.AccessKey(this, 'UserAccessKey', { user });
    const secret = new secretsmanager.Secret(this, 'UserCredentials', {
      description: `Access key of ${prefix}-s3-writer (container cost agent on clusters without OIDC)`,
      secretObjectValue: { accessKeyId: SecretValue.unsafePlainText(key.accessKeyId), secretAccessKey: key.secretAccessKey },
    });
    acknowledgeNagFinding(policy, `AwsSolutions-IAM5[Resource::${nagResourceName(this, objects)}]`,
      `The fallback user writes objects it names itself, under the ${USER_PREFIX} prefix only.`);
    acknowledgeNagFinding(secret, 'AwsSolutions-SMG4',
      'An IAM access key cannot be rotated by Secrets Manager without a custom rotation function; rotate it by replacing the UserAccessKey resource. The per-cluster roles need no keys.');
    new CfnOutput(this, 'UserCredentialsSecretArn', { value: secret.secretArn, description: 'Secrets Manager secret with the fallback user\'s access key (the key itself is never an output)' });
    return [user, secret];
  }

  private createReconciler(serviceAccount: ServiceAccountRef, schedule: events.Schedule): lambda.IFunction {
    const roleArns = `arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:role${this.rolePath}*`;
    const ownedByUs = { StringEquals: { [`iam:ResourceTag/${OWNER_TAG}`]: this.ownerKey } };
    const logGroup = new logs.LogGroup(this, 'ReconcilerLogs', { retention: logs.RetentionDays.ONE_YEAR, removalPolicy: RemovalPolicy.DESTROY });
    const role = new iam.Role(this, 'ReconcilerRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Keeps the container-cost agent roles under ${this.rolePath}, and only those`,
      inlinePolicies: {
        Reconcile: new iam.PolicyDocument({
          statements: [
            new iam.PolicyStatement({ sid: 'Logs', actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [logGroup.logGroupArn] }),
            new iam.PolicyStatement({ sid: 'ReadAgentRoles', actions: ['iam:GetRole', 'iam:GetRolePolicy', 'iam:ListRolePolicies'], resources: [roleArns] }),
            new iam.PolicyStatement({
              sid: 'CreateTaggedAgentRoles',
              actions: ['iam:CreateRole', 'iam:TagRole'],
              resources: [roleArns],
              conditions: { StringEquals: { [`aws:RequestTag/${OWNER_TAG}`]: this.ownerKey } },
            }),
            new iam.PolicyStatement({
              sid: 'ChangeOwnedAgentRoles',
              actions: ['iam:UpdateAssumeRolePolicy', 'iam:PutRolePolicy', 'iam:DeleteRolePolicy', 'iam:DeleteRole'],
              resources: [roleArns],
              conditions: ownedByUs,
            }),
            new iam.PolicyStatement({ sid: 'ListRolesAndProviders', actions: ['iam:ListRoles', 'iam:ListOpenIDConnectProviders'], resources: ['*'] }),
            new iam.PolicyStatement({ sid: 'ListClusters', actions: ['eks:ListClusters'], resources: ['*'] }),
            new iam.PolicyStatement({ sid: 'DescribeClusters', actions: ['eks:DescribeCluster'], resources: [`arn:${Aws.PARTITION}:eks:*:${Aws.ACCOUNT_ID}:cluster/*`] }),
          ],
        }),
      },
    });
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
      },
    });
    const provider = handlerProvider(this, 'ReconcilerProvider', fn, 'the reconciler');
    const sync = new CustomResource(this, 'AgentRoles', {
      serviceToken: provider.serviceToken,
      resourceType: 'Custom::ContainerCostAgentRoles',
      properties: {
        OwnerKey: this.ownerKey,
        // Any change of configuration reconciles again at deploy time.
        ConfigFingerprint: Lazy.string({
          produce: () => stableHash(JSON.stringify(Stack.of(this).resolve((fn.node.defaultChild as lambda.CfnFunction).environment)), 16),
        }),
      },
    });
    const rule = new events.Rule(this, 'Schedule', {
      schedule,
      description: 'Reconciles the container-cost agent roles with the EKS clusters',
      targets: [new targets.LambdaFunction(fn, { event: events.RuleTargetInput.fromObject({ source: 'container-cost-schedule' }) })],
    });
    // On stack deletion the schedule goes first, so no run re-creates roles after Delete removed them.
    rule.node.addDependency(sync);

    this.acknowledgeReconcilerFindings(role, roleArns);
    return fn;
  }

  private acknowledgeReconcilerFindings(role: iam.Role, roleArns: string): void {
    acknowledgeNagFinding(role, `AwsSolutions-IAM5[Resource::${nagResourceName(this, roleArns)}]`,
      'Agent roles are created per cluster under this stack\'s own IAM path; changes also require the role to carry this stack\'s owner tag.');
    acknowledgeNagFinding(role, 'AwsSolutions-IAM5[Resource::*]', 'iam:ListRoles, iam:ListOpenIDConnectProviders and eks:ListClusters are list actions without resource-level permissions.');
    acknowledgeNagFinding(role, 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:eks:*:<AWS::AccountId>:cluster/*]',
      'The reconciler describes every cluster of the account in the included regions; describing is read-only.');
  }
}

function validate(
  owner: string, props: ContainerCostBucketProps, regions: string[], sa: ServiceAccountRef, account: string | undefined, region: string | undefined,
): void {
  const v = new PropsValidator(owner);
  if (regions.length === 0) v.problem('includeRegions', 'is required when the stack has no literal region');
  regions.forEach((r, i) => v.check(`includeRegions[${i}]`, r, REGION));
  if (new Set(regions).size !== regions.length) v.problem('includeRegions', 'lists a region twice');
  v.check('readerRoleName', props.readerRoleName, IAM_ROLE_NAME);
  v.serviceAccount('agentServiceAccount', sa);
  const prefix = props.bucketNamePrefix;
  if (prefix !== undefined && v.isLiteral(prefix) && !/^[a-z0-9][a-z0-9.-]{0,48}[a-z0-9-]$|^[a-z0-9]$/.test(prefix)) {
    v.problem('bucketNamePrefix', `got ${JSON.stringify(prefix)}; expected 1-50 characters from a-z 0-9 . -, starting with a letter or digit (the bucket is named <prefix>-<account>)`);
  }
  if (props.ownerId !== undefined && v.isLiteral(props.ownerId) && !/^[a-z0-9-]{4,32}$/.test(props.ownerId)) {
    v.problem('ownerId', `got ${JSON.stringify(props.ownerId)}; expected 4-32 characters from a-z 0-9 -`);
  }
  if (props.ownerId === undefined && (!account || !region)) {
    v.problem('ownerId', 'is required when the stack has no literal account and region: the default is derived from them');
  }
  if (props.encryptionKey && props.encryption !== ContainerCostEncryption.KMS) v.problem('encryptionKey', 'only applies with encryption KMS');
  if (props.expiration && !Token.isUnresolved(props.expiration.toSeconds()) && props.expiration.toDays({ integral: false }) < 1) {
    v.problem('expiration', 'must be at least one day (S3 lifecycle rules count in days)');
  }
  v.throwIfAny();
}

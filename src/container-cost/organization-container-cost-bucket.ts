import { Aws, CfnOutput, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { validateBucketNamesUnique } from './bucket-name-uniqueness';
import { checkBucketNamePrefix } from './container-cost-validation';
import { foreignEncryptionDenies } from './foreign-encryption-denies';
import { acknowledgeNagFinding, nagResourceName } from '../core/nag';
import { OrganizationSourceTrust } from '../core/organization';
import { checkOrganizationSource, ORGANIZATION_SOURCE, sourcePrincipalPattern } from '../core/organization-source';
import { organizationTrustStatements } from '../core/organization-trust';
import { IAM_ROLE_NAME } from '../core/rules';
import { checkStackResourceBudget } from '../core/stack-budget';
import { literalAccount } from '../core/stack-env';
import { describeConstruct, PropsValidator, propsOrEmpty } from '../core/validation';
import { FLEET_FLOW_KEYS } from '../organization/fleet-names';

/**
 * Props of {@link OrganizationContainerCostBucket}.
 */
export interface OrganizationContainerCostBucketProps {
  /**
   * Who may write: the fleet's container-cost identities (`ObservabilityFleetSource`'s
   * `containerCost` flow) in any account of this organization, or of some of its OUs. Each writes
   * only under `<its own account>/` (`${aws:PrincipalAccount}` in the bucket policy).
   * `organizationId` and `sourcePrincipalPattern` may be deploy-time values (tokens).
   */
  readonly organizationSource: OrganizationSourceTrust;

  /**
   * The bucket name is `<bucketNamePrefix>-<account>`. Must differ from any `ContainerCostBucket`'s in
   * this account (synth fails when two buckets of the app get one name).
   *
   * @default 'container-cost-org'
   */
  readonly bucketNamePrefix?: string;

  /**
   * An existing role of this account (the cost platform's) that gets read access to every account's data.
   *
   * @default - none; use `grantRead`
   */
  readonly readerRoleName?: string;

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
   * What happens to the bucket when the stack is deleted.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

const WRITE_ACTIONS = ['s3:PutObject', 's3:AbortMultipartUpload'];

/**
 * The central side of container cost data for a whole AWS Organization: one bucket in this
 * (central) account that every member account's cost agents write into, each under its own
 * account's prefix. The member side is `ObservabilityFleetSource`'s `containerCost` flow: each
 * member's reconciler keeps one identity per EKS cluster that may write `<account>/<region>/<cluster>/`.
 *
 * Why one bucket and not one per account: a cost platform reads one place (one reader grant, one
 * lifecycle, one inventory), and the bucket policy stays one statement pair for 10 accounts or
 * 10,000. The isolation that a per-account bucket gives by construction is here given by IAM: the
 * bucket policy admits a write only under `${aws:PrincipalAccount}/`, the caller's own account as IAM
 * sets it (a caller cannot choose it), so account A's identities can never write account B's prefix,
 * whatever A's own policies say (cross-account access needs the bucket policy's Allow too).
 *
 * Objects are owned by this account (BucketOwnerEnforced) and encrypted with SSE-S3: SSE-KMS
 * would need every member writer in the key policy, which the organization condition cannot express
 * per prefix. The policy refuses a member's write with SSE-KMS under its own key or SSE-C (this
 * account could not read it: `foreignEncryptionDenies`).
 */
export class OrganizationContainerCostBucket extends Construct {
  /** The bucket. */
  public readonly bucket: s3.IBucket;

  /** The principal pattern the bucket policy admits (the fleet's container-cost identities by default). */
  public readonly sourcePrincipalPattern: string;

  private readonly bucketNameValue: string;

  /**
   * @param scope a construct in the central (cost) account's stack
   * @param id the construct ID
   * @param props the organization, and bucket options
   */
  constructor(scope: Construct, id: string, props: OrganizationContainerCostBucketProps) {
    super(scope, id);
    checkStackResourceBudget(this, 'OrganizationContainerCostBucket');
    props = propsOrEmpty(props);
    const owner = describeConstruct('OrganizationContainerCostBucket', this.node.path);
    const v = new PropsValidator(owner).inStackOf(this);
    if (v.required(ORGANIZATION_SOURCE, props.organizationSource)) checkOrganizationSource(v, props.organizationSource);
    if (props.bucketNamePrefix !== undefined && typeof props.bucketNamePrefix !== 'string') v.problem('bucketNamePrefix', 'is not a string');
    else checkBucketNamePrefix(v, 'bucketNamePrefix', props.bucketNamePrefix);
    v.check('readerRoleName', props.readerRoleName, IAM_ROLE_NAME);
    v.boolean('versioned', props.versioned);
    if (props.expiration !== undefined && props.expiration !== null) {
      if (!(props.expiration instanceof Duration)) v.problem('expiration', 'is not a Duration');
      else if (!props.expiration.isUnresolved() && props.expiration.toDays({ integral: false }) < 1) v.problem('expiration', 'must be at least one day (S3 lifecycle rules count in days)');
    }
    if (props.serverAccessLogsBucket !== undefined && props.serverAccessLogsBucket !== null && typeof (props.serverAccessLogsBucket as any).bucketName !== 'string') {
      v.problem('serverAccessLogsBucket', 'is not an IBucket');
    }
    if (props.removalPolicy !== undefined && props.removalPolicy !== null) v.oneOf('removalPolicy', props.removalPolicy, RemovalPolicy as unknown as Record<string, string>);
    v.throwIfAny();

    const stack = Stack.of(this);
    this.bucketNameValue = `${props.bucketNamePrefix ?? 'container-cost-org'}-${stack.account}`;
    const bucket = new s3.Bucket(this, 'Bucket', {
      bucketName: this.bucketNameValue,
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      versioned: props.versioned ?? false,
      lifecycleRules: [{
        abortIncompleteMultipartUploadAfter: Duration.days(7),
        ...(props.expiration ? { expiration: props.expiration, ...(props.versioned ? { noncurrentVersionExpiration: props.expiration } : {}) } : {}),
      }],
      serverAccessLogsBucket: props.serverAccessLogsBucket ?? undefined,
      serverAccessLogsPrefix: props.serverAccessLogsBucket ? 'container-cost-org/' : undefined,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });
    this.bucket = bucket;
    validateBucketNamesUnique(this, bucket.node.defaultChild as s3.CfnBucket);

    this.sourcePrincipalPattern = sourcePrincipalPattern(this, props.organizationSource, FLEET_FLOW_KEYS.CONTAINER_COST);
    const writers = organizationWriterStatements(bucket.bucketArn, props.organizationSource, this.sourcePrincipalPattern);
    writers.forEach((statement) => bucket.addToResourcePolicy(statement));
    // Members may not encrypt what they write under keys this account cannot use (their own KMS key, SSE-C).
    foreignEncryptionDenies(bucket.bucketArn, Aws.ACCOUNT_ID, 'Members').forEach((statement) => bucket.addToResourcePolicy(statement));
    if (!props.serverAccessLogsBucket) {
      acknowledgeNagFinding(bucket, 'AwsSolutions-S1',
        'Server access logs are optional (serverAccessLogsBucket); the bucket takes writes only from the fleet\'s container-cost identities, each under its own account\'s prefix.');
    }
    if (props.readerRoleName) {
      const policy = new iam.Policy(this, 'ReaderPolicy', {
        roles: [iam.Role.fromRoleName(this, 'Reader', props.readerRoleName)],
        statements: [
          new iam.PolicyStatement({ sid: 'ReadCostData', actions: ['s3:GetObject'], resources: [bucket.arnForObjects('*')] }),
          new iam.PolicyStatement({ sid: 'ListCostData', actions: ['s3:ListBucket'], resources: [bucket.bucketArn] }),
        ],
      });
      acknowledgeNagFinding(policy, `AwsSolutions-IAM5[Resource::${nagResourceName(this, bucket.arnForObjects('*'))}]`,
        'The cost platform reads every member account\'s cost data in this bucket, and nothing outside it.');
    }

    new CfnOutput(this, 'BucketName', { value: bucket.bucketName, description: 'The organization\'s container cost bucket (ObservabilityFleetSource containerCost.bucketName)' });
  }

  /** The bucket name as a plain string when the stack's account is literal (the fleet's `containerCost.bucketName`). */
  public get bucketName(): string {
    if (!literalAccount(this)) {
      throw new Error(`${describeConstruct('OrganizationContainerCostBucket', this.node.path)}: the bucket name is a plain string only when the stack has a literal account`);
    }
    return this.bucketNameValue;
  }

  /**
   * Lets a principal of this account read every member account's cost data: `s3:GetObject` and `s3:ListBucket`.
   *
   * @param grantee who may read
   */
  public grantRead(grantee: iam.IGrantable): iam.Grant {
    const grant = iam.Grant.addToPrincipalOrResource({ grantee, actions: ['s3:GetObject'], resourceArns: [this.bucket.arnForObjects('*')], resource: this.bucket });
    iam.Grant.addToPrincipalOrResource({ grantee, actions: ['s3:ListBucket'], resourceArns: [this.bucket.bucketArn], resource: this.bucket });
    return grant;
  }
}

/**
 * The bucket policy's writer statements: the fleet's container-cost identities of the organization
 * (or its OUs) may write and list only under their own account's prefix. `${aws:PrincipalAccount}` is
 * the account of the calling principal, as IAM sets it (IAM user guide, "AWS global condition context
 * keys", aws:PrincipalAccount; policy variables may use global condition keys, "IAM policy elements:
 * Variables and tags").
 */
function organizationWriterStatements(bucketArn: string, source: OrganizationSourceTrust, principalPattern: string): iam.PolicyStatement[] {
  const [{ conditions }] = organizationTrustStatements({
    source: { organizationId: source.organizationId, organizationalUnitPaths: source.organizationalUnitPaths ?? undefined },
    principalPattern,
    // Only read for session-tag conditions, which a bucket policy has none of.
    partition: Aws.PARTITION,
    tagSession: false,
  });
  const ownPrefix = '${aws:PrincipalAccount}/';
  return [
    new iam.PolicyStatement({
      sid: 'MembersWriteOwnAccountPrefix',
      principals: [new iam.AnyPrincipal()],
      actions: WRITE_ACTIONS,
      resources: [`${bucketArn}/${ownPrefix}*`],
      conditions,
    }),
    new iam.PolicyStatement({
      sid: 'MembersListOwnAccountPrefix',
      principals: [new iam.AnyPrincipal()],
      actions: ['s3:ListBucket'],
      resources: [bucketArn],
      conditions: { ...conditions, StringLike: { ...(conditions.StringLike ?? {}), 's3:prefix': `${ownPrefix}*` } },
    }),
  ];
}

/**
 * The vendor's side of one customer (seed 000's monitoring vendor, many customers): the roles this
 * customer's collectors assume, a per-customer external ID kept in Secrets Manager, and one
 * quick-create link per customer template as a stack output.
 *
 * Why the external ID is never in the link (nor in any output): it is consumed by the customer's
 * sigv4 client (`PrometheusAgentConfig.externalId`), not by CloudFormation, so the customer template
 * has no parameter for it; and a quick-create link could not carry one safely anyway: CloudFormation
 * ignores `NoEcho` parameters in links, and any other parameter is shown in the console and kept in
 * the stack's parameters. The vendor reads it from the secret and hands it over with the client config.
 *
 * Threat model: customer B knows customer A's role ARNs (they follow a pattern). A's roles trust
 * only A's account (and, for remote write, only A's `remote-write-*` source roles with A's external
 * ID), so B's principals, B's external ID or A's own other roles are refused: proven with the IAM
 * engine in test/customer-template/vendor-customer.test.ts.
 */
import { App, CfnOutput, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { VENDOR_KEY, writerRolePattern } from './container-cost-writer-names';
import { maxClusterNameLength } from './customer-parameters';
import { QuickCreateLink, TEMPLATE_URL } from './quick-create-link';
import { REMOTE_WRITE_SOURCE_ROLE_PREFIX } from './remote-write-customer-template';
import { AmpScraperTargetRole } from '../amp-scraper/amp-scraper-target-role';
import { SCRAPER_SOURCE_ROLE_PREFIX, workspaceKey } from '../amp-scraper/names';
import { foreignEncryptionDenies } from '../container-cost/foreign-encryption-denies';
import { ContainerInsightsPermissionMode, CrossAccountContainerInsights, PodIdentityTrust } from '../container-insights/cross-account-container-insights';
import { ArgumentChecker } from '../core/arguments';
import { acknowledgeNagFinding } from '../core/nag';
import { validateRoleNamesUnique } from '../core/role-name-uniqueness';
import { ACCOUNT_ID, ArnKind, arnRule, EKS_CLUSTER_NAME, parseArn, REGION, Rule } from '../core/rules';
import { checkStackResourceBudget } from '../core/stack-budget';
import { literalAccount, literalPartition } from '../core/stack-env';
import { buildWithPropPrefix, describeConstruct, describeValue, PropsValidator, propsOrEmpty } from '../core/validation';
import { warn } from '../core/warnings';
import { worstCasePolicySize } from '../core/worst-case-size';

/** Container Insights for one customer. */
export interface VendorContainerInsightsOptions {
  /** Where `ContainerInsightsCustomerTemplate`'s template is published (an S3 object URL). */
  readonly templateUrl: string;

  /**
   * What the role may do.
   *
   * @default ContainerInsightsPermissionMode.AGENT_SERVER_POLICY
   */
  readonly permissionMode?: ContainerInsightsPermissionMode;

  /**
   * The customer's clusters (`LEAST_PRIVILEGE` and `TENANT_ISOLATED`).
   *
   * @default - none
   */
  readonly clusterNames?: string[];

  /**
   * The customer's agent roles to trust exactly (NODE_ROLES or IRSA templates; their `AgentRoleArn`
   * output or node role ARNs), once the customer reports them.
   *
   * @default - any principal of the customer's account that its own policies allow (the seed's trust)
   */
  readonly trustedPrincipalArns?: string[];

  /**
   * The customer's Pod Identity associations (POD_IDENTITY template): EKS chains into the role with
   * session tags, which needs these trusts.
   *
   * @default - none
   */
  readonly podIdentityTrusts?: PodIdentityTrust[];
}

/** Prometheus remote write (any client) for one customer. */
export interface VendorRemoteWriteOptions {
  /** Where `RemoteWriteCustomerTemplate`'s template is published (an S3 object URL). */
  readonly templateUrl: string;

  /** The vendor's AMP workspace this customer writes to (in this stack's account). */
  readonly workspaceArn: string;

  /**
   * Require the customer's external ID (`sts:ExternalId`). Prometheus (github.com/prometheus/sigv4
   * v0.4.0 or later) sends one; the ADOT collector's sigv4auth cannot, nor can released Grafana Alloy
   * versions: turn it off for those (the role then still admits only this customer's source roles).
   *
   * @default true
   */
  readonly requireExternalId?: boolean;

  /**
   * The customer's cluster, prefilled in the link (`param_ClusterName`).
   *
   * @default - the customer types it
   */
  readonly clusterName?: string;
}

/** The AMP managed collector of one customer cluster (its `AmpCrossAccountScraper`). */
export interface VendorAmpCollectorOptions {
  /** The vendor's AMP workspace (in this stack's account). */
  readonly workspaceArn: string;

  /** The customer's cluster the scraper collects from. */
  readonly clusterName: string;

  /**
   * The scraper's ARN once it exists (phase 2 of `AmpScraperTargetRole`): the `ScraperArn` output of
   * the customer's `AmpCollectorCustomerTemplate` stack.
   *
   * @default - phase 1: any scraper of the customer's account in the workspace's region
   */
  readonly scraperArn?: string;

  /**
   * Where `AmpCollectorCustomerTemplate`'s template (for this workspace) is published (an S3 object
   * URL): adds the quick-create link `AmpCollectorQuickCreateUrl`.
   *
   * @default - no link
   */
  readonly templateUrl?: string;
}

/** Container cost data from this customer into the vendor's bucket. */
export interface VendorContainerCostOptions {
  /** Where `ContainerCostCustomerTemplate`'s template (for this bucket) is published (an S3 object URL). */
  readonly templateUrl: string;

  /**
   * The vendor's cost bucket, created in this stack (its policy's shared writer statements get this customer's account) and
   * encrypted with S3-managed keys (a KMS key would need the customer's role in its key policy too).
   */
  readonly bucket: s3.IBucket;

  /**
   * The `vendorKey` of that `ContainerCostCustomerTemplate`: the bucket policy admits the customer's
   * `container-cost-writer-<vendorKey>-*` roles only (not another vendor's writer in the same account).
   *
   * @default - this stack's account ID (the template's default, `vendorAccountId`)
   */
  readonly vendorKey?: string;
}

/**
 * Props of {@link VendorCustomer}.
 */
export interface VendorCustomerProps {
  /** The customer's short name: lowercase letters, digits and "-", at most 32 (in role and secret names). */
  readonly customerName: string;

  /** The customer's AWS account. */
  readonly customerAccountId: string;

  /** The region the customer creates the templates' stacks in (the links open the console there). */
  readonly region: string;

  /**
   * Container Insights from this customer.
   *
   * @default - none
   */
  readonly containerInsights?: VendorContainerInsightsOptions;

  /**
   * Prometheus remote write from this customer.
   *
   * @default - none
   */
  readonly remoteWrite?: VendorRemoteWriteOptions;

  /**
   * The AMP managed collector of one customer cluster.
   *
   * @default - none
   */
  readonly ampCollector?: VendorAmpCollectorOptions;

  /**
   * Container cost data from this customer's clusters.
   *
   * @default - none
   */
  readonly containerCost?: VendorContainerCostOptions;
}

const CUSTOMER_NAME: Rule = {
  expected: 'a customer name: 1-32 characters from a-z 0-9 -, starting alphanumeric',
  check: (value) => (/^[a-z0-9][a-z0-9-]{0,31}$/.test(value) ? undefined : 'does not match'),
};

/**
 * One vendor customer: its roles, its external ID (in Secrets Manager, never in an output), its
 * statements in the cost bucket's policy, and the quick-create links of its customer templates
 * (outputs `ContainerInsightsQuickCreateUrl`, `RemoteWriteQuickCreateUrl`, `AmpCollectorQuickCreateUrl`,
 * `ContainerCostQuickCreateUrl`).
 */
export class VendorCustomer extends Construct {
  /**
   * The name of the secret holding a customer's external ID.
   *
   * @param customerName the customer's short name
   */
  public static externalIdSecretName(customerName: string): string {
    const a = new ArgumentChecker('VendorCustomer.externalIdSecretName(customerName)');
    a.string('customerName', customerName, CUSTOMER_NAME);
    return a.result(() => `xacct-observability/customers/${customerName}/external-id`);
  }

  /**
   * The vendor's remote-write role of a customer.
   *
   * @param customerName the customer's short name
   */
  public static remoteWriteRoleName(customerName: string): string {
    const a = new ArgumentChecker('VendorCustomer.remoteWriteRoleName(customerName)');
    a.string('customerName', customerName, CUSTOMER_NAME);
    return a.result(() => `amp-remote-write-${customerName}`);
  }

  /** The secret with this customer's external ID (generated by Secrets Manager at deploy time). */
  public readonly externalIdSecret: secretsmanager.ISecret;

  /** The Container Insights role (with `containerInsights`). */
  public readonly containerInsights?: CrossAccountContainerInsights;

  /** The remote-write role (with `remoteWrite`). */
  public readonly remoteWriteRole?: iam.IRole;

  /** The AMP collector's target role (with `ampCollector`). */
  public readonly ampCollectorRole?: AmpScraperTargetRole;

  /** The quick-create link of the Container Insights template (with `containerInsights`). */
  public readonly containerInsightsQuickCreateUrl?: string;

  /** The quick-create link of the remote-write template (with `remoteWrite`). */
  public readonly remoteWriteQuickCreateUrl?: string;

  /** The quick-create link of the AMP collector template (with `ampCollector.templateUrl`). */
  public readonly ampCollectorQuickCreateUrl?: string;

  /** The quick-create link of the container cost template (with `containerCost`). */
  public readonly containerCostQuickCreateUrl?: string;

  /** The customer's name and the AMP workspaces its roles write (for the shared-workspace warning). */
  private readonly ampWorkspaces: { readonly customerName: string; readonly workspaceArns: string[] };

  /**
   * @param scope a construct in the vendor's stack (with a literal account)
   * @param id the construct ID
   * @param props the customer and the flows it uses
   */
  constructor(scope: Construct, id: string, props: VendorCustomerProps) {
    super(scope, id);
    checkStackResourceBudget(this, 'VendorCustomer');
    props = propsOrEmpty(props);
    const owner = describeConstruct('VendorCustomer', this.node.path);
    const account = literalAccount(this);
    validate(owner, props, account, this);
    const partition = literalPartition(this);
    const name = props.customerName;

    this.externalIdSecret = new secretsmanager.Secret(this, 'ExternalId', {
      secretName: VendorCustomer.externalIdSecretName(name),
      description: `External ID of customer ${name} (account ${props.customerAccountId}): hand it over with the client config, never in a link`,
      // STS external IDs: [\w+=,.@:/-]{2,1224}; letters and digits only, so every client config takes it unquoted.
      generateSecretString: { passwordLength: 32, excludePunctuation: true, includeSpace: false },
    });
    acknowledgeNagFinding(this.externalIdSecret, 'AwsSolutions-SMG4',
      'An external ID is an identifier the customer configures once, not a credential: rotating it breaks the customer\'s collectors until they change their config, so it is replaced by hand with the customer.');
    new CfnOutput(this, 'ExternalIdSecretArn', { value: this.externalIdSecret.secretArn, description: `Secret with ${name}'s external ID (the ID itself is never an output)` });

    if (props.containerInsights) {
      const ci = props.containerInsights;
      this.containerInsights = buildWithPropPrefix(owner, 'containerInsights', () => containerInsightsRole(this, { customerName: name, customerAccountId: props.customerAccountId }, ci));
      this.containerInsightsQuickCreateUrl = QuickCreateLink.forTemplate({
        region: props.region,
        templateUrl: ci.templateUrl,
        stackName: `container-insights-to-vendor-${name}`,
        parameters: { TargetRoleArn: `arn:${partition}:iam::${account}:role/${this.containerInsights.roleName}` },
      });
      new CfnOutput(this, 'ContainerInsightsQuickCreateUrl', { value: this.containerInsightsQuickCreateUrl, description: `Quick-create link of ${name}'s Container Insights template` });
    }

    if (props.remoteWrite) {
      const rw = props.remoteWrite;
      const roleName = VendorCustomer.remoteWriteRoleName(name);
      const conditions: Record<string, Record<string, unknown>> = {
        // Only the customer's remote-write source roles (RemoteWriteCustomerTemplate names them remote-write-<cluster>).
        ArnLike: { 'aws:PrincipalArn': `arn:${partition}:iam::${props.customerAccountId}:role/${REMOTE_WRITE_SOURCE_ROLE_PREFIX}-*` },
      };
      if (rw.requireExternalId ?? true) {
        // A dynamic reference: CloudFormation resolves it at deploy; the template holds only the secret's ARN.
        conditions.StringEquals = { 'sts:ExternalId': this.externalIdSecret.secretValue.unsafeUnwrap() };
      }
      const role = new iam.Role(this, 'RemoteWriteRole', {
        roleName,
        description: `Prometheus remote write of customer ${name} (account ${props.customerAccountId}) into ${rw.workspaceArn}`,
        // sts:TagSession too: a Pod Identity source session carries transitive session tags.
        assumedBy: new iam.AccountPrincipal(props.customerAccountId).withConditions(conditions).withSessionTags(),
        inlinePolicies: {
          RemoteWrite: new iam.PolicyDocument({ statements: [new iam.PolicyStatement({ actions: ['aps:RemoteWrite'], resources: [rw.workspaceArn] })] }),
        },
      });
      validateRoleNamesUnique(this, [role.node.defaultChild as iam.CfnRole]);
      this.remoteWriteRole = role;
      this.remoteWriteQuickCreateUrl = QuickCreateLink.forTemplate({
        region: props.region,
        templateUrl: rw.templateUrl,
        stackName: `remote-write-to-vendor-${name}`,
        parameters: {
          TargetRoleArn: `arn:${partition}:iam::${account}:role/${roleName}`,
          ...(rw.clusterName ? { ClusterName: rw.clusterName } : {}),
        },
      });
      new CfnOutput(this, 'RemoteWriteQuickCreateUrl', { value: this.remoteWriteQuickCreateUrl, description: `Quick-create link of ${name}'s remote-write template` });
      new CfnOutput(this, 'RemoteWriteRoleArn', { value: role.roleArn, description: `${name}'s collectors assume this role (their sigv4 role_arn)` });
    }

    if (props.ampCollector) {
      const collector = props.ampCollector;
      this.ampCollectorRole = buildWithPropPrefix(owner, 'ampCollector', () => ampCollectorRole(this, props.customerAccountId, collector));
      if (collector.templateUrl) {
        this.ampCollectorQuickCreateUrl = QuickCreateLink.forTemplate({
          region: props.region,
          templateUrl: collector.templateUrl,
          stackName: `amp-collector-to-vendor-${name}`,
          parameters: { TargetRoleArn: `arn:${partition}:iam::${account}:role/${this.ampCollectorRole.roleName}`, ClusterName: collector.clusterName },
        });
        new CfnOutput(this, 'AmpCollectorQuickCreateUrl', { value: this.ampCollectorQuickCreateUrl, description: `Quick-create link of ${name}'s AMP collector template` });
      }
    }

    this.ampWorkspaces = { customerName: name, workspaceArns: [props.remoteWrite?.workspaceArn, props.ampCollector?.workspaceArn].filter((w): w is string => typeof w === 'string') };
    this.warnOfSharedWorkspaces();

    if (props.containerCost) {
      const bucket = props.containerCost.bucket;
      const customer = { customerName: name, customerAccountId: props.customerAccountId };
      admitCostWriters(bucket as s3.Bucket, customer, partition, props.containerCost.vendorKey ?? account!, account!);
      this.containerCostQuickCreateUrl = QuickCreateLink.forTemplate({
        region: props.region,
        templateUrl: props.containerCost.templateUrl,
        stackName: `container-cost-to-vendor-${name}`,
      });
      new CfnOutput(this, 'ContainerCostQuickCreateUrl', { value: this.containerCostQuickCreateUrl, description: `Quick-create link of ${name}'s container cost template` });
    }
  }

  /**
   * aps:RemoteWrite is authorized per workspace only (Service Authorization Reference, Amazon Managed Service for
   * Prometheus: RemoteWrite takes workspace* and aws:ResourceTag only): no policy limits which series a writer
   * sends, and each customer configures its own collector. Customers that share a workspace can each write
   * series labelled as the other's: warn on the later one, naming the earlier.
   */
  private warnOfSharedWorkspaces(): void {
    const others = Stack.of(this).node.findAll()
      .filter((c): c is VendorCustomer => c instanceof VendorCustomer && c !== this && c.ampWorkspaces !== undefined);
    for (const workspaceArn of new Set(this.ampWorkspaces.workspaceArns.filter((w) => !Token.isUnresolved(w)))) {
      const sharing = others.filter((o) => o.ampWorkspaces.workspaceArns.includes(workspaceArn)).map((o) => o.ampWorkspaces.customerName);
      if (sharing.length > 0) {
        warn(this, 'workspaceShared', `Customer ${this.ampWorkspaces.customerName} shares the AMP workspace ${workspaceArn} with customer ${sharing.join(', ')}: `
          + 'aps:RemoteWrite is authorized per workspace, not per series, so each customer can write series labelled as the other\'s. '
          + 'Give each customer a workspace of its own where their metrics must not mix.');
      }
    }
  }
}

function validate(owner: string, props: VendorCustomerProps, account: string | undefined, scope: Construct): void {
  const v = PropsValidator.forChart(owner).inStackOf(scope);
  if (v.required('customerName', props.customerName)) v.check('customerName', props.customerName, CUSTOMER_NAME);
  if (v.required('customerAccountId', props.customerAccountId)) v.check('customerAccountId', props.customerAccountId, ACCOUNT_ID);
  if (v.required('region', props.region)) v.check('region', props.region, REGION);
  if (!account) v.problem('env.account', 'the vendor\'s stack needs a literal account: the links name its roles as plain ARNs; set env: { account, region } on the stack');
  if (typeof props.customerAccountId === 'string' && props.customerAccountId === account) v.problem('customerAccountId', 'is the vendor\'s own account; expected the customer\'s');
  const options = (prop: string, value: unknown): boolean => {
    if (value === undefined || value === null) return false;
    if (typeof value !== 'object' || Array.isArray(value)) {
      v.problem(prop, `got ${describeValue(value)}; expected an object`);
      return false;
    }
    return true;
  };
  const workspace = (prop: string, arn: unknown) => {
    if (!v.required(prop, arn)) return;
    const before = v.problemCount;
    v.check(prop, arn as string, arnRule(ArnKind.APS_WORKSPACE));
    if (v.problemCount === before && account && parseArn(arn as string)?.account !== account) v.problem(prop, `is not in this stack's account ${account}; the vendor's roles may only write to its own workspaces`);
  };
  // A link prefills ClusterName: it must fit the template's MaxLength (CloudFormation cannot hash a long name,
  // so a longer one is refused by the console, and the vendor's role would trust a hashed name the template never makes).
  const withinTemplateMax = (prop: string, clusterName: string | undefined, template: string, max: number) => {
    if (typeof clusterName === 'string' && !Token.isUnresolved(clusterName) && clusterName.length > max) {
      v.problem(prop, `is ${clusterName.length} characters; ${template}'s ClusterName takes at most ${max} (its role name <prefix>-<cluster> must fit IAM's 64)`);
    }
  };
  if (options('containerInsights', props.containerInsights)) {
    const ci = props.containerInsights!;
    if (v.required('containerInsights.templateUrl', ci.templateUrl)) v.check('containerInsights.templateUrl', ci.templateUrl, TEMPLATE_URL);
    // Shapes here, so one error names them with this construct's own problems; the rules are the role's.
    v.oneOf('containerInsights.permissionMode', ci.permissionMode, ContainerInsightsPermissionMode);
    v.list('containerInsights.clusterNames', ci.clusterNames, 'string');
    v.list('containerInsights.trustedPrincipalArns', ci.trustedPrincipalArns, 'string');
    v.list('containerInsights.podIdentityTrusts', ci.podIdentityTrusts, 'object');
  }
  if (options('remoteWrite', props.remoteWrite)) {
    if (v.required('remoteWrite.templateUrl', props.remoteWrite!.templateUrl)) v.check('remoteWrite.templateUrl', props.remoteWrite!.templateUrl, TEMPLATE_URL);
    workspace('remoteWrite.workspaceArn', props.remoteWrite!.workspaceArn);
    v.boolean('remoteWrite.requireExternalId', props.remoteWrite!.requireExternalId);
    const beforeCluster = v.problemCount;
    if (v.check('remoteWrite.clusterName', props.remoteWrite!.clusterName, EKS_CLUSTER_NAME).problemCount === beforeCluster) {
      withinTemplateMax('remoteWrite.clusterName', props.remoteWrite!.clusterName, 'RemoteWriteCustomerTemplate', maxClusterNameLength(REMOTE_WRITE_SOURCE_ROLE_PREFIX));
    }
  }
  if (options('ampCollector', props.ampCollector)) {
    workspace('ampCollector.workspaceArn', props.ampCollector!.workspaceArn);
    v.string('ampCollector.scraperArn', props.ampCollector!.scraperArn);
    const before = v.problemCount;
    if (v.check('ampCollector.templateUrl', props.ampCollector!.templateUrl, TEMPLATE_URL).problemCount === before && props.ampCollector!.templateUrl) {
      const workspaceRegion = typeof props.ampCollector!.workspaceArn === 'string' ? parseArn(props.ampCollector!.workspaceArn)?.region : undefined;
      // The link opens the console in `region`; the template launches only in the workspace's region.
      if (workspaceRegion && typeof props.region === 'string' && workspaceRegion !== props.region) {
        v.problem('ampCollector.templateUrl', `opens the console in ${props.region}, but the collector must be created in the workspace's region ${workspaceRegion}`);
      }
    }
    const beforeCluster = v.problemCount;
    if (v.required('ampCollector.clusterName', props.ampCollector!.clusterName)
      && v.check('ampCollector.clusterName', props.ampCollector!.clusterName, EKS_CLUSTER_NAME).problemCount === beforeCluster
      && props.ampCollector!.templateUrl && typeof props.ampCollector!.workspaceArn === 'string') {
      withinTemplateMax('ampCollector.clusterName', props.ampCollector!.clusterName, 'AmpCollectorCustomerTemplate',
        maxClusterNameLength(SCRAPER_SOURCE_ROLE_PREFIX, workspaceKey(props.ampCollector!.workspaceArn)));
    }
  }
  if (options('containerCost', props.containerCost)) {
    const cc = props.containerCost!;
    if (v.required('containerCost.templateUrl', cc.templateUrl)) v.check('containerCost.templateUrl', cc.templateUrl, TEMPLATE_URL);
    v.check('containerCost.vendorKey', cc.vendorKey, VENDOR_KEY);
    if (v.required('containerCost.bucket', cc.bucket)) {
      const bucket = cc.bucket as unknown as { addToResourcePolicy?: unknown; encryptionKey?: unknown; node?: unknown };
      if (typeof bucket !== 'object' || typeof bucket.addToResourcePolicy !== 'function') {
        v.problem('containerCost.bucket', `got ${describeValue(cc.bucket)}; expected an s3.Bucket`);
      } else if (!(cc.bucket instanceof s3.Bucket) || Stack.of(cc.bucket) !== Stack.of(scope)) {
        // An imported bucket (or one of another stack) takes no policy statement from here: the customer's writes would be refused.
        v.problem('containerCost.bucket', 'is not an s3.Bucket of this stack; its bucket policy must admit the customer, so create the bucket in this stack');
      } else if (cc.bucket.encryptionKey) {
        v.problem('containerCost.bucket', 'is encrypted with a KMS key; the customer\'s cost role has no kms:GenerateDataKey on it: use S3-managed encryption');
      } else {
        // S3 user guide, "Controlling ownership of objects": with ObjectWriter (or BucketOwnerPreferred without the
        // bucket-owner-full-control ACL, which the customer's role never sends) the customer's account owns what it writes.
        const ownership = objectOwnershipOf(cc.bucket);
        if (ownership && ownership !== s3.ObjectOwnership.BUCKET_OWNER_ENFORCED) {
          v.problem('containerCost.bucket', `has object ownership ${ownership}: the customer's account would own the objects it writes and the vendor could not read them; use BucketOwnerEnforced (the default for a new bucket)`);
        }
      }
    }
  }
  if (v.problemCount > 0) {
    // The roles are not built when this construct's own props are refused: ask them for their problems
    // apart, so the one error names every problem (with placeholders for the props refused here).
    const customer = { customerName: 'placeholder', customerAccountId: '999999999999' };
    if (props.containerInsights && typeof props.containerInsights === 'object') {
      childProblems(v, 'containerInsights', scope, (s) => containerInsightsRole(s, customer, props.containerInsights!));
    }
    if (props.ampCollector && typeof props.ampCollector === 'object') {
      childProblems(v, 'ampCollector', scope, (s) => ampCollectorRole(s, customer.customerAccountId, props.ampCollector!));
    }
  }
  v.throwIfAny();
}

/** The bucket's `OwnershipControls` rule, if it sets one (none: S3 enforces bucket owner on a new bucket). */
function objectOwnershipOf(bucket: s3.Bucket): string | undefined {
  const cfn = bucket.node.defaultChild as s3.CfnBucket;
  const controls = Stack.of(bucket).resolve(cfn.ownershipControls);
  const rule = controls?.rules?.[0] ?? controls?.Rules?.[0];
  return rule?.objectOwnership ?? rule?.ObjectOwnership;
}

/** S3 user guide, "Bucket policies and user policies": "Bucket policies are limited to 20 KB in size." */
const S3_BUCKET_POLICY_SIZE = 20_480;
/** What a cost bucket's policy holds for its customers: their names, and one statement pair per vendor key. */
interface CostBucketState {
  readonly customers: string[];
  readonly writers: Map<string, iam.PolicyStatement[]>;
}
const costBuckets = new WeakMap<s3.Bucket, CostBucketState>();

/**
 * Admits one customer's cost writers to the bucket: its account joins the principals of the shared
 * statement pair of its vendor key (so a customer costs one account ARN per statement, not a
 * statement pair of its own). Once per bucket: the denies of writes the vendor could not read
 * (SSE-KMS under the customer's key, SSE-C; the bucket is SSE-S3, checked above), and a synth-time
 * error when the policy outgrows S3's limit, before CloudFormation fails the deploy.
 */
function admitCostWriters(bucket: s3.Bucket, customer: CustomerIds, partition: string, vendorKey: string, vendorAccount: string): void {
  let state = costBuckets.get(bucket);
  if (!state) {
    const created: CostBucketState = { customers: [], writers: new Map() };
    state = created;
    costBuckets.set(bucket, created);
    foreignEncryptionDenies(bucket.bucketArn, vendorAccount, 'ContainerCost').forEach((statement) => bucket.addToResourcePolicy(statement));
    bucket.node.addValidation({
      validate: () => {
        const document = bucket.policy?.document;
        const size = document ? worstCasePolicySize(Stack.of(bucket).resolve(document.toJSON())) : 0;
        return size > S3_BUCKET_POLICY_SIZE
          ? [`VendorCustomer containerCost: a bucket policy of up to ${size} characters for ${created.customers.length} customers, over S3's 20,480 (20 KB) for a bucket policy; `
            + 'give later customers another bucket (each customer adds about 70 characters)']
          : [];
      },
    });
  }
  state.customers.push(customer.customerName);
  // The account's root ARN with the literal partition (AccountPrincipal would join in AWS::Partition): ~33 characters per statement.
  const principal = new iam.ArnPrincipal(`arn:${partition}:iam::${customer.customerAccountId}:root`);
  const writers = state.writers.get(vendorKey);
  if (writers) {
    writers.forEach((statement) => statement.addPrincipals(principal));
  } else {
    const statements = costWriterStatements(bucket, principal, partition, vendorKey);
    statements.forEach((statement) => bucket.addToResourcePolicy(statement));
    state.writers.set(vendorKey, statements);
  }
}

/**
 * The shared bucket policy statements of the cost writers of one vendor key: the listed customers'
 * `container-cost-writer-<vendorKey>-<region>` roles (`ContainerCostCustomerTemplate`) may write and
 * list under their own account's prefix only. `${aws:PrincipalAccount}` is the requester's account as
 * IAM sets it (IAM user guide, "AWS global condition context keys"; policy variables: "IAM policy
 * elements: Variables and tags"): in a bucket policy, the customer's own, which it cannot choose; so
 * customer A's roles never reach B's prefix whatever A's own policies say. The principals (the listed
 * customers' accounts) keep every other account out.
 */
function costWriterStatements(bucket: s3.IBucket, firstCustomer: iam.IPrincipal, partition: string, vendorKey: string): iam.PolicyStatement[] {
  const writers = { ArnLike: { 'aws:PrincipalArn': writerRolePattern(partition, '*', vendorKey) } };
  const ownPrefix = '${aws:PrincipalAccount}/';
  return [
    new iam.PolicyStatement({
      sid: `ContainerCostWrite${vendorKey}`,
      principals: [firstCustomer],
      actions: ['s3:PutObject', 's3:AbortMultipartUpload'],
      resources: [bucket.arnForObjects(`${ownPrefix}*`)],
      conditions: writers,
    }),
    new iam.PolicyStatement({
      sid: `ContainerCostList${vendorKey}`,
      principals: [firstCustomer],
      actions: ['s3:ListBucket'],
      resources: [bucket.bucketArn],
      conditions: { ...writers, StringLike: { 's3:prefix': `${ownPrefix}*` } },
    }),
  ];
}

interface CustomerIds {
  readonly customerName: string;
  readonly customerAccountId: string;
}

function containerInsightsRole(scope: Construct, customer: CustomerIds, ci: VendorContainerInsightsOptions): CrossAccountContainerInsights {
  return new CrossAccountContainerInsights(scope, 'ContainerInsights', {
    customerName: customer.customerName,
    sourceAccountId: customer.customerAccountId,
    permissionMode: ci.permissionMode,
    clusterNames: ci.clusterNames,
    trustedPrincipalArns: ci.trustedPrincipalArns,
    podIdentityTrusts: ci.podIdentityTrusts,
  });
}

function ampCollectorRole(scope: Construct, customerAccountId: string, collector: VendorAmpCollectorOptions): AmpScraperTargetRole {
  return new AmpScraperTargetRole(scope, 'AmpCollector', {
    sourceAccountId: customerAccountId,
    clusterName: collector.clusterName,
    workspaceArn: collector.workspaceArn,
    scraperArn: collector.scraperArn,
  });
}

/** A child's validation problems, named under `prefix`, from building it in a scratch stack of the same environment. */
function childProblems(v: PropsValidator, prefix: string, scope: Construct, build: (scope: Construct) => unknown): void {
  const { account, region } = Stack.of(scope);
  const scratch = new Stack(new App(), 'Scratch', {
    env: { account: Token.isUnresolved(account) ? undefined : account, region: Token.isUnresolved(region) ? undefined : region },
  });
  try {
    build(scratch);
  } catch (e) {
    const refused = /: invalid props \(\d+ problems?\):\n([\s\S]*)$/.exec(e instanceof Error ? e.message : '');
    for (const line of refused ? refused[1].split('\n') : []) {
      const problem = /^ {2}- ([^:]+): ([\s\S]*)$/.exec(line);
      if (problem && !v.hasProblemFor(`${prefix}.${problem[1]}`)) v.problem(`${prefix}.${problem[1]}`, problem[2]);
    }
  }
}

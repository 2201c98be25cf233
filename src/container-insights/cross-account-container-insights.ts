import { CfnOutput, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { CONTAINER_INSIGHTS_LOG_KINDS, containerInsightsLogGroup } from './fluent-bit-config';
import { CLOUDWATCH_AGENT_SERVICE_ACCOUNT, targetRoleName } from './names';
import { ArgumentChecker } from '../core/arguments';
import { acknowledgeNagFinding, nagResourceName } from '../core/nag';
import { OrganizationSourceTrust } from '../core/organization';
import { checkOrganizationSource, checkOrganizationTrustSize, isGiven, organizationSourceTrust, refuseWithOrganizationSource } from '../core/organization-source';
import { podIdentityExternalId, podIdentitySessionTagConditions } from '../core/pod-identity';
import { DEFAULT_TRUST_POLICY_SIZE_LIMIT, INLINE_POLICIES_PER_ROLE, MAX_TRUST_POLICY_SIZE_LIMIT } from '../core/policy-size';
import { validateRoleNamesUnique } from '../core/role-name-uniqueness';
import { createRoleWithTrust, TrustStatement } from '../core/role-trust';
import { ACCOUNT_ID, ArnKind, arnRule, EKS_CLUSTER_NAME, IAM_ROLE_NAME, parseArn, REGION } from '../core/rules';

/** A customer name as it starts log group names (`<customerName>.<cluster>`). */
const CUSTOMER_NAME_IN_LOG_GROUPS = { expected: 'a customer name: letters, digits, "_" or "-"', check: (value: string) => (/^[A-Za-z0-9_-]+$/.test(value) ? undefined : 'does not match') };
import { ServiceAccountRef } from '../core/service-account';
import { checkStackResourceBudget } from '../core/stack-budget';
import { literalRegion, plainRoleArn } from '../core/stack-env';
import { describeConstruct, describeValue, PropsValidator, propsOrEmpty } from '../core/validation';
import { warn } from '../core/warnings';
import { worstCasePolicySize } from '../core/worst-case-size';
import { FLEET_FLOW_KEYS } from '../organization/fleet-names';

/**
 * What the target role may do in the target account.
 */
export enum ContainerInsightsPermissionMode {
  /**
   * The AWS managed policy `CloudWatchAgentServerPolicy`, as the vendor's published setup attaches it: every agent
   * feature works, on every log group and metric namespace of the account.
   */
  AGENT_SERVER_POLICY = 'AGENT_SERVER_POLICY',

  /**
   * Only what Container Insights needs: create and write exactly the log groups
   * `/aws/containerinsights/<cluster>/{application,dataplane,host,performance}` of the listed clusters and regions (the agent sends
   * Container Insights metrics as embedded-metric-format log events, from which CloudWatch
   * extracts the metrics). Not covered: agent features outside Container Insights (a `metrics`
   * section with PutMetricData, X-Ray, SSM-stored configuration, EC2 tag and volume lookups).
   */
  LEAST_PRIVILEGE = 'LEAST_PRIVILEGE',

  /**
   * `LEAST_PRIVILEGE` with the log groups scoped by customer: `/aws/containerinsights/<customerName>.<cluster>/*`,
   * so a vendor that serves many customers in one account keeps them apart even when two customers
   * name a cluster alike. The customer's agent reports the cluster as
   * `CrossAccountContainerInsights.reportedClusterName(customerName, cluster)` (the `reportedClusterName`
   * of `CloudWatchAgentChart` or `CloudWatchObservabilityAddon`).
   */
  TENANT_ISOLATED = 'TENANT_ISOLATED',
}

/**
 * A Pod Identity association in the source account whose target role is this role
 * (`AWS::EKS::PodIdentityAssociation` with `TargetRoleArn`).
 */
export interface PodIdentityTrust {
  /** The association's Pod Identity role, in the source account (`ContainerInsightsAgentAccess.roleArn`). */
  readonly podIdentityRoleArn: string;

  /** The cluster the association belongs to. */
  readonly clusterArn: string;

  /**
   * The agent's service account.
   *
   * @default { namespace: 'amazon-cloudwatch', name: 'cloudwatch-agent' }
   */
  readonly serviceAccount?: ServiceAccountRef;

  /**
   * Whether the association passes session tags (`DisableSessionTags: false`). With tags, the
   * trust checks the cluster, namespace and service-account tags; without, the external ID EKS
   * sends instead ("<region>/<account>/<cluster>/<namespace>/<service account>").
   *
   * @default true
   */
  readonly sessionTags?: boolean;
}

/**
 * Props of {@link CrossAccountContainerInsights}.
 */
export interface CrossAccountContainerInsightsProps {
  /**
   * The account's quota for trust policies, in characters: synth fails when the trust would exceed it.
   *
   * @default 2048 (IAM's default; accounts can raise it to 4096)
   */
  readonly trustPolicySizeLimit?: number;

  /**
   * The customer (or team) the data comes from; the role is named `containerinsights-<customerName>`.
   */
  readonly customerName: string;

  /**
   * The account whose clusters send Container Insights.
   *
   * @default - required unless `organizationSource` is given (and refused with it)
   */
  readonly sourceAccountId?: string;

  /**
   * Trust the fleet's Container Insights identities (`FleetNames.CONTAINER_INSIGHTS`: each member
   * account's Pod Identity target role and per-cluster IRSA roles under `/xacct-observability/container-insights/`)
   * in any account of an AWS Organization, or of some of its OUs, instead of one `sourceAccountId`:
   * a trust of the same size for any number of accounts. It allows `sts:AssumeRole` and `sts:TagSession`
   * (a Pod Identity role's session tags are transitive). `organizationId` and `sourcePrincipalPattern`
   * may be deploy-time values (tokens). The permission modes apply unchanged (`clusterNames` are then
   * the member accounts' cluster names), and `TENANT_ISOLATED` may leave `clusterNames` out to open every
   * member cluster (see `clusterNames`). Every member account that reaches the role shares it: IAM cannot
   * keep members apart within one role, and synth warns (`membersNotIsolated`); a role per OU
   * (`organizationalUnitPaths`) or per account (`sourcePrincipalPattern`) does keep them apart.
   *
   * @default - no organization trust: the role trusts `sourceAccountId`
   */
  readonly organizationSource?: OrganizationSourceTrust;

  /**
   * Roles of the source account that may assume the role (node roles, or the
   * `ContainerInsightsAgentAccess` IRSA role). The trust is narrowed to exactly them with an
   * `aws:PrincipalArn` condition. Refused with `organizationSource`.
   *
   * @default - none: unless `podIdentityTrusts` are given, any principal of the source account that its
   * own policies allow may assume the role (the vendor's published trust), and a warning says so
   */
  readonly trustedPrincipalArns?: string[];

  /**
   * Pod Identity associations that chain into this role as their target role. Refused with `organizationSource`.
   *
   * @default - none
   */
  readonly podIdentityTrusts?: PodIdentityTrust[];

  /**
   * What the role may do.
   *
   * @default ContainerInsightsPermissionMode.AGENT_SERVER_POLICY
   */
  readonly permissionMode?: ContainerInsightsPermissionMode;

  /**
   * The clusters whose log groups `LEAST_PRIVILEGE` or `TENANT_ISOLATED` opens (their EKS cluster names).
   * With `organizationSource` and `TENANT_ISOLATED` they may be left out: the role then opens the
   * groups of every member cluster, present and future, that reports
   * `CrossAccountContainerInsights.memberReportedClusterName(customerName, <its account>, <its cluster>)`
   * (`/aws/containerinsights/<customerName>.<12 characters>.<anything>/{application,dataplane,host,performance}`
   * in the listed `regions`), so no member cluster has to be listed.
   *
   * @default - required with LEAST_PRIVILEGE, and with TENANT_ISOLATED unless `organizationSource` is given
   */
  readonly clusterNames?: string[];

  /**
   * The regions the agents write to (their `agent.region`), for `LEAST_PRIVILEGE`.
   *
   * @default - the stack's region
   */
  readonly regions?: string[];
}

const AGENT_SERVER_POLICY = 'CloudWatchAgentServerPolicy';

/**
 * The target-account side of cross-account Container Insights (a vendor's Container Insights role): a role the CloudWatch
 * agent in the source account assumes (`agent.credentials.role_arn`, or a Pod Identity target role)
 * to write Container Insights into this account.
 *
 * Pair it with {@link ContainerInsightsAgentAccess} in the source account and
 * {@link CloudWatchAgentChart} in the cluster. With `organizationSource` it trusts the fleet's Container
 * Insights identities of every member account (or of listed OUs) instead of one source account.
 */
export class CrossAccountContainerInsights extends Construct {
  /**
   * The cluster name a customer's agent reports under `TENANT_ISOLATED`: `<customerName>.<cluster>`, the
   * name of its log groups `/aws/containerinsights/<customerName>.<cluster>/...`.
   *
   * @param customerName the customer, as given to this construct
   * @param clusterName the customer's EKS cluster
   */
  public static reportedClusterName(customerName: string, clusterName: string): string {
    const a = new ArgumentChecker('CrossAccountContainerInsights.reportedClusterName(customerName, clusterName)');
    // Part of log group names (TENANT_ISOLATED): the same characters the construct allows there.
    a.string('customerName', customerName, CUSTOMER_NAME_IN_LOG_GROUPS);
    a.string('clusterName', clusterName, EKS_CLUSTER_NAME);
    return a.result(() => `${customerName}.${clusterName}`);
  }

  /**
   * The cluster name a member cluster of an organization reports under `TENANT_ISOLATED` with
   * `organizationSource`: `<customerName>.<account>.<cluster>`. The account keeps two member accounts'
   * clusters of one name in log groups (and `ClusterName` metric dimensions) of their own; it is a
   * naming rule, not an IAM boundary (see the README: every member account's fleet identity assumes
   * the same role). At most 46 + 1 + 12 + 1 + 100 = 160 characters, well within CloudWatch Logs' 512
   * for a log group name, from the characters it allows (`A-Za-z0-9._-/#`).
   *
   * @param customerName the customer, as given to this construct
   * @param accountId the member account of the cluster (12 digits)
   * @param clusterName the member's EKS cluster
   */
  public static memberReportedClusterName(customerName: string, accountId: string, clusterName: string): string {
    const v = new PropsValidator('CrossAccountContainerInsights.memberReportedClusterName');
    if (v.required('customerName', customerName) && (typeof customerName !== 'string' || !/^[A-Za-z0-9_-]{1,46}$/.test(customerName))) {
      v.problem('customerName', `got ${describeValue(customerName)}; expected 1-46 letters, digits, "_" or "-" (the TENANT_ISOLATED customer name)`);
    }
    if (v.required('accountId', accountId)) v.check('accountId', accountId, ACCOUNT_ID);
    if (v.required('clusterName', clusterName)) v.check('clusterName', clusterName, EKS_CLUSTER_NAME);
    for (const [prop, value] of Object.entries({ customerName, accountId, clusterName })) {
      if (Token.isUnresolved(value)) v.problem(prop, 'is a deploy-time value (token); the name goes into the agent and Fluent Bit configuration: pass a literal');
    }
    v.throwIfAny();
    return `${customerName}.${accountId}.${clusterName}`;
  }

  /** The role the agents assume. */
  public readonly role: iam.IRole;

  /** The role's name, `containerinsights-<customerName>`. */
  public readonly roleName: string;

  /**
   * @param scope a construct in the target account's stack
   * @param id the construct ID
   * @param props the source account, who in it may assume the role, and what the role may do
   */
  constructor(scope: Construct, id: string, props: CrossAccountContainerInsightsProps) {
    super(scope, id);
    checkStackResourceBudget(this, 'CrossAccountContainerInsights');
    props = propsOrEmpty(props);
    const owner = describeConstruct('CrossAccountContainerInsights', this.node.path);
    const mode = props.permissionMode ?? ContainerInsightsPermissionMode.AGENT_SERVER_POLICY;
    const regions = props.regions ?? (literalRegion(this) ? [literalRegion(this)!] : []);
    validate(owner, props, mode, regions, this);
    const organizationMode = isGiven(props.organizationSource);

    this.roleName = targetRoleName(props.customerName);
    const from = organizationMode ? 'the fleet\'s Container Insights identities in an AWS Organization\'s accounts' : `account ${props.sourceAccountId}`;
    const role = createRoleWithTrust(this, 'Role', {
      roleName: this.roleName,
      description: `Container Insights from ${from} (${props.customerName}) through the CloudWatch agent`,
    }, organizationMode
      ? organizationSourceTrust(this, props.organizationSource!, {
        flowKey: FLEET_FLOW_KEYS.CONTAINER_INSIGHTS,
        // The member's identity may be a Pod Identity role with this as its target role: EKS passes its session tags on.
        tagSession: true,
      })
      : this.trustStatements(props));
    this.role = role;
    if (organizationMode) checkOrganizationTrustSize(role, owner, props.trustPolicySizeLimit ?? DEFAULT_TRUST_POLICY_SIZE_LIMIT);
    else this.checkTrustBudget(owner, props);

    if (mode === ContainerInsightsPermissionMode.AGENT_SERVER_POLICY) {
      role.addManagedPolicy(iam.ManagedPolicy.fromAwsManagedPolicyName(AGENT_SERVER_POLICY));
      acknowledgeNagFinding(role, `AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/${AGENT_SERVER_POLICY}]`,
        'The vendor flow attaches CloudWatchAgentServerPolicy so that every agent feature works; permissionMode LEAST_PRIVILEGE limits the role to the clusters\' Container Insights log groups.');
    } else {
      // With organizationSource and no clusterNames: every member cluster's <customer>.<account>.<cluster> (the
      // account as 12 single-character wildcards, so a name without it, which could collide across accounts, is refused).
      // "?" is any one character within an ARN segment (IAM user guide, "IAM JSON policy elements: Resource",
      // using wildcards in resource ARNs); no "." in customer names keeps one customer's prefix off another's.
      const logNames = !isGiven(props.clusterNames)
        ? [`${props.customerName}.${'?'.repeat(12)}.*`]
        : mode === ContainerInsightsPermissionMode.TENANT_ISOLATED
          ? props.clusterNames!.map((cluster) => CrossAccountContainerInsights.reportedClusterName(props.customerName, cluster))
          : props.clusterNames!;
      const statement = leastPrivilegeStatement(Stack.of(this).partition, Stack.of(this).account, regions, logNames);
      const policy = new iam.Policy(this, 'ContainerInsightsLogs', { statements: [statement] });
      role.attachInlinePolicy(policy);
      const size = worstCasePolicySize(Stack.of(this).resolve(policy.document.toJSON()));
      if (size > INLINE_POLICIES_PER_ROLE) {
        new PropsValidator(owner).problem('clusterNames', `${logNames.length} clusters in ${regions.length} region(s) make an inline policy of up to ${size} characters, over IAM's ${INLINE_POLICIES_PER_ROLE} for a role's inline policies; split the clusters over several customers' roles`).throwIfAny();
      }
      for (const resource of statement.resources.filter((r) => r.includes('*'))) {
        acknowledgeNagFinding(policy, `AwsSolutions-IAM5[Resource::${nagResourceName(this, resource)}]`,
          isGiven(props.clusterNames)
            ? 'The agent and Fluent Bit create one log stream per node in each Container Insights log group; the wildcard covers only the streams of one named group.'
            : 'Organization-wide: the groups of every member cluster that reports <customer>.<account>.<cluster>, within this customer\'s prefix and the four Container Insights kinds, and their streams.');
      }
    }

    if (mode !== ContainerInsightsPermissionMode.TENANT_ISOLATED) {
      warn(this, 'tenantsNotIsolated', mode === ContainerInsightsPermissionMode.AGENT_SERVER_POLICY
        ? 'CloudWatchAgentServerPolicy lets this role write every log group of this account: where one account serves several customers, each can write the others\' Container Insights data. Use permissionMode TENANT_ISOLATED.'
        : 'LEAST_PRIVILEGE scopes log groups by cluster name only: two customers of this account that name a cluster alike share log groups. Use permissionMode TENANT_ISOLATED where one account serves several customers.');
    }
    if (organizationMode) warn(this, 'membersNotIsolated', membersNotIsolatedMessage(mode));
    if (!organizationMode && !props.trustedPrincipalArns?.length && !props.podIdentityTrusts?.length) {
      warn(this, 'trustOpenToAccount',
        `The role trusts the whole account ${Token.isUnresolved(props.sourceAccountId) ? '(a deploy-time value)' : props.sourceAccountId}: any of its principals whose own policies allow sts:AssumeRole on it can use it. Set trustedPrincipalArns (node roles or the ContainerInsightsAgentAccess role) or podIdentityTrusts to narrow it.`,
      );
    }
    validateRoleNamesUnique(this, [role.node.defaultChild as iam.CfnRole]);
    new CfnOutput(this, 'RoleArnOutput', { value: role.roleArn, description: 'Give this to the source account: agent.credentials.role_arn, or the Pod Identity target role' });
  }

  /**
   * The role's ARN as a plain string, for the source account's app and the agent's configuration.
   * Throws when the stack has no literal account.
   */
  public get roleArn(): string {
    return plainRoleArn(this, describeConstruct('CrossAccountContainerInsights', this.node.path), this.roleName, '/');
  }

  /** The trust must fit the account's trust-policy quota (2,048 characters by default): say so at synth, with the size. */
  private checkTrustBudget(owner: string, props: CrossAccountContainerInsightsProps): void {
    const limit = props.trustPolicySizeLimit ?? DEFAULT_TRUST_POLICY_SIZE_LIMIT;
    const size = worstCasePolicySize(Stack.of(this).resolve((this.role as iam.Role).assumeRolePolicy!.toJSON()));
    if (size > limit) {
      const count = (props.podIdentityTrusts?.length ?? 0) + (props.trustedPrincipalArns?.length ?? 0);
      new PropsValidator(owner).problem(props.podIdentityTrusts?.length ? 'podIdentityTrusts' : 'trustedPrincipalArns',
        `${count} trusted principals make a trust policy of up to ${size} characters, over trustPolicySizeLimit ${limit} (IAM's default quota is 2,048; `
        + 'accounts can raise it to 4,096): raise the quota and trustPolicySizeLimit, or split the clusters over several CrossAccountContainerInsights roles').throwIfAny();
    }
  }

  private trustStatements(props: CrossAccountContainerInsightsProps): TrustStatement[] {
    const sourceAccount = new iam.AccountPrincipal(props.sourceAccountId!);
    const statements: TrustStatement[] = [];
    if (props.trustedPrincipalArns?.length) {
      statements.push({ principal: sourceAccount, actions: ['sts:AssumeRole'], conditions: { ArnEquals: { 'aws:PrincipalArn': props.trustedPrincipalArns } } });
    }
    for (const trust of props.podIdentityTrusts ?? []) {
      const sa = trust.serviceAccount ?? CLOUDWATCH_AGENT_SERVICE_ACCOUNT;
      const fromPodIdentityRole = { ArnEquals: { 'aws:PrincipalArn': trust.podIdentityRoleArn } };
      if (trust.sessionTags ?? true) {
        statements.push({
          principal: sourceAccount,
          actions: ['sts:AssumeRole', 'sts:TagSession'],
          conditions: { ...fromPodIdentityRole, StringEquals: podIdentitySessionTagConditions(trust.clusterArn, sa) },
        });
      } else {
        statements.push(
          { principal: sourceAccount, actions: ['sts:AssumeRole'], conditions: { ...fromPodIdentityRole, StringEquals: { 'sts:ExternalId': podIdentityExternalId(trust.clusterArn, sa) } } },
          { principal: sourceAccount, actions: ['sts:TagSession'], conditions: fromPodIdentityRole },
        );
      }
    }
    if (statements.length === 0) statements.push({ principal: sourceAccount, actions: ['sts:AssumeRole'] });
    return statements;
  }
}

/**
 * Why organization mode cannot keep member accounts apart, and what can. Every member's fleet identity
 * assumes this one role, and the writes are made by the role's session: its `aws:PrincipalAccount` is
 * this account, whichever member assumed it (the account of the
 * requesting principal: docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html, aws:PrincipalAccount),
 * so a `${aws:PrincipalAccount}` resource names this account for everyone. An IRSA chain passes no
 * session tag. Pod Identity's tags are all transitive (EKS user guide, pod-id-abac.html), but the one
 * that holds the account, eks-cluster-arn (trust-pinned to the caller's account), has ":", which a log
 * group name cannot; eks-cluster-name has no account and the trust leaves it free. Conditions on
 * aws:PrincipalTag/eks-cluster-arn could separate Pod Identity sessions only with a statement per listed
 * account (test/organization/container-insights-session-tags.test.ts). Without listing accounts, only the
 * trust can tell members apart: one role per OU or per account.
 */
function membersNotIsolatedMessage(mode: ContainerInsightsPermissionMode): string {
  const scope = mode === ContainerInsightsPermissionMode.AGENT_SERVER_POLICY
    ? 'CloudWatchAgentServerPolicy lets every member account\'s fleet identity that assumes this role write every log group of this account, including the other member accounts\' Container Insights groups'
    : 'every member account\'s fleet identity that assumes this role may write all the log groups it opens, including the other member accounts\' groups';
  return `${scope}: IAM cannot tell the members apart once they hold this one role (its session's aws:PrincipalAccount is this account, for every member). `
    + 'To keep member accounts apart, give each OU (organizationalUnitPaths) or each account (sourcePrincipalPattern with its account ID) a role of its own under its own customerName, '
    + 'or keep the data in the member accounts with observabilityLinks (CloudWatch cross-account observability).';
}

function leastPrivilegeStatement(partition: string, account: string, regions: string[], clusterNames: string[]): iam.PolicyStatement {
  // Exactly the four Container Insights groups of each cluster (the agent's performance events, Fluent Bit's
  // application, dataplane and host logs), each as the group (CreateLogGroup) and its streams (":*").
  const logGroups = regions.flatMap((region) => clusterNames.flatMap((cluster) => CONTAINER_INSIGHTS_LOG_KINDS.map(
    (kind) => `arn:${partition}:logs:${region}:${account}:log-group:${containerInsightsLogGroup(cluster, kind)}`)));
  return new iam.PolicyStatement({
    sid: 'ContainerInsightsLogGroups',
    actions: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'],
    resources: logGroups.flatMap((group) => [group, `${group}:*`]),
  });
}

function validate(
  owner: string, props: CrossAccountContainerInsightsProps, mode: ContainerInsightsPermissionMode, regions: string[], scope: Construct,
): void {
  const v = new PropsValidator(owner).inStackOf(scope);
  if (v.required('customerName', props.customerName) && typeof props.customerName !== 'string') {v.problem('customerName', `got ${describeValue(props.customerName)}; expected a string`);} else if (v.isLiteral(props.customerName)) {
    const reason = IAM_ROLE_NAME.check(targetRoleName(props.customerName));
    if (reason) v.problem('customerName', `gives the role name "${targetRoleName(props.customerName)}" (${reason}); expected at most ${64 - targetRoleName('').length} characters from A-Z a-z 0-9 _+=,.@-`);
  }
  if (checkOrganizationSource(v, props.organizationSource)) {
    refuseWithOrganizationSource(v, {
      sourceAccountId: props.sourceAccountId,
      trustedPrincipalArns: props.trustedPrincipalArns,
      podIdentityTrusts: props.podIdentityTrusts,
    }, 'it trusts principals of one source account, and organizationSource trusts the fleet\'s Container Insights identities of the member accounts instead');
  } else if (props.sourceAccountId === undefined || props.sourceAccountId === null || props.sourceAccountId === '') {
    v.problem('sourceAccountId', 'is required (or organizationSource, to trust the fleet\'s Container Insights identities of an organization\'s accounts instead)');
  } else {
    v.check('sourceAccountId', props.sourceAccountId, ACCOUNT_ID);
  }
  v.integer('trustPolicySizeLimit', props.trustPolicySizeLimit, 1, MAX_TRUST_POLICY_SIZE_LIMIT);
  const roleArn = arnRule(ArnKind.IAM_ROLE);
  const clusterArn = arnRule(ArnKind.EKS_CLUSTER);
  const inSourceAccount = (prop: string, arn: string) => {
    const account = v.isLiteral(arn) ? parseArn(arn)?.account : undefined;
    if (account && v.isLiteral(props.sourceAccountId) && account !== props.sourceAccountId) {
      v.problem(prop, `is in account ${account}, not the source account ${props.sourceAccountId}`);
    }
  };
  v.list('trustedPrincipalArns', props.trustedPrincipalArns, 'string').forEach((arn, i) => {
    v.check(`trustedPrincipalArns[${i}]`, arn, roleArn);
    inSourceAccount(`trustedPrincipalArns[${i}]`, arn);
  });
  v.list('podIdentityTrusts', props.podIdentityTrusts, 'object').forEach((trust, i) => {
    const prop = `podIdentityTrusts[${i}]`;
    if (v.required(`${prop}.podIdentityRoleArn`, trust.podIdentityRoleArn)) v.check(`${prop}.podIdentityRoleArn`, trust.podIdentityRoleArn, roleArn);
    if (v.required(`${prop}.clusterArn`, trust.clusterArn)) v.check(`${prop}.clusterArn`, trust.clusterArn, clusterArn);
    v.boolean(`${prop}.sessionTags`, trust.sessionTags);
    inSourceAccount(`${prop}.podIdentityRoleArn`, trust.podIdentityRoleArn);
    inSourceAccount(`${prop}.clusterArn`, trust.clusterArn);
    v.serviceAccount(`${prop}.serviceAccount`, trust.serviceAccount);
    if (trust.sessionTags === false && Token.isUnresolved(trust.clusterArn)) {
      v.problem(`${prop}.clusterArn`, 'must be a literal when sessionTags is false: the external ID is built from it');
    }
  });
  v.oneOf('permissionMode', props.permissionMode, ContainerInsightsPermissionMode as unknown as Record<string, string>);
  if (mode === ContainerInsightsPermissionMode.LEAST_PRIVILEGE || mode === ContainerInsightsPermissionMode.TENANT_ISOLATED) {
    const organizationWide = mode === ContainerInsightsPermissionMode.TENANT_ISOLATED && isGiven(props.organizationSource);
    if (organizationWide && !isGiven(props.clusterNames)) {
      v.list('clusterNames', props.clusterNames, 'string');
    } else if (!isGiven(props.clusterNames)) {
      const instead = mode === ContainerInsightsPermissionMode.LEAST_PRIVILEGE && isGiven(props.organizationSource)
        ? '; with organizationSource, TENANT_ISOLATED opens every member cluster that reports memberReportedClusterName without listing any'
        : '';
      v.problem('clusterNames', `is required with ${mode}${instead}`);
    } else {
      v.list('clusterNames', props.clusterNames, 'string').forEach((name, i) => v.check(`clusterNames[${i}]`, name, EKS_CLUSTER_NAME));
    }
    if (regions.length === 0) v.problem('regions', `is required with ${mode} when the stack has no literal region`);
    v.list('regions', regions, 'string').forEach((region, i) => v.check(`regions[${i}]`, region, REGION));
    if (mode === ContainerInsightsPermissionMode.TENANT_ISOLATED && typeof props.customerName === 'string' && !/^[A-Za-z0-9_-]+$/.test(props.customerName)) {
      v.problem('customerName', 'must be letters, digits, "_" or "-" with TENANT_ISOLATED: it starts the log group names of its clusters');
    }
  } else {
    for (const prop of ['clusterNames', 'regions'] as const) {
      if (props[prop] !== undefined && props[prop] !== null) v.problem(prop, 'only applies with permissionMode LEAST_PRIVILEGE or TENANT_ISOLATED');
    }
  }
  v.throwIfAny();
}

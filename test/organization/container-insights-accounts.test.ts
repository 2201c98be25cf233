/**
 * Organization-mode Container Insights (`CrossAccountContainerInsights` with `organizationSource`),
 * followed end to end with the IAM engine: the fleet's member identity (from the member template)
 * assumes the central role (its organization trust), and the writers of a member cluster (the agent's
 * performance group and Fluent Bit's application, dataplane and host groups, read back from the
 * cluster side's synthesized configuration) may write exactly there.
 *
 * - Organization-wide `TENANT_ISOLATED` (no `clusterNames`): a cluster nobody listed writes its own
 *   `<customer>.<account>.<cluster>` groups in the listed regions.
 * - The limit, proven rather than assumed: member accounts that share one central role are not apart
 *   (the role's session is the same whichever member assumed it), and synth says so.
 * - What does keep accounts apart: a role per OU or per account, through the trust.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { Testing } from 'cdk8s';
import {
  AgentIdentityMode, CloudWatchAgentChart, CloudWatchObservabilityAddon, ContainerInsightsPermissionMode, CrossAccountContainerInsights,
  FleetNames, ObservabilityFleetSource, OrganizationSourceTrust,
} from '../../src';
import { cloudwatchLogsOutputs } from '../harness/fluent-bit-outputs';
import { canAssume, identityPoliciesOf, isAllowed, logicalIdsOfType, trustPolicyOf } from '../harness/iam-proof';
import { objectOf, validChartObjects } from '../harness/manifests';
import { expectNagClean } from '../harness/nag';

const ORG = 'o-a1b2c3d4e5';
const PROD_OU = `${ORG}/r-ab12/ou-ab12-11111111/`;
const DEV_OU = `${ORG}/r-ab12/ou-ab12-22222222/`;
const MONITORING = '111111111111';
const MEMBER_A = '444444444444';
const MEMBER_B = '555555555555';
const REGIONS = ['us-east-1', 'eu-west-1'];
const ENV = { account: MONITORING, region: REGIONS[0] };
const WRITE_ACTIONS = ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'];

interface CentralRole {
  readonly stack: Stack;
  readonly roleArn: string;
  readonly trust: any;
  readonly policies: any[];
}

function central(customerName: string, props: Record<string, unknown>): CentralRole {
  const stack = new Stack(new App(), 'Monitoring', { env: ENV });
  const construct = new CrossAccountContainerInsights(stack, 'CI', { customerName, ...props } as any);
  const json = Template.fromStack(stack).toJSON();
  const roleId = logicalIdsOfType(json, 'AWS::IAM::Role')[0];
  return { stack, roleArn: construct.roleArn, trust: trustPolicyOf(json, roleId, ENV), policies: identityPoliciesOf(json, roleId, ENV) };
}

const organizationSource = (paths: string[] = [PROD_OU]): OrganizationSourceTrust => ({ organizationId: ORG, organizationalUnitPaths: paths });
const orgWide = (customerName = 'platform', paths?: string[]) => central(customerName, {
  organizationSource: organizationSource(paths), permissionMode: ContainerInsightsPermissionMode.TENANT_ISOLATED, regions: REGIONS,
});

/** The fleet's Pod Identity role of the Container Insights flow in a member account, and its policies from the member template. */
function fleetIdentity(targetRoleArn: string, account: string, region = REGIONS[0]) {
  const stack = new Stack(new App(), 'Management', { env: { account: '999999999999', region: REGIONS[0] } });
  const fleet = new ObservabilityFleetSource(stack, 'Fleet', { organizationalUnitIds: ['ou-ab12-11111111'], regions: REGIONS, containerInsights: { targetRoleArn } });
  const member = fleet.memberTemplate;
  const roleId = logicalIdsOfType(member, 'AWS::IAM::Role').find((id) => id.startsWith('PodIdentitycontainerinsights'))!;
  return {
    arn: FleetNames.podIdentityRoleArn('aws', account, FleetNames.CONTAINER_INSIGHTS, region),
    policies: identityPoliciesOf(member, roleId, { account, region }),
    templateSize: fleet.memberTemplateSize,
  };
}

/** Whether a member's fleet identity, in the OU path given, may assume the central role as EKS's Pod Identity chain does. */
function assumes(role: CentralRole, identity: { arn: string; policies: any[] }, account: string, orgPaths: string[], cluster: string): string {
  const tags = { 'eks-cluster-arn': `arn:aws:eks:${REGIONS[0]}:${account}:cluster/${cluster}`, 'eks-cluster-name': cluster, 'kubernetes-namespace': 'amazon-cloudwatch', 'kubernetes-service-account': 'cloudwatch-agent' };
  return ['sts:AssumeRole', 'sts:TagSession'].map((action) => canAssume({
    trustPolicy: role.trust,
    roleArn: role.roleArn,
    principal: identity.arn,
    action,
    callerPolicies: identity.policies,
    context: {
      'aws:PrincipalArn': identity.arn,
      'aws:PrincipalAccount': account,
      'aws:PrincipalOrgID': ORG,
      'aws:PrincipalOrgPaths': orgPaths,
      ...Object.fromEntries(Object.entries(tags).map(([k, v]) => [`aws:RequestTag/${k}`, v])),
      'aws:TagKeys': Object.keys(tags),
    },
  })).join(' ');
}

/** The log groups a member cluster's writers use, read back from what the route synthesizes. */
function writersOf(route: 'addon' | 'chart', account: string, cluster: string, region: string, reportedClusterName: string): Array<[string, string]> {
  let agentConfig: any;
  let files: Record<string, string>;
  if (route === 'addon') {
    const stack = new Stack(new App(), 'Member', { env: { account, region } });
    const addon = new CloudWatchObservabilityAddon(stack, 'Addon', {
      clusterName: cluster, reportedClusterName, identityMode: AgentIdentityMode.POD_IDENTITY, targetRoleArn: `arn:aws:iam::${MONITORING}:role/containerinsights-platform`,
    });
    const values = JSON.parse(stack.resolve(addon.configurationValues));
    agentConfig = values.agent.config;
    files = values.containerLogs.fluentBit.config.extraFiles;
  } else {
    const objects = validChartObjects(new CloudWatchAgentChart(Testing.app(), 'cw', { clusterName: cluster, reportedClusterName, region, identityMode: AgentIdentityMode.POD_IDENTITY }));
    agentConfig = JSON.parse(objectOf(objects, 'ConfigMap', 'xacct-cwagentconfig').data['cwagentconfig.json']);
    files = objectOf(objects, 'ConfigMap', 'xacct-fluent-bit-config').data;
  }
  const performance: [string, string] = [agentConfig.agent.region, `/aws/containerinsights/${agentConfig.logs.metrics_collected.kubernetes.cluster_name}/performance`];
  return [performance, ...cloudwatchLogsOutputs(files).map((o): [string, string] => [o.region, o.log_group_name])];
}

/** What the central role's session decides for each write action on a group. */
function writes(role: CentralRole, region: string, group: string): string {
  const arn = `arn:aws:logs:${region}:${MONITORING}:log-group:${group}`;
  const session = `arn:aws:sts::${MONITORING}:assumed-role/${role.roleArn.split('/').pop()}/eks-session`;
  return WRITE_ACTIONS.map((action) => isAllowed({
    policies: role.policies, principal: session, action, resource: action === 'logs:CreateLogGroup' ? arn : `${arn}:log-stream:node-1`,
  })).join(' ');
}
const ALL_ALLOWED = WRITE_ACTIONS.map(() => 'Allowed').join(' ');
const ALL_DENIED = WRITE_ACTIONS.map(() => 'ImplicitlyDenied').join(' ');

describe('organization-wide TENANT_ISOLATED: no cluster is listed anywhere', () => {
  // Built in the first test that needs them, so that each test fails on its own where the construct refuses them.
  let built: { role: CentralRole; identity: ReturnType<typeof fleetIdentity> } | undefined;
  const setup = () => {
    if (!built) {
      const r = orgWide();
      built = { role: r, identity: fleetIdentity(r.roleArn, MEMBER_A) };
    }
    return built;
  };

  test.each([['addon', REGIONS[0]], ['chart', REGIONS[1]]] as const)(
    'a new cluster of a member account (%s route, %s) reaches the central role through the fleet and writes its own four groups', (route, region) => {
      const { role, identity } = setup();
      expect(assumes(role, identity, MEMBER_A, [PROD_OU], 'brand-new')).toBe('Allowed Allowed');
      const reported = CrossAccountContainerInsights.memberReportedClusterName('platform', MEMBER_A, 'brand-new');
      expect(reported).toBe(`platform.${MEMBER_A}.brand-new`);
      const groups = writersOf(route, MEMBER_A, 'brand-new', region, reported);
      expect(groups.map(([r, g]) => `${r} ${g}`).sort()).toEqual(['application', 'dataplane', 'host', 'performance'].map((kind) => `${region} /aws/containerinsights/${reported}/${kind}`));
      for (const [groupRegion, group] of groups) expect(`${group} ${writes(role, groupRegion, group)}`).toBe(`${group} ${ALL_ALLOWED}`);
    });

  test('near misses are denied: the real cluster name, the customer prefix without the account, another customer, an unlisted region, another kind', () => {
    const { role } = setup();
    for (const group of [
      '/aws/containerinsights/brand-new/performance',
      '/aws/containerinsights/platform.brand-new/performance',
      `/aws/containerinsights/globex.${MEMBER_A}.brand-new/performance`,
      `/aws/containerinsights/platform.${MEMBER_A}.brand-new/other`,
      `/aws/containerinsights/platformx.${MEMBER_A}.brand-new/performance`,
    ]) expect(`${group} ${writes(role, REGIONS[0], group)}`).toBe(`${group} ${ALL_DENIED}`);
    expect(writes(role, 'ap-south-1', `/aws/containerinsights/platform.${MEMBER_A}.brand-new/performance`)).toBe(ALL_DENIED);
    expect(writes(role, REGIONS[0], `/aws/ecs/containerinsights/platform.${MEMBER_A}.x/performance`)).toBe(ALL_DENIED);
  });

  test('the policy is of constant size (four kinds per region), nag-clean, and the fleet\'s member template stays inline', () => {
    const { role, identity } = setup();
    const resources = role.policies.flatMap((p) => p.Statement.flatMap((s: any) => s.Resource));
    expect(resources).toHaveLength(REGIONS.length * 4 * 2);
    expect(resources).toContain(`arn:aws:logs:eu-west-1:${MONITORING}:log-group:/aws/containerinsights/platform.????????????.*/host:*`);
    expectNagClean(role.stack);
    expect(identity.templateSize).toBeLessThanOrEqual(51_200);
  });

  test('LEAST_PRIVILEGE still needs clusterNames (it has no customer prefix to open), and says what to use instead', () => {
    expect(() => central('platform', { organizationSource: organizationSource(), permissionMode: ContainerInsightsPermissionMode.LEAST_PRIVILEGE, regions: REGIONS }))
      .toThrow(/clusterNames: is required with LEAST_PRIVILEGE; with organizationSource, TENANT_ISOLATED opens every member cluster/);
    expect(() => central('platform', { sourceAccountId: MEMBER_A, permissionMode: ContainerInsightsPermissionMode.TENANT_ISOLATED }))
      .toThrow(/clusterNames: is required with TENANT_ISOLATED/);
  });

  test('memberReportedClusterName checks its arguments, for callers the types do not protect', () => {
    expect(() => CrossAccountContainerInsights.memberReportedClusterName('acme corp', '12', 'prod/x'))
      .toThrow(/3 problems[\s\S]*customerName: got string "acme corp"[\s\S]*accountId[\s\S]*clusterName/);
    expect(() => (CrossAccountContainerInsights.memberReportedClusterName as any)(undefined, 444444444444, 'prod'))
      .toThrow(/customerName: is required[\s\S]*accountId/);
  });
});

describe.each([
  ['TENANT_ISOLATED, organization-wide', { permissionMode: ContainerInsightsPermissionMode.TENANT_ISOLATED, regions: REGIONS }, `platform.${MEMBER_A}.prod`],
  ['LEAST_PRIVILEGE with clusterNames', { permissionMode: ContainerInsightsPermissionMode.LEAST_PRIVILEGE, clusterNames: ['prod'] }, 'prod'],
  ['AGENT_SERVER_POLICY', {}, 'prod'],
] as const)('one central role shared by member accounts, %s', (_name, props, aGroup) => {
  test('member B\'s genuine fleet identity holds the same session as A\'s, so it may write A\'s groups (proven), and synth warns naming that write', () => {
    const role = central('platform', { organizationSource: organizationSource(), ...props });
    const a = fleetIdentity(role.roleArn, MEMBER_A);
    const b = fleetIdentity(role.roleArn, MEMBER_B);
    expect(assumes(role, a, MEMBER_A, [PROD_OU], 'prod')).toBe('Allowed Allowed');
    expect(assumes(role, b, MEMBER_B, [PROD_OU], 'prod')).toBe('Allowed Allowed');
    const scoped = 'permissionMode' in props;
    if (scoped) {
      // The writes are the central role's session, for A and B alike: its aws:PrincipalAccount is the monitoring account.
      expect(writes(role, REGIONS[0], `/aws/containerinsights/${aGroup}/performance`)).toBe(ALL_ALLOWED);
    }
    Annotations.fromStack(role.stack).hasWarning('/Monitoring/CI', Match.stringLikeRegexp(
      scoped
        ? 'every member account\'s fleet identity that assumes this role may write all the log groups it opens, including the other member accounts\' groups'
        : 'CloudWatchAgentServerPolicy lets every member account\'s fleet identity that assumes this role write every log group of this account'));
    Annotations.fromStack(role.stack).hasWarning('/Monitoring/CI', Match.stringLikeRegexp('its session\'s aws:PrincipalAccount is this account'));
  });
});

test('${aws:PrincipalAccount} in the central role\'s resource would not help: in the role\'s session it is the monitoring account, for every member', () => {
  const policy = {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: 'logs:PutLogEvents', Resource: `arn:aws:logs:${REGIONS[0]}:${MONITORING}:log-group:/aws/containerinsights/\${aws:PrincipalAccount}.*` }],
  };
  const session = `arn:aws:sts::${MONITORING}:assumed-role/containerinsights-platform/eks-session`;
  // IAM sets aws:PrincipalAccount to the account of the requesting principal: for a role session, the role's account
  // (IAM user guide, "AWS global condition context keys", aws:PrincipalAccount), whoever assumed the role.
  const put = (group: string) => isAllowed({
    policies: [policy],
    principal: session,
    action: 'logs:PutLogEvents',
    resource: `arn:aws:logs:${REGIONS[0]}:${MONITORING}:log-group:${group}:log-stream:n`,
    context: { 'aws:PrincipalAccount': MONITORING },
  });
  expect(put(`/aws/containerinsights/${MEMBER_A}.prod/performance`)).toBe('ImplicitlyDenied');
  expect(put(`/aws/containerinsights/${MONITORING}.prod/performance`)).toBe('Allowed');
});

describe('what keeps member accounts apart: a central role per OU or per account, through the trust', () => {
  test('a role per OU: B (in the dev OU) cannot assume the prod OU\'s role, and its own role cannot write the prod OU\'s groups', () => {
    const prodRole = orgWide('payments', [PROD_OU]);
    const devRole = orgWide('devteams', [DEV_OU]);
    const b = fleetIdentity(devRole.roleArn, MEMBER_B);
    expect(assumes(prodRole, b, MEMBER_B, [DEV_OU], 'prod')).toBe('ImplicitlyDenied ImplicitlyDenied');
    expect(assumes(devRole, b, MEMBER_B, [DEV_OU], 'prod')).toBe('Allowed Allowed');
    const aGroup = `/aws/containerinsights/${CrossAccountContainerInsights.memberReportedClusterName('payments', MEMBER_A, 'prod')}/application`;
    expect(writes(prodRole, REGIONS[0], aGroup)).toBe(ALL_ALLOWED);
    expect(writes(devRole, REGIONS[0], aGroup)).toBe(ALL_DENIED);
  });

  test('a role per account (sourcePrincipalPattern with the account ID): B\'s genuine fleet identity is refused by A\'s role', () => {
    const aRole = central(`acct-${MEMBER_A}`, {
      organizationSource: { organizationId: ORG, sourcePrincipalPattern: `arn:aws:iam::${MEMBER_A}:role${FleetNames.rolePath(FleetNames.CONTAINER_INSIGHTS)}*` },
      permissionMode: ContainerInsightsPermissionMode.TENANT_ISOLATED,
      regions: REGIONS,
    });
    const a = fleetIdentity(aRole.roleArn, MEMBER_A);
    const b = fleetIdentity(aRole.roleArn, MEMBER_B);
    expect(assumes(aRole, a, MEMBER_A, [PROD_OU], 'prod')).toBe('Allowed Allowed');
    expect(assumes(aRole, b, MEMBER_B, [PROD_OU], 'prod')).toBe('ImplicitlyDenied ImplicitlyDenied');
  });

  const perAccount = (account: string, mode: ContainerInsightsPermissionMode) => central(`acct-${account}`, {
    organizationSource: { organizationId: ORG, sourcePrincipalPattern: `arn:aws:iam::${account}:role${FleetNames.rolePath(FleetNames.CONTAINER_INSIGHTS)}*` },
    permissionMode: mode,
    ...(mode === ContainerInsightsPermissionMode.LEAST_PRIVILEGE ? { clusterNames: ['prod'] } : { regions: REGIONS }),
  });

  test('per-account roles, TENANT_ISOLATED: B\'s role writes its own groups and none of A\'s, though both call a cluster "prod"', () => {
    const aGroup = `/aws/containerinsights/${CrossAccountContainerInsights.memberReportedClusterName(`acct-${MEMBER_A}`, MEMBER_A, 'prod')}/host`;
    const bGroup = `/aws/containerinsights/${CrossAccountContainerInsights.memberReportedClusterName(`acct-${MEMBER_B}`, MEMBER_B, 'prod')}/host`;
    const bRole = perAccount(MEMBER_B, ContainerInsightsPermissionMode.TENANT_ISOLATED);
    expect(writes(bRole, REGIONS[0], bGroup)).toBe(ALL_ALLOWED);
    expect(writes(bRole, REGIONS[0], aGroup)).toBe(ALL_DENIED);
    expect(writes(perAccount(MEMBER_A, ContainerInsightsPermissionMode.TENANT_ISOLATED), REGIONS[0], aGroup)).toBe(ALL_ALLOWED);
  });

  test('per-account roles, LEAST_PRIVILEGE: no separation where two accounts name a cluster alike (proven), and synth says so (tenantsNotIsolated)', () => {
    const bRole = perAccount(MEMBER_B, ContainerInsightsPermissionMode.LEAST_PRIVILEGE);
    // A's "prod" and B's "prod" report the same name: one log group, which B's role may write.
    expect(writes(bRole, REGIONS[0], '/aws/containerinsights/prod/performance')).toBe(ALL_ALLOWED);
    Annotations.fromStack(bRole.stack).hasWarning('/Monitoring/CI', Match.stringLikeRegexp('LEAST_PRIVILEGE scopes log groups by cluster name only'));
  });
});

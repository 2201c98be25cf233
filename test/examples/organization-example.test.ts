/**
 * The organization example, as `npm run synth` builds it: the StackSet over two OUs and two regions,
 * the organization-scoped targets and a sink per region, nag-clean; and the whole chain proven with
 * the IAM engine across the two templates (a member account's fleet identity from the member
 * template, the central role's trust from the observability template).
 */
import { App, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { Testing } from 'cdk8s';
import { demoSettings } from '../../examples/demo-settings';
import { buildExample } from '../../examples/example-app';
import { ORGANIZATION_INSIGHTS_CUSTOMER } from '../../examples/organization';
import { ContainerInsightsPermissionMode, CrossAccountContainerInsights, FleetNames } from '../../src';
import { evaluate } from '../harness/cfn-eval';
import { cloudwatchLogsOutputs } from '../harness/fluent-bit-outputs';
import { canAssume, identityPoliciesOf, isAllowed, logicalIdsOfType } from '../harness/iam-proof';
import { manifestProblems, objectOf } from '../harness/manifests';
import { expectNagClean } from '../harness/nag';

const app = new App();
const k8s = Testing.app();
const settings = demoSettings(app);
const { organization } = buildExample(app, k8s, settings);
const OBSERVABILITY = settings.organizationObservabilityAccount;
const MEMBER = settings.memberAccount;
const REGION = 'eu-west-1';
const PROD_OU_PATH = `${settings.organizationId}/${settings.organizationRootId}/ou-ab12-11111111/`;

test('the management stack holds one StackSet over the two OUs and two regions; the observability account a sink per region', () => {
  Template.fromStack(organization.management).hasResourceProperties('AWS::CloudFormation::StackSet', {
    PermissionModel: 'SERVICE_MANAGED',
    AutoDeployment: { Enabled: true },
    StackInstancesGroup: [{ DeploymentTargets: { OrganizationalUnitIds: ['ou-ab12-11111111', 'ou-ab12-22222222'] }, Regions: ['us-east-1', 'eu-west-1'] }],
  });
  expect(organization.observability.map((s) => [s.account, s.region])).toEqual([[OBSERVABILITY, 'us-east-1'], [OBSERVABILITY, 'eu-west-1']]);
  for (const stack of organization.observability) Template.fromStack(stack).resourceCountIs('AWS::Oam::Sink', 1);
  // No OIDC provider in the observability account: the organization trust replaces them.
  Template.fromStack(organization.observability[0]).resourceCountIs('AWS::IAM::OIDCProvider', 0);
  expect(organization.fleet.templateInline).toBe(true);
});

test('every stack of the organization example is cdk-nag clean, and its charts are schema-valid', () => {
  expectNagClean(organization.management);
  organization.observability.forEach(expectNagClean);
  const objects = k8s.charts.filter((c) => c.node.id.startsWith('org-')).flatMap((chart) => chart.toJson());
  expect(objects.length).toBeGreaterThan(0);
  expect(manifestProblems(objects)).toEqual([]);
});

describe('the chain across both templates: a member\'s fleet identity assumes the central role', () => {
  const member = organization.fleet.memberTemplate;
  const memberEnv = { account: MEMBER, region: REGION };
  const target = Template.fromStack(organization.observability[0]).toJSON();
  const targetEnv = { account: OBSERVABILITY, region: 'us-east-1' };
  const remoteWriteRoleId = logicalIdsOfType(target, 'AWS::IAM::Role').find((id) => id.startsWith('RemoteWrite'))!;
  const trust = evaluate(target.Resources[remoteWriteRoleId].Properties.AssumeRolePolicyDocument, target, targetEnv);
  const roleArn = `arn:aws:iam::${OBSERVABILITY}:role/${evaluate(target.Resources[remoteWriteRoleId].Properties.RoleName, target, targetEnv)}`;
  const piRoleId = logicalIdsOfType(member, 'AWS::IAM::Role').find((id) => id.startsWith('PodIdentityremotewrite'))!;
  const piPolicies = identityPoliciesOf(member, piRoleId, memberEnv);
  const ask = (principal: string, orgId: string, orgPaths: string[], callerPolicies = piPolicies, action = 'sts:AssumeRole') => canAssume({
    trustPolicy: trust,
    roleArn,
    principal,
    action,
    callerPolicies,
    context: { 'aws:PrincipalArn': principal, 'aws:PrincipalOrgID': orgId, 'aws:PrincipalOrgPaths': orgPaths },
  });
  const piRole = FleetNames.podIdentityRoleArn('aws', MEMBER, FleetNames.REMOTE_WRITE, REGION);

  test('the Pod Identity role of a member account in the OUs: AssumeRole and TagSession allowed (EKS chains with session tags)', () => {
    expect(ask(piRole, settings.organizationId, [PROD_OU_PATH])).toBe('Allowed');
    expect(ask(piRole, settings.organizationId, [PROD_OU_PATH], piPolicies, 'sts:TagSession')).toBe('Allowed');
  });

  test('near misses: outside the organization, outside the OUs, another flow\'s identity of the member, a role the fleet did not make', () => {
    const outsider = FleetNames.podIdentityRoleArn('aws', '999999999999', FleetNames.REMOTE_WRITE, REGION);
    expect(ask(outsider, 'o-zzzzzzzzzz', ['o-zzzzzzzzzz/r-zz99/ou-zz99-33333333/'])).not.toBe('Allowed');
    expect(ask(piRole, settings.organizationId, [`${settings.organizationId}/${settings.organizationRootId}/ou-ab12-99999999/`])).not.toBe('Allowed');
    const workloadRole = FleetNames.podIdentityRoleArn('aws', MEMBER, FleetNames.workloadFlowKey('ci'), REGION);
    const anything = [{ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: '*' }] }];
    expect(ask(workloadRole, settings.organizationId, [PROD_OU_PATH], anything)).not.toBe('Allowed');
    expect(ask(`arn:aws:iam::${MEMBER}:role/admin`, settings.organizationId, [PROD_OU_PATH], anything)).not.toBe('Allowed');
  });

  test('and the member side holds its end: the remote-write Pod Identity role cannot reach the workload\'s central role', () => {
    const ciTargetId = logicalIdsOfType(target, 'AWS::IAM::Role').find((id) => id.startsWith('CiDeployer'))!;
    const ciTrust = evaluate(target.Resources[ciTargetId].Properties.AssumeRolePolicyDocument, target, targetEnv);
    const ciArn = `arn:aws:iam::${OBSERVABILITY}:role/${evaluate(target.Resources[ciTargetId].Properties.RoleName, target, targetEnv)}`;
    expect(canAssume({
      trustPolicy: ciTrust,
      roleArn: ciArn,
      principal: piRole,
      callerPolicies: piPolicies,
      context: { 'aws:PrincipalArn': piRole, 'aws:PrincipalOrgID': settings.organizationId, 'aws:PrincipalOrgPaths': [PROD_OU_PATH] },
    })).not.toBe('Allowed');
  });
});

describe('every flow of the example, for a member account: each member identity reaches exactly its own flow\'s central resource', () => {
  const FLEET_REGION = 'us-east-1';
  const member = organization.fleet.memberTemplate;
  const target = Template.fromStack(organization.observability[0]).toJSON();
  const targetEnv = { account: OBSERVABILITY, region: FLEET_REGION };
  const centralRole = (prefix: string) => {
    const id = logicalIdsOfType(target, 'AWS::IAM::Role').find((r) => r.startsWith(prefix))!;
    return {
      trust: evaluate(target.Resources[id].Properties.AssumeRolePolicyDocument, target, targetEnv),
      arn: `arn:aws:iam::${OBSERVABILITY}:role/${evaluate(target.Resources[id].Properties.RoleName, target, targetEnv)}`,
    };
  };
  const bucketPolicy = evaluate(Object.values<any>(target.Resources).find((r) => r.Type === 'AWS::S3::BucketPolicy').Properties.PolicyDocument, target, targetEnv);
  const bucketArn = `arn:aws:s3:::${organization.costBucket.bucketName}`;
  const scraperOf = (account: string) => `arn:aws:aps:${FLEET_REGION}:${account}:scraper/s-0123abcd-4567-89ef-0123-456789abcdef`;

  /** A member account's fleet identities, as the member template makes them in that account. */
  const identitiesOf = (account: string) => {
    const env = { account, region: FLEET_REGION };
    const byName = (name: string) => logicalIdsOfType(member, 'AWS::IAM::Role').find((id) => evaluate(member.Resources[id].Properties.RoleName, member, env) === name)!;
    const identity = (flowKey: string, roleName: string, arn: string) =>
      ({ flowKey, arn, policies: identityPoliciesOf(member, byName(roleName), env) });
    return [
      identity(FleetNames.REMOTE_WRITE, `remote-write.pod-identity.${FLEET_REGION}`, FleetNames.podIdentityRoleArn('aws', account, FleetNames.REMOTE_WRITE, FLEET_REGION)),
      identity(FleetNames.CONTAINER_INSIGHTS, `container-insights.pod-identity.${FLEET_REGION}`, FleetNames.podIdentityRoleArn('aws', account, FleetNames.CONTAINER_INSIGHTS, FLEET_REGION)),
      identity(FleetNames.workloadFlowKey('ci'), `workload-ci.pod-identity.${FLEET_REGION}`, FleetNames.podIdentityRoleArn('aws', account, FleetNames.workloadFlowKey('ci'), FLEET_REGION)),
      identity(FleetNames.CONTAINER_COST, `container-cost.pod-identity.${FLEET_REGION}`, FleetNames.podIdentityRoleArn('aws', account, FleetNames.CONTAINER_COST, FLEET_REGION)),
      identity(FleetNames.AMP_SCRAPER, `amp-scraper.source.${FLEET_REGION}`, FleetNames.scraperSourceRoleArn('aws', account, FLEET_REGION)),
    ];
  };
  const context = (arn: string, extra: Record<string, string | string[]> = {}) => ({
    'aws:PrincipalArn': arn,
    'aws:PrincipalAccount': arn.split(':')[4],
    'aws:PrincipalOrgID': settings.organizationId,
    'aws:PrincipalOrgPaths': [PROD_OU_PATH],
    // What EKS Pod Identity and the managed collector set on their sessions.
    'aws:PrincipalTag/eks-cluster-name': 'payments',
    ...extra,
  });
  type Identity = ReturnType<typeof identitiesOf>[number];
  const assumes = (role: { trust: any; arn: string }, who: Identity, externalId?: string) => canAssume({
    trustPolicy: role.trust,
    roleArn: role.arn,
    principal: who.arn,
    callerPolicies: who.policies,
    context: context(who.arn, externalId ? { 'sts:ExternalId': externalId } : {}),
  });
  const writesCost = (who: Identity, account: string) => isAllowed({
    principal: who.arn,
    action: 's3:PutObject',
    resource: `${bucketArn}/${FleetNames.costPrefix(account, FLEET_REGION, 'payments')}f.csv`,
    resourceAccount: OBSERVABILITY,
    policies: who.policies,
    resourcePolicy: bucketPolicy,
    context: context(who.arn),
  });
  const reaches = (who: Identity, account = MEMBER): Record<string, boolean> => ({
    [FleetNames.REMOTE_WRITE]: assumes(centralRole('RemoteWrite'), who) === 'Allowed',
    [FleetNames.CONTAINER_INSIGHTS]: assumes(centralRole('PlatformInsights'), who) === 'Allowed',
    [FleetNames.workloadFlowKey('ci')]: assumes(centralRole('CiDeployer'), who) === 'Allowed',
    [FleetNames.AMP_SCRAPER]: assumes(centralRole('ScraperTarget'), who, scraperOf(account)) === 'Allowed',
    [FleetNames.CONTAINER_COST]: writesCost(who, account) === 'Allowed',
  });

  test.each(identitiesOf(MEMBER).map((i) => [i.flowKey, i] as const))('the %s identity reaches its own flow\'s resource and no other', (flowKey, who) => {
    const expected = { [FleetNames.REMOTE_WRITE]: false, [FleetNames.CONTAINER_INSIGHTS]: false, [FleetNames.workloadFlowKey('ci')]: false, [FleetNames.AMP_SCRAPER]: false, [FleetNames.CONTAINER_COST]: false, [flowKey]: true };
    expect(reaches(who)).toEqual(expected);
  });

  test('account A reaches none of account B\'s data: B\'s cost prefix, B\'s collectors (B\'s scraper ARN)', () => {
    const otherMember = '666666666666';
    for (const who of identitiesOf(MEMBER)) {
      expect({ flow: who.flowKey, ...reaches(who, otherMember) }).toEqual({
        flow: who.flowKey, ...reaches(who, otherMember), [FleetNames.AMP_SCRAPER]: false, [FleetNames.CONTAINER_COST]: false,
      });
    }
    // ... while B's own identities reach B's.
    const [, , , bCost, bCollector] = identitiesOf(otherMember);
    expect(writesCost(bCost, otherMember)).toBe('Allowed');
    expect(assumes(centralRole('ScraperTarget'), bCollector, scraperOf(otherMember))).toBe('Allowed');
  });

  test('why the workload chart has TARGET_ROLE: a Pod Identity pod holds the central role, and a chaining profile (the central role assuming itself) is denied', () => {
    const ci = centralRole('CiDeployer');
    const anything = [{ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: '*' }] }];
    expect(canAssume({ trustPolicy: ci.trust, roleArn: ci.arn, principal: ci.arn, callerPolicies: anything, context: context(ci.arn, { 'aws:PrincipalAccount': OBSERVABILITY }) })).not.toBe('Allowed');
  });

  describe('Container Insights, followed from the cluster side\'s writers to the central account\'s log groups', () => {
    const insights = centralRole('PlatformInsights');
    const insightsId = logicalIdsOfType(target, 'AWS::IAM::Role').find((r) => r.startsWith('PlatformInsights'))!;
    const insightsPolicies = identityPoliciesOf(target, insightsId, targetEnv);
    const session = `arn:aws:sts::${OBSERVABILITY}:assumed-role/${insights.arn.split('/').pop()}/eks-session`;
    const WRITE_ACTIONS = ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'];
    /** What the central role's session (the credentials the agent and Fluent Bit hold) decides for each write on a group. */
    const writes = (region: string, group: string) => WRITE_ACTIONS.map((action) => {
      const arn = `arn:aws:logs:${region}:${OBSERVABILITY}:log-group:${group}`;
      return isAllowed({ policies: insightsPolicies, principal: session, action, resource: action === 'logs:CreateLogGroup' ? arn : `${arn}:log-stream:node-1`, resourceAccount: OBSERVABILITY });
    }).join(' ');
    const ALL_ALLOWED = WRITE_ACTIONS.map(() => 'Allowed').join(' ');
    const ALL_DENIED = WRITE_ACTIONS.map(() => 'ImplicitlyDenied').join(' ');
    const chartObjects = (id: string) => k8s.charts.find((c) => c.node.id === id)!.toJson();
    /** The writers of a member cluster, read back from its chart: the agent's performance group, Fluent Bit's three. */
    const writersOf = (id: string): Array<[string, string]> => {
      const objects = chartObjects(id);
      const agent = JSON.parse(objectOf(objects, 'ConfigMap', 'xacct-cwagentconfig').data['cwagentconfig.json']);
      const fluentBit = objectOf(objects, 'ConfigMap', 'xacct-fluent-bit-config').data;
      return [
        [agent.agent.region, `/aws/containerinsights/${agent.logs.metrics_collected.kubernetes.cluster_name}/performance`],
        ...cloudwatchLogsOutputs(fluentBit).map((o): [string, string] => [o.region, o.log_group_name]),
      ];
    };

    test.each(['payments', 'ledger'])('member cluster %s: the agent and Fluent Bit write platform.<member>.<cluster> groups, which the central role\'s session may write', (cluster) => {
      const reported = CrossAccountContainerInsights.memberReportedClusterName(ORGANIZATION_INSIGHTS_CUSTOMER, MEMBER, cluster);
      const groups = writersOf(`org-container-insights-${cluster}`);
      expect(groups.map(([r, g]) => `${r} ${g}`).sort())
        .toEqual(['application', 'dataplane', 'host', 'performance'].map((kind) => `${FLEET_REGION} /aws/containerinsights/${reported}/${kind}`));
      for (const [region, group] of groups) expect(`${group} ${writes(region, group)}`).toBe(`${group} ${ALL_ALLOWED}`);
    });

    test('both fleet regions are open to member A\'s groups; near misses (the bare cluster name, no account, another customer, an unlisted region) are not', () => {
      for (const region of settings.fleetRegions.split(',')) {
        for (const kind of ['application', 'dataplane', 'host', 'performance']) {
          expect(writes(region, `/aws/containerinsights/platform.${MEMBER}.payments/${kind}`)).toBe(ALL_ALLOWED);
        }
      }
      for (const group of ['/aws/containerinsights/payments/performance', '/aws/containerinsights/platform.payments/performance', `/aws/containerinsights/globex.${MEMBER}.payments/performance`]) {
        expect(`${group} ${writes(FLEET_REGION, group)}`).toBe(`${group} ${ALL_DENIED}`);
      }
      expect(writes('ap-south-1', `/aws/containerinsights/platform.${MEMBER}.payments/performance`)).toBe(ALL_DENIED);
    });

    test('the identities each chart runs as: Pod Identity (payments) holds the central role from the fleet\'s association; IRSA (ledger) chains from the fleet\'s per-cluster role', () => {
      const serviceAccount = (id: string) => objectOf(chartObjects(id), 'ServiceAccount');
      // Both on the fleet's Container Insights service account (Fluent Bit runs as the agent's).
      for (const id of ['org-container-insights-payments', 'org-container-insights-ledger']) {
        expect(serviceAccount(id).metadata).toMatchObject({ namespace: 'amazon-cloudwatch', name: 'cloudwatch-agent' });
      }
      const agentOf = (id: string) => JSON.parse(objectOf(chartObjects(id), 'ConfigMap', 'xacct-cwagentconfig').data['cwagentconfig.json']).agent;
      expect(agentOf('org-container-insights-payments').credentials).toBeUndefined();
      const irsaRole = FleetNames.irsaRoleArn('aws', MEMBER, FleetNames.CONTAINER_INSIGHTS, 'ledger', FLEET_REGION);
      expect(serviceAccount('org-container-insights-ledger').metadata.annotations['eks.amazonaws.com/role-arn']).toBe(irsaRole);
      expect(agentOf('org-container-insights-ledger').credentials).toEqual({ role_arn: insights.arn });
      // Fluent Bit too: each of its outputs names the central role with IRSA, and none with Pod Identity.
      const fluentBitRoles = (id: string) => cloudwatchLogsOutputs(objectOf(chartObjects(id), 'ConfigMap', 'xacct-fluent-bit-config').data).map((o) => o.role_arn);
      expect(fluentBitRoles('org-container-insights-payments')).toEqual([undefined, undefined, undefined]);
      expect(fluentBitRoles('org-container-insights-ledger')).toEqual([insights.arn, insights.arn, insights.arn]);
      // The IRSA role the reconciler makes is capped by the member template's boundary: that is enough to assume the central role.
      const boundaryId = logicalIdsOfType(member, 'AWS::IAM::ManagedPolicy').find((id) => id.startsWith('Boundary'))!;
      const boundary = evaluate(member.Resources[boundaryId].Properties.PolicyDocument, member, { account: MEMBER, region: FLEET_REGION });
      expect(canAssume({ trustPolicy: insights.trust, roleArn: insights.arn, principal: irsaRole, callerPolicies: [boundary], context: context(irsaRole) })).toBe('Allowed');
    });

    test('the documented limit, asserted rather than hidden: with one central role member B may write A\'s groups; the construct warns (membersNotIsolated) and the example acknowledges it with a reason', () => {
      const other = '666666666666';
      const bInsights = identitiesOf(other).find((i) => i.flowKey === FleetNames.CONTAINER_INSIGHTS)!;
      expect(assumes(insights, bInsights)).toBe('Allowed');
      // B's session is the central role's, as A's is: A's groups are open to it.
      expect(writes(FLEET_REGION, `/aws/containerinsights/platform.${MEMBER}.payments/host`)).toBe(ALL_ALLOWED);
      // The same props, unacknowledged, warn exactly that; the example's stack shows it acknowledged.
      const bare = new Stack(new App(), 'Bare', { env: targetEnv });
      new CrossAccountContainerInsights(bare, 'PlatformInsights', {
        customerName: ORGANIZATION_INSIGHTS_CUSTOMER,
        organizationSource: { organizationId: settings.organizationId, organizationalUnitPaths: [PROD_OU_PATH] },
        permissionMode: ContainerInsightsPermissionMode.TENANT_ISOLATED,
        regions: settings.fleetRegions.split(','),
      });
      Annotations.fromStack(bare).hasWarning('/Bare/PlatformInsights', Match.stringLikeRegexp('including the other member accounts\' groups.*membersNotIsolated'));
      Annotations.fromStack(organization.observability[0]).hasNoWarning('*', Match.stringLikeRegexp('membersNotIsolated'));
    });
  });

  test('the member collector stack: one scraper on the fleet\'s source role, no bootstrap reference; the member template is inline', () => {
    const collector = Template.fromStack(organization.memberCollector).toJSON();
    expect(Object.values<any>(collector.Resources).map((r) => r.Type)).toEqual(['AWS::APS::Scraper']);
    expect(JSON.stringify(collector)).not.toMatch(/BootstrapVersion|cdk-hnb659fds/);
    expect(organization.fleet.templateInline).toBe(true);
    expect(organization.fleet.memberTemplateSize).toBeLessThanOrEqual(51_200);
    expectNagClean(organization.memberCollector);
  });
});

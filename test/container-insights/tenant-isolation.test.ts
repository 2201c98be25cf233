/**
 * A vendor serving many customers in one account: under TENANT_ISOLATED, customer A's role cannot
 * write customer B's Container Insights log groups, even when both name a cluster "prod" (IAM engine);
 * the modes that cannot isolate tenants say so at synth.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { Testing } from 'cdk8s';
import { AgentIdentityMode, CloudWatchAgentChart, CloudWatchObservabilityAddon, ContainerInsightsPermissionMode, CrossAccountContainerInsights } from '../../src';
import { cloudwatchLogsOutputs } from '../harness/fluent-bit-outputs';
import { identityPoliciesOf, isAllowed, logicalIdsOfType } from '../harness/iam-proof';
import { objectOf, validChartObjects } from '../harness/manifests';
import { expectNagClean } from '../harness/nag';

const VENDOR = '111111111111';
const ENV = { account: VENDOR, region: 'us-east-1' };

function vendorWith(mode: ContainerInsightsPermissionMode) {
  const scoped = mode !== ContainerInsightsPermissionMode.AGENT_SERVER_POLICY;
  const stack = new Stack(new App(), 'Vendor', { env: ENV });
  const customers = [['acme', '222222222222'], ['globex', '333333333333']] as const;
  for (const [customerName, sourceAccountId] of customers) {
    new CrossAccountContainerInsights(stack, customerName, {
      customerName,
      sourceAccountId,
      permissionMode: mode,
      clusterNames: scoped ? ['prod'] : undefined,
      trustedPrincipalArns: [`arn:aws:iam::${sourceAccountId}:role/containerinsights-agent-prod`],
    });
  }
  const json = Template.fromStack(stack).toJSON();
  const policiesOf = (customer: string) => {
    const roleId = logicalIdsOfType(json, 'AWS::IAM::Role').find((id) => json.Resources[id].Properties.RoleName === `containerinsights-${customer}`)!;
    return identityPoliciesOf(json, roleId, ENV);
  };
  return { stack, policiesOf };
}

const logGroup = (name: string) => `arn:aws:logs:us-east-1:${VENDOR}:log-group:/aws/containerinsights/${name}/performance:log-stream:node-1`;

test('TENANT_ISOLATED: customer A writes its own log groups, never customer B\'s, though both call their cluster "prod"', () => {
  const { policiesOf, stack } = vendorWith(ContainerInsightsPermissionMode.TENANT_ISOLATED);
  const acme = policiesOf('acme');
  const can = (action: string, resource: string) => isAllowed({ policies: acme, principal: `arn:aws:iam::${VENDOR}:role/containerinsights-acme`, action, resource });
  expect(can('logs:PutLogEvents', logGroup(CrossAccountContainerInsights.reportedClusterName('acme', 'prod')))).toBe('Allowed');
  expect(can('logs:PutLogEvents', logGroup(CrossAccountContainerInsights.reportedClusterName('globex', 'prod')))).toBe('ImplicitlyDenied');
  expect(can('logs:PutLogEvents', logGroup('prod'))).toBe('ImplicitlyDenied');
  expect(can('logs:PutRetentionPolicy', logGroup('globex.prod'))).toBe('ImplicitlyDenied');
  expect(can('logs:CreateLogGroup', `arn:aws:logs:us-east-1:${VENDOR}:log-group:/aws/containerinsights/globex.prod/performance`)).toBe('ImplicitlyDenied');
  Annotations.fromStack(stack).hasNoWarning('*', Match.stringLikeRegexp('TENANT_ISOLATED'));
  expectNagClean(stack);
});

test('LEAST_PRIVILEGE cannot keep two customers\' "prod" apart (proven), and synth warns', () => {
  const { policiesOf, stack } = vendorWith(ContainerInsightsPermissionMode.LEAST_PRIVILEGE);
  const can = (resource: string) => isAllowed({ policies: policiesOf('acme'), principal: `arn:aws:iam::${VENDOR}:role/containerinsights-acme`, action: 'logs:PutLogEvents', resource });
  expect(can(logGroup('prod'))).toBe('Allowed'); // globex's "prod" too: the same log group
  Annotations.fromStack(stack).hasWarning('/Vendor/acme', Match.stringLikeRegexp('two customers of this account that name a cluster alike share log groups'));
});

test('AGENT_SERVER_POLICY (every log group of the account) warns that tenants are not isolated', () => {
  const { stack } = vendorWith(ContainerInsightsPermissionMode.AGENT_SERVER_POLICY);
  Annotations.fromStack(stack).hasWarning('/Vendor/globex', Match.stringLikeRegexp('each can write the others\' Container Insights data. Use permissionMode TENANT_ISOLATED'));
});

test('the customer side reports the tenant-scoped cluster name', () => {
  const chart = new CloudWatchAgentChart(Testing.app(), 'cw', {
    clusterName: 'prod',
    region: 'us-east-1',
    identityMode: AgentIdentityMode.POD_IDENTITY,
    reportedClusterName: CrossAccountContainerInsights.reportedClusterName('acme', 'prod'),
  });
  expect(chart.agentConfig.logs.metrics_collected.kubernetes.cluster_name).toBe('acme.prod');
  expect(() => new CloudWatchAgentChart(Testing.app(), 'cw', { clusterName: 'prod', region: 'us-east-1', identityMode: AgentIdentityMode.POD_IDENTITY, reportedClusterName: 'acme prod' }))
    .toThrow(/reportedClusterName: got "acme prod"/);
});

/**
 * Every writer of customer acme's cluster, in both routes and all three identity modes, read back from
 * what the route synthesizes: the agent's `cluster_name` (its performance log group) and each Fluent Bit
 * `cloudwatch_logs` output's `log_group_name`.
 */
function writersOf(route: 'addon' | 'chart', identityMode: AgentIdentityMode): string[] {
  const reportedClusterName = CrossAccountContainerInsights.reportedClusterName('acme', 'prod');
  const targetRoleArn = `arn:aws:iam::${VENDOR}:role/containerinsights-acme`;
  const agentRoleArn = identityMode === AgentIdentityMode.IRSA ? 'arn:aws:iam::222222222222:role/containerinsights-agent-prod' : undefined;
  let agentConfig: any;
  let fluentBitFiles: Record<string, string>;
  if (route === 'addon') {
    const stack = new Stack(new App(), 'Acme', { env: { account: '222222222222', region: 'us-east-1' } });
    const addon = new CloudWatchObservabilityAddon(stack, 'Addon', { clusterName: 'prod', reportedClusterName, targetRoleArn, identityMode, agentRoleArn });
    const values = JSON.parse(stack.resolve(addon.configurationValues));
    agentConfig = values.agent.config;
    fluentBitFiles = values.containerLogs.fluentBit.config.extraFiles;
  } else {
    const chart = new CloudWatchAgentChart(Testing.app(), 'cw', {
      clusterName: 'prod',
      reportedClusterName,
      region: 'us-east-1',
      identityMode,
      agentRoleArn,
      targetRoleArn: identityMode === AgentIdentityMode.POD_IDENTITY ? undefined : targetRoleArn,
    });
    const objects = validChartObjects(chart);
    agentConfig = JSON.parse(objectOf(objects, 'ConfigMap', 'xacct-cwagentconfig').data['cwagentconfig.json']);
    fluentBitFiles = objectOf(objects, 'ConfigMap', 'xacct-fluent-bit-config').data;
  }
  const performance = `/aws/containerinsights/${agentConfig.logs.metrics_collected.kubernetes.cluster_name}/performance`;
  return [performance, ...cloudwatchLogsOutputs(fluentBitFiles).map((o) => o.log_group_name)];
}

const WRITE_ACTIONS = ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'];
const groupArn = (group: string) => `arn:aws:logs:us-east-1:${VENDOR}:log-group:${group}`;
const resourceFor = (action: string, group: string) => (action === 'logs:CreateLogGroup' ? groupArn(group) : `${groupArn(group)}:log-stream:node-1`);

describe.each(['addon', 'chart'] as const)('TENANT_ISOLATED, %s route', (route) => {
  test.each([AgentIdentityMode.NODE_ROLES, AgentIdentityMode.IRSA, AgentIdentityMode.POD_IDENTITY])(
    '%s: every writer (agent performance logs, Fluent Bit application/dataplane/host) lands in acme.prod, which only acme\'s role may write', (mode) => {
      const groups = writersOf(route, mode);
      expect(groups.sort()).toEqual(['application', 'dataplane', 'host', 'performance'].map((kind) => `/aws/containerinsights/acme.prod/${kind}`));
      const { policiesOf } = vendorWith(ContainerInsightsPermissionMode.TENANT_ISOLATED);
      const decide = (customer: string, action: string, group: string) => isAllowed({
        policies: policiesOf(customer), principal: `arn:aws:iam::${VENDOR}:role/containerinsights-${customer}`, action, resource: resourceFor(action, group),
      });
      for (const group of groups) {
        for (const action of WRITE_ACTIONS) {
          expect(`${action} ${group} ${decide('acme', action, group)}`).toBe(`${action} ${group} Allowed`);
          // globex, whose cluster is also "prod", reaches none of acme's groups ...
          expect(`${action} ${group} ${decide('globex', action, group)}`).toBe(`${action} ${group} ImplicitlyDenied`);
          // ... and acme reaches neither globex's nor the unprefixed real-cluster-name groups.
          for (const other of [group.replace('acme.prod', 'globex.prod'), group.replace('acme.prod', 'prod')]) {
            expect(`${action} ${other} ${decide('acme', action, other)}`).toBe(`${action} ${other} ImplicitlyDenied`);
          }
        }
      }
    });
});

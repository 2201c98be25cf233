/**
 * Container logs (Fluent Bit) follow the agent into the target account, in both routes (the add-on's
 * own Fluent Bit, the chart's xacct-fluent-bit) and all three identity modes: each `cloudwatch_logs`
 * output is read back from the synthesized configuration, and the IAM engine decides whether the
 * identity it writes with (the target role, reached through `role_arn` or the Pod Identity chain) may
 * write exactly that log group in the target account.
 */
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { Testing } from 'cdk8s';
import {
  AgentIdentityMode, CloudWatchAgentChart, CloudWatchObservabilityAddon, CrossAccountContainerInsights,
} from '../../src';
import { REGION, SOURCE_ACCOUNT, stackIn, TARGET_ACCOUNT } from '../fixtures';
import { cloudwatchLogsOutputs } from '../harness/fluent-bit-outputs';
import { isAllowed } from '../harness/iam-proof';
import { objectOf, validChartObjects } from '../harness/manifests';
import { acmeTenantIsolatedPolicies } from '../harness/tenant-isolated-target';

const TARGET_ROLE = `arn:aws:iam::${TARGET_ACCOUNT}:role/containerinsights-acme`;
const AGENT_ROLE = `arn:aws:iam::${SOURCE_ACCOUNT}:role/containerinsights-agent-prod`;
const MODES = [AgentIdentityMode.NODE_ROLES, AgentIdentityMode.IRSA, AgentIdentityMode.POD_IDENTITY];
const REPORTED = CrossAccountContainerInsights.reportedClusterName('acme', 'prod');

function addonRoute(identityMode: AgentIdentityMode) {
  const stack = stackIn(SOURCE_ACCOUNT);
  const addon = new CloudWatchObservabilityAddon(stack, 'Addon', {
    clusterName: 'prod',
    reportedClusterName: REPORTED,
    targetRoleArn: TARGET_ROLE,
    identityMode,
    agentRoleArn: identityMode === AgentIdentityMode.IRSA ? AGENT_ROLE : undefined,
  });
  const values = JSON.parse(stack.resolve(addon.configurationValues));
  return { stack, values, outputs: cloudwatchLogsOutputs(values.containerLogs.fluentBit.config.extraFiles) };
}

function chartRoute(identityMode: AgentIdentityMode) {
  const chart = new CloudWatchAgentChart(Testing.app(), 'cw', {
    clusterName: 'prod',
    reportedClusterName: REPORTED,
    region: REGION,
    identityMode,
    targetRoleArn: identityMode === AgentIdentityMode.POD_IDENTITY ? undefined : TARGET_ROLE,
    agentRoleArn: identityMode === AgentIdentityMode.IRSA ? AGENT_ROLE : undefined,
  });
  const objects = validChartObjects(chart);
  const config = objectOf(objects, 'ConfigMap', 'xacct-fluent-bit-config');
  return { chart, objects, config, outputs: cloudwatchLogsOutputs(config.data) };
}


/** May the identity Fluent Bit ends up with write the output's log group in the target account? */
function writes(output: Record<string, string>, policies: any[]): string[] {
  const group = `arn:aws:logs:${output.region}:${TARGET_ACCOUNT}:log-group:${output.log_group_name}`;
  return ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'].map((action) => {
    const resource = action === 'logs:CreateLogGroup' ? group : `${group}:log-stream:node-1-application.var.log.containers.x.log`;
    return `${action} ${isAllowed({ policies, principal: TARGET_ROLE, action, resource })}`;
  });
}

const GROUPS = ['application', 'dataplane', 'host'].map((kind) => `/aws/containerinsights/acme.prod/${kind}`);

describe.each([['add-on', addonRoute], ['chart', chartRoute]] as const)('%s route', (_route, build) => {
  test.each(MODES)('%s: application, dataplane and host logs go to the target account\'s acme.prod groups, with the target role', (mode) => {
    const { outputs } = build(mode);
    expect(outputs.map((o) => o.log_group_name).sort()).toEqual(GROUPS);
    const policies = acmeTenantIsolatedPolicies();
    for (const output of outputs) {
      expect(output.region).toBe(REGION);
      // NODE_ROLES and IRSA: Fluent Bit holds the node role or the agent's IRSA role and must assume the target role itself.
      // POD_IDENTITY: it runs as the agent's service account, which EKS already gives the target role.
      expect(output.role_arn).toBe(mode === AgentIdentityMode.POD_IDENTITY ? undefined : TARGET_ROLE);
      expect(writes(output, policies)).toEqual(['logs:CreateLogGroup Allowed', 'logs:CreateLogStream Allowed', 'logs:PutLogEvents Allowed']);
    }
  });
});

test('the chart route runs Fluent Bit as the agent\'s service account (so it holds the agent\'s identity), schema-valid, named apart from the add-on', () => {
  const { objects, config } = chartRoute(AgentIdentityMode.IRSA);
  const daemonSet = objectOf(objects, 'DaemonSet', 'xacct-fluent-bit');
  expect(daemonSet.spec.template.spec.serviceAccountName).toBe('cloudwatch-agent');
  expect(daemonSet.spec.template.spec.containers[0].image).toBe('public.ecr.aws/aws-observability/aws-for-fluent-bit:3.4.8');
  expect(config.data['fluent-bit.conf']).toMatch(/@INCLUDE application-log.conf\n@INCLUDE dataplane-log.conf\n@INCLUDE host-log.conf/);
  const role = objectOf(objects, 'ClusterRole', 'xacct-fluent-bit-role');
  expect(role.rules.flatMap((r: any) => r.resources.map((res: string) => `${res}:${r.verbs.join(',')}`)).sort()).toEqual(['namespaces:get,list,watch', 'pods:get,list,watch']);
  expect(objects.map((o) => `${o.kind}/${o.metadata.name}`)).not.toContain('DaemonSet/fluent-bit');
});

test('the target role may write exactly the four groups of its reported cluster, no other group of that prefix', () => {
  const policies = acmeTenantIsolatedPolicies();
  const can = (group: string) => isAllowed({ policies, principal: TARGET_ROLE, action: 'logs:PutLogEvents', resource: `arn:aws:logs:${REGION}:${TARGET_ACCOUNT}:log-group:${group}:log-stream:s` });
  for (const kind of ['application', 'dataplane', 'host', 'performance']) expect(can(`/aws/containerinsights/acme.prod/${kind}`)).toBe('Allowed');
  expect(can('/aws/containerinsights/acme.prod/other')).toBe('ImplicitlyDenied');
  expect(can('/aws/containerinsights/acme.prod/application-extra')).toBe('ImplicitlyDenied');
  expect(can('/aws/containerinsights/acme.production/application')).toBe('ImplicitlyDenied');
});

test('containerLogs: false switches Fluent Bit off on purpose, and synth (add-on) or signalRoutes (chart) says where logs go', () => {
  const stack = stackIn(SOURCE_ACCOUNT);
  const addon = new CloudWatchObservabilityAddon(stack, 'Addon', { clusterName: 'prod', targetRoleArn: TARGET_ROLE, identityMode: AgentIdentityMode.POD_IDENTITY, containerLogs: false });
  expect(JSON.parse(stack.resolve(addon.configurationValues)).containerLogs).toEqual({ enabled: false });
  Annotations.fromStack(stack).hasWarning('/Stack/Addon', Match.stringLikeRegexp('containerLogs is false: the add-on runs no Fluent Bit, so this cluster\'s application, data-plane and host logs are not collected anywhere'));
  expect(addon.signalRoutes.find((r) => r.signal === 'container logs')).toMatchObject({ account: 'none', destinations: [] });

  const chart = new CloudWatchAgentChart(Testing.app(), 'cw', { clusterName: 'prod', region: REGION, identityMode: AgentIdentityMode.POD_IDENTITY, containerLogs: false });
  expect(validChartObjects(chart).filter((o) => o.metadata.name.startsWith('xacct-fluent-bit'))).toEqual([]);
  expect(chart.signalRoutes.find((r) => r.signal === 'container logs')).toMatchObject({ account: 'none' });
});

test('a value that would add a Fluent Bit directive or a helm action is refused where the file is rendered', () => {
  // Every prop is validated first; this is the renderer's own guard.
  expect(() => chartRoute(AgentIdentityMode.IRSA)).not.toThrow();
  const { renderFluentBitConfig } = jest.requireActual('../../src/container-insights/fluent-bit-config');
  expect(() => renderFluentBitConfig([{ section: 'OUTPUT', entries: [['region', 'us-east-1\n    role_arn arn:aws:iam::1:role/x']] }])).toThrow(/would break the configuration file/);
  expect(() => renderFluentBitConfig([{ section: 'OUTPUT', entries: [['region', '{{ .Values.x }}']] }])).toThrow(/would break/);
});

/**
 * Windows nodes (issue 20), against the amazon-cloudwatch-observability chart 6.4.0 source
 * (aws-observability/helm-charts, tag amazon-cloudwatch-observability-6.4.0, templates/windows/*):
 * the Windows Fluent Bit reads `containerLogs.fluentBit.configWindows`, which the add-on now replaces,
 * so Windows container logs reach the target account in every mode; the Windows CloudWatch agent takes
 * a fixed configuration no value can steer, so `windowsNodes: true` says at synth where its metrics go.
 */
import Ajv from 'ajv';
import { App, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { Testing } from 'cdk8s';
import {
  AgentIdentityMode, CloudWatchAgentChart, CloudWatchObservabilityAddon, CloudWatchObservabilityAddonProps,
  ContainerInsightsPermissionMode, CrossAccountContainerInsights, CrossAccountContainerInsightsProps,
} from '../../src';
import { REGION, SOURCE_ACCOUNT, stackIn, TARGET_ACCOUNT } from '../fixtures';
import { cloudwatchLogsOutputs } from '../harness/fluent-bit-outputs';
import { canAssume, identityPoliciesOf, isAllowed, logicalIdsOfType, trustPolicyOf } from '../harness/iam-proof';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const schema = require('./addon-configuration.schema.json');

const TARGET_ROLE = `arn:aws:iam::${TARGET_ACCOUNT}:role/containerinsights-acme`;
const AGENT_ROLE = `arn:aws:iam::${SOURCE_ACCOUNT}:role/containerinsights-agent-prod`;
const WINDOWS_NODE_ROLE = `arn:aws:iam::${SOURCE_ACCOUNT}:role/eks-windows-nodes`;
const LINUX_NODE_ROLE = `arn:aws:iam::${SOURCE_ACCOUNT}:role/eks-linux-nodes`;
const MODES = [AgentIdentityMode.NODE_ROLES, AgentIdentityMode.IRSA, AgentIdentityMode.POD_IDENTITY];
const REPORTED = CrossAccountContainerInsights.reportedClusterName('acme', 'prod');
const WARNING_ID = 'cdk-eks-cross-account-observability:windowsNodes';

function addon(props: Partial<CloudWatchObservabilityAddonProps> & { identityMode: AgentIdentityMode }) {
  const stack = stackIn(SOURCE_ACCOUNT);
  const construct = new CloudWatchObservabilityAddon(stack, 'Addon', {
    clusterName: 'prod',
    reportedClusterName: REPORTED,
    targetRoleArn: TARGET_ROLE,
    agentRoleArn: props.identityMode === AgentIdentityMode.IRSA ? AGENT_ROLE : undefined,
    ...props,
  });
  return { stack, construct, values: JSON.parse(stack.resolve(construct.configurationValues)) };
}

function chart(extra: { windowsNodes?: boolean }) {
  return new CloudWatchAgentChart(Testing.app(), 'cw', {
    clusterName: 'prod', reportedClusterName: REPORTED, region: REGION, identityMode: AgentIdentityMode.IRSA, targetRoleArn: TARGET_ROLE, agentRoleArn: AGENT_ROLE, ...extra,
  });
}

const windowsFiles = (values: any): Record<string, string> => values.containerLogs.fluentBit.configWindows.extraFiles;

/** Who the Windows Fluent Bit is before it assumes role_arn: Pod Identity does not exist on Windows nodes. */
const windowsCaller = (mode: AgentIdentityMode) => (mode === AgentIdentityMode.IRSA ? AGENT_ROLE : WINDOWS_NODE_ROLE);

/** The vendor's TENANT_ISOLATED role for acme's "prod", trusting the given source roles. */
function targetRole(props: Partial<CrossAccountContainerInsightsProps>) {
  const stack = new Stack(new App(), 'Vendor', { env: { account: TARGET_ACCOUNT, region: REGION } });
  new CrossAccountContainerInsights(stack, 'acme', {
    customerName: 'acme', sourceAccountId: SOURCE_ACCOUNT, permissionMode: ContainerInsightsPermissionMode.TENANT_ISOLATED, clusterNames: ['prod'], ...props,
  });
  const json = Template.fromStack(stack).toJSON();
  const roleId = logicalIdsOfType(json, 'AWS::IAM::Role')[0];
  const env = { account: TARGET_ACCOUNT, region: REGION };
  return { trustPolicy: trustPolicyOf(json, roleId, env), policies: identityPoliciesOf(json, roleId, env) };
}

const callerMayAssume = [{ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: TARGET_ROLE }] }];
const assumes = (trustPolicy: any, principal: string) =>
  canAssume({ trustPolicy, roleArn: TARGET_ROLE, principal, context: { 'aws:PrincipalArn': principal }, callerPolicies: callerMayAssume });

describe.each(MODES)('%s: the add-on\'s Windows Fluent Bit', (mode) => {
  test('writes the reported cluster\'s application, dataplane and host groups in the target account, assuming the target role (role_arn)', () => {
    const { values } = addon({ identityMode: mode });
    const outputs = cloudwatchLogsOutputs(windowsFiles(values));
    // dataplane twice: the containerd/EKS log files and the "EKS" Windows event channel (as the chart's own files).
    expect(outputs.map((o) => o.log_group_name).sort()).toEqual(['application', 'dataplane', 'dataplane', 'host'].map((kind) => `/aws/containerinsights/${REPORTED}/${kind}`));
    for (const output of outputs) {
      expect(output).toMatchObject({ region: REGION, role_arn: TARGET_ROLE });
    }
    // No chart value is left to name the groups: ${CLUSTER_NAME} is the EKS cluster's own name on Windows too.
    expect(Object.values(windowsFiles(values)).join('\n')).not.toContain('${CLUSTER_NAME}');

    const { trustPolicy, policies } = targetRole({ trustedPrincipalArns: [LINUX_NODE_ROLE, windowsCaller(mode)] });
    expect(assumes(trustPolicy, windowsCaller(mode))).toBe('Allowed');
    for (const output of outputs) {
      const group = `arn:aws:logs:${output.region}:${TARGET_ACCOUNT}:log-group:${output.log_group_name}`;
      expect(isAllowed({ policies, principal: TARGET_ROLE, action: 'logs:CreateLogGroup', resource: group })).toBe('Allowed');
      for (const action of ['logs:CreateLogStream', 'logs:PutLogEvents']) {
        expect(isAllowed({ policies, principal: TARGET_ROLE, action, resource: `${group}:log-stream:win-node-1.windows.system.events` })).toBe('Allowed');
      }
    }
  });

  test('signalRoutes: Windows container logs land in the target account; the Windows agent\'s metrics do not', () => {
    const routes = addon({ identityMode: mode }).construct.signalRoutes.filter((r) => r.signal.startsWith('Windows nodes'));
    expect(routes.map((r) => r.signal)).toEqual(['Windows nodes: metrics and performance logs', 'Windows nodes: container logs']);
    expect(routes[1]).toMatchObject({
      account: 'target',
      writer: 'Fluent Bit (DaemonSet fluent-bit-windows)',
      destinations: ['application', 'dataplane', 'host'].map((kind) => `/aws/containerinsights/${REPORTED}/${kind}`),
      logGroups: [],
    });
    expect(routes[1].identity).toMatch(/then cloudwatch_logs role_arn = target role$/);
    expect(routes[0]).toMatchObject({
      account: mode === AgentIdentityMode.IRSA ? 'denied' : 'cluster',
      destinations: ['/aws/containerinsights/prod/performance'],
      logGroups: [],
    });
  });
});

test('near miss: a target role that trusts only the Linux node role refuses the Windows node role', () => {
  const { trustPolicy } = targetRole({ trustedPrincipalArns: [LINUX_NODE_ROLE] });
  expect(assumes(trustPolicy, LINUX_NODE_ROLE)).toBe('Allowed');
  expect(assumes(trustPolicy, WINDOWS_NODE_ROLE)).toBe('ImplicitlyDenied');
});

test('Pod Identity mode: the Windows node role needs a trust of its own next to the Pod Identity trust, and gets it from trustedPrincipalArns', () => {
  const podIdentityTrusts = [{ podIdentityRoleArn: AGENT_ROLE, clusterArn: `arn:aws:eks:${REGION}:${SOURCE_ACCOUNT}:cluster/prod` }];
  expect(assumes(targetRole({ podIdentityTrusts }).trustPolicy, WINDOWS_NODE_ROLE)).toBe('ImplicitlyDenied');
  expect(assumes(targetRole({ podIdentityTrusts, trustedPrincipalArns: [WINDOWS_NODE_ROLE] }).trustPolicy, WINDOWS_NODE_ROLE)).toBe('Allowed');
});

test('the Windows files keep the chart\'s Windows inputs (container log files, the EKS and System event channels) and validate against the values schema', () => {
  const { values } = addon({ identityMode: AgentIdentityMode.NODE_ROLES });
  const inputs = (file: string) => [...windowsFiles(values)[file].matchAll(/^\[INPUT\]\n {4}Name +(\S+)(?:\n {4}(?:Tag|Channels) +(\S+))?/gm)].map((m) => `${m[1]} ${m[2]}`);
  expect(inputs('application-log.conf')).toEqual(['tail application.*', 'tail application.*', 'tail application.*']);
  expect(inputs('dataplane-log.conf')).toEqual(['tail dataplane.tail.*', 'tail dataplane.tail.C.ProgramData.Amazon.EKS.logs.vpc-bridge', 'winlog EKS']);
  expect(inputs('host-log.conf')).toEqual(['winlog System']);
  expect(windowsFiles(values)['application-log.conf']).toMatch(/^ {4}Path +C:\\\\var\\\\log\\\\containers\\\\\*\.log$/m);
  expect(new Ajv({ allErrors: true }).validate(schema, values)).toBe(true);
  expect(new Ajv().validate(schema, { containerLogs: { fluentBit: { configWindows: { extraFiles: { 'x.conf': '{{ .Values.x }}' } } } } })).toBe(false);
  expect(new Ajv().validate(schema, { containerLogs: { fluentBit: { configWindows: { outputs: 'x' } } } })).toBe(false);
});

test('containerLogs: false: no Windows Fluent Bit either (containerLogs.enabled gates both DaemonSets), and signalRoutes says so', () => {
  const { values, construct } = addon({ identityMode: AgentIdentityMode.IRSA, containerLogs: false });
  expect(values.containerLogs).toEqual({ enabled: false });
  expect(construct.signalRoutes.find((r) => r.signal === 'Windows nodes: container logs')).toMatchObject({ account: 'none', destinations: [] });
});

describe('windowsNodes', () => {
  test.each([
    [AgentIdentityMode.NODE_ROLES, /metrics and performance logs go to THIS account, not the target account \(\/aws\/containerinsights\/prod\/performance\), .* as Windows node role \(no role_arn\)\. .*container logs go to the target account \(\/aws\/containerinsights\/acme\.prod\/application, .*add that role to the target role's trust/],
    [AgentIdentityMode.IRSA, /metrics and performance logs are lost: the writer's own credentials may not write \/aws\/containerinsights\/prod\/performance, .*container logs go to the target account .* as IRSA agent role, then cloudwatch_logs role_arn = target role\. No value/],
    [AgentIdentityMode.POD_IDENTITY, /metrics and performance logs go to THIS account, .*EKS Pod Identity is not available on Windows nodes.*container logs go to the target account .*add that role to the target role's trust/],
  ])('%s, true: one warning names where each Windows signal lands; acknowledgeable', (identityMode, message) => {
    const { stack } = addon({ identityMode, windowsNodes: true });
    Annotations.fromStack(stack).hasWarning('/Stack/Addon', Match.stringLikeRegexp(message.source));
    const ids = stack.node.findChild('Addon').node.metadata.filter((m) => m.type === 'aws:cdk:warning').map((m) => String(m.data));
    expect(ids.filter((w) => w.endsWith(`[ack: ${WARNING_ID}]`))).toHaveLength(1);
  });

  test('IRSA mode asks for no extra trust: the Windows Fluent Bit holds the IRSA role the target role already trusts', () => {
    const { stack } = addon({ identityMode: AgentIdentityMode.IRSA, windowsNodes: true });
    Annotations.fromStack(stack).hasWarning('/Stack/Addon', Match.stringLikeRegexp('^windowsNodes: '));
    Annotations.fromStack(stack).hasNoWarning('/Stack/Addon', Match.stringLikeRegexp('trustedPrincipalArns'));
  });

  test.each([undefined, false])('%s (default): no warning, the same values (the Windows files are harmless without Windows nodes)', (windowsNodes) => {
    const { stack, values } = addon({ identityMode: AgentIdentityMode.NODE_ROLES, windowsNodes });
    Annotations.fromStack(stack).hasNoWarning('/Stack/Addon', Match.stringLikeRegexp('windowsNodes'));
    expect(values).toEqual(addon({ identityMode: AgentIdentityMode.NODE_ROLES, windowsNodes: true }).values);
  });

  test('a plain-JS caller\'s non-boolean is refused by name', () => {
    expect(() => addon({ identityMode: AgentIdentityMode.NODE_ROLES, windowsNodes: 'yes' as unknown as boolean })).toThrow(/windowsNodes/);
    expect(() => chart({ windowsNodes: 'yes' as unknown as boolean })).toThrow(/windowsNodes/);
  });

  test('chart route, true: a warning that Windows nodes send nothing through it; none by default; its DaemonSets stay on Linux', () => {
    const warnings = (windowsNodes?: boolean) => chart({ windowsNodes }).node.metadata.filter((m) => m.type === 'aws:cdk:warning').map((m) => String(m.data));
    expect(warnings(true)).toEqual([expect.stringMatching(/^windowsNodes: this chart's DaemonSets select kubernetes\.io\/os: linux, so the Windows nodes' metrics, performance logs and container logs are not collected by it .*\[ack: cdk-eks-cross-account-observability:windowsNodes\]$/)]);
    expect(warnings(undefined)).toEqual([]);
    expect(chart({ windowsNodes: true }).signalRoutes.find((r) => r.signal.startsWith('Windows nodes'))).toMatchObject({ account: 'none', destinations: [] });
  });
});

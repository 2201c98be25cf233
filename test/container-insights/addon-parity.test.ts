/**
 * Add-on parity (issue 20 item 5), checked against the amazon-cloudwatch-observability chart 6.4.0
 * source (aws-observability/helm-charts, tag amazon-cloudwatch-observability-6.4.0): the configuration
 * values of every mode and option combination validate against the values schema; the enhanced
 * observability default follows the chart; OTel Container Insights (the cluster-scraper agent, whose
 * exporters carry no role to assume) is pinned off; RUN_WITH_IRSA exactly where IRSA is the identity;
 * Windows nodes (see windows-nodes.test.ts) and containerLogs: false are said, not hidden.
 */
import Ajv from 'ajv';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { Testing } from 'cdk8s';
import { AgentIdentityMode, CloudWatchAgentChart, CloudWatchObservabilityAddon, CloudWatchObservabilityAddonProps } from '../../src';
import { REGION, SOURCE_ACCOUNT, stackIn, TARGET_ACCOUNT } from '../fixtures';
import { objectOf, validChartObjects } from '../harness/manifests';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const schema = require('./addon-configuration.schema.json');

const TARGET_ROLE = `arn:aws:iam::${TARGET_ACCOUNT}:role/containerinsights-acme`;
const AGENT_ROLE = `arn:aws:iam::${SOURCE_ACCOUNT}:role/containerinsights-agent-prod`;
const MODES = [AgentIdentityMode.NODE_ROLES, AgentIdentityMode.IRSA, AgentIdentityMode.POD_IDENTITY];
const validate = new Ajv({ allErrors: true }).compile(schema);

function addon(props: Partial<CloudWatchObservabilityAddonProps> & { identityMode: AgentIdentityMode }) {
  const stack = stackIn(SOURCE_ACCOUNT);
  const construct = new CloudWatchObservabilityAddon(stack, 'Addon', {
    clusterName: 'prod',
    targetRoleArn: TARGET_ROLE,
    agentRoleArn: props.identityMode === AgentIdentityMode.IRSA ? AGENT_ROLE : undefined,
    ...props,
  });
  return { stack, construct, values: JSON.parse(stack.resolve(construct.configurationValues)) };
}

function chart(identityMode: AgentIdentityMode, extra: { containerLogs?: boolean; enhancedContainerInsights?: boolean } = {}) {
  return new CloudWatchAgentChart(Testing.app(), 'cw', {
    clusterName: 'prod',
    region: REGION,
    identityMode,
    targetRoleArn: identityMode === AgentIdentityMode.POD_IDENTITY ? undefined : TARGET_ROLE,
    agentRoleArn: identityMode === AgentIdentityMode.IRSA ? AGENT_ROLE : undefined,
    ...extra,
  });
}

/** Every combination of the options that change the configuration values. */
const COMBINATIONS: Array<Partial<CloudWatchObservabilityAddonProps> & { identityMode: AgentIdentityMode }> = [];
for (const identityMode of MODES) {
  for (const containerLogs of [true, false]) {
    for (const enhancedContainerInsights of [true, false, undefined]) {
      for (const region of [undefined, 'eu-west-1']) {
        for (const reportedClusterName of [undefined, 'acme.prod']) {
          for (const createAddon of [true, false]) {
            COMBINATIONS.push({ identityMode, containerLogs, enhancedContainerInsights, region, reportedClusterName, createAddon });
          }
        }
      }
    }
  }
}

test(`the configuration values of all ${COMBINATIONS.length} mode and option combinations validate against the chart 6.4.0 values schema`, () => {
  const failures = COMBINATIONS.flatMap((combination) => {
    const { values } = addon(combination);
    return validate(values) ? [] : [{ combination, errors: validate.errors }];
  });
  expect(failures).toEqual([]);
});

test('the schema refuses what the chart refuses: a non-boolean OTel flag, an unknown OTel key', () => {
  expect(validate({ otelContainerInsights: { enabled: 'false' } })).toBe(false);
  expect(validate({ otelContainerInsights: { enabled: false, clusterScraper: 'x' } })).toBe(false);
  expect(validate({ otelContainerInsights: { enabled: false } })).toBe(true);
});

describe('enhancedContainerInsights', () => {
  test('add-on: on by default, as the chart\'s own default configuration (build-default-config) has it; false turns it off', () => {
    const kubernetes = (enhanced?: boolean) => addon({ identityMode: AgentIdentityMode.POD_IDENTITY, enhancedContainerInsights: enhanced })
      .values.agent.config.logs.metrics_collected.kubernetes.enhanced_container_insights;
    expect(kubernetes()).toBe(true);
    expect(kubernetes(true)).toBe(true);
    expect(kubernetes(false)).toBe(false);
  });

  test('chart route: off by default (the agent\'s own default); true turns it on', () => {
    const kubernetes = (enhanced?: boolean) => chart(AgentIdentityMode.POD_IDENTITY, { enhancedContainerInsights: enhanced })
      .agentConfig.logs.metrics_collected.kubernetes.enhanced_container_insights;
    expect(kubernetes()).toBe(false);
    expect(kubernetes(true)).toBe(true);
  });
});

test.each(MODES)('%s: OTel Container Insights is pinned off, so the chart creates no cloudwatch-agent-cluster-scraper (its exporters would sign without the target role)', (identityMode) => {
  const { values, construct } = addon({ identityMode });
  expect(values.otelContainerInsights).toEqual({ enabled: false });
  // The chart's default `agents` list stays: templates/linux/cloudwatch-agent-custom-resource.yaml skips its
  // cluster-scraper entry while otelContainerInsights.enabled is false.
  expect(values.agents).toBeUndefined();
  expect(construct.signalRoutes.map((r) => r.signal)).not.toContain('cluster metrics (OTel)');
});

describe('RUN_WITH_IRSA exactly where IRSA is the identity', () => {
  test.each(MODES)('add-on, %s', (identityMode) => {
    const { values } = addon({ identityMode });
    expect(values.agent.env).toEqual(identityMode === AgentIdentityMode.IRSA ? [{ name: 'RUN_WITH_IRSA', value: 'True' }] : undefined);
  });

  test.each(MODES)('chart route, %s: on the agent container only (Fluent Bit does not read it)', (identityMode) => {
    const objects = validChartObjects(chart(identityMode));
    const env = (daemonSet: string) => (objectOf(objects, 'DaemonSet', daemonSet).spec.template.spec.containers[0].env ?? [])
      .filter((e: any) => e.name === 'RUN_WITH_IRSA');
    expect(env('xacct-cloudwatch-agent')).toEqual(identityMode === AgentIdentityMode.IRSA ? [{ name: 'RUN_WITH_IRSA', value: 'True' }] : []);
    expect(env('xacct-fluent-bit')).toEqual([]);
  });
});

describe('containerLogs: false says where container logs go, in both routes', () => {
  test('add-on: a synth warning', () => {
    const { stack } = addon({ identityMode: AgentIdentityMode.IRSA, containerLogs: false });
    Annotations.fromStack(stack).hasWarning('/Stack/Addon', Match.stringLikeRegexp('not collected anywhere'));
  });

  test('chart route: a warning on the chart, acknowledgeable by ID; none when Fluent Bit runs', () => {
    const warnings = (containerLogs: boolean) => chart(AgentIdentityMode.IRSA, { containerLogs }).node.metadata
      .filter((m) => m.type === 'aws:cdk:warning').map((m) => String(m.data));
    expect(warnings(false)).toEqual([expect.stringMatching(/^containerLogs is false: this chart runs no Fluent Bit, .*not in the target account.* \[ack: cdk-eks-cross-account-observability:containerLogsOff\]$/)]);
    expect(warnings(true)).toEqual([]);
  });
});

describe('Windows nodes: container logs are routed, the Windows agent cannot be, and signalRoutes says where each goes', () => {
  test.each([
    [AgentIdentityMode.NODE_ROLES, 'cluster'],
    [AgentIdentityMode.IRSA, 'denied'],
    [AgentIdentityMode.POD_IDENTITY, 'cluster'],
  ])('add-on, %s: the Windows agent writes with its own credentials (%s), under the real cluster name; Windows Fluent Bit reaches the target account', (identityMode, account) => {
    const routes = addon({ identityMode, reportedClusterName: 'acme.prod' }).construct.signalRoutes;
    expect(routes.find((r) => r.signal === 'Windows nodes: metrics and performance logs')).toMatchObject({ account, destinations: ['/aws/containerinsights/prod/performance'] });
    expect(routes.find((r) => r.signal === 'Windows nodes: container logs')).toMatchObject({
      account: 'target', destinations: ['application', 'dataplane', 'host'].map((kind) => `/aws/containerinsights/acme.prod/${kind}`),
    });
  });

  test('chart route: its DaemonSets select Linux nodes only, so Windows nodes send nothing', () => {
    const objects = validChartObjects(chart(AgentIdentityMode.IRSA));
    for (const name of ['xacct-cloudwatch-agent', 'xacct-fluent-bit']) {
      expect(objectOf(objects, 'DaemonSet', name).spec.template.spec.nodeSelector).toEqual({ 'kubernetes.io/os': 'linux' });
    }
    expect(chart(AgentIdentityMode.IRSA).signalRoutes.find((r) => r.signal.startsWith('Windows nodes'))).toMatchObject({ account: 'none', destinations: [] });
  });
});

/**
 * The add-on route: AWS::EKS::Addon amazon-cloudwatch-observability with the configuration that sends
 * Container Insights to another account; its configuration values validated against the add-on's
 * schema (addon-configuration.schema.json says where it comes from).
 */
import Ajv from 'ajv';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { AgentIdentityMode, CloudWatchObservabilityAddon, CloudWatchObservabilityAddonProps } from '../../src';
import { SOURCE_ACCOUNT, stackIn, TARGET_ACCOUNT } from '../fixtures';
import { expectNagClean } from '../harness/nag';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const schema = require('./addon-configuration.schema.json');

const TARGET_ROLE = `arn:aws:iam::${TARGET_ACCOUNT}:role/containerinsights-acme`;
const AGENT_ROLE = `arn:aws:iam::${SOURCE_ACCOUNT}:role/containerinsights-agent-prod`;
const validate = new Ajv({ allErrors: true }).compile(schema);

function build(props: Partial<CloudWatchObservabilityAddonProps>) {
  const stack = stackIn(SOURCE_ACCOUNT);
  const addon = new CloudWatchObservabilityAddon(stack, 'Addon', { clusterName: 'prod', targetRoleArn: TARGET_ROLE, identityMode: AgentIdentityMode.POD_IDENTITY, ...props });
  const template = Template.fromStack(stack);
  const resource = Object.values<any>(template.toJSON().Resources ?? {}).find((r) => r.Type === 'AWS::EKS::Addon');
  const values = resource ? JSON.parse(resource.Properties.ConfigurationValues) : undefined;
  return { stack, addon, template, resource, values };
}

test.each([AgentIdentityMode.IRSA, AgentIdentityMode.NODE_ROLES, AgentIdentityMode.POD_IDENTITY])('%s: the configuration values validate against the add-on\'s schema', (identityMode) => {
  const { values } = build({ identityMode, agentRoleArn: identityMode === AgentIdentityMode.IRSA ? AGENT_ROLE : undefined });
  expect(validate(values) ? [] : validate.errors).toEqual([]);
});

test('IRSA sets RUN_WITH_IRSA=True on the agent (no on-premises fallback without IMDS); the other modes do not', () => {
  expect(build({ identityMode: AgentIdentityMode.IRSA, agentRoleArn: AGENT_ROLE }).values.agent.env).toEqual([{ name: 'RUN_WITH_IRSA', value: 'True' }]);
  expect(build({ identityMode: AgentIdentityMode.NODE_ROLES }).values.agent.env).toBeUndefined();
  expect(build({ identityMode: AgentIdentityMode.POD_IDENTITY }).values.agent.env).toBeUndefined();
});

test('the schema check is real: an unknown key or a malformed role ARN is refused', () => {
  expect(validate({ agent: { config: { logs: { metrics_collected: { kubernetes: { cluster_name: 'prod' } } } } }, containerLogs: { fluentBit: { config: { extraFile: {} } } } })).toBe(false);
  expect(validate({ agent: { config: { logs: { metrics_collected: { kubernetes: { cluster_name: 'prod' } } } } }, agnet: {} })).toBe(false);
  expect(validate({ agent: { config: { agent: { credentials: { role_arn: 'containerinsights-acme' } }, logs: { metrics_collected: { kubernetes: { cluster_name: 'prod' } } } } } })).toBe(false);
});

test('IRSA: the add-on\'s service account gets the agent role, and the agent assumes the target role (role_arn)', () => {
  const { resource, values } = build({ identityMode: AgentIdentityMode.IRSA, agentRoleArn: AGENT_ROLE });
  expect(resource.Properties).toMatchObject({ AddonName: 'amazon-cloudwatch-observability', ClusterName: 'prod', ServiceAccountRoleArn: AGENT_ROLE, ResolveConflicts: 'OVERWRITE' });
  expect(values.agent.config.agent.credentials).toEqual({ role_arn: TARGET_ROLE });
  expect(values.agent.config.logs.metrics_collected.kubernetes).toEqual({ cluster_name: 'prod', metrics_collection_interval: 60, enhanced_container_insights: true });
});

test('Pod Identity: no role_arn (EKS hands over the target role; the role would assume itself) and no service-account role', () => {
  const { resource, values } = build({ identityMode: AgentIdentityMode.POD_IDENTITY });
  expect(resource.Properties.ServiceAccountRoleArn).toBeUndefined();
  expect(values.agent.config.agent.credentials).toBeUndefined();
});

test('an add-on installed outside the stack: no AWS::EKS::Addon, the configuration as an output for update-addon', () => {
  const { template, resource, addon, stack } = build({ identityMode: AgentIdentityMode.NODE_ROLES, createAddon: false });
  expect(resource).toBeUndefined();
  template.hasOutput('*', { Value: Match.anyValue(), Description: Match.stringLikeRegexp('aws eks update-addon --cluster-name prod --addon-name amazon-cloudwatch-observability') });
  expect(JSON.parse(stack.resolve(addon.configurationValues)).agent.config.agent.credentials.role_arn).toBe(TARGET_ROLE);
});

test('bad input is one error naming every problem', () => {
  expect(() => build({ identityMode: AgentIdentityMode.IRSA })).toThrow(/agentRoleArn: is required/);
  expect(() => build({ identityMode: AgentIdentityMode.POD_IDENTITY, agentRoleArn: AGENT_ROLE, clusterName: 'prod/1' })).toThrow(/2 problems[\s\S]*clusterName[\s\S]*agentRoleArn: only applies in IRSA mode/);
  expect(() => build({ identityMode: 'SOMETHING' as AgentIdentityMode })).toThrow(/identityMode: got string "SOMETHING"; expected one of/);
});

test('cdk-nag clean, no warnings', () => {
  const { stack } = build({ identityMode: AgentIdentityMode.IRSA, agentRoleArn: AGENT_ROLE });
  expectNagClean(stack);
  Annotations.fromStack(stack).hasNoWarning('*', Match.anyValue());
});

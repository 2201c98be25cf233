/**
 * Invalid CloudFormation that used to synthesize (issue 22, cfn-lint E3019): EKS keeps one add-on of
 * a name per cluster, so two `CloudWatchObservabilityAddon` for one cluster, in one stack or in two
 * stacks of one app in the same account and region, are refused at synth naming `clusterName`.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import * as eks from 'aws-cdk-lib/aws-eks';
import * as lib from '../../src';
import { cfnLintErrors } from '../harness/template-lint';

const PROPS = {
  clusterName: 'prod',
  identityMode: lib.AgentIdentityMode.IRSA,
  targetRoleArn: 'arn:aws:iam::111111111111:role/containerinsights-acme',
  agentRoleArn: 'arn:aws:iam::222222222222:role/containerinsights-agent-prod',
};
const env = (region = 'us-east-1', account = '222222222222') => ({ env: { account, region } });

test('cfn-lint refuses two add-ons of one name for one cluster in a template (E3019): the rule the check follows', () => {
  const stack = new Stack(new App(), 'Raw', env());
  new eks.CfnAddon(stack, 'A', { clusterName: 'prod', addonName: 'amazon-cloudwatch-observability' });
  new eks.CfnAddon(stack, 'B', { clusterName: 'prod', addonName: 'amazon-cloudwatch-observability' });
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'e3019-')), 'raw.json');
  fs.writeFileSync(file, JSON.stringify((stack.node.root as App).synth().getStackByName('Raw').template));
  expect(cfnLintErrors([file]).map((f) => f.rule)).toContain('E3019');
}, 120_000);

test('a second add-on for the same cluster in one stack is refused, naming clusterName and the first', () => {
  const stack = new Stack(new App(), 'S', env());
  new lib.CloudWatchObservabilityAddon(stack, 'First', PROPS);
  expect(() => new lib.CloudWatchObservabilityAddon(stack, 'Second', PROPS))
    .toThrow(/CloudWatchObservabilityAddon 'S\/Second': invalid props \(1 problem\):\n {2}- clusterName: S\/First already installs amazon-cloudwatch-observability on cluster "prod"/);
});

test('a second add-on for the same cluster in another stack of the app (same account and region) is refused', () => {
  const app = new App();
  new lib.CloudWatchObservabilityAddon(new Stack(app, 'A', env()), 'Addon', PROPS);
  expect(() => new lib.CloudWatchObservabilityAddon(new Stack(app, 'B', env()), 'Addon', PROPS)).toThrow(/- clusterName: A\/Addon already installs/);
});

test('another cluster, region or account, or createAddon: false, is accepted', () => {
  const app = new App();
  new lib.CloudWatchObservabilityAddon(new Stack(app, 'A', env()), 'Addon', PROPS);
  expect(() => new lib.CloudWatchObservabilityAddon(new Stack(app, 'B', env()), 'Addon', { ...PROPS, clusterName: 'staging' })).not.toThrow();
  expect(() => new lib.CloudWatchObservabilityAddon(new Stack(app, 'C', env('eu-west-1')), 'Addon', PROPS)).not.toThrow();
  expect(() => new lib.CloudWatchObservabilityAddon(new Stack(app, 'D', env('us-east-1', '333333333333')), 'Addon', PROPS)).not.toThrow();
  expect(() => new lib.CloudWatchObservabilityAddon(new Stack(app, 'E', env()), 'Addon', { ...PROPS, createAddon: false })).not.toThrow();
});

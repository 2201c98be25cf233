/**
 * The example app, as `npm run synth` builds it: every stack nag-clean, every manifest
 * schema-valid, the two accounts linked only by plain strings.
 */
import { App } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { Testing } from 'cdk8s';
import { demoSettings } from '../../examples/demo-settings';
import { buildExample } from '../../examples/example-app';
import { manifestProblems } from '../harness/manifests';
import { expectNagClean } from '../harness/nag';

const app = new App();
const k8s = Testing.app();
const example = buildExample(app, k8s, demoSettings(app));

test('every stack of the example is cdk-nag clean', () => {
  expectNagClean(example.observability);
  expectNagClean(example.cluster);
  expectNagClean(example.target);
});

test('every manifest of the example is schema-valid', () => {
  const objects = k8s.charts.flatMap((chart) => chart.toJson());
  expect(objects.length).toBeGreaterThan(0);
  expect(manifestProblems(objects)).toEqual([]);
});

test('the stacks share no CloudFormation references (accounts are linked by plain strings only)', () => {
  const assembly = app.synth();
  for (const stack of assembly.stacks) {
    const text = JSON.stringify(stack.template);
    expect(text).not.toContain('Fn::ImportValue');
    expect(stack.dependencies.filter((d) => d.id !== stack.id + '.assets')).toEqual([]);
  }
});

test('helm values are written for each cluster', () => {
  expect(Object.keys(example.helmValues).sort()).toEqual(['kube-prometheus-stack-prod.yaml', 'kube-prometheus-stack-staging.yaml']);
});

test('the demo settings can be overridden by context', () => {
  const custom = new App({ context: { observabilityAccount: '123456789012', clusterName: 'blue' } });
  const settings = demoSettings(custom);
  expect(settings).toMatchObject({ observabilityAccount: '123456789012', clusterName: 'blue', clusterAccount: '222222222222' });
  const built = buildExample(custom, Testing.app(), settings);
  Template.fromStack(built.observability).hasResourceProperties('AWS::IAM::Role', { RoleName: 'containerinsights-blue' });
});

test('phase 2 of the AMP scraper flow (context scraperArn) pins the target role and stays nag-clean', () => {
  const phase2 = new App({ context: { scraperArn: 'arn:aws:aps:us-east-1:222222222222:scraper/s-0123abcd-4567-89ef-0123-456789abcdef' } });
  const built = buildExample(phase2, Testing.app(), demoSettings(phase2));
  const template = JSON.stringify(Template.fromStack(built.observability).toJSON());
  expect(template).toContain('"sts:ExternalId":"arn:aws:aps:us-east-1:222222222222:scraper/s-0123abcd-4567-89ef-0123-456789abcdef"');
  expect(template).not.toContain('scraper/*');
  expectNagClean(built.observability);
});

test('the example acknowledges the tenant warning where it does not apply (one organization), so synth shows only warnings that need action', () => {
  const fresh = new App();
  const built = buildExample(fresh, Testing.app(), demoSettings(fresh));
  Annotations.fromStack(built.observability).hasNoWarning('*', Match.stringLikeRegexp('tenantsNotIsolated'));
});

/**
 * Issue 23, part 1: every customer-side flow as a template the customer launches without CDK. Each
 * template is synthesized, checked self-contained (no bootstrap reference, no asset, inline-size),
 * linted with the real cfn-lint (no E findings), its parameters' constraints exercised, and its trust
 * evaluated by the IAM engine with the parameters a customer would give.
 */
import { CfnParameter, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import {
  AgentIdentityMode, ContainerInsightsAgentAccess, ContainerInsightsCustomerTemplate, CustomerTemplateStack,
  RemoteWriteCustomerTemplate, WorkloadIdentityMode,
} from '../../src';
import { evaluate } from '../harness/cfn-eval';
import { canAssume, logicalIdsOfType, trustPolicyOf } from '../harness/iam-proof';
import { nagFindings } from '../harness/nag';
import { cfnLint, cfnLintErrors, freshApp, selfContainedProblems, SynthesizedTemplate, synthTemplate } from '../harness/template-lint';

const VENDOR = '111111111111';
const CUSTOMER = '222222222222';
const REGION = 'us-east-1';
const ISSUER = 'https://oidc.eks.us-east-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF';
const ISSUER_HOST = ISSUER.replace('https://', '');
const PROMETHEUS = { namespace: 'monitoring', name: 'prometheus' };

type Build = () => Stack;
const TEMPLATES: Record<string, Build> = {
  'Container Insights, NODE_ROLES': () => new ContainerInsightsCustomerTemplate(freshApp(), 'CiNodeRoles', { vendorAccountId: VENDOR, identityMode: AgentIdentityMode.NODE_ROLES, regions: [REGION] }),
  'Container Insights, IRSA': () => new ContainerInsightsCustomerTemplate(freshApp(), 'CiIrsa', { vendorAccountId: VENDOR, identityMode: AgentIdentityMode.IRSA, oidcIssuerUrl: ISSUER }),
  'Container Insights, POD_IDENTITY': () => new ContainerInsightsCustomerTemplate(freshApp(), 'CiPodIdentity', { vendorAccountId: VENDOR, identityMode: AgentIdentityMode.POD_IDENTITY, regions: [REGION, 'eu-west-1'] }),
  'remote write, IRSA': () => new RemoteWriteCustomerTemplate(freshApp(), 'RwIrsa', { vendorAccountId: VENDOR, identityMode: WorkloadIdentityMode.IRSA, oidcIssuerUrl: ISSUER, serviceAccount: PROMETHEUS }),
  'remote write, POD_IDENTITY': () => new RemoteWriteCustomerTemplate(freshApp(), 'RwPodIdentity', { vendorAccountId: VENDOR, identityMode: WorkloadIdentityMode.POD_IDENTITY, serviceAccount: PROMETHEUS }),
};

const synthesized: Record<string, SynthesizedTemplate> = {};
const stacks: Record<string, Stack> = {};
beforeAll(() => {
  for (const [name, build] of Object.entries(TEMPLATES)) {
    stacks[name] = build();
    synthesized[name] = synthTemplate(stacks[name]);
  }
});

describe('every customer template', () => {
  test.each(Object.keys(TEMPLATES))('%s: no bootstrap reference, no asset, under 51,200 bytes, every Ref resolves', (name) => {
    expect(selfContainedProblems(synthesized[name])).toEqual([]);
    expect(synthesized[name].json.Parameters.TargetRoleArn).toBeDefined();
  });

  test('cfn-lint finds no E-level problem in any of them', () => {
    const errors = cfnLintErrors(Object.values(synthesized).map((t) => t.file));
    expect(errors).toEqual([]);
  });

  test('cfn-lint is not a no-op: a template with a missing required property fails it', () => {
    const stack = new CustomerTemplateStack(freshApp(), 'Broken', { description: 'broken on purpose' });
    // aws-cdk-lib's own check refuses a missing Role at construction: remove it afterwards, as a hand edit would.
    new lambda.CfnFunction(stack, 'NoRole', { code: { zipFile: 'x' }, runtime: 'nodejs22.x', handler: 'index.handler', role: 'arn:aws:iam::1:role/x' }).addPropertyDeletionOverride('Role');
    const findings = cfnLint([synthTemplate(stack).file]);
    expect(findings.filter((f) => f.level === 'Error').map((f) => f.rule)).toContain('E3003');
  });

  test.each(Object.keys(TEMPLATES))('%s: cdk-nag finds nothing unacknowledged', (name) => {
    expect(nagFindings(stacks[name])).toEqual([]);
  });
});

describe('the template machinery', () => {
  test('an asset cannot get into a customer template: synth refuses it', () => {
    const stack = new CustomerTemplateStack(freshApp(), 'WithAsset');
    expect(() => new lambda.Function(stack, 'Fn', { code: lambda.Code.fromAsset(__dirname), handler: 'index.handler', runtime: lambda.Runtime.NODEJS_22_X }))
      .toThrow(/Cannot add assets to a Stack that uses the BootstraplessSynthesizer/);
  });

  test('bad props: one error naming every problem; a token is refused by name', () => {
    const app = freshApp();
    const token = new CfnParameter(new Stack(app, 'Other'), 'P').valueAsString;
    expect(() => new ContainerInsightsCustomerTemplate(app, 'Bad', { vendorAccountId: token, identityMode: 'NODES' as any, regions: ['mars-1'] }))
      .toThrow(/invalid props \(3 problems\):\n {2}- vendorAccountId: is a deploy-time value \(token\).*\n {2}- regions\[0\].*\n {2}- identityMode: got string "NODES"/);
    expect(() => new RemoteWriteCustomerTemplate(freshApp(), 'Bad', { vendorAccountId: '123', identityMode: WorkloadIdentityMode.IRSA } as any))
      .toThrow(/invalid props \(3 problems\):[\s\S]*vendorAccountId[\s\S]*serviceAccount: is required[\s\S]*oidcIssuerUrl: is required/);
    expect(() => new ContainerInsightsCustomerTemplate(freshApp(), 'Bad', null as any)).toThrow(/vendorAccountId: is required[\s\S]*identityMode: is required/);
  });
});

describe('parameters are validated by CloudFormation, not turned into garbage', () => {
  const pattern = (t: SynthesizedTemplate, name: string) => new RegExp(t.json.Parameters[name].AllowedPattern);

  test('ClusterName: EKS\'s form, and short enough that the role name is exactly what the library computes', () => {
    const t = synthesized['Container Insights, POD_IDENTITY'];
    const cluster = t.json.Parameters.ClusterName;
    for (const good of ['prod', 'Prod_eu-1', '9x']) expect(pattern(t, 'ClusterName').test(good)).toBe(true);
    for (const bad of ['-prod', 'prod.eu', 'a b', '']) expect(pattern(t, 'ClusterName').test(bad)).toBe(false);
    const longest = 'c'.repeat(cluster.MaxLength);
    const roleId = logicalIdsOfType(t.json, 'AWS::IAM::Role')[0];
    for (const name of ['prod', 'Prod_eu-1', longest]) {
      const given = { account: CUSTOMER, region: REGION, attributes: { ClusterName: { Ref: name } } };
      const roleName = evaluate(t.json.Resources[roleId].Properties.RoleName, t.json, given);
      expect(roleName).toBe(ContainerInsightsAgentAccess.agentRoleName(name));
      expect(roleName.length).toBeLessThanOrEqual(64);
    }
    expect(`containerinsights-agent-${longest}c`.length).toBe(65);
  });

  test('TargetRoleArn: only a role of the vendor\'s account and partition', () => {
    const t = synthesized['remote write, POD_IDENTITY'];
    expect(pattern(t, 'TargetRoleArn').test(`arn:aws:iam::${VENDOR}:role/amp-remote-write-acme`)).toBe(true);
    expect(pattern(t, 'TargetRoleArn').test(`arn:aws:iam::${VENDOR}:role/team/amp-remote-write-acme`)).toBe(true);
    expect(pattern(t, 'TargetRoleArn').test('arn:aws:iam::333333333333:role/amp-remote-write-acme')).toBe(false);
    expect(pattern(t, 'TargetRoleArn').test(`arn:aws-cn:iam::${VENDOR}:role/x`)).toBe(false);
    expect(pattern(t, 'TargetRoleArn').test(`arn:aws:iam::${VENDOR}:role/*`)).toBe(false);
  });

  test('Rules: the vendor\'s regions only; NODE_ROLES refuses an empty node-role list', () => {
    expect(synthesized['Container Insights, POD_IDENTITY'].json.Rules.SupportedRegion.Assertions[0].Assert)
      .toEqual({ 'Fn::Contains': [[REGION, 'eu-west-1'], { Ref: 'AWS::Region' }] });
    expect(synthesized['remote write, IRSA'].json.Rules).toBeUndefined();
    expect(synthesized['Container Insights, NODE_ROLES'].json.Rules.NodeRoleNamesGiven.Assertions[0].Assert)
      .toEqual({ 'Fn::Not': [{ 'Fn::Contains': [{ Ref: 'NodeRoleNames' }, ''] }] });
  });
});

describe('what the templates deploy, proven with the IAM engine for the values a customer gives', () => {
  const env = (clusterName: string) => ({ account: CUSTOMER, region: REGION, attributes: { ClusterName: { Ref: clusterName }, TargetRoleArn: { Ref: `arn:aws:iam::${VENDOR}:role/x` } } });

  test('Container Insights, POD_IDENTITY: EKS may assume the agent role for this cluster\'s agent only', () => {
    const t = synthesized['Container Insights, POD_IDENTITY'].json;
    const role = logicalIdsOfType(t, 'AWS::IAM::Role')[0];
    const trustPolicy = trustPolicyOf(t, role, env('prod'));
    const roleArn = `arn:aws:iam::${CUSTOMER}:role/containerinsights-agent-prod`;
    const ask = (cluster: string, sa: string) => canAssume({
      trustPolicy,
      roleArn,
      principal: 'pods.eks.amazonaws.com',
      context: {
        'aws:RequestTag/eks-cluster-arn': `arn:aws:eks:${REGION}:${CUSTOMER}:cluster/${cluster}`,
        'aws:RequestTag/kubernetes-namespace': 'amazon-cloudwatch',
        'aws:RequestTag/kubernetes-service-account': sa,
      },
    });
    expect(ask('prod', 'cloudwatch-agent')).toBe('Allowed');
    expect(ask('staging', 'cloudwatch-agent')).not.toBe('Allowed');
    expect(ask('prod', 'default')).not.toBe('Allowed');
  });

  test('remote write, IRSA: the collector\'s service account only, through the cluster\'s provider', () => {
    const t = synthesized['remote write, IRSA'].json;
    const role = logicalIdsOfType(t, 'AWS::IAM::Role')[0];
    const trustPolicy = trustPolicyOf(t, role, env('prod'));
    const provider = `arn:aws:iam::${CUSTOMER}:oidc-provider/${ISSUER_HOST}`;
    const ask = (sub: string) => canAssume({
      trustPolicy,
      roleArn: `arn:aws:iam::${CUSTOMER}:role/remote-write-prod`,
      principal: provider,
      action: 'sts:AssumeRoleWithWebIdentity',
      context: { [`${ISSUER_HOST}:aud`]: 'sts.amazonaws.com', [`${ISSUER_HOST}:sub`]: sub },
    });
    expect(ask('system:serviceaccount:monitoring:prometheus')).toBe('Allowed');
    expect(ask('system:serviceaccount:monitoring:grafana')).not.toBe('Allowed');
    expect(evaluate(t.Resources[role].Properties.RoleName, t, env('prod'))).toBe(RemoteWriteCustomerTemplate.sourceRoleName('prod'));
  });
});

/**
 * Semantic checks the input contract adds beyond shapes (issue: "one input contract"), each a
 * refusal at synth with the prop named, or a default derived from what AWS needs.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Testing } from 'cdk8s';
import { ContainerInsightsPermissionMode, CrossAccountContainerInsights, CrossAccountWorkloadRole, PrometheusRemoteWriteChart, WorkloadIdentityMode, WorkloadSourceRole } from '../../src';
import { canAssume, trustPolicyOf } from '../harness/iam-proof';

const SOURCE = '222222222222';
const TARGET = '333333333333';
const targetStack = () => new Stack(new App(), 'Target', { env: { account: TARGET, region: 'us-east-1' } });
const sourceStack = () => new Stack(new App(), 'Source', { env: { account: SOURCE, region: 'us-east-1' } });

test('a * or ? in the path or name of a role ARN in a trust or a target list is refused (any role so named, at any path, would do)', () => {
  expect(() => new CrossAccountWorkloadRole(targetStack(), 'R', { sourceRoleArn: `arn:aws:iam::${SOURCE}:role/*/ci-deployer` }))
    .toThrow(/sourceRoleArn: has a wildcard in its path or name/);
  expect(() => new CrossAccountWorkloadRole(targetStack(), 'R', { sourceRoleArn: `arn:aws:iam::${SOURCE}:role/ci-deploy?r` }))
    .toThrow(/sourceRoleArn: has a wildcard/);
  for (const arn of [`arn:aws:iam::${TARGET}:role/*/deployer`, `arn:aws:iam::${TARGET}:role/deploy?r`, `arn:aws:iam::${TARGET}:role/team/*`]) {
    expect(() => new WorkloadSourceRole(sourceStack(), 'S', {
      identityMode: WorkloadIdentityMode.POD_IDENTITY, clusterName: 'ci', serviceAccount: { namespace: 'ci', name: 'ci' }, targetRoleArns: [arn],
    })).toThrow(/targetRoleArns\[0\]: is a wildcard/);
  }
});

test('EKS access policies: only those a customer-managed role may use', () => {
  const access = (accessPolicy: string) => () => new CrossAccountWorkloadRole(targetStack(), 'R', {
    sourceRoleArn: `arn:aws:iam::${SOURCE}:role/ci`, eksAccess: { clusterName: 'apps', accessPolicy, namespaces: ['apps'] },
  });
  expect(access('AmazonEKSBlockStoragePolicy')).toThrow(/eksAccess.accessPolicy: got "AmazonEKSBlockStoragePolicy"; expected one of AmazonEKSViewPolicy, AmazonEKSEditPolicy, AmazonEKSAdminPolicy/);
  expect(access('AmazonEKSSecretReaderPolicy')).not.toThrow();
  expect(access('AmazonEKSAdminViewPolicy')).not.toThrow();
});

test('a Pod Identity source chained into CrossAccountWorkloadRole: the default trust allows sts:TagSession for exactly that source', () => {
  const stack = targetStack();
  const source = `arn:aws:iam::${SOURCE}:role/workload-ci-ci`;
  new CrossAccountWorkloadRole(stack, 'R', { sourceRoleArn: source });
  const json = Template.fromStack(stack).toJSON();
  const roleId = Object.keys(json.Resources).find((id) => json.Resources[id].Type === 'AWS::IAM::Role')!;
  const role = json.Resources[roleId];
  const trust = trustPolicyOf(json, roleId, { account: TARGET, region: 'us-east-1' });
  const roleArn = `arn:aws:iam::${TARGET}:role/${role.Properties.RoleName}`;
  const callerPolicies = [{ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['sts:AssumeRole', 'sts:TagSession'], Resource: roleArn }] }];
  // Session tags are transitive from a Pod Identity session: IAM evaluates sts:TagSession too.
  expect(canAssume({ trustPolicy: trust, roleArn, principal: source, action: 'sts:TagSession', callerPolicies, context: { 'aws:PrincipalArn': source } })).toBe('Allowed');
  expect(canAssume({ trustPolicy: trust, roleArn, principal: `arn:aws:iam::${SOURCE}:role/other`, action: 'sts:TagSession', callerPolicies, context: { 'aws:PrincipalArn': `arn:aws:iam::${SOURCE}:role/other` } })).not.toBe('Allowed');
});

test('Prometheus durations in queueConfig use Prometheus\' own grammar: units once each, in order', () => {
  const chart = (batchSendDeadline: string) => () => new PrometheusRemoteWriteChart(Testing.app(), 'c', {
    workspaceArn: `arn:aws:aps:us-east-1:${TARGET}:workspace/ws-1`, roleArn: `arn:aws:iam::${TARGET}:role/rw`, queueConfig: { batchSendDeadline },
  });
  expect(chart('5s1m')).toThrow(/queueConfig.batchSendDeadline: got "5s1m"; expected a Prometheus duration/);
  expect(chart('1m5s')).not.toThrow();
  expect(chart('500ms')).not.toThrow();
});

test('quotas: 300 targets would make a 23.7k inline policy; refused with its size and IAM\'s 10,240', () => {
  const targets = Array.from({ length: 300 }, (_, i) => `arn:aws:iam::${TARGET}:role/deployer-with-a-fairly-long-name-${i}`);
  expect(() => new WorkloadSourceRole(sourceStack(), 'S', {
    identityMode: WorkloadIdentityMode.POD_IDENTITY, clusterName: 'ci', serviceAccount: { namespace: 'ci', name: 'ci' }, targetRoleArns: targets,
  })).toThrow(/targetRoleArns: 300 targets make an inline policy of \d{5} characters, over IAM's 10240/);
});

test('quotas: a stack over CloudFormation\'s 500 resources fails at synth, naming what contributes', () => {
  const app = new App();
  const stack = new Stack(app, 'Big', { env: { account: TARGET, region: 'us-east-1' } });
  for (let i = 0; i < 505; i++) new CrossAccountWorkloadRole(stack, `R${i}`, { sourceRoleArn: `arn:aws:iam::${SOURCE}:role/ci-${i}`, roleName: `target-${i}` });
  expect(() => app.synth()).toThrow(/Stack Big has \d+ resources, over CloudFormation's quota of 500 resources per template\. This library's constructs in it: CrossAccountWorkloadRole 'Big\/R\d+' \(\d\)/);
});

test('defaults meet real accounts: WorkloadSourceRole in IRSA mode uses the provider IRSA already registered, and creates one only when asked', () => {
  const issuerUrl = 'https://oidc.eks.us-east-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF';
  const props = { identityMode: WorkloadIdentityMode.IRSA, oidcIssuerUrl: issuerUrl, serviceAccount: { namespace: 'ci', name: 'ci' }, targetRoleArns: [`arn:aws:iam::${TARGET}:role/d`] };
  const byDefault = sourceStack();
  new WorkloadSourceRole(byDefault, 'S', props);
  const json = Template.fromStack(byDefault).toJSON();
  expect(Object.values<any>(json.Resources).filter((r) => r.Type === 'AWS::IAM::OIDCProvider')).toHaveLength(0);
  const roleId = Object.keys(json.Resources).find((id) => json.Resources[id].Type === 'AWS::IAM::Role')!;
  expect(trustPolicyOf(json, roleId, { account: SOURCE, region: 'us-east-1' }).Statement[0].Principal)
    .toEqual({ Federated: `arn:aws:iam::${SOURCE}:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF` });
  const asked = sourceStack();
  new WorkloadSourceRole(asked, 'S', { ...props, createOidcProvider: true });
  Template.fromStack(asked).resourceCountIs('AWS::IAM::OIDCProvider', 1);
});

test('one partition per stack: an ARN or region of another partition is refused at synth, naming the prop', () => {
  expect(() => new CrossAccountWorkloadRole(targetStack(), 'R', { sourceRoleArn: `arn:aws-cn:iam::${SOURCE}:role/ci` }))
    .toThrow(/sourceRoleArn: is in partition aws-cn, but this stack is in aws: one partition per stack/);
  expect(() => new WorkloadSourceRole(sourceStack(), 'S', {
    identityMode: WorkloadIdentityMode.POD_IDENTITY, clusterName: 'ci', serviceAccount: { namespace: 'ci', name: 'ci' }, targetRoleArns: [`arn:aws-us-gov:iam::${TARGET}:role/d`],
  })).toThrow(/targetRoleArns\[0\]: is in partition aws-us-gov/);
  expect(() => new CrossAccountContainerInsights(targetStack(), 'C', {
    customerName: 'acme', sourceAccountId: SOURCE, permissionMode: ContainerInsightsPermissionMode.LEAST_PRIVILEGE, clusterNames: ['prod'], regions: ['cn-north-1'],
  })).toThrow(/regions\[0\]: is in partition aws-cn/);
  // The same ARNs are fine in a stack of their partition.
  const cnStack = new Stack(new App(), 'Cn', { env: { account: TARGET, region: 'cn-north-1' } });
  expect(() => new CrossAccountWorkloadRole(cnStack, 'R', { sourceRoleArn: `arn:aws-cn:iam::${SOURCE}:role/ci` })).not.toThrow();
});

describe('CrossAccountContainerInsights budgets', () => {
  const trusts = (n: number) => Array.from({ length: n }, (_, i) => ({
    podIdentityRoleArn: `arn:aws:iam::${SOURCE}:role/containerinsights-agent-cluster-number-${i}`,
    clusterArn: `arn:aws:eks:us-east-1:${SOURCE}:cluster/cluster-number-${i}`,
  }));
  const build = (props: Record<string, unknown>) => () => new CrossAccountContainerInsights(targetStack(), 'C', { customerName: 'acme', sourceAccountId: SOURCE, ...props });

  test('five Pod Identity trusts exceed the 2,048 trust quota: refused with the size; a raised quota takes them', () => {
    expect(build({ podIdentityTrusts: trusts(2) })).not.toThrow();
    expect(build({ podIdentityTrusts: trusts(5) })).toThrow(/podIdentityTrusts: 5 trusted principals make a trust policy of up to \d{4} characters, over trustPolicySizeLimit 2048/);
    expect(build({ podIdentityTrusts: trusts(5), trustPolicySizeLimit: 4096 })).not.toThrow();
  });

  test('the least-privilege inline policy stays inside 10,240 characters, or synth says so', () => {
    const clusterNames = Array.from({ length: 200 }, (_, i) => `a-rather-long-cluster-name-${i}`);
    expect(build({ permissionMode: ContainerInsightsPermissionMode.LEAST_PRIVILEGE, clusterNames, regions: ['us-east-1', 'us-west-2'] }))
      .toThrow(/clusterNames: 200 clusters in 2 region\(s\) make an inline policy of up to \d+ characters, over IAM's 10240/);
  });
});

describe('OIDC providers across the app', () => {
  const issuerUrl = (n: number) => `https://oidc.eks.us-east-1.amazonaws.com/id/${n.toString(16).toUpperCase().padStart(32, '0')}`;
  const props = (n: number) => ({ identityMode: WorkloadIdentityMode.IRSA, oidcIssuerUrl: issuerUrl(n), createOidcProvider: true, serviceAccount: { namespace: 'ci', name: 'ci' }, targetRoleArns: [`arn:aws:iam::${TARGET}:role/d`] });

  test('two stacks of one account that each create a provider for the same issuer fail at synth', () => {
    const app = new App();
    for (const name of ['One', 'Two']) new WorkloadSourceRole(new Stack(app, name, { env: { account: SOURCE, region: 'us-east-1' } }), 'S', { ...props(1), roleName: `source-${name}` });
    expect(() => app.synth()).toThrow(/The IAM OIDC provider for https:\/\/oidc\.eks\.us-east-1\.amazonaws\.com\/id\/0+1 is also created by Two\/EksOidcProviders/);
  });

  test('more providers in one stack than IAM\'s default 100 per account: a warning pointing to the organization route', () => {
    const app = new App();
    const stack = new Stack(app, 'Many', { env: { account: SOURCE, region: 'us-east-1' } });
    for (let i = 1; i <= 101; i++) new WorkloadSourceRole(stack, `S${i}`, { ...props(i), roleName: `source-${i}` });
    const assembly = app.synth();
    const warnings = assembly.getStackByName('Many').messages.filter((m) => m.level === 'warning').map((m) => String(m.entry.data));
    expect(warnings.join('\n')).toMatch(/register 101 IAM OIDC providers \(101 in this stack\); IAM's quota "OpenID Connect providers in an AWS account" is 100 by default[\s\S]*Organization scale/);
  });
});

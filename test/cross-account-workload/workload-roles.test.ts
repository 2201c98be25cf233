import { App, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { CrossAccountWorkloadRole, CrossAccountWorkloadRoleProps, WorkloadIdentityMode, WorkloadSourceRole, WorkloadSourceRoleProps } from '../../src';
import { hostPath, issuer, OTHER_ACCOUNT, REGION, SOURCE_ACCOUNT, stackIn } from '../fixtures';
import { canAssume, identityPoliciesOf, isAllowed, logicalIdsOfType, trustPolicyOf } from '../harness/iam-proof';
import { expectNagClean } from '../harness/nag';
import { templateForSnapshot } from '../harness/snapshot';

// Seed 001's scenario: a CI account (the source) and a target account with a cluster.
const CI_ACCOUNT = SOURCE_ACCOUNT;
const TARGET = OTHER_ACCOUNT;
const SA = { namespace: 'ci-namespace', name: 'ci-serviceaccount' };
const SOURCE_ROLE = `arn:aws:iam::${CI_ACCOUNT}:role/workload-ci-namespace-ci-serviceaccount`;
const TARGET_ROLE = `arn:aws:iam::${TARGET}:role/xacct-${CI_ACCOUNT}-workload-ci-namespace-ci-serviceaccount`;

function source(props: Partial<WorkloadSourceRoleProps> = {}) {
  const stack = stackIn(CI_ACCOUNT, 'Ci');
  const role = new WorkloadSourceRole(stack, 'Ci', {
    identityMode: WorkloadIdentityMode.IRSA, oidcIssuerUrl: issuer(1), serviceAccount: SA, targetRoleArns: [TARGET_ROLE], ...props,
  } as WorkloadSourceRoleProps);
  const json = Template.fromStack(stack).toJSON();
  const roleId = logicalIdsOfType(json, 'AWS::IAM::Role')[0];
  const env = { account: CI_ACCOUNT, region: REGION };
  return { stack, role, json, trustPolicy: trustPolicyOf(json, roleId, env), policies: identityPoliciesOf(json, roleId, env) };
}

function target(props: Partial<CrossAccountWorkloadRoleProps> = {}) {
  const stack = stackIn(TARGET, 'Target');
  const role = new CrossAccountWorkloadRole(stack, 'Deployer', {
    sourceRoleArn: SOURCE_ROLE,
    policyStatements: [new iam.PolicyStatement({ actions: ['eks:DescribeCluster'], resources: [`arn:aws:eks:${REGION}:${TARGET}:cluster/prod`] })],
    ...props,
  });
  const json = Template.fromStack(stack).toJSON();
  const roleId = logicalIdsOfType(json, 'AWS::IAM::Role')[0];
  const env = { account: TARGET, region: REGION };
  const template = Template.fromStack(stack);
  return { stack, role, json, template, trustPolicy: trustPolicyOf(json, roleId, env), policies: identityPoliciesOf(json, roleId, env) };
}

const webIdentity = (sub: string, iss = issuer(1), aud = 'sts.amazonaws.com') => ({
  principal: `arn:aws:iam::${CI_ACCOUNT}:oidc-provider/${hostPath(iss)}`,
  action: 'sts:AssumeRoleWithWebIdentity',
  context: { [`${hostPath(iss)}:aud`]: aud, [`${hostPath(iss)}:sub`]: sub },
});

describe('WorkloadSourceRole', () => {
  test('IRSA: the service account of that cluster only', () => {
    const { role, trustPolicy } = source();
    expect(role.roleArn).toBe(SOURCE_ROLE);
    const ask = (request: ReturnType<typeof webIdentity>) => canAssume({ trustPolicy, roleArn: SOURCE_ROLE, ...request });
    expect(ask(webIdentity('system:serviceaccount:ci-namespace:ci-serviceaccount'))).toBe('Allowed');
    expect(ask(webIdentity('system:serviceaccount:ci-namespace:other'))).not.toBe('Allowed');
    expect(ask(webIdentity('system:serviceaccount:default:ci-serviceaccount'))).not.toBe('Allowed');
    expect(ask(webIdentity('system:serviceaccount:ci-namespace:ci-serviceaccount', issuer(2)))).not.toBe('Allowed');
    expect(ask(webIdentity('system:serviceaccount:ci-namespace:ci-serviceaccount', issuer(1), 'x'))).not.toBe('Allowed');
  });

  test('may assume exactly the listed target roles', () => {
    const second = `arn:aws:iam::${TARGET}:role/second`;
    const { policies } = source({ targetRoleArns: [TARGET_ROLE, second] });
    const can = (action: string, resource: string) => isAllowed({ policies, principal: SOURCE_ROLE, action, resource, identityOnly: true });
    expect(can('sts:AssumeRole', TARGET_ROLE)).toBe('Allowed');
    expect(can('sts:AssumeRole', second)).toBe('Allowed');
    expect(can('sts:AssumeRole', `arn:aws:iam::${TARGET}:role/admin`)).toBe('ImplicitlyDenied');
    expect(can('sts:TagSession', TARGET_ROLE)).toBe('ImplicitlyDenied');
    expect(can('s3:ListAllMyBuckets', '*')).toBe('ImplicitlyDenied');
  });

  test('Pod Identity: pods.eks.amazonaws.com with the session tags of that service account, an association, and TagSession on the targets', () => {
    const { stack, trustPolicy, policies, role } = source({ identityMode: WorkloadIdentityMode.POD_IDENTITY, oidcIssuerUrl: undefined, clusterName: 'ci' });
    Template.fromStack(stack).hasResourceProperties('AWS::EKS::PodIdentityAssociation', {
      ClusterName: 'ci', Namespace: 'ci-namespace', ServiceAccount: 'ci-serviceaccount', TargetRoleArn: Match.absent(),
    });
    const tags = {
      'aws:RequestTag/eks-cluster-arn': `arn:aws:eks:${REGION}:${CI_ACCOUNT}:cluster/ci`,
      'aws:RequestTag/kubernetes-namespace': 'ci-namespace',
      'aws:RequestTag/kubernetes-service-account': 'ci-serviceaccount',
    };
    expect(canAssume({ trustPolicy, roleArn: role.roleArn, principal: 'pods.eks.amazonaws.com', context: tags })).toBe('Allowed');
    expect(canAssume({ trustPolicy, roleArn: role.roleArn, principal: 'pods.eks.amazonaws.com', context: { ...tags, 'aws:RequestTag/kubernetes-service-account': 'x' } })).not.toBe('Allowed');
    expect(isAllowed({ policies, principal: role.roleArn, action: 'sts:TagSession', resource: TARGET_ROLE, identityOnly: true })).toBe('Allowed');
    expect(role.roleName).toBe('workload-ci-ci-namespace-ci-serviceaccount');
  });

  test('cdk-nag clean in both modes', () => {
    expectNagClean(source().stack);
    expectNagClean(source({ identityMode: WorkloadIdentityMode.POD_IDENTITY, oidcIssuerUrl: undefined, clusterName: 'ci' }).stack);
  });

  test.each([
    ['IRSA without issuer', { oidcIssuerUrl: undefined }, /oidcIssuerUrl: is required/],
    ['Pod Identity without cluster', { identityMode: WorkloadIdentityMode.POD_IDENTITY, oidcIssuerUrl: undefined }, /clusterName: is required/],
    ['Pod Identity with an issuer', { identityMode: WorkloadIdentityMode.POD_IDENTITY, clusterName: 'ci' }, /oidcIssuerUrl: and oidcProviderArn only apply in IRSA mode/],
    ['no targets', { targetRoleArns: [] }, /targetRoleArns: is required/],
    ['wildcard target', { targetRoleArns: [`arn:aws:iam::${TARGET}:role/*`] }, /targetRoleArns\[0\]: is a wildcard/],
    ['target not a role', { targetRoleArns: [`arn:aws:iam::${TARGET}:user/x`] }, /targetRoleArns\[0\]: .*IAM role ARN/],
    ['service account', { serviceAccount: { namespace: 'CI', name: 'x' } }, /serviceAccount\.namespace/],
    ['provider of another account', { oidcProviderArn: `arn:aws:iam::${TARGET}:oidc-provider/${hostPath(issuer(1))}` }, /oidcProviderArn: is not in this stack's account/],
    ['session tags in IRSA mode', { sessionTags: false }, /sessionTags: only applies in POD_IDENTITY mode/],
  ])('bad input: %s', (_name, props, message) => {
    expect(() => source(props as Partial<WorkloadSourceRoleProps>)).toThrow(message);
  });
});

describe('CrossAccountWorkloadRole', () => {
  test('trusts exactly the source role (by aws:PrincipalArn), with the given permissions', () => {
    const { role, trustPolicy, policies } = target({ allowSessionTags: false });
    expect(role.roleArn).toBe(TARGET_ROLE);
    expect(trustPolicy.Statement).toEqual([{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${CI_ACCOUNT}:root` }, Condition: { ArnEquals: { 'aws:PrincipalArn': SOURCE_ROLE } } }]);
    expect(isAllowed({ policies, principal: TARGET_ROLE, action: 'eks:DescribeCluster', resource: `arn:aws:eks:${REGION}:${TARGET}:cluster/prod` })).toBe('Allowed');
    expect(isAllowed({ policies, principal: TARGET_ROLE, action: 'eks:DeleteCluster', resource: `arn:aws:eks:${REGION}:${TARGET}:cluster/prod` })).toBe('ImplicitlyDenied');
  });

  test('an access entry scoped to namespaces replaces system:masters', () => {
    const { template } = target({ eksAccess: { clusterName: 'prod', accessPolicy: 'AmazonEKSViewPolicy', namespaces: ['apps'] } });
    template.hasResourceProperties('AWS::EKS::AccessEntry', {
      ClusterName: 'prod',
      PrincipalArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^DeployerRole'), 'Arn'] },
      Type: 'STANDARD',
      AccessPolicies: [{ PolicyArn: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':eks::aws:cluster-access-policy/AmazonEKSViewPolicy']] }, AccessScope: { Type: 'namespace', Namespaces: ['apps'] } }],
    });
  });

  test('cluster-wide admin only when asked for, and then with a warning', () => {
    expect(() => target({ eksAccess: { clusterName: 'prod', accessPolicy: 'AmazonEKSClusterAdminPolicy' } })).toThrow(/namespaces: is required unless clusterWide is set[\s\S]*AmazonEKSClusterAdminPolicy applies only cluster-wide/);
    const { stack, template } = target({ eksAccess: { clusterName: 'prod', accessPolicy: 'AmazonEKSClusterAdminPolicy', clusterWide: true } });
    template.hasResourceProperties('AWS::EKS::AccessEntry', { AccessPolicies: [Match.objectLike({ AccessScope: { Type: 'cluster' } })] });
    Annotations.fromStack(stack).hasWarning('/Target/Deployer', Match.stringLikeRegexp('cluster administration from another account'));
  });

  test('external ID and session tags', () => {
    const { trustPolicy } = target({ externalId: 'ci-to-target', allowSessionTags: true });
    const ask = (principal: string, externalId?: string, action = 'sts:AssumeRole') => canAssume({
      trustPolicy,
      roleArn: TARGET_ROLE,
      principal,
      action,
      callerPolicies: [{ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['sts:AssumeRole', 'sts:TagSession'], Resource: TARGET_ROLE }] }],
      context: { 'aws:PrincipalArn': principal, ...(externalId ? { 'sts:ExternalId': externalId } : {}) },
    });
    expect(ask(SOURCE_ROLE, 'ci-to-target')).toBe('Allowed');
    expect(ask(SOURCE_ROLE)).not.toBe('Allowed');
    expect(ask(SOURCE_ROLE, 'other')).not.toBe('Allowed');
    expect(ask(SOURCE_ROLE, undefined, 'sts:TagSession')).toBe('Allowed');
    expect(ask(`arn:aws:iam::${CI_ACCOUNT}:role/other`, undefined, 'sts:TagSession')).not.toBe('Allowed');
  });

  test('cdk-nag clean', () => {
    expectNagClean(target({ eksAccess: { clusterName: 'prod', accessPolicy: 'AmazonEKSEditPolicy', namespaces: ['apps', 'jobs'] } }).stack);
  });

  test.each([
    ['source not a role', { sourceRoleArn: `arn:aws:iam::${CI_ACCOUNT}:user/ci` }, /sourceRoleArn: .*IAM role ARN/],
    ['source in this account', { sourceRoleArn: `arn:aws:iam::${TARGET}:role/local` }, /sourceRoleArn: is in this stack's account/],
    ['access policy name', { eksAccess: { clusterName: 'prod', accessPolicy: 'view', namespaces: ['apps'] } }, /eksAccess\.accessPolicy: got "view"/],
    ['system group', { eksAccess: { clusterName: 'prod', accessPolicy: 'AmazonEKSViewPolicy', namespaces: ['apps'], kubernetesGroups: ['system:masters'] } }, /"system:masters" is a reserved group/],
    ['namespace', { eksAccess: { clusterName: 'prod', accessPolicy: 'AmazonEKSViewPolicy', namespaces: ['Apps'] } }, /eksAccess\.namespaces\[0\]/],
    ['external ID', { externalId: 'x' }, /externalId: expected 2-1224 characters/],
  ])('bad input: %s', (_name, props, message) => {
    expect(() => target(props as Partial<CrossAccountWorkloadRoleProps>)).toThrow(message);
  });
});

test('the pair: the source role, with its own permission, gets into the target role; others do not (iam-simulate)', () => {
  const app = new App();
  const ciStack = new Stack(app, 'Ci', { env: { account: CI_ACCOUNT, region: REGION } });
  const targetStack = new Stack(app, 'Target', { env: { account: TARGET, region: REGION } });
  const deployer = new CrossAccountWorkloadRole(targetStack, 'Deployer', { sourceRoleArn: `arn:aws:iam::${CI_ACCOUNT}:role/workload-ci-namespace-ci-serviceaccount` });
  const ci = new WorkloadSourceRole(ciStack, 'Ci', { identityMode: WorkloadIdentityMode.IRSA, oidcIssuerUrl: issuer(1), serviceAccount: SA, targetRoleArns: [deployer.roleArn] });
  expect(ci.roleArn).toBe(SOURCE_ROLE);
  const ciJson = Template.fromStack(ciStack).toJSON();
  const targetJson = Template.fromStack(targetStack).toJSON();
  const sourcePolicies = identityPoliciesOf(ciJson, logicalIdsOfType(ciJson, 'AWS::IAM::Role')[0], { account: CI_ACCOUNT, region: REGION });
  const trustPolicy = trustPolicyOf(targetJson, logicalIdsOfType(targetJson, 'AWS::IAM::Role')[0], { account: TARGET, region: REGION });
  const ask = (principal: string, callerPolicies: any[]) => canAssume({ trustPolicy, roleArn: deployer.roleArn, principal, callerPolicies, context: { 'aws:PrincipalArn': principal } });
  expect(ask(ci.roleArn, sourcePolicies)).toBe('Allowed');
  expect(ask(`arn:aws:iam::${CI_ACCOUNT}:role/another-role`, sourcePolicies)).not.toBe('Allowed');
  expect(ask('arn:aws:iam::999999999999:role/workload-ci-namespace-ci-serviceaccount', sourcePolicies)).not.toBe('Allowed');
  expect(ask(ci.roleArn, [])).not.toBe('Allowed');
});

test('snapshots', () => {
  expect(templateForSnapshot(source().stack)).toMatchSnapshot();
  expect(templateForSnapshot(target({ eksAccess: { clusterName: 'prod', accessPolicy: 'AmazonEKSViewPolicy', namespaces: ['apps'] } }).stack)).toMatchSnapshot();
});

import { App, Aws, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { ContainerInsightsPermissionMode, CrossAccountContainerInsights, CrossAccountContainerInsightsProps } from '../../src';
import { OTHER_ACCOUNT, REGION, SOURCE_ACCOUNT, stackIn, TARGET_ACCOUNT } from '../fixtures';
import { canAssume, identityPoliciesOf, isAllowed, logicalIdsOfType, trustPolicyOf } from '../harness/iam-proof';
import { expectNagClean } from '../harness/nag';
import { templateForSnapshot } from '../harness/snapshot';

const ENV = { account: TARGET_ACCOUNT, region: REGION };
const ROLE_ARN = `arn:aws:iam::${TARGET_ACCOUNT}:role/containerinsights-acme`;
const NODE_ROLE = `arn:aws:iam::${SOURCE_ACCOUNT}:role/eks-node-group-role`;
const AGENT_ROLE = `arn:aws:iam::${SOURCE_ACCOUNT}:role/containerinsights-agent-prod`;
const CLUSTER_ARN = `arn:aws:eks:${REGION}:${SOURCE_ACCOUNT}:cluster/prod`;

function build(props: Partial<CrossAccountContainerInsightsProps> = {}, stack = stackIn()) {
  const ci = new CrossAccountContainerInsights(stack, 'Insights', { customerName: 'acme', sourceAccountId: SOURCE_ACCOUNT, ...props });
  const template = Template.fromStack(stack);
  const json = template.toJSON();
  const roleId = logicalIdsOfType(json, 'AWS::IAM::Role')[0];
  return { stack, ci, template, json, trustPolicy: trustPolicyOf(json, roleId, ENV), policies: identityPoliciesOf(json, roleId, ENV), roleId };
}

/** An identity policy of a source-account principal that lets it assume the target role (cross-account needs both sides). */
const callerMayAssume = [{ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['sts:AssumeRole', 'sts:TagSession'], Resource: ROLE_ARN }] }];
const assume = (trustPolicy: any, principal: string, context: Record<string, string> = {}, action = 'sts:AssumeRole') =>
  canAssume({ trustPolicy, roleArn: ROLE_ARN, principal, action, context: { 'aws:PrincipalArn': principal, ...context }, callerPolicies: callerMayAssume });

describe('role and permissions', () => {
  test('the seed flow: containerinsights-<customer>, trusting the source account, with CloudWatchAgentServerPolicy', () => {
    const { template, ci } = build();
    expect(ci.roleArn).toBe(ROLE_ARN);
    template.hasResourceProperties('AWS::IAM::Role', {
      RoleName: 'containerinsights-acme',
      AssumeRolePolicyDocument: { Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { AWS: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::${SOURCE_ACCOUNT}:root`]] } } }] },
      ManagedPolicyArns: [{ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/CloudWatchAgentServerPolicy']] }],
    });
    template.hasOutput('*', { Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('^InsightsRole'), 'Arn'] } });
  });

  test('an open trust is flagged', () => {
    const { stack } = build();
    Annotations.fromStack(stack).hasWarning('/Stack/Insights', Match.stringLikeRegexp('trusts the whole account 222222222222'));
    const narrowed = build({ trustedPrincipalArns: [NODE_ROLE] });
    Annotations.fromStack(narrowed.stack).hasNoWarning('/Stack/Insights', Match.stringLikeRegexp('trusts the whole account'));
  });

  test('least privilege: create and write the Container Insights log groups of the listed clusters and regions only', () => {
    const { template, policies } = build({ permissionMode: ContainerInsightsPermissionMode.LEAST_PRIVILEGE, clusterNames: ['prod', 'staging'], regions: ['us-east-1', 'eu-west-1'] });
    template.resourcePropertiesCountIs('AWS::IAM::Role', { ManagedPolicyArns: Match.anyValue() }, 0);
    const group = (region: string, cluster: string, rest = 'performance') => `arn:aws:logs:${region}:${TARGET_ACCOUNT}:log-group:/aws/containerinsights/${cluster}/${rest}`;
    const allowed = (action: string, resource: string) => isAllowed({ policies, principal: ROLE_ARN, action, resource });
    for (const action of ['logs:CreateLogGroup', 'logs:DescribeLogStreams']) expect(allowed(action, group('eu-west-1', 'staging'))).toBe('Allowed');
    for (const action of ['logs:CreateLogStream', 'logs:PutLogEvents']) {
      expect(allowed(action, `${group('us-east-1', 'prod')}:log-stream:ip-10-0-0-1`)).toBe('Allowed');
      expect(allowed(action, `${group('us-east-1', 'other')}:log-stream:x`)).toBe('ImplicitlyDenied');
      expect(allowed(action, `${group('ap-south-1', 'prod')}:log-stream:x`)).toBe('ImplicitlyDenied');
      expect(allowed(action, `arn:aws:logs:us-east-1:${TARGET_ACCOUNT}:log-group:/aws/lambda/prod:log-stream:x`)).toBe('ImplicitlyDenied');
    }
    expect(allowed('logs:DeleteLogGroup', group('us-east-1', 'prod'))).toBe('ImplicitlyDenied');
    expect(allowed('cloudwatch:PutMetricData', '*')).toBe('ImplicitlyDenied');
  });

  test('least privilege defaults to the stack region', () => {
    const { policies } = build({ permissionMode: ContainerInsightsPermissionMode.LEAST_PRIVILEGE, clusterNames: ['prod'] });
    expect(JSON.stringify(policies)).toContain(`logs:${REGION}:${TARGET_ACCOUNT}:log-group:/aws/containerinsights/prod/performance:*`);
  });
});

describe('trust proofs (iam-simulate)', () => {
  test('seed trust: any principal of the source account (with its own permission) is allowed; another account is denied', () => {
    const { trustPolicy } = build();
    expect(assume(trustPolicy, NODE_ROLE)).toBe('Allowed');
    expect(assume(trustPolicy, `arn:aws:iam::${SOURCE_ACCOUNT}:role/anything`)).toBe('Allowed');
    expect(assume(trustPolicy, `arn:aws:iam::${OTHER_ACCOUNT}:role/eks-node-group-role`)).not.toBe('Allowed');
  });

  test('narrowed trust: the listed roles only', () => {
    const { trustPolicy } = build({ trustedPrincipalArns: [NODE_ROLE, AGENT_ROLE] });
    expect(assume(trustPolicy, NODE_ROLE)).toBe('Allowed');
    expect(assume(trustPolicy, AGENT_ROLE)).toBe('Allowed');
    expect(assume(trustPolicy, `arn:aws:iam::${SOURCE_ACCOUNT}:role/other-role`)).not.toBe('Allowed');
    expect(assume(trustPolicy, `arn:aws:iam::${OTHER_ACCOUNT}:role/eks-node-group-role`)).not.toBe('Allowed');
    expect(assume(trustPolicy, `arn:aws:iam::${SOURCE_ACCOUNT}:root`)).not.toBe('Allowed');
  });

  describe('Pod Identity target role (EKS guide: "Access AWS Resources using EKS Pod Identity Target IAM Roles")', () => {
    const tags = {
      'aws:RequestTag/eks-cluster-arn': CLUSTER_ARN,
      'aws:RequestTag/kubernetes-namespace': 'amazon-cloudwatch',
      'aws:RequestTag/kubernetes-service-account': 'cloudwatch-agent',
    };

    test('with session tags: only the Pod Identity role, for the agent service account of that cluster', () => {
      const { trustPolicy } = build({ podIdentityTrusts: [{ podIdentityRoleArn: AGENT_ROLE, clusterArn: CLUSTER_ARN }] });
      expect(assume(trustPolicy, AGENT_ROLE, tags)).toBe('Allowed');
      expect(assume(trustPolicy, AGENT_ROLE, tags, 'sts:TagSession')).toBe('Allowed');
      expect(assume(trustPolicy, AGENT_ROLE, { ...tags, 'aws:RequestTag/kubernetes-service-account': 'other' })).not.toBe('Allowed');
      expect(assume(trustPolicy, AGENT_ROLE, { ...tags, 'aws:RequestTag/kubernetes-namespace': 'default' })).not.toBe('Allowed');
      expect(assume(trustPolicy, AGENT_ROLE, { ...tags, 'aws:RequestTag/eks-cluster-arn': `arn:aws:eks:${REGION}:${SOURCE_ACCOUNT}:cluster/dev` })).not.toBe('Allowed');
      expect(assume(trustPolicy, AGENT_ROLE)).not.toBe('Allowed');
      expect(assume(trustPolicy, NODE_ROLE, tags)).not.toBe('Allowed');
      expect(assume(trustPolicy, `arn:aws:iam::${OTHER_ACCOUNT}:role/containerinsights-agent-prod`, tags)).not.toBe('Allowed');
    });

    test('without session tags: the external ID EKS sends', () => {
      const podIdentityTrusts = [{ podIdentityRoleArn: AGENT_ROLE, clusterArn: CLUSTER_ARN, sessionTags: false }];
      const { trustPolicy, template } = build({ podIdentityTrusts });
      const externalId = `${REGION}/${SOURCE_ACCOUNT}/prod/amazon-cloudwatch/cloudwatch-agent`;
      template.hasResourceProperties('AWS::IAM::Role', { AssumeRolePolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Condition: Match.objectLike({ StringEquals: { 'sts:ExternalId': externalId } }) })]) } });
      expect(assume(trustPolicy, AGENT_ROLE, { 'sts:ExternalId': externalId })).toBe('Allowed');
      expect(assume(trustPolicy, AGENT_ROLE, {}, 'sts:TagSession')).toBe('Allowed');
      expect(assume(trustPolicy, AGENT_ROLE, { 'sts:ExternalId': `${REGION}/${SOURCE_ACCOUNT}/prod/default/cloudwatch-agent` })).not.toBe('Allowed');
      expect(assume(trustPolicy, AGENT_ROLE)).not.toBe('Allowed');
      expect(assume(trustPolicy, NODE_ROLE, { 'sts:ExternalId': externalId })).not.toBe('Allowed');
      expect(assume(trustPolicy, NODE_ROLE, {}, 'sts:TagSession')).not.toBe('Allowed');
    });
  });
});

describe('bad input', () => {
  test.each([
    ['customerName too long', { customerName: 'x'.repeat(47) }, /customerName: gives the role name "containerinsights-x+" \(65 characters, the limit is 64\); expected at most 46 characters/],
    ['customerName characters', { customerName: 'acme corp' }, /customerName: gives the role name "containerinsights-acme corp"/],
    ['sourceAccountId', { sourceAccountId: '2222' }, /sourceAccountId: got "2222" .*12-digit/],
    ['principal ARN', { trustedPrincipalArns: ['arn:aws:iam::222222222222:user/bob'] }, /trustedPrincipalArns\[0\]: .*expected an IAM role ARN/],
    ['principal in another account', { trustedPrincipalArns: [`arn:aws:iam::${OTHER_ACCOUNT}:role/x`] }, /trustedPrincipalArns\[0\]: is in account 333333333333, not the source account 222222222222/],
    ['pod identity cluster', { podIdentityTrusts: [{ podIdentityRoleArn: AGENT_ROLE, clusterArn: 'prod' }] }, /podIdentityTrusts\[0\]\.clusterArn: .*EKS cluster ARN/],
    ['pod identity service account', { podIdentityTrusts: [{ podIdentityRoleArn: AGENT_ROLE, clusterArn: CLUSTER_ARN, serviceAccount: { namespace: 'A', name: 'b' } }] }, /serviceAccount\.namespace/],
    ['least privilege needs clusters', { permissionMode: ContainerInsightsPermissionMode.LEAST_PRIVILEGE }, /clusterNames: is required/],
    ['least privilege regions', { permissionMode: ContainerInsightsPermissionMode.LEAST_PRIVILEGE, clusterNames: ['prod'], regions: ['mars-1'] }, /regions\[0\]: got "mars-1"/],
    ['clusterNames without least privilege', { clusterNames: ['prod'] }, /clusterNames: only applies with permissionMode LEAST_PRIVILEGE/],
  ])('%s', (_name, props, message) => {
    expect(() => build(props as Partial<CrossAccountContainerInsightsProps>)).toThrow(message);
  });

  test('tokens pass', () => {
    const { template } = build({ sourceAccountId: Aws.ACCOUNT_ID, trustedPrincipalArns: [`arn:aws:iam::${Aws.ACCOUNT_ID}:role/x`] });
    template.resourceCountIs('AWS::IAM::Role', 1);
  });

  test('least privilege in a region-agnostic stack needs regions', () => {
    const stack = new Stack(new App(), 'Agnostic', { env: { account: TARGET_ACCOUNT } });
    expect(() => build({ permissionMode: ContainerInsightsPermissionMode.LEAST_PRIVILEGE, clusterNames: ['prod'] }, stack)).toThrow(/regions: is required with LEAST_PRIVILEGE/);
  });
});

describe('cdk-nag AwsSolutions', () => {
  test('seed mode: the managed policy is acknowledged with a reason, nothing else found', () => {
    expectNagClean(build({ trustedPrincipalArns: [NODE_ROLE] }).stack);
  });

  test('least-privilege mode', () => {
    expectNagClean(build({ permissionMode: ContainerInsightsPermissionMode.LEAST_PRIVILEGE, clusterNames: ['prod'], podIdentityTrusts: [{ podIdentityRoleArn: AGENT_ROLE, clusterArn: CLUSTER_ARN }] }).stack);
  });
});

test('snapshot', () => {
  const { stack } = build({ trustedPrincipalArns: [NODE_ROLE], podIdentityTrusts: [{ podIdentityRoleArn: AGENT_ROLE, clusterArn: CLUSTER_ARN }] });
  expect(templateForSnapshot(stack)).toMatchSnapshot();
});

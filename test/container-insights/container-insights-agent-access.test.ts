import { Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { AgentIdentityMode, ContainerInsightsAgentAccess, ContainerInsightsAgentAccessProps } from '../../src';
import { hostPath, issuer, OTHER_ACCOUNT, REGION, SOURCE_ACCOUNT, stackIn, TARGET_ACCOUNT } from '../fixtures';
import { canAssume, identityPoliciesOf, isAllowed, logicalIdsOfType, trustPolicyOf } from '../harness/iam-proof';
import { expectNagClean } from '../harness/nag';
import { templateForSnapshot } from '../harness/snapshot';

const ENV = { account: SOURCE_ACCOUNT, region: REGION };
const TARGET_ROLE = `arn:aws:iam::${TARGET_ACCOUNT}:role/containerinsights-acme`;
const AGENT_ROLE = `arn:aws:iam::${SOURCE_ACCOUNT}:role/containerinsights-agent-prod`;
const CLUSTER_ARN = `arn:aws:eks:${REGION}:${SOURCE_ACCOUNT}:cluster/prod`;
const ISSUER = issuer(1);

function build(props: Partial<ContainerInsightsAgentAccessProps> & Pick<ContainerInsightsAgentAccessProps, 'identityMode'>, stack = stackIn(SOURCE_ACCOUNT)) {
  const access = new ContainerInsightsAgentAccess(stack, 'Agent', { targetRoleArn: TARGET_ROLE, clusterName: 'prod', ...props });
  const template = Template.fromStack(stack);
  return { stack, access, template, json: template.toJSON() };
}

/** The source side may assume the target role and nothing else. */
function expectOnlyAssumesTarget(policies: any[], principal: string, actions = ['sts:AssumeRole']) {
  const identityOnly = true;
  for (const action of actions) expect(isAllowed({ policies, principal, action, resource: TARGET_ROLE, identityOnly })).toBe('Allowed');
  expect(isAllowed({ policies, principal, action: 'sts:AssumeRole', resource: `arn:aws:iam::${TARGET_ACCOUNT}:role/admin`, identityOnly })).toBe('ImplicitlyDenied');
  expect(isAllowed({ policies, principal, action: 'sts:AssumeRole', resource: `arn:aws:iam::${OTHER_ACCOUNT}:role/containerinsights-acme`, identityOnly })).toBe('ImplicitlyDenied');
  expect(isAllowed({ policies, principal, action: 'logs:PutLogEvents', resource: `arn:aws:logs:${REGION}:${SOURCE_ACCOUNT}:log-group:x:log-stream:y` })).toBe('ImplicitlyDenied');
  expect(isAllowed({ policies, principal, action: 'iam:PassRole', resource: TARGET_ROLE })).toBe('ImplicitlyDenied');
}

describe('NODE_ROLES mode (seed 000)', () => {
  test('imported node roles get an inline sts:AssumeRole on the target only, and CloudWatchAgentServerPolicy through a custom resource that never detaches', () => {
    const stack = stackIn(SOURCE_ACCOUNT);
    const nodeRoles = [
      iam.Role.fromRoleArn(stack, 'NodeA', `arn:aws:iam::${SOURCE_ACCOUNT}:role/eks-ng-a`),
      iam.Role.fromRoleName(stack, 'NodeB', 'eks-ng-b'),
    ];
    const { template, json } = build({ identityMode: AgentIdentityMode.NODE_ROLES, nodeRoles }, stack);
    template.resourceCountIs('AWS::IAM::Role', 1); // the AwsCustomResource provider's own role
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Resource: TARGET_ROLE }] },
      Roles: ['eks-ng-a', 'eks-ng-b'],
    });
    const attachments = Object.values<any>(json.Resources).filter((r) => r.Type === 'Custom::AWS');
    expect(attachments).toHaveLength(2);
    for (const attachment of attachments) {
      const create = JSON.stringify(attachment.Properties.Create);
      expect(create).toContain('attachRolePolicy');
      expect(create).toContain('CloudWatchAgentServerPolicy');
      expect(attachment.Properties.Delete).toBeUndefined();
    }
    // The custom resource may attach that one policy to those roles and do nothing else.
    const crPolicy = Object.values<any>(json.Resources).find((r) => r.Type === 'AWS::IAM::Policy' && JSON.stringify(r).includes('iam:AttachRolePolicy'));
    expect(crPolicy.Properties.PolicyDocument.Statement).toEqual([expect.objectContaining({
      Action: 'iam:AttachRolePolicy',
      Condition: { ArnEquals: { 'iam:PolicyARN': expect.anything() } },
    })]);
  });

  test('node roles owned by the app get the managed policy directly', () => {
    const stack = stackIn(SOURCE_ACCOUNT);
    const nodeRole = new iam.Role(stack, 'NodeRole', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') });
    const { template } = build({ identityMode: AgentIdentityMode.NODE_ROLES, nodeRoles: [nodeRole] }, stack);
    template.resourceCountIs('Custom::AWS', 0);
    template.hasResourceProperties('AWS::IAM::Role', { ManagedPolicyArns: [{ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/CloudWatchAgentServerPolicy']] }] });
  });

  test('the node roles may assume the target role and nothing else', () => {
    const stack = stackIn(SOURCE_ACCOUNT);
    const nodeRole = new iam.Role(stack, 'NodeRole', { roleName: 'eks-ng', assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') });
    const { json } = build({ identityMode: AgentIdentityMode.NODE_ROLES, nodeRoles: [nodeRole], attachAgentServerPolicy: false }, stack);
    expectOnlyAssumesTarget(identityPoliciesOf(json, logicalIdsOfType(json, 'AWS::IAM::Role')[0], ENV), `arn:aws:iam::${SOURCE_ACCOUNT}:role/eks-ng`);
  });

  test('is flagged: every pod on the nodes gets the role; there is no agent role ARN', () => {
    const stack = stackIn(SOURCE_ACCOUNT);
    const { access } = build({ identityMode: AgentIdentityMode.NODE_ROLES, nodeRoles: [iam.Role.fromRoleName(stack, 'N', 'eks-ng')], attachAgentServerPolicy: false }, stack);
    Annotations.fromStack(stack).hasWarning('/Stack/Agent', Match.stringLikeRegexp('every pod on these nodes'));
    expect(() => access.roleArn).toThrow(/NODE_ROLES mode creates no role/);
  });

  test('cdk-nag: only the AwsCustomResource provider\'s findings, acknowledged', () => {
    const stack = stackIn(SOURCE_ACCOUNT);
    build({ identityMode: AgentIdentityMode.NODE_ROLES, nodeRoles: [iam.Role.fromRoleName(stack, 'N', 'eks-ng')] }, stack);
    expectNagClean(stack);
  });
});

describe('IRSA mode', () => {
  const { json, access, template, stack } = build({ identityMode: AgentIdentityMode.IRSA, oidcIssuerUrl: ISSUER });
  const roleId = logicalIdsOfType(json, 'AWS::IAM::Role')[0];

  test('a deterministic role for amazon-cloudwatch/cloudwatch-agent, from the cluster\'s existing OIDC provider (none created by default)', () => {
    expect(access.roleArn).toBe(AGENT_ROLE);
    expect(ContainerInsightsAgentAccess.agentRoleName('prod')).toBe('containerinsights-agent-prod');
    // A cluster that uses IRSA has its provider; creating a second one fails with EntityAlreadyExists.
    template.resourceCountIs('AWS::IAM::OIDCProvider', 0);
    expect(trustPolicyOf(json, roleId, ENV).Statement[0].Principal).toEqual({ Federated: `arn:aws:iam::${SOURCE_ACCOUNT}:oidc-provider/${hostPath(ISSUER)}` });
    template.hasResourceProperties('AWS::IAM::Role', {
      RoleName: 'containerinsights-agent-prod',
      AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Action: 'sts:AssumeRoleWithWebIdentity', Condition: { StringEquals: { [`${hostPath(ISSUER)}:aud`]: 'sts.amazonaws.com', [`${hostPath(ISSUER)}:sub`]: 'system:serviceaccount:amazon-cloudwatch:cloudwatch-agent' } } })] },
    });
  });

  test('the agent\'s EC2 tag and volume lookups (base credentials, not role_arn) are allowed in the cluster account, and nothing else beyond the target role', () => {
    const policies = identityPoliciesOf(json, roleId, ENV);
    const can = (action: string, resource = '*') => isAllowed({ policies, principal: AGENT_ROLE, action, resource });
    expect(can('ec2:DescribeTags')).toBe('Allowed');
    expect(can('ec2:DescribeVolumes')).toBe('Allowed');
    expect(can('ec2:DescribeInstances')).toBe('ImplicitlyDenied');
    expect(can('ec2:CreateTags')).toBe('ImplicitlyDenied');
  });

  test('createOidcProvider: the provider is created, as an explicit choice with a synth warning', () => {
    const withProvider = stackIn(SOURCE_ACCOUNT);
    new ContainerInsightsAgentAccess(withProvider, 'Agent', { targetRoleArn: TARGET_ROLE, clusterName: 'prod', identityMode: AgentIdentityMode.IRSA, oidcIssuerUrl: ISSUER, createOidcProvider: true });
    Template.fromStack(withProvider).resourceCountIs('AWS::IAM::OIDCProvider', 1);
    Annotations.fromStack(withProvider).hasWarning('/Stack/Agent', Match.stringLikeRegexp('creates the IAM OIDC provider.*EntityAlreadyExists'));
    expect(() => new ContainerInsightsAgentAccess(stackIn(SOURCE_ACCOUNT), 'Agent', {
      targetRoleArn: TARGET_ROLE,
      clusterName: 'prod',
      identityMode: AgentIdentityMode.IRSA,
      oidcIssuerUrl: ISSUER,
      createOidcProvider: true,
      oidcProviderArn: `arn:aws:iam::${SOURCE_ACCOUNT}:oidc-provider/${hostPath(ISSUER)}`,
    })).toThrow(/createOidcProvider: and oidcProviderArn exclude each other/);
  });

  test('trust: the agent\'s service account only', () => {
    const trustPolicy = trustPolicyOf(json, roleId, ENV);
    const ask = (sub: string, aud = 'sts.amazonaws.com', iss = ISSUER) => canAssume({
      trustPolicy,
      roleArn: AGENT_ROLE,
      action: 'sts:AssumeRoleWithWebIdentity',
      principal: `arn:aws:iam::${SOURCE_ACCOUNT}:oidc-provider/${hostPath(iss)}`,
      context: { [`${hostPath(iss)}:aud`]: aud, [`${hostPath(iss)}:sub`]: sub },
    });
    expect(ask('system:serviceaccount:amazon-cloudwatch:cloudwatch-agent')).toBe('Allowed');
    expect(ask('system:serviceaccount:amazon-cloudwatch:fluent-bit')).not.toBe('Allowed');
    expect(ask('system:serviceaccount:default:cloudwatch-agent')).not.toBe('Allowed');
    expect(ask('system:serviceaccount:amazon-cloudwatch:cloudwatch-agent', 'other')).not.toBe('Allowed');
    expect(ask('system:serviceaccount:amazon-cloudwatch:cloudwatch-agent', 'sts.amazonaws.com', issuer(2))).not.toBe('Allowed');
  });

  test('may assume the target role and nothing else', () => {
    expectOnlyAssumesTarget(identityPoliciesOf(json, roleId, ENV), AGENT_ROLE);
  });

  test('cdk-nag clean', () => expectNagClean(stack));

  test('an existing provider is imported', () => {
    const provider = `arn:aws:iam::${SOURCE_ACCOUNT}:oidc-provider/${hostPath(ISSUER)}`;
    const built = build({ identityMode: AgentIdentityMode.IRSA, oidcIssuerUrl: ISSUER, oidcProviderArn: provider });
    built.template.resourceCountIs('AWS::IAM::OIDCProvider', 0);
    expect(JSON.stringify(built.json)).toContain(provider);
  });
});

describe('POD_IDENTITY mode', () => {
  const { json, access, template, stack } = build({ identityMode: AgentIdentityMode.POD_IDENTITY });
  const roleId = logicalIdsOfType(json, 'AWS::IAM::Role')[0];
  const tags = { 'aws:RequestTag/eks-cluster-arn': CLUSTER_ARN, 'aws:RequestTag/kubernetes-namespace': 'amazon-cloudwatch', 'aws:RequestTag/kubernetes-service-account': 'cloudwatch-agent' };

  test('an association with the target role, and a role trusted by pods.eks.amazonaws.com', () => {
    template.hasResourceProperties('AWS::EKS::PodIdentityAssociation', {
      ClusterName: 'prod',
      Namespace: 'amazon-cloudwatch',
      ServiceAccount: 'cloudwatch-agent',
      RoleArn: { 'Fn::GetAtt': [roleId, 'Arn'] },
      TargetRoleArn: TARGET_ROLE,
      DisableSessionTags: false,
    });
    template.hasResourceProperties('AWS::IAM::Role', {
      RoleName: 'containerinsights-agent-prod',
      AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Action: ['sts:AssumeRole', 'sts:TagSession'], Principal: { Service: 'pods.eks.amazonaws.com' } })] },
    });
  });

  test('trust: only pods.eks.amazonaws.com, for this cluster\'s agent service account', () => {
    const trustPolicy = trustPolicyOf(json, roleId, ENV);
    const ask = (principal: string, context: Record<string, string>, action = 'sts:AssumeRole') => canAssume({ trustPolicy, roleArn: AGENT_ROLE, principal, action, context });
    expect(ask('pods.eks.amazonaws.com', tags)).toBe('Allowed');
    expect(ask('pods.eks.amazonaws.com', tags, 'sts:TagSession')).toBe('Allowed');
    expect(ask('pods.eks.amazonaws.com', { ...tags, 'aws:RequestTag/kubernetes-service-account': 'other' })).not.toBe('Allowed');
    expect(ask('pods.eks.amazonaws.com', { ...tags, 'aws:RequestTag/eks-cluster-arn': `arn:aws:eks:${REGION}:${SOURCE_ACCOUNT}:cluster/dev` })).not.toBe('Allowed');
    expect(ask('ec2.amazonaws.com', tags)).not.toBe('Allowed');
    expect(ask('scraper.aps.amazonaws.com', tags)).not.toBe('Allowed');
    expect(ask(`arn:aws:iam::${SOURCE_ACCOUNT}:role/eks-ng`, tags)).not.toBe('Allowed');
  });

  test('may assume (and tag sessions on) the target role and nothing else', () => {
    expectOnlyAssumesTarget(identityPoliciesOf(json, roleId, ENV), AGENT_ROLE, ['sts:AssumeRole', 'sts:TagSession']);
  });

  test('podIdentityTrust hands the target side exactly what its trust needs', () => {
    expect(access.podIdentityTrust).toEqual({
      podIdentityRoleArn: AGENT_ROLE,
      clusterArn: CLUSTER_ARN,
      serviceAccount: { namespace: 'amazon-cloudwatch', name: 'cloudwatch-agent' },
      sessionTags: true,
    });
  });

  test('without session tags: flagged, and the association says so', () => {
    const built = build({ identityMode: AgentIdentityMode.POD_IDENTITY, sessionTags: false });
    built.template.hasResourceProperties('AWS::EKS::PodIdentityAssociation', { DisableSessionTags: true });
    Annotations.fromStack(built.stack).hasWarning('/Stack/Agent', Match.stringLikeRegexp('Without session tags'));
  });

  test('cdk-nag clean', () => expectNagClean(stack));
});

describe('bad input', () => {
  test.each([
    ['targetRoleArn', { identityMode: AgentIdentityMode.IRSA, oidcIssuerUrl: ISSUER, targetRoleArn: 'containerinsights-acme' }, /targetRoleArn: got "containerinsights-acme" \(not an ARN\)/],
    ['clusterName', { identityMode: AgentIdentityMode.POD_IDENTITY, clusterName: 'prod.1' }, /clusterName: .*EKS cluster name/],
    ['NODE_ROLES without roles', { identityMode: AgentIdentityMode.NODE_ROLES }, /nodeRoles: is required/],
    ['IRSA without issuer', { identityMode: AgentIdentityMode.IRSA }, /oidcIssuerUrl: is required/],
    ['IRSA issuer', { identityMode: AgentIdentityMode.IRSA, oidcIssuerUrl: 'https://oidc.eks.us-east-1.amazonaws.com/id/x' }, /oidcIssuerUrl: .*32 uppercase hex/],
    ['a prop of another mode', { identityMode: AgentIdentityMode.POD_IDENTITY, oidcIssuerUrl: ISSUER }, /oidcIssuerUrl: only applies in IRSA mode, not POD_IDENTITY/],
    ['sessionTags outside Pod Identity', { identityMode: AgentIdentityMode.IRSA, oidcIssuerUrl: ISSUER, sessionTags: false }, /sessionTags: only applies in POD_IDENTITY mode/],
    ['roleName', { identityMode: AgentIdentityMode.IRSA, oidcIssuerUrl: ISSUER, roleName: 'a/b' }, /roleName: .*IAM role name/],
    ['service account', { identityMode: AgentIdentityMode.IRSA, oidcIssuerUrl: ISSUER, serviceAccount: { namespace: 'amazon-cloudwatch', name: 'Agent' } }, /serviceAccount\.name/],
  ])('%s', (_name, props, message) => {
    expect(() => build(props as any)).toThrow(message);
  });

  test('a long cluster name gives a hashed role name within 64 characters', () => {
    const name = 'c'.repeat(60);
    const { access } = build({ identityMode: AgentIdentityMode.POD_IDENTITY, clusterName: name });
    expect(access.roleArn.split('/').pop()!.length).toBe(64);
  });

  test('podIdentityTrust in an environment without a literal region says why', () => {
    const stack = new Stack(undefined, 'S', { env: { account: SOURCE_ACCOUNT } });
    const { access } = build({ identityMode: AgentIdentityMode.POD_IDENTITY }, stack);
    expect(() => access.podIdentityTrust).toThrow(/no literal region/);
  });
});

test('snapshots', () => {
  expect(templateForSnapshot(build({ identityMode: AgentIdentityMode.IRSA, oidcIssuerUrl: ISSUER }).stack)).toMatchSnapshot();
  expect(templateForSnapshot(build({ identityMode: AgentIdentityMode.POD_IDENTITY }).stack)).toMatchSnapshot();
});

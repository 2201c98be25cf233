/**
 * Both sides together: the source side's identity policies and the target role's trust, as the
 * two deployed stacks would hold them, evaluated as one cross-account sts:AssumeRole.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AgentIdentityMode, ContainerInsightsAgentAccess, CrossAccountContainerInsights } from '../../src';
import { issuer, REGION, SOURCE_ACCOUNT, TARGET_ACCOUNT } from '../fixtures';
import { canAssume, identityPoliciesOf, logicalIdsOfType, trustPolicyOf } from '../harness/iam-proof';

function pair(mode: AgentIdentityMode) {
  const app = new App();
  const source = new Stack(app, 'Cluster', { env: { account: SOURCE_ACCOUNT, region: REGION } });
  const target = new Stack(app, 'Observability', { env: { account: TARGET_ACCOUNT, region: REGION } });
  const targetRoleArn = `arn:aws:iam::${TARGET_ACCOUNT}:role/containerinsights-acme`;
  const access = new ContainerInsightsAgentAccess(source, 'Agent', {
    targetRoleArn,
    clusterName: 'prod',
    identityMode: mode,
    ...(mode === AgentIdentityMode.IRSA ? { oidcIssuerUrl: issuer(1) } : {}),
  });
  new CrossAccountContainerInsights(target, 'Insights', {
    customerName: 'acme',
    sourceAccountId: SOURCE_ACCOUNT,
    ...(mode === AgentIdentityMode.POD_IDENTITY ? { podIdentityTrusts: [access.podIdentityTrust] } : { trustedPrincipalArns: [access.roleArn] }),
  });
  const sourceJson = Template.fromStack(source).toJSON();
  const targetJson = Template.fromStack(target).toJSON();
  return {
    agentRoleArn: access.roleArn,
    targetRoleArn,
    agentPolicies: identityPoliciesOf(sourceJson, logicalIdsOfType(sourceJson, 'AWS::IAM::Role')[0], { account: SOURCE_ACCOUNT, region: REGION }),
    trustPolicy: trustPolicyOf(targetJson, logicalIdsOfType(targetJson, 'AWS::IAM::Role')[0], { account: TARGET_ACCOUNT, region: REGION }),
  };
}

test('IRSA: the agent role gets into the target role; another source role with the same permission does not', () => {
  const { agentRoleArn, targetRoleArn, agentPolicies, trustPolicy } = pair(AgentIdentityMode.IRSA);
  const ask = (principal: string, callerPolicies: any[]) => canAssume({ trustPolicy, roleArn: targetRoleArn, principal, context: { 'aws:PrincipalArn': principal }, callerPolicies });
  expect(ask(agentRoleArn, agentPolicies)).toBe('Allowed');
  expect(ask(`arn:aws:iam::${SOURCE_ACCOUNT}:role/other`, agentPolicies)).not.toBe('Allowed');
  // The trust alone is not enough: without the source side's permission, IAM denies the cross-account call.
  expect(ask(agentRoleArn, [])).not.toBe('Allowed');
});

test('Pod Identity: EKS chaining from the Pod Identity role with the agent\'s session tags gets in; other tags do not', () => {
  const { agentRoleArn, targetRoleArn, agentPolicies, trustPolicy } = pair(AgentIdentityMode.POD_IDENTITY);
  const tags = {
    'aws:RequestTag/eks-cluster-arn': `arn:aws:eks:${REGION}:${SOURCE_ACCOUNT}:cluster/prod`,
    'aws:RequestTag/kubernetes-namespace': 'amazon-cloudwatch',
    'aws:RequestTag/kubernetes-service-account': 'cloudwatch-agent',
  };
  const ask = (principal: string, context: Record<string, string>, action = 'sts:AssumeRole') =>
    canAssume({ trustPolicy, roleArn: targetRoleArn, principal, action, context: { 'aws:PrincipalArn': principal, ...context }, callerPolicies: agentPolicies });
  expect(ask(agentRoleArn, tags)).toBe('Allowed');
  expect(ask(agentRoleArn, tags, 'sts:TagSession')).toBe('Allowed');
  expect(ask(agentRoleArn, { ...tags, 'aws:RequestTag/kubernetes-namespace': 'default' })).not.toBe('Allowed');
  expect(ask(`arn:aws:iam::${SOURCE_ACCOUNT}:role/other`, tags)).not.toBe('Allowed');
});

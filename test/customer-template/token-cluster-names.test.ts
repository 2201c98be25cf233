/**
 * Issue 23: a generic template with a CfnParameter cluster name turned into a garbage role name
 * (`containerinsights-agent---Token-TOKEN.123--`). A token cluster name is now refused by name while
 * the default role name is built from it (CONTRIBUTING, rule 2), and accepted with an explicit one.
 */
import { App, CfnParameter, Fn, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AgentIdentityMode, ContainerInsightsAgentAccess, WorkloadIdentityMode, WorkloadSourceRole } from '../../src';

const TARGET = 'arn:aws:iam::111111111111:role/containerinsights-acme';
const ISSUER = 'https://oidc.eks.us-east-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF';

function stackWithClusterParameter(): [Stack, string] {
  const stack = new Stack(new App(), 'Customer');
  return [stack, new CfnParameter(stack, 'ClusterName', { type: 'String' }).valueAsString];
}

describe('a deploy-time cluster name', () => {
  test.each([AgentIdentityMode.IRSA, AgentIdentityMode.POD_IDENTITY])('ContainerInsightsAgentAccess (%s) refuses it while the default roleName is built from it', (mode) => {
    const [stack, clusterName] = stackWithClusterParameter();
    expect(() => new ContainerInsightsAgentAccess(stack, 'Agent', {
      targetRoleArn: TARGET, clusterName, identityMode: mode, ...(mode === AgentIdentityMode.IRSA ? { oidcIssuerUrl: ISSUER } : {}),
    })).toThrow(/clusterName: is a deploy-time value \(token\), but the default roleName is built from it; give roleName, or pass a literal/);
  });

  test('ContainerInsightsAgentAccess accepts it with a roleName, and no role name is garbage', () => {
    const [stack, clusterName] = stackWithClusterParameter();
    new ContainerInsightsAgentAccess(stack, 'Agent', {
      targetRoleArn: TARGET, clusterName, identityMode: AgentIdentityMode.POD_IDENTITY, roleName: Fn.join('-', ['containerinsights-agent', clusterName]),
    });
    const text = JSON.stringify(Template.fromStack(stack).toJSON());
    expect(text).not.toMatch(/Token|TOKEN/);
  });

  test('WorkloadSourceRole (POD_IDENTITY) refuses it while the default roleName is built from it', () => {
    const [stack, clusterName] = stackWithClusterParameter();
    expect(() => new WorkloadSourceRole(stack, 'Source', {
      identityMode: WorkloadIdentityMode.POD_IDENTITY, clusterName, serviceAccount: { namespace: 'monitoring', name: 'prometheus' }, targetRoleArns: [TARGET],
    })).toThrow(/clusterName: is a deploy-time value \(token\), but the default roleName is built from it; give roleName, or pass a literal/);
  });
});

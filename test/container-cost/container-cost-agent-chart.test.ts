import { Testing } from 'cdk8s';
import { ContainerCostAgentChart, ContainerCostAgentChartIdentity, ContainerCostAgentChartProps, ContainerCostAgentIdentity, ContainerCostBucket } from '../../src';
import { SOURCE_ACCOUNT, stackIn } from '../fixtures';
import { manifestProblems, objectOf, validChartObjects } from '../harness/manifests';

const props: ContainerCostAgentChartProps = { account: SOURCE_ACCOUNT, ownerKey: 'a1b2c3d4e5f6', clusterName: 'prod', region: 'us-east-1' };

test('the agent service account, annotated with the role the reconciler keeps for this cluster', () => {
  const chart = new ContainerCostAgentChart(Testing.app(), 'container-cost-agent', props);
  const objects = validChartObjects(chart);
  expect(objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(['Namespace/container-cost', 'ServiceAccount/container-cost-agent']);
  expect(objectOf(objects, 'ServiceAccount').metadata).toMatchObject({
    namespace: 'container-cost',
    annotations: { 'eks.amazonaws.com/role-arn': `arn:aws:iam::${SOURCE_ACCOUNT}:role/container-cost/a1b2c3d4e5f6/container-cost-prod-us-east-1` },
  });
});

test('the chart and the construct compute the same ARN by the same rule, long names included', () => {
  const cost = new ContainerCostBucket(stackIn(SOURCE_ACCOUNT), 'Cost');
  for (const clusterName of ['prod', `analytics-${'x'.repeat(80)}`]) {
    const chart = new ContainerCostAgentChart(Testing.app(), 'c', { ...props, ownerKey: cost.ownerKey, clusterName, region: 'eu-west-1' });
    expect(chart.roleArn).toBe(cost.agentRoleArn(clusterName, 'eu-west-1'));
  }
});

test('bad input', () => {
  expect(() => new ContainerCostAgentChart(Testing.app(), 'c', { ...props, account: '2222', ownerKey: 'X', region: 'nowhere' }))
    .toThrow(/3 problems[\s\S]*account[\s\S]*region[\s\S]*ownerKey/);
});

test('snapshot', () => {
  expect(Testing.synth(new ContainerCostAgentChart(Testing.app(), 'container-cost-agent', props))).toMatchSnapshot();
});

describe('user mode (clusters without OIDC)', () => {
  const user = { ...props, identity: ContainerCostAgentChartIdentity.IAM_USER };

  test('an ExternalSecret copies the key from Secrets Manager; no key and no role annotation in any manifest', () => {
    const chart = new ContainerCostAgentChart(Testing.app(), 'c', { ...user, externalSecretStore: 'aws-secrets-manager' });
    const objects = Testing.synth(chart);
    expect(manifestProblems(objects.filter((o) => o.kind !== 'ExternalSecret'))).toEqual([]);
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(['Namespace/container-cost', 'ServiceAccount/container-cost-agent', 'ExternalSecret/container-cost-agent-credentials']);
    expect(objectOf(objects, 'ServiceAccount').metadata.annotations).toBeUndefined();
    const externalSecret = objectOf(objects, 'ExternalSecret');
    expect(externalSecret).toMatchObject({
      apiVersion: 'external-secrets.io/v1',
      metadata: { namespace: 'container-cost' },
      spec: {
        secretStoreRef: { kind: 'ClusterSecretStore', name: 'aws-secrets-manager' },
        target: { name: 'container-cost-agent-credentials' },
        data: [
          { secretKey: 'AWS_ACCESS_KEY_ID', remoteRef: { key: 'container-cost/a1b2c3d4e5f6/container-cost-prod-us-east-1', property: 'accessKeyId' } },
          { secretKey: 'AWS_SECRET_ACCESS_KEY', remoteRef: { key: 'container-cost/a1b2c3d4e5f6/container-cost-prod-us-east-1', property: 'secretAccessKey' } },
        ],
      },
    });
    expect(JSON.stringify(objects)).not.toMatch(/AKIA|"kind":"Secret"/);
    expect(chart.bucketPrefix).toBe('iam-user/us-east-1/prod/');
    expect(chart.roleArn).toBeUndefined();
  });

  test('without a store, the chart only names the Secret you create; the secret names match the construct\'s', () => {
    const chart = new ContainerCostAgentChart(Testing.app(), 'c', { ...user, credentialsSecretName: 'cost-key' });
    expect(Testing.synth(chart).map((o) => o.kind)).toEqual(['Namespace', 'ServiceAccount']);
    expect(chart.credentialsSecretName).toBe('cost-key');
    const cost = new ContainerCostBucket(stackIn(SOURCE_ACCOUNT), 'Cost', { agentIdentity: ContainerCostAgentIdentity.IAM_USER, iamUserClusters: [{ clusterName: 'prod', region: 'us-east-1' }] });
    const forBucket = new ContainerCostAgentChart(Testing.app(), 'd', { ...user, ownerKey: cost.ownerKey });
    expect(forBucket.sourceSecretName).toBe(cost.userCredentialsSecretName('prod', 'us-east-1'));
  });

  test('bad input: user-mode options in role mode, an unknown identity, null props', () => {
    expect(() => new ContainerCostAgentChart(Testing.app(), 'c', { ...props, externalSecretStore: 'store' })).toThrow(/externalSecretStore: only applies with identity IAM_USER/);
    expect(() => new ContainerCostAgentChart(Testing.app(), 'c', { ...props, identity: 'OIDC' as any })).toThrow(/identity: got "OIDC"/);
    expect(() => new ContainerCostAgentChart(Testing.app(), 'c', null as any)).toThrow(/account: is required[\s\S]*clusterName: is required[\s\S]*region: is required/);
  });
});

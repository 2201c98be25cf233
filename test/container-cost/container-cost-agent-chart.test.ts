import { Testing } from 'cdk8s';
import { ContainerCostAgentChart, ContainerCostAgentChartProps, ContainerCostBucket } from '../../src';
import { SOURCE_ACCOUNT, stackIn } from '../fixtures';
import { objectOf, validChartObjects } from '../harness/manifests';

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

import { Aws } from 'aws-cdk-lib';
import { App, Testing } from 'cdk8s';
import { parse as parseYaml } from 'yaml';
import { PrometheusRemoteWriteChart, PrometheusRemoteWriteChartProps } from '../../src';
import { TARGET_ACCOUNT, WORKSPACE_ARN, WORKSPACE_ID } from '../fixtures';
import { manifestProblems, objectOf, validChartObjects } from '../harness/manifests';

const ROLE_ARN = `arn:aws:iam::${TARGET_ACCOUNT}:role/amp-remote-write-${WORKSPACE_ID}`;

function chart(props: Partial<PrometheusRemoteWriteChartProps> = {}) {
  return new PrometheusRemoteWriteChart(Testing.app(), 'prometheus-remote-write', { workspaceArn: WORKSPACE_ARN, roleArn: ROLE_ARN, ...props });
}

test('emits the namespace and the service account annotated with the IRSA role, all schema-valid', () => {
  const objects = validChartObjects(chart());
  expect(objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(['Namespace/monitoring', 'ServiceAccount/prometheus']);
  const sa = objectOf(objects, 'ServiceAccount', 'prometheus');
  expect(sa.metadata.namespace).toBe('monitoring');
  expect(sa.metadata.annotations).toEqual({ 'eks.amazonaws.com/role-arn': ROLE_ARN });
  expect(sa.automountServiceAccountToken).toBe(true);
  expect(objectOf(objects, 'Namespace').metadata.namespace).toBeUndefined();
});

test('helm values write to the workspace URL with SigV4 in its region, never to the pod role itself', () => {
  const c = chart({ clusterName: 'prod-eu' });
  expect(c.remoteWriteUrl).toBe(`https://aps-workspaces.us-east-1.amazonaws.com/workspaces/${WORKSPACE_ID}/api/v1/remote_write`);
  expect(c.helmValues).toEqual({
    prometheus: {
      serviceAccount: { create: false, name: 'prometheus', annotations: { 'eks.amazonaws.com/role-arn': ROLE_ARN } },
      prometheusSpec: {
        externalLabels: { cluster: 'prod-eu' },
        remoteWrite: [{
          url: c.remoteWriteUrl,
          sigv4: { region: 'us-east-1' },
          queueConfig: { maxSamplesPerSend: 1000, maxShards: 200, capacity: 2500 },
        }],
      },
    },
  });
  expect(parseYaml(c.helmValuesYaml())).toEqual(c.helmValues);
});

test('helm may own the service account instead', () => {
  const c = chart({ createServiceAccount: false, createNamespace: false, serviceAccount: { namespace: 'prom', name: 'kps-prometheus' } });
  expect(validChartObjects(c)).toEqual([]);
  expect(c.helmValues.prometheus.serviceAccount).toEqual({ create: true, name: 'kps-prometheus', annotations: { 'eks.amazonaws.com/role-arn': ROLE_ARN } });
});

test('a chained role and queue tuning reach the values', () => {
  const chain = `arn:aws:iam::${TARGET_ACCOUNT}:role/writer`;
  const c = chart({ chainRoleArn: chain, queueConfig: { maxShards: 50, batchSendDeadline: '10s' } });
  expect(c.helmValues.prometheus.prometheusSpec.remoteWrite[0]).toMatchObject({
    sigv4: { region: 'us-east-1', roleArn: chain },
    queueConfig: { maxSamplesPerSend: 1000, maxShards: 50, capacity: 2500, batchSendDeadline: '10s' },
  });
});

test('China workspaces use the .cn endpoint', () => {
  const c = chart({ workspaceArn: 'arn:aws-cn:aps:cn-north-1:111111111111:workspace/ws-1', roleArn: 'arn:aws-cn:iam::111111111111:role/x' });
  expect(c.remoteWriteUrl).toBe('https://aps-workspaces.cn-north-1.amazonaws.com.cn/workspaces/ws-1/api/v1/remote_write');
});

test('labels reach every object', () => {
  const objects = validChartObjects(chart({ labels: { team: 'platform' } }));
  for (const o of objects) expect(o.metadata.labels).toMatchObject({ team: 'platform' });
});

describe('bad input', () => {
  test.each([
    ['chainRoleArn equal to the IRSA role', { chainRoleArn: ROLE_ARN }, /chainRoleArn: is the IRSA role itself; a role cannot assume itself/],
    ['workspaceArn', { workspaceArn: 'ws-1' }, /workspaceArn: got "ws-1" \(not an ARN\)/],
    ['roleArn', { roleArn: 'arn:aws:iam::111111111111:user/x' }, /roleArn: .*expected an IAM role ARN/],
    ['service account', { serviceAccount: { namespace: 'monitoring', name: 'prometheus-*' } }, /serviceAccount\.name: .*RFC 1123 subdomain/],
    ['namespace', { serviceAccount: { namespace: 'Monitoring', name: 'prometheus' } }, /serviceAccount\.namespace/],
    ['clusterName', { clusterName: '-prod' }, /clusterName: .*EKS cluster name/],
    ['queue numbers', { queueConfig: { maxShards: 0 } }, /queueConfig\.maxShards: got 0/],
    ['queue durations', { queueConfig: { minBackoff: '30 ms' } }, /queueConfig\.minBackoff: got "30 ms"; expected a Prometheus duration/],
    ['queue shards order', { queueConfig: { minShards: 10, maxShards: 5 } }, /queueConfig\.minShards: is 10, more than maxShards 5/],
    ['a CDK token', { roleArn: Aws.ACCOUNT_ID }, /roleArn: is a CDK token; a chart writes plain YAML/],
  ])('%s', (_name, props, message) => {
    expect(() => chart(props as Partial<PrometheusRemoteWriteChartProps>)).toThrow(message);
  });
});

test('the validator catches a schema violation and a namespaced cluster-scoped kind', () => {
  expect(manifestProblems([{ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 5, namespace: 'x' } }])).toEqual([
    expect.stringMatching(/ServiceAccount 5: data\/metadata\/name must be string/),
  ]);
  expect(manifestProblems([{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'x', namespace: 'y' } }])).toEqual([
    expect.stringMatching(/cluster-scoped kind has metadata.namespace/),
  ]);
});

test('snapshot', () => {
  const app = new App();
  const c = new PrometheusRemoteWriteChart(app, 'prometheus-remote-write', { workspaceArn: WORKSPACE_ARN, roleArn: ROLE_ARN, clusterName: 'prod' });
  expect({ manifests: Testing.synth(c), values: c.helmValuesYaml() }).toMatchSnapshot();
});

describe('Pod Identity (an organization fleet\'s association carries the central role as its TargetRoleArn)', () => {
  test('no IRSA annotation anywhere, and SigV4 signs with the association\'s credentials', () => {
    const c = chart({ roleArn: undefined, podIdentity: true, clusterName: 'payments' });
    const objects = validChartObjects(c);
    expect(objectOf(objects, 'ServiceAccount', 'prometheus').metadata.annotations).toBeUndefined();
    expect(c.helmValues.prometheus.serviceAccount).toEqual({ create: false, name: 'prometheus' });
    expect(c.helmValues.prometheus.prometheusSpec.remoteWrite[0].sigv4).toEqual({ region: 'us-east-1' });
  });

  test('an IRSA role with podIdentity is refused (the IRSA web identity would win over the association)', () => {
    expect(() => chart({ podIdentity: true })).toThrow(/roleArn: is set with podIdentity/);
  });

  test('without podIdentity the IRSA role is still required', () => {
    expect(() => chart({ roleArn: undefined })).toThrow(/roleArn: is required/);
    expect(() => chart({ roleArn: undefined, podIdentity: 'yes' as any })).toThrow(/podIdentity: got string "yes"; expected true or false/);
  });
});

import { Testing } from 'cdk8s';
import { AgentIdentityMode, CloudWatchAgentChart, CloudWatchAgentChartProps } from '../../src';
import { REGION, SOURCE_ACCOUNT, TARGET_ACCOUNT } from '../fixtures';
import { objectOf, validChartObjects } from '../harness/manifests';

const TARGET_ROLE = `arn:aws:iam::${TARGET_ACCOUNT}:role/containerinsights-acme`;
const AGENT_ROLE = `arn:aws:iam::${SOURCE_ACCOUNT}:role/containerinsights-agent-prod`;

function chart(props: Partial<CloudWatchAgentChartProps> = {}) {
  return new CloudWatchAgentChart(Testing.app(), 'cloudwatch-agent', {
    clusterName: 'prod', region: REGION, identityMode: AgentIdentityMode.IRSA, targetRoleArn: TARGET_ROLE, agentRoleArn: AGENT_ROLE, ...props,
  });
}

/** The agent configuration as the agent will read it: parsed back from the ConfigMap's JSON text. */
function configOf(objects: any[]): any {
  return JSON.parse(objectOf(objects, 'ConfigMap', 'xacct-cwagentconfig').data['cwagentconfig.json']);
}

test('the upstream quick-start object set, all schema-valid, in amazon-cloudwatch, none named like the add-on\'s', () => {
  const objects = validChartObjects(chart());
  expect(objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
    'Namespace/amazon-cloudwatch',
    'ServiceAccount/cloudwatch-agent',
    'ClusterRole/xacct-cloudwatch-agent-role',
    'ClusterRoleBinding/xacct-cloudwatch-agent-role-binding',
    'Role/xacct-cloudwatch-agent-leader-election',
    'RoleBinding/xacct-cloudwatch-agent-leader-election',
    'ConfigMap/xacct-cwagentconfig',
    'DaemonSet/xacct-cloudwatch-agent',
    'ConfigMap/xacct-fluent-bit-config',
    'ClusterRole/xacct-fluent-bit-role',
    'ClusterRoleBinding/xacct-fluent-bit-role-binding',
    'DaemonSet/xacct-fluent-bit',
  ]);
  // The amazon-cloudwatch-observability add-on's objects (chart 6.4.0 templates): applying this chart never replaces them.
  const addOnObjects = ['ClusterRole/cloudwatch-agent-role', 'ClusterRoleBinding/cloudwatch-agent-role-binding', 'DaemonSet/cloudwatch-agent', 'ConfigMap/cwagentconfig', 'DaemonSet/fluent-bit', 'ConfigMap/fluent-bit-config'];
  for (const o of objects) expect(addOnObjects).not.toContain(`${o.kind}/${o.metadata.name}`);
  for (const o of objects) {
    if (['Namespace', 'ClusterRole', 'ClusterRoleBinding'].includes(o.kind)) expect(o.metadata.namespace).toBeUndefined();
    else expect(o.metadata.namespace).toBe('amazon-cloudwatch');
  }
});

test('RBAC: the upstream cluster rules, bound to the agent, and a namespaced role for leader election', () => {
  const objects = validChartObjects(chart());
  const rules = objectOf(objects, 'ClusterRole').rules.map((r: any) => [
    r.nonResourceURLs ? `nonResource:${r.nonResourceURLs}` : `${r.apiGroups[0] || 'core'}/${r.resources.join(',')}`, r.verbs.join(','),
  ]);
  expect(rules).toEqual([
    ['core/pods', 'list,watch'], ['core/nodes', 'list,watch'], ['core/endpoints', 'list,watch'],
    ['core/services', 'list,watch,get'],
    ['apps/replicasets', 'list,watch'], ['apps/daemonsets', 'list,watch'], ['apps/deployments', 'list,watch'], ['apps/statefulsets', 'list,watch'],
    ['batch/jobs', 'list,watch'],
    ['core/nodes/proxy', 'get'],
    ['core/nodes/stats', 'create,get'], ['core/events', 'create,get'],
    ['core/configmaps', 'get'],
    ['nonResource:/metrics', 'get,list,watch'],
    ['discovery.k8s.io/endpointslices', 'list,watch,get'],
  ]);
  const subject = { kind: 'ServiceAccount', name: 'cloudwatch-agent', namespace: 'amazon-cloudwatch' };
  expect(objectOf(objects, 'ClusterRoleBinding').subjects).toEqual([expect.objectContaining(subject)]);
  expect(objectOf(objects, 'ClusterRoleBinding').roleRef).toMatchObject({ kind: 'ClusterRole', name: 'xacct-cloudwatch-agent-role' });
  expect(objectOf(objects, 'Role').rules).toEqual([expect.objectContaining({ apiGroups: [''], resources: ['configmaps'], verbs: ['create', 'update'] })]);
  expect(objectOf(objects, 'RoleBinding').subjects).toEqual([expect.objectContaining(subject)]);
});

test('the DaemonSet: pinned image, env, read-only host mounts, resources, linux nodes, grace period', () => {
  const ds = objectOf(validChartObjects(chart()), 'DaemonSet');
  const pod = ds.spec.template.spec;
  const [container] = pod.containers;
  expect(container.image).toBe('public.ecr.aws/cloudwatch-agent/cloudwatch-agent:1.300070.0b1586');
  expect(container.imagePullPolicy).toBe('IfNotPresent');
  expect(container.resources).toEqual({ limits: { cpu: '400m', memory: '400Mi' }, requests: { cpu: '400m', memory: '400Mi' } });
  expect(Object.fromEntries(container.env.map((e: any) => [e.name, e.value ?? e.valueFrom.fieldRef.fieldPath]))).toEqual({
    HOST_IP: 'status.hostIP', HOST_NAME: 'spec.nodeName', K8S_NAMESPACE: 'metadata.namespace', CI_VERSION: 'k8s/1.3.43', RUN_WITH_IRSA: 'True',
  });
  const mounts = Object.fromEntries(container.volumeMounts.map((m: any) => [m.mountPath, m.readOnly ?? false]));
  expect(mounts).toEqual({
    '/etc/cwagentconfig': false,
    '/rootfs': true,
    '/var/run/docker.sock': true,
    '/var/lib/docker': true,
    '/run/containerd/containerd.sock': true,
    '/sys': true,
    '/dev/disk': true,
  });
  const hostPaths = Object.fromEntries(pod.volumes.filter((v: any) => v.hostPath).map((v: any) => [v.name, v.hostPath.path]));
  expect(hostPaths).toEqual({ rootfs: '/', dockersock: '/var/run/docker.sock', varlibdocker: '/var/lib/docker', containerdsock: '/run/containerd/containerd.sock', sys: '/sys', devdisk: '/dev/disk' });
  expect(pod.volumes.find((v: any) => v.configMap)).toEqual({ name: 'cwagentconfig', configMap: { name: 'xacct-cwagentconfig' } });
  expect(pod.nodeSelector).toEqual({ 'kubernetes.io/os': 'linux' });
  expect(pod.terminationGracePeriodSeconds).toBe(60);
  expect(pod.serviceAccountName).toBe('cloudwatch-agent');
  expect(pod.automountServiceAccountToken).toBe(true);
});

describe('identity modes', () => {
  test('IRSA: annotated service account, and the agent assumes the target role', () => {
    const objects = validChartObjects(chart());
    expect(objectOf(objects, 'ServiceAccount').metadata.annotations).toEqual({ 'eks.amazonaws.com/role-arn': AGENT_ROLE });
    expect(configOf(objects)).toEqual({
      agent: { region: REGION, credentials: { role_arn: TARGET_ROLE } },
      logs: {
        metrics_collected: { kubernetes: { cluster_name: 'prod', metrics_collection_interval: 60, enhanced_container_insights: false } },
        force_flush_interval: 5,
      },
    });
  });

  test('NODE_ROLES: no annotation, the agent assumes the target role with the node credentials (seed 000)', () => {
    const objects = validChartObjects(chart({ identityMode: AgentIdentityMode.NODE_ROLES, agentRoleArn: undefined }));
    expect(objectOf(objects, 'ServiceAccount').metadata.annotations).toBeUndefined();
    expect(configOf(objects).agent.credentials).toEqual({ role_arn: TARGET_ROLE });
  });

  test('POD_IDENTITY: no annotation and no role_arn: EKS already hands over the target role', () => {
    const objects = validChartObjects(chart({ identityMode: AgentIdentityMode.POD_IDENTITY, agentRoleArn: undefined, targetRoleArn: undefined }));
    expect(objectOf(objects, 'ServiceAccount').metadata.annotations).toBeUndefined();
    expect(configOf(objects).agent).toEqual({ region: REGION });
  });

  test('tuning reaches the configuration', () => {
    const c = chart({ metricsCollectionInterval: 30, enhancedContainerInsights: true, forceFlushInterval: 10, image: 'registry.example.com:5000/cwagent:1.2.3' });
    const objects = validChartObjects(c);
    expect(configOf(objects).logs).toEqual({
      metrics_collected: { kubernetes: { cluster_name: 'prod', metrics_collection_interval: 30, enhanced_container_insights: true } },
      force_flush_interval: 10,
    });
    expect(c.agentConfig).toEqual(configOf(objects));
    expect(objectOf(objects, 'DaemonSet').spec.template.spec.containers[0].image).toBe('registry.example.com:5000/cwagent:1.2.3');
  });
});

describe('bad input', () => {
  test.each([
    ['IRSA without the agent role', { agentRoleArn: undefined }, /agentRoleArn: is required/],
    ['IRSA without the target role', { targetRoleArn: undefined }, /targetRoleArn: is required/],
    ['IRSA role equal to the target', { agentRoleArn: TARGET_ROLE }, /targetRoleArn: is the IRSA role itself/],
    ['NODE_ROLES with an agent role', { identityMode: AgentIdentityMode.NODE_ROLES }, /agentRoleArn: only applies in IRSA mode/],
    ['POD_IDENTITY with a target role', { identityMode: AgentIdentityMode.POD_IDENTITY, agentRoleArn: undefined }, /targetRoleArn: must be unset in POD_IDENTITY mode/],
    ['region', { region: 'useast1' }, /region: got "useast1"/],
    ['cluster name', { clusterName: '' }, /clusterName/],
    ['interval', { metricsCollectionInterval: 0 }, /metricsCollectionInterval: got 0/],
    ['unpinned image', { image: 'public.ecr.aws/cloudwatch-agent/cloudwatch-agent' }, /image: .*pinned to a tag or digest/],
    ['latest image', { image: 'public.ecr.aws/cloudwatch-agent/cloudwatch-agent:latest' }, /image: .*pinned/],
    ['unknown mode', { identityMode: 'ROOT' as any }, /identityMode: got "ROOT"/],
  ])('%s', (_name, props, message) => {
    expect(() => chart(props as Partial<CloudWatchAgentChartProps>)).toThrow(message);
  });

  test('a digest-pinned image is accepted', () => {
    expect(() => chart({ image: `public.ecr.aws/cloudwatch-agent/cloudwatch-agent@sha256:${'a'.repeat(64)}` })).not.toThrow();
  });
});

test('snapshot', () => {
  expect(Testing.synth(chart())).toMatchSnapshot();
});

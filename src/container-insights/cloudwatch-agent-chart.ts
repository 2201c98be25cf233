import * as cdk8s from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { agentConfig, CloudWatchAgentConfig } from './cloudwatch-agent-config';
import { AgentIdentityMode } from './container-insights-agent-access';
import { DEFAULT_FLUENT_BIT_IMAGE, FluentBitDaemonSet } from './fluent-bit-daemonset';
import { CLOUDWATCH_AGENT_SERVICE_ACCOUNT, REPORTED_CLUSTER_NAME } from './names';
import { HostMount, nodeAgentDaemonSet } from './node-daemonset';
import { ContainerInsightsSignalRoute, containerInsightsSignalRoutes } from './signal-routes';
import { IRSA_ROLE_ANNOTATION } from '../core/k8s';
import { ArnKind, arnRule, EKS_CLUSTER_NAME, PINNED_IMAGE, REGION } from '../core/rules';
import { PropsValidator, propsOrEmpty } from '../core/validation';
import { warn } from '../core/warnings';

/**
 * Props of {@link CloudWatchAgentChart}. Plain values only: the chart never depends on a CDK stack.
 */
export interface CloudWatchAgentChartProps {
  /** The EKS cluster's name (Container Insights' `cluster_name`). */
  readonly clusterName: string;

  /**
   * The cluster name the agent reports (its `cluster_name`, which names the log groups
   * `/aws/containerinsights/<name>/...`). A vendor using `TENANT_ISOLATED` gives each customer
   * `CrossAccountContainerInsights.reportedClusterName(customer, cluster)`.
   *
   * @default - clusterName
   */
  readonly reportedClusterName?: string;

  /** The region the agent writes to (`agent.region`): the target account's Container Insights region. */
  readonly region: string;

  /** How the agent gets credentials; must match `ContainerInsightsAgentAccess`. */
  readonly identityMode: AgentIdentityMode;

  /**
   * The target account's role (`CrossAccountContainerInsights.roleArn`), written to
   * `agent.credentials.role_arn` in NODE_ROLES and IRSA modes. Not used with POD_IDENTITY: there
   * EKS already hands the agent the target role's credentials.
   *
   * @default - required in NODE_ROLES and IRSA modes
   */
  readonly targetRoleArn?: string;

  /**
   * The agent's IRSA role (`ContainerInsightsAgentAccess.roleArn`), annotated on the service account in IRSA mode.
   *
   * @default - required in IRSA mode
   */
  readonly agentRoleArn?: string;

  /**
   * Seconds between metric collections.
   *
   * @default 60
   */
  readonly metricsCollectionInterval?: number;

  /**
   * Container Insights with enhanced observability (`enhanced_container_insights`). It changes the bill:
   * enhanced observability is charged per observation (tiered) rather than per custom metric, and
   * publishes more metrics. Off by default, as the agent itself is when the key is absent; note that `CloudWatchObservabilityAddon` defaults to `true`,
   * as the add-on's own configuration does.
   *
   * @default false
   */
  readonly enhancedContainerInsights?: boolean;

  /**
   * Seconds between log flushes.
   *
   * @default 5
   */
  readonly forceFlushInterval?: number;

  /**
   * The agent image, pinned to a tag.
   *
   * @default 'public.ecr.aws/cloudwatch-agent/cloudwatch-agent:1.300070.0b1586'
   */
  readonly image?: string;

  /**
   * Run Fluent Bit (DaemonSet `xacct-fluent-bit`, as the agent's service account) to send the nodes'
   * application, data-plane and host logs to `/aws/containerinsights/<reportedClusterName>/{application,dataplane,host}`
   * in the target account (`role_arn` = `targetRoleArn` in NODE_ROLES and IRSA modes). `false`: no
   * container logs are collected by this chart (`signalRoutes` says so); run your own log agent.
   *
   * @default true
   */
  readonly containerLogs?: boolean;

  /**
   * The Fluent Bit image, pinned to a tag.
   *
   * @default 'public.ecr.aws/aws-observability/aws-for-fluent-bit:3.4.8'
   */
  readonly fluentBitImage?: string;

  /**
   * The cluster has (or may get) Windows nodes. This chart's DaemonSets select `kubernetes.io/os: linux`,
   * so Windows nodes send no Container Insights signal through it, to any account. `true` says so at
   * synth (a warning, acknowledgeable as `windowsNodes`); `signalRoutes` always carries the row.
   *
   * @default false - no warning: the cluster is taken to have Linux nodes only
   */
  readonly windowsNodes?: boolean;

  /**
   * Labels added to every object of the chart.
   *
   * @default - none
   */
  readonly labels?: { [key: string]: string };
}

// The agent release the amazon-cloudwatch-observability helm chart 6.4.0 (aws-observability/helm-charts,
// values.yaml agent.image.tag) installs; the quick-start manifests still pin 1.300066.1b1374.
const DEFAULT_IMAGE = 'public.ecr.aws/cloudwatch-agent/cloudwatch-agent:1.300070.0b1586';
// The quick-start's Container Insights version marker (cwagent-daemonset.yaml, aws-samples/amazon-cloudwatch-container-insights).
const CI_VERSION = 'k8s/1.3.43';
/**
 * Every object of this chart except the service account has a name of its own, so applying it never
 * replaces an object of the amazon-cloudwatch-observability add-on (whose ClusterRole
 * `cloudwatch-agent-role`, DaemonSet `cloudwatch-agent` and ConfigMaps share the quick-start's names).
 */
const NAME = 'xacct-cloudwatch-agent';
const CONFIG_MAP = 'xacct-cwagentconfig';
const CONFIG_KEY = 'cwagentconfig.json';

// Read-only host paths the agent inspects (upstream quick-start DaemonSet).
const HOST_MOUNTS: HostMount[] = ([
  ['rootfs', '/', '/rootfs'],
  ['dockersock', '/var/run/docker.sock', '/var/run/docker.sock'],
  ['varlibdocker', '/var/lib/docker', '/var/lib/docker'],
  ['containerdsock', '/run/containerd/containerd.sock', '/run/containerd/containerd.sock'],
  ['sys', '/sys', '/sys'],
  ['devdisk', '/dev/disk', '/dev/disk'],
] as const).map(([volumeName, hostPath, mountPath]) => ({ volumeName, hostPath, mountPath, readOnly: true }));

/**
 * The CloudWatch agent for Container Insights, writing into another account: the upstream
 * quick-start objects (namespace, service account, RBAC, ConfigMap, DaemonSet) with the
 * cross-account settings of the chosen identity mode.
 */
export class CloudWatchAgentChart extends cdk8s.Chart {
  /** The agent configuration written to the `cwagentconfig` ConfigMap. */
  public readonly agentConfig: any;

  /** Per signal, the process that writes it, its identity and where it lands. */
  public readonly signalRoutes: ContainerInsightsSignalRoute[];

  /**
   * @param scope the cdk8s app (or a construct in it)
   * @param id the chart ID, also the manifest file name
   * @param props the cluster, region, identity mode and roles
   */
  constructor(scope: Construct, id: string, props: CloudWatchAgentChartProps) {
    super(scope, id, { labels: propsOrEmpty(props).labels });
    props = propsOrEmpty(props);
    validate(`CloudWatchAgentChart '${this.node.path}'`, props);
    const { namespace, name } = CLOUDWATCH_AGENT_SERVICE_ACCOUNT;

    const reportedClusterName = props.reportedClusterName ?? props.clusterName;
    // POD_IDENTITY: EKS hands the service account the target role's credentials, and the role cannot assume itself.
    const roleArn = props.identityMode === AgentIdentityMode.POD_IDENTITY ? undefined : props.targetRoleArn;
    const containerLogs = props.containerLogs ?? true;
    const config: CloudWatchAgentConfig = agentConfig({
      region: props.region,
      clusterName: reportedClusterName,
      roleArn,
      metricsCollectionInterval: props.metricsCollectionInterval ?? 60,
      enhancedContainerInsights: props.enhancedContainerInsights ?? false,
      forceFlushInterval: props.forceFlushInterval ?? 5,
    });
    this.agentConfig = config;

    new kplus.Namespace(this, 'Namespace', { metadata: { name: namespace } });
    const serviceAccount = new kplus.ServiceAccount(this, 'ServiceAccount', {
      metadata: {
        name,
        namespace,
        ...(props.identityMode === AgentIdentityMode.IRSA ? { annotations: { [IRSA_ROLE_ANNOTATION]: props.agentRoleArn! } } : {}),
      },
      automountToken: true,
    });
    this.addRbac(serviceAccount, namespace);

    const configMap = new kplus.ConfigMap(this, 'Config', {
      metadata: { name: CONFIG_MAP, namespace },
      data: { [CONFIG_KEY]: JSON.stringify(config, undefined, 2) },
    });
    this.addDaemonSet(props.image ?? DEFAULT_IMAGE, serviceAccount, configMap, namespace, props.identityMode);
    if (containerLogs) {
      new FluentBitDaemonSet(this, 'FluentBit', {
        serviceAccount, namespace, reportedClusterName, region: props.region, roleArn, image: props.fluentBitImage ?? DEFAULT_FLUENT_BIT_IMAGE,
      });
    }
    if (!containerLogs) {
      warn(this, 'containerLogsOff',
        'containerLogs is false: this chart runs no Fluent Bit, so the cluster\'s application, data-plane and host logs are not collected by it anywhere (not in the target account; in the cluster account only if you run your own log agent). Only the agent\'s metrics and performance logs reach the target account.');
    }
    if (props.windowsNodes) {
      warn(this, 'windowsNodes',
        'windowsNodes: this chart\'s DaemonSets select kubernetes.io/os: linux, so the Windows nodes\' metrics, performance logs and container logs are not collected by it (not in the target account, not in the cluster account). CloudWatchObservabilityAddon sends their container logs to the target account, though not its Windows agent\'s metrics.');
    }
    this.signalRoutes = containerInsightsSignalRoutes({ route: 'chart', identityMode: props.identityMode, clusterName: props.clusterName, reportedClusterName, containerLogs });
  }

  private addRbac(serviceAccount: kplus.ServiceAccount, namespace: string): void {
    const core = (resourceType: string) => kplus.ApiResource.custom({ apiGroup: '', resourceType });
    const clusterRole = new kplus.ClusterRole(this, 'ClusterRole', { metadata: { name: `${NAME}-role` } });
    clusterRole.allow(['list', 'watch'], kplus.ApiResource.PODS, kplus.ApiResource.NODES, kplus.ApiResource.ENDPOINTS);
    clusterRole.allow(['list', 'watch', 'get'], kplus.ApiResource.SERVICES);
    clusterRole.allow(['list', 'watch'], kplus.ApiResource.REPLICA_SETS, kplus.ApiResource.DAEMON_SETS, kplus.ApiResource.DEPLOYMENTS, kplus.ApiResource.STATEFUL_SETS);
    clusterRole.allow(['list', 'watch'], kplus.ApiResource.JOBS);
    clusterRole.allow(['get'], core('nodes/proxy'));
    clusterRole.allow(['create', 'get'], core('nodes/stats'), kplus.ApiResource.EVENTS);
    clusterRole.allow(['get'], kplus.ApiResource.CONFIG_MAPS);
    clusterRole.allow(['get', 'list', 'watch'], kplus.NonApiResource.of('/metrics'));
    clusterRole.allow(['list', 'watch', 'get'], kplus.ApiResource.ENDPOINT_SLICES);
    new kplus.ClusterRoleBinding(this, 'ClusterRoleBinding', { metadata: { name: `${NAME}-role-binding` }, role: clusterRole })
      .addSubjects(serviceAccount);

    // Leader election: one agent publishes cluster-level metrics, coordinated through a ConfigMap.
    const leaderElection = new kplus.Role(this, 'LeaderElectionRole', { metadata: { name: `${NAME}-leader-election`, namespace } });
    leaderElection.allow(['create', 'update'], kplus.ApiResource.CONFIG_MAPS);
    new kplus.RoleBinding(this, 'LeaderElectionRoleBinding', { metadata: { name: `${NAME}-leader-election`, namespace }, role: leaderElection })
      .addSubjects(serviceAccount);
  }

  private addDaemonSet(
    image: string, serviceAccount: kplus.ServiceAccount, configMap: kplus.ConfigMap, namespace: string, mode: AgentIdentityMode,
  ): void {
    // The agent reads host files and container runtimes as root, like the upstream DaemonSet.
    nodeAgentDaemonSet(this, {
      name: NAME,
      namespace,
      serviceAccount,
      terminationGracePeriod: cdk8s.Duration.seconds(60),
      container: {
        name: 'cloudwatch-agent',
        image,
        resources: {
          cpu: { request: kplus.Cpu.millis(400), limit: kplus.Cpu.millis(400) },
          memory: { request: cdk8s.Size.mebibytes(400), limit: cdk8s.Size.mebibytes(400) },
        },
        envVariables: {
          HOST_IP: kplus.EnvValue.fromFieldRef(kplus.EnvFieldPaths.NODE_IP),
          HOST_NAME: kplus.EnvValue.fromFieldRef(kplus.EnvFieldPaths.NODE_NAME),
          K8S_NAMESPACE: kplus.EnvValue.fromFieldRef(kplus.EnvFieldPaths.POD_NAMESPACE),
          CI_VERSION: kplus.EnvValue.fromValue(CI_VERSION),
          // Without IMDS access the agent would take itself for on-premises and ignore its IRSA credentials;
          // RUN_WITH_IRSA=True selects its "withIRSA" mode (aws/amazon-cloudwatch-agent, translator/util/sdkutil.go
          // DetectAgentMode; cfg/envconfig/envconfig.go TrueValue "True").
          ...(mode === AgentIdentityMode.IRSA ? { RUN_WITH_IRSA: kplus.EnvValue.fromValue('True') } : {}),
        },
      },
      configMap,
      configVolumeName: 'cwagentconfig',
      configMountPath: '/etc/cwagentconfig',
      hostMounts: HOST_MOUNTS,
    });
  }
}

function validate(owner: string, props: CloudWatchAgentChartProps): void {
  const v = PropsValidator.forChart(owner);
  if (v.required('clusterName', props.clusterName)) v.check('clusterName', props.clusterName, EKS_CLUSTER_NAME);
  if (v.required('region', props.region)) v.check('region', props.region, REGION);
  v.check('reportedClusterName', props.reportedClusterName, REPORTED_CLUSTER_NAME);
  v.check('targetRoleArn', props.targetRoleArn, arnRule(ArnKind.IAM_ROLE));
  v.check('agentRoleArn', props.agentRoleArn, arnRule(ArnKind.IAM_ROLE));
  v.integer('metricsCollectionInterval', props.metricsCollectionInterval, 1, 86_400);
  v.integer('forceFlushInterval', props.forceFlushInterval, 1, 3_600);
  v.boolean('containerLogs', props.containerLogs);
  v.boolean('enhancedContainerInsights', props.enhancedContainerInsights);
  v.boolean('windowsNodes', props.windowsNodes);
  v.check('fluentBitImage', props.fluentBitImage, PINNED_IMAGE);
  v.check('image', props.image, PINNED_IMAGE);
  v.labels('labels', props.labels);
  switch (props.identityMode) {
    case AgentIdentityMode.NODE_ROLES:
      v.required('targetRoleArn', props.targetRoleArn);
      if (props.agentRoleArn) v.problem('agentRoleArn', 'only applies in IRSA mode');
      break;
    case AgentIdentityMode.IRSA:
      v.required('targetRoleArn', props.targetRoleArn);
      v.required('agentRoleArn', props.agentRoleArn);
      if (props.agentRoleArn && props.agentRoleArn === props.targetRoleArn) {
        v.problem('targetRoleArn', 'is the IRSA role itself; the agent would try to assume its own role. Give the target account\'s role');
      }
      break;
    case AgentIdentityMode.POD_IDENTITY:
      if (props.targetRoleArn) v.problem('targetRoleArn', 'must be unset in POD_IDENTITY mode: EKS already gives the agent the target role\'s credentials, and the role cannot assume itself');
      if (props.agentRoleArn) v.problem('agentRoleArn', 'only applies in IRSA mode');
      break;
    default:
      v.problem('identityMode', `got ${JSON.stringify(props.identityMode)}; expected one of ${Object.values(AgentIdentityMode).join(', ')}`);
  }
  v.throwIfAny();
}


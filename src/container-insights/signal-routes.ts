import { AgentIdentityMode } from './container-insights-agent-access';
import { CONTAINER_LOG_KINDS, containerInsightsLogGroup, PERFORMANCE_LOG_KIND } from './fluent-bit-config';

/**
 * Where one Container Insights signal goes: which process writes it, with which identity, into which
 * account and log groups. Built by one pure function for both routes and all three identity modes,
 * so the README's table, the tests and the constructs' `signalRoutes` cannot disagree.
 */
export interface ContainerInsightsSignalRoute {
  /** The signal: `metrics`, `performance logs`, `container logs`, `cluster metrics (OTel)`. */
  readonly signal: string;
  /** The process that writes it. */
  readonly writer: string;
  /** The credentials it writes with. */
  readonly identity: string;
  /**
   * `target` (the account of the target role), `cluster` (the cluster's own account: the writer's own
   * credentials), `denied` (the writer's own credentials may not write there, so the signal is lost), or
   * `none` (the signal is not collected).
   */
  readonly account: string;
  /** The log groups (or metric namespace) it lands in; empty when it is not collected. */
  readonly destinations: string[];
  /**
   * The log groups the writer puts events into (for metrics: the performance group their
   * embedded-metric-format events go to); what `TrustProbeChart`'s `signalRoutes` checks. Empty for
   * the Windows-nodes row, which a cluster without Windows nodes does not have.
   */
  readonly logGroups: string[];
}

/** Which route installs the agents. */
export type ContainerInsightsInstallRoute = 'addon' | 'chart';

export interface SignalRouteOptions {
  readonly route: ContainerInsightsInstallRoute;
  readonly identityMode: AgentIdentityMode;
  readonly reportedClusterName: string;
  /** The EKS cluster's own name: what the add-on's Windows agents report (they ignore `agent.config`). */
  readonly clusterName: string;
  readonly containerLogs: boolean;
  /** The add-on's OTel Container Insights (its cluster-scraper agent). */
  readonly otelContainerInsights?: boolean;
}

function identityOf(mode: AgentIdentityMode, viaRoleArn: string): string {
  switch (mode) {
    case AgentIdentityMode.NODE_ROLES: return `node role, then ${viaRoleArn} = target role`;
    case AgentIdentityMode.IRSA: return `IRSA agent role, then ${viaRoleArn} = target role`;
    case AgentIdentityMode.POD_IDENTITY: return 'target role (Pod Identity association)';
  }
}

/** Every signal of one route and identity mode, and where it lands. */
export function containerInsightsSignalRoutes(options: SignalRouteOptions): ContainerInsightsSignalRoute[] {
  const agent = options.route === 'addon' ? 'CloudWatch agent (DaemonSet cloudwatch-agent)' : 'CloudWatch agent (DaemonSet xacct-cloudwatch-agent)';
  const fluentBit = options.route === 'addon' ? 'Fluent Bit (DaemonSet fluent-bit)' : 'Fluent Bit (DaemonSet xacct-fluent-bit)';
  const performance = containerInsightsLogGroup(options.reportedClusterName, PERFORMANCE_LOG_KIND);
  const agentIdentity = identityOf(options.identityMode, 'agent.credentials.role_arn');
  const routes: ContainerInsightsSignalRoute[] = [
    { signal: 'performance logs', writer: agent, identity: agentIdentity, account: 'target', destinations: [performance], logGroups: [performance] },
    {
      signal: 'metrics',
      writer: `${agent}, as embedded-metric-format events`,
      identity: agentIdentity,
      account: 'target',
      destinations: [`namespace ContainerInsights, extracted from ${performance}`],
      logGroups: [performance],
    },
    options.containerLogs
      ? {
        signal: 'container logs',
        writer: fluentBit,
        identity: identityOf(options.identityMode, 'cloudwatch_logs role_arn'),
        account: 'target',
        destinations: CONTAINER_LOG_KINDS.map((kind) => containerInsightsLogGroup(options.reportedClusterName, kind)),
        logGroups: CONTAINER_LOG_KINDS.map((kind) => containerInsightsLogGroup(options.reportedClusterName, kind)),
      }
      : { signal: 'container logs', writer: 'none (containerLogs: false)', identity: 'none', account: 'none', destinations: [], logGroups: [] },
    windowsNodes(options),
  ];
  if (options.otelContainerInsights) {
    routes.push({
      signal: 'cluster metrics (OTel)',
      writer: 'CloudWatch agent (Deployment cloudwatch-agent-cluster-scraper)',
      identity: identityOf(options.identityMode, 'agent.credentials.role_arn'),
      account: 'target',
      destinations: ['CloudWatch OTLP metrics endpoint, k8s.cluster.name = ' + options.reportedClusterName],
      logGroups: [],
    });
  }
  return routes;
}

/**
 * Windows nodes. The chart route's DaemonSets select Linux nodes only. The add-on runs its own Windows
 * agents (chart 6.4.0, templates/windows/cloudwatch-agent-windows-container-insights-daemonset.yaml and
 * fluent-bit-windows-daemonset.yaml) as the same service account, but with a fixed agent configuration
 * (not `agent.config`: no `role_arn`, the real `clusterName`) and Fluent Bit's `configWindows` files,
 * which this library does not replace. So they write with the service account's own credentials.
 */
function windowsNodes(options: SignalRouteOptions): ContainerInsightsSignalRoute {
  const signal = 'Windows nodes (metrics, performance and container logs)';
  if (options.route === 'chart') {
    return { signal, writer: 'none (the chart\'s DaemonSets select kubernetes.io/os: linux)', identity: 'none', account: 'none', destinations: [], logGroups: [] };
  }
  const kinds = options.containerLogs ? [PERFORMANCE_LOG_KIND, ...CONTAINER_LOG_KINDS] : [PERFORMANCE_LOG_KIND];
  const groups = kinds.map((kind) => containerInsightsLogGroup(options.clusterName, kind));
  const writer = 'the add-on\'s Windows agent and Fluent Bit (fixed configuration, no role_arn)';
  switch (options.identityMode) {
    case AgentIdentityMode.NODE_ROLES:
      return { signal, writer, identity: 'node role (no role_arn)', account: 'cluster', destinations: groups, logGroups: [] };
    case AgentIdentityMode.IRSA:
      return { signal, writer, identity: 'IRSA agent role (no role_arn; it may only assume the target role)', account: 'denied', destinations: groups, logGroups: [] };
    case AgentIdentityMode.POD_IDENTITY:
      // The target role's policy names the reported cluster's groups: these are allowed only when the names match.
      // No logGroups: the probe would fail a cluster that has no Windows nodes at all.
      return { signal, writer, identity: 'target role (Pod Identity association), under the real cluster name: allowed only where the target role covers it', account: 'target', destinations: groups, logGroups: [] };
  }
}

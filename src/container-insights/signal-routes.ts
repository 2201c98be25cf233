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
   * the Windows-nodes rows, whose writers a cluster without Windows nodes does not have.
   */
  readonly logGroups: string[];
}

/** Which route installs the agents. */
export type ContainerInsightsInstallRoute = 'addon' | 'chart';

export interface SignalRouteOptions {
  readonly route: ContainerInsightsInstallRoute;
  readonly identityMode: AgentIdentityMode;
  readonly reportedClusterName: string;
  /** The EKS cluster's own name: what the add-on's Windows agent reports (it ignores `agent.config`). */
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
    ...windowsNodes(options),
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

const NO_POD_IDENTITY = 'EKS Pod Identity is not available on Windows nodes';

/**
 * Windows nodes. The chart route's DaemonSets select Linux nodes only. The add-on runs its own Windows
 * agent and Fluent Bit as the same service account (chart 6.4.0, templates/windows/*):
 * - the agent (`cloudwatch-agent-windows-container-insights`) takes a fixed configuration, not
 *   `agent.config`: no `role_arn`, `cluster_name` = the chart's `clusterName` (the EKS cluster's own name),
 *   and no `env` from values (so no `RUN_WITH_IRSA`). No value switches it off apart from `agent.enabled`,
 *   which switches off the Linux agent too. So its metrics and performance logs stay with its own credentials.
 * - Fluent Bit (`fluent-bit-windows`) reads `containerLogs.fluentBit.configWindows`, which this library
 *   replaces: its outputs carry `role_arn` = the target role in every mode, because EKS Pod Identity is
 *   not available on Windows nodes (EKS user guide, "EKS Pod Identity restrictions": Linux Amazon EC2
 *   worker nodes only), so there it holds the Windows node role and assumes the target role itself.
 * No logGroups: the probe would fail a cluster that has no Windows nodes at all.
 */
function windowsNodes(options: SignalRouteOptions): ContainerInsightsSignalRoute[] {
  if (options.route === 'chart') {
    return [{ signal: 'Windows nodes (metrics, performance and container logs)', writer: 'none (the chart\'s DaemonSets select kubernetes.io/os: linux)', identity: 'none', account: 'none', destinations: [], logGroups: [] }];
  }
  const agentSignal = 'Windows nodes: metrics and performance logs';
  const agent = 'the add-on\'s Windows CloudWatch agent (fixed configuration: no role_arn, the EKS cluster\'s own name)';
  const realGroups = [containerInsightsLogGroup(options.clusterName, PERFORMANCE_LOG_KIND)];
  const agentRow: ContainerInsightsSignalRoute = (() => {
    switch (options.identityMode) {
      case AgentIdentityMode.NODE_ROLES:
        return { signal: agentSignal, writer: agent, identity: 'Windows node role (no role_arn)', account: 'cluster', destinations: realGroups, logGroups: [] };
      case AgentIdentityMode.IRSA:
        return { signal: agentSignal, writer: agent, identity: 'IRSA agent role (no role_arn; it may only assume the target role)', account: 'denied', destinations: realGroups, logGroups: [] };
      case AgentIdentityMode.POD_IDENTITY:
        return { signal: agentSignal, writer: agent, identity: `Windows node role (${NO_POD_IDENTITY}; no role_arn)`, account: 'cluster', destinations: realGroups, logGroups: [] };
    }
  })();
  const logsSignal = 'Windows nodes: container logs';
  if (!options.containerLogs) {
    return [agentRow, { signal: logsSignal, writer: 'none (containerLogs: false)', identity: 'none', account: 'none', destinations: [], logGroups: [] }];
  }
  const base = options.identityMode === AgentIdentityMode.IRSA ? 'IRSA agent role'
    : options.identityMode === AgentIdentityMode.POD_IDENTITY ? `Windows node role (${NO_POD_IDENTITY})` : 'Windows node role';
  return [agentRow, {
    signal: logsSignal,
    writer: 'Fluent Bit (DaemonSet fluent-bit-windows)',
    identity: `${base}, then cloudwatch_logs role_arn = target role`,
    account: 'target',
    destinations: CONTAINER_LOG_KINDS.map((kind) => containerInsightsLogGroup(options.reportedClusterName, kind)),
    logGroups: [],
  }];
}


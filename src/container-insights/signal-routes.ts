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
  /** `target` (the account of the target role), or `none` (the signal is not collected). */
  readonly account: string;
  /** The log groups (or metric namespace) it lands in; empty when it is not collected. */
  readonly destinations: string[];
}

/** Which route installs the agents. */
export type ContainerInsightsInstallRoute = 'addon' | 'chart';

export interface SignalRouteOptions {
  readonly route: ContainerInsightsInstallRoute;
  readonly identityMode: AgentIdentityMode;
  readonly reportedClusterName: string;
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
    { signal: 'performance logs', writer: agent, identity: agentIdentity, account: 'target', destinations: [performance] },
    {
      signal: 'metrics',
      writer: `${agent}, as embedded-metric-format events`,
      identity: agentIdentity,
      account: 'target',
      destinations: [`namespace ContainerInsights, extracted from ${performance}`],
    },
    options.containerLogs
      ? {
        signal: 'container logs',
        writer: fluentBit,
        identity: identityOf(options.identityMode, 'cloudwatch_logs role_arn'),
        account: 'target',
        destinations: CONTAINER_LOG_KINDS.map((kind) => containerInsightsLogGroup(options.reportedClusterName, kind)),
      }
      : { signal: 'container logs', writer: 'none (containerLogs: false)', identity: 'none', account: 'none', destinations: [] },
  ];
  if (options.otelContainerInsights) {
    routes.push({
      signal: 'cluster metrics (OTel)',
      writer: 'CloudWatch agent (Deployment cloudwatch-agent-cluster-scraper)',
      identity: identityOf(options.identityMode, 'agent.credentials.role_arn'),
      account: 'target',
      destinations: ['CloudWatch OTLP metrics endpoint, k8s.cluster.name = ' + options.reportedClusterName],
    });
  }
  return routes;
}

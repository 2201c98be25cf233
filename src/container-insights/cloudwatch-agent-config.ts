/**
 * The CloudWatch agent's configuration (`cwagentconfig.json`) as a typed object, so the ConfigMap
 * holds JSON.stringify output, never concatenated text.
 */

/** The parts of the agent configuration this library writes. */
export interface CloudWatchAgentConfig {
  readonly agent: {
    readonly region: string;
    /** The role the agent assumes for its Container Insights output (a vendor's or another account's role). */
    readonly credentials?: { readonly role_arn: string };
  };
  readonly logs: {
    readonly metrics_collected: {
      readonly kubernetes: {
        readonly cluster_name: string;
        readonly metrics_collection_interval: number;
        readonly enhanced_container_insights: boolean;
      };
    };
    readonly force_flush_interval: number;
  };
}

export interface AgentConfigOptions {
  readonly region: string;
  readonly clusterName: string;
  /** The cross-account role, when the agent must assume it itself (node-role and IRSA modes). */
  readonly roleArn?: string;
  readonly metricsCollectionInterval: number;
  readonly enhancedContainerInsights: boolean;
  readonly forceFlushInterval: number;
}

export function agentConfig(options: AgentConfigOptions): CloudWatchAgentConfig {
  return {
    agent: {
      region: options.region,
      ...(options.roleArn ? { credentials: { role_arn: options.roleArn } } : {}),
    },
    logs: {
      metrics_collected: {
        kubernetes: {
          cluster_name: options.clusterName,
          metrics_collection_interval: options.metricsCollectionInterval,
          enhanced_container_insights: options.enhancedContainerInsights,
        },
      },
      force_flush_interval: options.forceFlushInterval,
    },
  };
}

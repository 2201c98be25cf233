import { CfnOutput, Stack, Token } from 'aws-cdk-lib';
import * as eks from 'aws-cdk-lib/aws-eks';
import { Construct } from 'constructs';
import { agentConfig } from './cloudwatch-agent-config';
import { AgentIdentityMode } from './container-insights-agent-access';
import { containerLogFiles } from './fluent-bit-config';
import { REPORTED_CLUSTER_NAME } from './names';
import { ContainerInsightsSignalRoute, containerInsightsSignalRoutes } from './signal-routes';
import { claimInApp } from '../core/app-registry';
import { ArnKind, arnRule, EKS_ADDON_VERSION, EKS_CLUSTER_NAME, REGION } from '../core/rules';
import { checkStackResourceBudget } from '../core/stack-budget';
import { literalRegion } from '../core/stack-env';
import { describeConstruct, PropsValidator, propsOrEmpty } from '../core/validation';
import { warn } from '../core/warnings';

/** The EKS add-on that installs Container Insights (the CloudWatch agent, its operator, Fluent Bit). */
const CLOUDWATCH_OBSERVABILITY_ADDON = 'amazon-cloudwatch-observability';

/**
 * Props of {@link CloudWatchObservabilityAddon}.
 */
export interface CloudWatchObservabilityAddonProps {
  /** The EKS cluster, in this stack's account and region. */
  readonly clusterName: string;

  /**
   * The cluster name the agent reports (its `cluster_name`, which names the log groups
   * `/aws/containerinsights/<name>/...`). A vendor using `TENANT_ISOLATED` gives each customer
   * `CrossAccountContainerInsights.reportedClusterName(customer, cluster)`.
   *
   * @default - clusterName
   */
  readonly reportedClusterName?: string;

  /**
   * How the agent gets the target role: `NODE_ROLES` and `IRSA` set `agent.credentials.role_arn` in the
   * agent configuration; `POD_IDENTITY` relies on the Pod Identity association with `TargetRoleArn`
   * (`ContainerInsightsAgentAccess` in that mode), and sets no `role_arn` (the role would assume itself).
   */
  readonly identityMode: AgentIdentityMode;

  /** The target account's Container Insights role (`CrossAccountContainerInsights.roleArn`). */
  readonly targetRoleArn: string;

  /**
   * IRSA mode: the agent's own role (`ContainerInsightsAgentAccess.roleArn`), set as the add-on's
   * service-account role (`amazon-cloudwatch/cloudwatch-agent`).
   *
   * @default - required in IRSA mode
   */
  readonly agentRoleArn?: string;

  /**
   * The add-on version, for example `v4.5.0-eksbuild.1`.
   *
   * @default - the default version EKS picks for the cluster's Kubernetes version
   */
  readonly addonVersion?: string;

  /**
   * Seconds between metric collections.
   *
   * @default 60
   */
  readonly metricsCollectionInterval?: number;

  /**
   * The region the agent and Fluent Bit write to (`agent.region` and the `cloudwatch_logs` outputs'
   * `region`): a vendor that ingests into one region gives that region here.
   *
   * @default - this stack's region
   */
  readonly region?: string;

  /**
   * Container Insights with enhanced observability (`enhanced_container_insights`). It changes the bill:
   * enhanced observability is charged per observation (tiered) rather than per custom metric, and
   * publishes more metrics (container, pod and control-plane level; CloudWatch pricing, "Container
   * Insights"). The add-on turns it on when it builds its own agent configuration (chart 6.4.0,
   * templates/_helpers.tpl `cloudwatch-agent.build-default-config` sets `enhanced_container_insights: true`;
   * the agent's own default when the key is absent is false). This construct replaces that
   * configuration and keeps the add-on's choice by default, so a cluster that moves to it bills the
   * same; set `false` for the basic, per-metric Container Insights.
   *
   * @default true
   */
  readonly enhancedContainerInsights?: boolean;

  /**
   * Send container logs (Fluent Bit's application, data-plane and host logs) to the target account.
   * The add-on runs Fluent Bit by default (chart `containerLogs.enabled: true`) as the agent's service
   * account; this construct gives its `cloudwatch_logs` outputs the reported cluster name, the region
   * and, in `NODE_ROLES`/`IRSA` mode, `role_arn` = the target role. `false` switches Fluent Bit off
   * (`containerLogs.enabled: false`): container logs are then not collected at all, and synth says so.
   *
   * @default true
   */
  readonly containerLogs?: boolean;

  /**
   * Create the `AWS::EKS::Addon`. Set `false` when the add-on is already installed and not in this
   * stack: the construct then only publishes the configuration values (output
   * `AddonConfigurationValues`) for `aws eks update-addon --configuration-values`, since
   * CloudFormation cannot create an add-on that exists (import it with `cdk import` to manage it here).
   *
   * @default true
   */
  readonly createAddon?: boolean;
}

/**
 * Container Insights as most EKS users install it today: the `amazon-cloudwatch-observability` EKS
 * add-on, configured so that the CloudWatch agent sends Container Insights into another account. The
 * agent configuration goes under the add-on's `agent.config` (chart values of aws-observability/helm-charts
 * `amazon-cloudwatch-observability`), with `agent.credentials.role_arn` = the target role in
 * `NODE_ROLES`/`IRSA` mode; in `POD_IDENTITY` mode the association gives the target role's credentials
 * and no `role_arn` is set. The add-on's service account is `amazon-cloudwatch/cloudwatch-agent`, the
 * default of `ContainerInsightsAgentAccess`.
 *
 * With an add-on already installed, `ResolveConflicts: OVERWRITE` makes the add-on's own objects take
 * this configuration; CloudFormation still cannot create an add-on that exists: see `createAddon`.
 *
 * Linux nodes only. On Windows nodes the add-on runs its own agent and Fluent Bit with a fixed
 * configuration (chart 6.4.0, templates/windows/*: no `agent.config`, so no `role_arn`, and the real
 * cluster name), so they write with the service account's own credentials: into the cluster account
 * with `NODE_ROLES`, nowhere with `IRSA` (the agent role may only assume the target role), into the
 * target account with `POD_IDENTITY` only when `reportedClusterName` is the cluster's name.
 * `signalRoutes` carries that row too. OTel Container Insights is kept off (`otelContainerInsights.enabled: false`):
 * its exporters sign with the pod's own credentials and take no role to assume.
 */
export class CloudWatchObservabilityAddon extends Construct {
  /** The add-on's configuration values, as JSON (resolved at synth; deploy-time values stay CloudFormation references). */
  public readonly configurationValues: string;

  /** The add-on, when `createAddon` is not false. */
  public readonly addon?: eks.CfnAddon;

  /** Per signal, the process that writes it, its identity and where it lands. */
  public readonly signalRoutes: ContainerInsightsSignalRoute[];

  /**
   * @param scope a construct in the cluster account's stack
   * @param id the construct ID
   * @param props the cluster, the identity mode and the target role
   */
  constructor(scope: Construct, id: string, props: CloudWatchObservabilityAddonProps) {
    super(scope, id);
    checkStackResourceBudget(this, 'CloudWatchObservabilityAddon');
    props = propsOrEmpty(props);
    const v = new PropsValidator(describeConstruct('CloudWatchObservabilityAddon', this.node.path)).inStackOf(this);
    if (v.required('clusterName', props.clusterName)) v.check('clusterName', props.clusterName, EKS_CLUSTER_NAME);
    if (v.required('targetRoleArn', props.targetRoleArn)) v.check('targetRoleArn', props.targetRoleArn, arnRule(ArnKind.IAM_ROLE));
    v.check('agentRoleArn', props.agentRoleArn, arnRule(ArnKind.IAM_ROLE));
    v.check('reportedClusterName', props.reportedClusterName, REPORTED_CLUSTER_NAME);
    v.check('addonVersion', props.addonVersion, EKS_ADDON_VERSION);
    v.oneOf('identityMode', props.identityMode, AgentIdentityMode as unknown as Record<string, string>);
    v.required('identityMode', props.identityMode);
    v.integer('metricsCollectionInterval', props.metricsCollectionInterval, 1, 86_400);
    v.boolean('createAddon', props.createAddon);
    v.boolean('containerLogs', props.containerLogs);
    v.boolean('enhancedContainerInsights', props.enhancedContainerInsights);
    v.check('region', props.region, REGION);
    if (props.identityMode === AgentIdentityMode.IRSA) v.required('agentRoleArn', props.agentRoleArn);
    else if (props.agentRoleArn !== undefined) v.problem('agentRoleArn', 'only applies in IRSA mode');
    if (props.identityMode === AgentIdentityMode.IRSA && props.agentRoleArn !== undefined && props.agentRoleArn === props.targetRoleArn) {
      v.problem('targetRoleArn', 'is the IRSA role itself; the agent would try to assume its own role. Give the target account\'s role');
    }
    if (typeof props.clusterName === 'string' && Token.isUnresolved(props.clusterName)) {
      v.problem('clusterName', 'is a deploy-time value (token), but it is written into the agent configuration JSON; pass a literal');
    }
    if (props.createAddon !== false && v.problemCount === 0) oneAddonPerCluster(this, v, props.clusterName, props.region);
    v.throwIfAny();

    const region = props.region ?? literalRegion(this) ?? Stack.of(this).region;
    const reportedClusterName = props.reportedClusterName ?? props.clusterName;
    // POD_IDENTITY: EKS hands the service account the target role's credentials, and the role cannot assume itself.
    const roleArn = props.identityMode === AgentIdentityMode.POD_IDENTITY ? undefined : props.targetRoleArn;
    const containerLogs = props.containerLogs ?? true;
    const config = agentConfig({
      region,
      clusterName: reportedClusterName,
      roleArn,
      metricsCollectionInterval: props.metricsCollectionInterval ?? 60,
      enhancedContainerInsights: props.enhancedContainerInsights ?? true,
      forceFlushInterval: 5,
    });
    this.configurationValues = Stack.of(this).toJsonString({
      agent: {
        config,
        // Without IMDS access (hop limit 1) the agent would take itself for on-premises and ignore its IRSA
        // credentials; RUN_WITH_IRSA=True selects the "withIRSA" mode (aws/amazon-cloudwatch-agent,
        // translator/util/sdkutil.go DetectAgentMode, cfg/envconfig/envconfig.go TrueValue "True").
        ...(props.identityMode === AgentIdentityMode.IRSA ? { env: [{ name: 'RUN_WITH_IRSA', value: 'True' }] } : {}),
      },
      // Fluent Bit runs as the agent's service account (chart 6.4.0, templates/linux/fluent-bit-daemonset.yaml), so it
      // holds the same identity; our files replace the chart's three extraFiles (helm merges the map key by key).
      containerLogs: containerLogs
        ? { enabled: true, fluentBit: { config: { extraFiles: containerLogFiles({ reportedClusterName, region, roleArn, useKubelet: true }) } } }
        : { enabled: false },
      // OTel Container Insights stays off on purpose: its agents (the node agent's OTel pipelines and the
      // cluster-scraper Deployment) export through a sigv4auth extension with the pod's own credentials
      // (chart 6.4.0, templates/linux/_otel-container-insights*-config.tpl), which carries no role to assume,
      // and the cluster-scraper takes `config: default` over agent.config (values.yaml `agents`,
      // templates/linux/cloudwatch-agent-custom-resource.yaml mergeOverwrite). Pinned, so a later add-on whose
      // default flips does not start sending cluster metrics with the cluster account's identity.
      otelContainerInsights: { enabled: false },
    });
    this.signalRoutes = containerInsightsSignalRoutes({ route: 'addon', identityMode: props.identityMode, clusterName: props.clusterName, reportedClusterName, containerLogs });
    if (!containerLogs) {
      warn(this, 'containerLogsOff',
        'containerLogs is false: the add-on runs no Fluent Bit, so this cluster\'s application, data-plane and host logs are not collected anywhere (neither in this account nor in the target account). Only the agent\'s metrics and performance logs reach the target account.');
    }

    if (props.createAddon ?? true) {
      this.addon = new eks.CfnAddon(this, 'Resource', {
        clusterName: props.clusterName,
        addonName: CLOUDWATCH_OBSERVABILITY_ADDON,
        addonVersion: props.addonVersion,
        configurationValues: this.configurationValues,
        serviceAccountRoleArn: props.identityMode === AgentIdentityMode.IRSA ? props.agentRoleArn : undefined,
        resolveConflicts: 'OVERWRITE',
      });
    } else {
      new CfnOutput(this, 'AddonConfigurationValues', {
        value: this.configurationValues,
        description: `aws eks update-addon --cluster-name ${props.clusterName} --addon-name ${CLOUDWATCH_OBSERVABILITY_ADDON} --resolve-conflicts OVERWRITE --configuration-values '<this value>'`,
      });
    }
  }
}

/**
 * EKS has one add-on of a name per cluster (cfn-lint E3019: two `AWS::EKS::Addon` with one
 * ClusterName and AddonName in a template), so a second one for the same cluster, in this stack or in
 * another stack of the app in the same account and region, fails at deploy: refuse it at synth.
 */
function oneAddonPerCluster(addon: Construct, v: PropsValidator, clusterName: string, region: string | undefined): void {
  const stack = Stack.of(addon);
  const account = Token.isUnresolved(stack.account) ? stack.node.path : stack.account;
  const where = region ?? (Token.isUnresolved(stack.region) ? stack.node.path : stack.region);
  const earlier = claimInApp(addon, CLOUDWATCH_OBSERVABILITY_ADDON, `${account}/${where}/${clusterName}`);
  if (earlier) {
    v.problem('clusterName', `${earlier} already installs ${CLOUDWATCH_OBSERVABILITY_ADDON} on cluster ${JSON.stringify(clusterName)} in this account and region; EKS allows one add-on of a name per cluster. Use one CloudWatchObservabilityAddon per cluster (or createAddon: false on the others)`);
  }
}

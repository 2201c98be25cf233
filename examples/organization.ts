import { Annotations, App, BootstraplessSynthesizer, Stack } from 'aws-cdk-lib';
import * as cdk8s from 'cdk8s';
import { DemoSettings, workspaceArn } from './demo-settings';
import {
  AgentIdentityMode, AmpCrossAccountScraper, AmpScraperTargetRole, CloudWatchAgentChart, ContainerCostAgentChart, ContainerCostAgentChartIdentity,
  ContainerInsightsPermissionMode, CrossAccountContainerInsights, CrossAccountWorkloadChart, CrossAccountWorkloadRole, FleetNames,
  IrsaRemoteWriteRole, ObservabilityFleetSource, OrganizationContainerCostBucket, OrganizationObservabilitySink, OrganizationSourceTrust,
  PrometheusRemoteWriteChart, WorkloadIdentityMode, WorkloadProfileMode,
} from '../src';

/** What the organization example builds. */
export interface OrganizationExample {
  /** The observability account, one stack per fleet region (each holds that region's OAM sink; the first also the targets). */
  readonly observability: Stack[];
  /** The management account: the StackSet. */
  readonly management: Stack;
  readonly fleet: ObservabilityFleetSource;
  /** A member account's collector of one cluster (the only per-cluster stack: AMP collectors are a per-cluster network and cost decision). */
  readonly memberCollector: Stack;
  /** The organization's container cost bucket (in the observability account). */
  readonly costBucket: OrganizationContainerCostBucket;
  /** The organization's Container Insights role (in the observability account), organization-wide TENANT_ISOLATED. */
  readonly containerInsights: CrossAccountContainerInsights;
}

/** The customer name of the organization's Container Insights role: its log groups start `/aws/containerinsights/platform.`. */
export const ORGANIZATION_INSIGHTS_CUSTOMER = 'platform';

const list = (value: string) => value.split(',').map((v) => v.trim()).filter((v) => v !== '');

/**
 * Every flow for a whole AWS Organization: remote write, Container Insights, AMP collectors and container
 * cost (and a CI workload), each with its cluster side. The observability account trusts the fleet's identities
 * in any account of two OUs (one trust of constant size, no OIDC provider) and holds an OAM sink per
 * region; the management account deploys the source side to every account of those OUs and regions,
 * and to every account that joins them, as one StackSet. Deploy the observability stacks first (their
 * `SinkArn` outputs go into `-c fleetSinkArns=...`), then the management stack.
 */
export function addOrganization(app: App, k8s: cdk8s.App, settings: DemoSettings): OrganizationExample {
  const regions = list(settings.fleetRegions);
  const ous = list(settings.organizationalUnitIds);
  const organizationSource: OrganizationSourceTrust = {
    organizationId: settings.organizationId,
    organizationalUnitPaths: ous.map((ou) => `${settings.organizationId}/${settings.organizationRootId}/${ou}/`),
  };

  const observability = regions.map((region, i) => new Stack(app, i === 0 ? 'OrganizationObservability' : `OrganizationObservability-${region}`, {
    env: { account: settings.organizationObservabilityAccount, region },
    description: `Observability account, ${region}: organization-scoped targets and the OAM sink (cdk-eks-cross-account-observability organization example)`,
  }));
  for (const stack of observability) new OrganizationObservabilitySink(stack, 'Sink', { organization: organizationSource });

  // The targets trust the fleet's identities of their flow, in any account of the OUs.
  const workspace = workspaceArn({ ...settings, observabilityAccount: settings.organizationObservabilityAccount, region: regions[0] });
  const remoteWrite = new IrsaRemoteWriteRole(observability[0], 'RemoteWrite', { workspaceArn: workspace, organizationSource });
  const scraper = new AmpScraperTargetRole(observability[0], 'ScraperTarget', { workspaceArn: workspace, organizationSource });
  // One cost bucket for the whole organization: each member account writes only under its own account ID.
  const costBucket = new OrganizationContainerCostBucket(observability[0], 'ContainerCost', { organizationSource });
  // Container Insights through one central role: every member cluster, present and future, writes its own
  // /aws/containerinsights/platform.<account>.<cluster>/... groups in both regions; no cluster is listed.
  const containerInsights = new CrossAccountContainerInsights(observability[0], 'PlatformInsights', {
    customerName: ORGANIZATION_INSIGHTS_CUSTOMER,
    organizationSource,
    permissionMode: ContainerInsightsPermissionMode.TENANT_ISOLATED,
    regions,
  });
  // What the warning says is so (the tests prove it): one role for both OUs, so a member may write another
  // member's groups of it. Acknowledged because these OUs are one platform team's; OUs that must be kept
  // apart get a role (own customerName and organizationalUnitPaths) and a fleet each.
  Annotations.of(containerInsights).acknowledgeWarning('cdk-eks-cross-account-observability:membersNotIsolated',
    'Both OUs are one organization\'s clusters, watched by one platform team: a member writing another member\'s Container Insights groups stays within that trust.');
  const ci = new CrossAccountWorkloadRole(observability[0], 'CiDeployer', {
    workloadName: 'ci',
    organizationSource,
    eksAccess: { clusterName: settings.clusterName, accessPolicy: 'AmazonEKSViewPolicy', namespaces: ['default'] },
  });

  const management = new Stack(app, 'OrganizationManagement', {
    env: { account: settings.managementAccount, region: regions[0] },
    description: 'Management account: the observability fleet StackSet (cdk-eks-cross-account-observability organization example)',
  });
  const fleet = new ObservabilityFleetSource(management, 'Fleet', {
    organizationalUnitIds: ous,
    regions,
    remoteWrite: { targetRoleArn: remoteWrite.roleArn },
    // The CloudWatch agent's service account (amazon-cloudwatch/cloudwatch-agent; Fluent Bit runs as it too).
    containerInsights: { targetRoleArn: containerInsights.roleArn },
    // Collectors write only to a workspace of their own region: the source role goes to that region only.
    ampScraper: { targetRoleArn: scraper.roleArn, workspaceArn: workspace },
    containerCost: { bucketName: costBucket.bucketName },
    workloads: [{ name: 'ci', targetRoleArn: ci.roleArn, serviceAccount: { namespace: 'ci', name: 'deployer' } }],
    // And CloudWatch's own engine: whatever member accounts keep in their own CloudWatch is visible centrally.
    observabilityLinks: { sinkArns: sinkArns(settings, regions) },
  });

  // The cluster side of a member account: plain values (the account ID and the cluster name).
  const member = settings.memberAccount;
  new PrometheusRemoteWriteChart(k8s, 'org-prometheus-payments', {
    // A cluster with the Pod Identity agent: the fleet's association carries the central role.
    workspaceArn: workspace, podIdentity: true, clusterName: 'payments',
  });
  new PrometheusRemoteWriteChart(k8s, 'org-prometheus-ledger', {
    // A cluster without it: the fleet's per-cluster IRSA role, chaining into the central role.
    workspaceArn: workspace,
    roleArn: FleetNames.irsaRoleArn('aws', member, FleetNames.REMOTE_WRITE, 'ledger', regions[0]),
    chainRoleArn: remoteWrite.roleArn,
    clusterName: 'ledger',
  });
  // Container cost: the fleet's identity writes <account>/<region>/<cluster>/ of the organization's bucket.
  new ContainerCostAgentChart(k8s, 'org-container-cost-payments', {
    account: member, region: regions[0], clusterName: 'payments', identity: ContainerCostAgentChartIdentity.FLEET_POD_IDENTITY,
  });
  new ContainerCostAgentChart(k8s, 'org-container-cost-ledger', {
    account: member, region: regions[0], clusterName: 'ledger', identity: ContainerCostAgentChartIdentity.FLEET_IRSA,
  });
  // The ci workload: with Pod Identity the association already holds the central role (no chaining
  // profile); with IRSA the fleet's per-cluster role chains into it.
  new CrossAccountWorkloadChart(k8s, 'org-ci-payments', {
    serviceAccount: { namespace: 'ci', name: 'deployer' },
    identityMode: WorkloadIdentityMode.POD_IDENTITY,
    profileMode: WorkloadProfileMode.TARGET_ROLE,
    targets: [{ profileName: 'observability', roleArn: ci.roleArn, region: regions[0] }],
  });
  new CrossAccountWorkloadChart(k8s, 'org-ci-ledger', {
    serviceAccount: { namespace: 'ci', name: 'deployer' },
    identityMode: WorkloadIdentityMode.IRSA,
    sourceRoleArn: FleetNames.irsaRoleArn('aws', member, FleetNames.workloadFlowKey('ci'), 'ledger', regions[0]),
    targets: [{ profileName: 'observability', roleArn: ci.roleArn, region: regions[0] }],
  });
  // Container Insights: the agent (performance group) and Fluent Bit (application, dataplane, host groups)
  // report platform.<account>.<cluster>, the name the central role opens. With Pod Identity the association
  // hands both the central role; with IRSA the fleet's per-cluster role chains into it (role_arn).
  new CloudWatchAgentChart(k8s, 'org-container-insights-payments', {
    clusterName: 'payments',
    reportedClusterName: CrossAccountContainerInsights.memberReportedClusterName(ORGANIZATION_INSIGHTS_CUSTOMER, member, 'payments'),
    region: regions[0],
    identityMode: AgentIdentityMode.POD_IDENTITY,
  });
  new CloudWatchAgentChart(k8s, 'org-container-insights-ledger', {
    clusterName: 'ledger',
    reportedClusterName: CrossAccountContainerInsights.memberReportedClusterName(ORGANIZATION_INSIGHTS_CUSTOMER, member, 'ledger'),
    region: regions[0],
    identityMode: AgentIdentityMode.IRSA,
    agentRoleArn: FleetNames.irsaRoleArn('aws', member, FleetNames.CONTAINER_INSIGHTS, 'ledger', regions[0]),
    targetRoleArn: containerInsights.roleArn,
  });
  // The AMP collector of one member cluster, on the fleet's source role: one resource, no asset, so
  // no bootstrap in the member account either.
  const memberCollector = new Stack(app, 'OrganizationMemberCollector', {
    env: { account: member, region: regions[0] },
    synthesizer: new BootstraplessSynthesizer(),
    description: 'A member account\'s AMP collector of cluster payments, on the fleet\'s source role (cdk-eks-cross-account-observability organization example)',
  });
  new AmpCrossAccountScraper(memberCollector, 'PaymentsCollector', {
    clusterArn: `arn:aws:eks:${regions[0]}:${member}:cluster/payments`,
    subnetIds: list(settings.scraperSubnetIds),
    workspaceArn: workspace,
    targetRoleArn: scraper.roleArn,
    fleetSourceRole: true,
  });
  return { observability, management, fleet, memberCollector, costBucket, containerInsights };
}

/** The sinks by region: from `-c fleetSinkArns=...`, or demo ARNs of the right shape before they exist. */
function sinkArns(settings: DemoSettings, regions: string[]): Record<string, string> {
  const given = list(settings.fleetSinkArns).map((pair) => pair.split('=') as [string, string]);
  if (given.length > 0) return Object.fromEntries(given);
  return Object.fromEntries(regions.map((region, i) => [region, `arn:aws:oam:${region}:${settings.organizationObservabilityAccount}:sink/00000000-0000-4000-8000-00000000000${i}`]));
}

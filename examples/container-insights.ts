import { Annotations, Stack } from 'aws-cdk-lib';
import { DemoSettings } from './demo-settings';
import {
  AgentIdentityMode, CloudWatchObservabilityAddon, ContainerInsightsAgentAccess, ContainerInsightsPermissionMode, CrossAccountContainerInsights,
} from '../src';

/**
 * Container Insights into the observability account (the vendor flow's shape), in EKS Pod Identity mode: EKS
 * chains from a Pod Identity role in the cluster account into the observability account's role,
 * so only the CloudWatch agent gets it. The README shows the node-role and IRSA modes.
 *
 * Deploy the observability stack first: the association names its role as the target.
 */
export function addContainerInsights(observability: Stack, cluster: Stack, settings: DemoSettings): void {
  const targetRoleArn = `arn:aws:iam::${settings.observabilityAccount}:role/containerinsights-${settings.clusterName}`;

  const access = new ContainerInsightsAgentAccess(cluster, 'ContainerInsightsAgent', {
    targetRoleArn,
    clusterName: settings.clusterName,
    identityMode: AgentIdentityMode.POD_IDENTITY,
  });

  const insights = new CrossAccountContainerInsights(observability, 'ContainerInsights', {
    customerName: settings.clusterName,
    sourceAccountId: settings.clusterAccount,
    podIdentityTrusts: [access.podIdentityTrust],
    permissionMode: ContainerInsightsPermissionMode.LEAST_PRIVILEGE,
    clusterNames: [settings.clusterName],
  });
  if (insights.roleArn !== targetRoleArn) throw new Error(`example out of step: ${insights.roleArn} != ${targetRoleArn}`);
  // One platform team, one tenant: the tenant warning does not apply here, and acknowledging it says why.
  Annotations.of(insights).acknowledgeWarning('cdk-eks-cross-account-observability:tenantsNotIsolated',
    'The observability account serves one organization\'s clusters only; no other tenant writes here.');

  // The amazon-cloudwatch-observability EKS add-on, configured for the observability account (the
  // route most clusters use; CloudWatchAgentChart is the route for clusters without add-ons).
  new CloudWatchObservabilityAddon(cluster, 'ContainerInsightsAddon', {
    clusterName: settings.clusterName,
    identityMode: AgentIdentityMode.POD_IDENTITY,
    targetRoleArn,
  });
}

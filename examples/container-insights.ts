import { Stack } from 'aws-cdk-lib';
import * as cdk8s from 'cdk8s';
import { DemoSettings } from './demo-settings';
import {
  AgentIdentityMode, CloudWatchAgentChart, ContainerInsightsAgentAccess, ContainerInsightsPermissionMode, CrossAccountContainerInsights,
} from '../src';

/**
 * Container Insights into the observability account (seed 000), in EKS Pod Identity mode: EKS
 * chains from a Pod Identity role in the cluster account into the observability account's role,
 * so only the CloudWatch agent gets it. The README shows the node-role and IRSA modes.
 *
 * Deploy the observability stack first: the association names its role as the target.
 */
export function addContainerInsights(observability: Stack, cluster: Stack, k8s: cdk8s.App, settings: DemoSettings): void {
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

  new CloudWatchAgentChart(k8s, `cloudwatch-agent-${settings.clusterName}`, {
    clusterName: settings.clusterName,
    region: settings.region,
    identityMode: AgentIdentityMode.POD_IDENTITY,
  });
}

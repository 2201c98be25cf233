import { Stack } from 'aws-cdk-lib';
import * as cdk8s from 'cdk8s';
import { DemoSettings } from './demo-settings';
import { ContainerCostAgentChart, ContainerCostBucket } from '../src';

/**
 * Container cost data in the cluster account (seed 003): the hardened bucket, read access for the
 * cost platform's onboarding role, and the reconciler that keeps one IRSA role per EKS cluster of
 * the included regions. The chart annotates the agent's service account with this cluster's role.
 */
export function addContainerCost(cluster: Stack, k8s: cdk8s.App, settings: DemoSettings): void {
  const cost = new ContainerCostBucket(cluster, 'ContainerCost', {
    includeRegions: [settings.region, 'eu-west-1'],
    readerRoleName: 'cost-platform-onboarding',
  });

  new ContainerCostAgentChart(k8s, `container-cost-agent-${settings.clusterName}`, {
    account: settings.clusterAccount,
    ownerKey: cost.ownerKey,
    clusterName: settings.clusterName,
    region: settings.region,
  });
}

import { Stack } from 'aws-cdk-lib';
import * as cdk8s from 'cdk8s';
import { DemoSettings } from './demo-settings';
import { ContainerCostAgentChart, ContainerCostBucket } from '../src';
import { partitionOf } from '../src/core/partition';

/** The stack's region first, then the extra ones of the same partition, each once (any `-c region=...` works). */
export function costRegions(settings: DemoSettings): string[] {
  const partition = partitionOf(settings.region).partition;
  const extra = settings.extraCostRegions.split(',').map((r) => r.trim()).filter((r) => r && partitionOf(r).partition === partition);
  return [...new Set([settings.region, ...extra])];
}

/**
 * Container cost data in the cluster account (a cost platform's flow): the hardened bucket, read access for the
 * cost platform's onboarding role, and the reconciler that keeps one IRSA role per EKS cluster of
 * the included regions. The chart annotates the agent's service account with this cluster's role.
 */
export function addContainerCost(cluster: Stack, k8s: cdk8s.App, settings: DemoSettings): void {
  const cost = new ContainerCostBucket(cluster, 'ContainerCost', {
    includeRegions: costRegions(settings),
    readerRoleName: 'cost-platform-onboarding',
  });

  new ContainerCostAgentChart(k8s, `container-cost-agent-${settings.clusterName}`, {
    account: settings.clusterAccount,
    ownerKey: cost.ownerKey,
    clusterName: settings.clusterName,
    region: settings.region,
  });
}

#!/usr/bin/env node
/**
 * Container cost data: a hardened bucket in the cluster account, read access for the cost
 * platform's onboarding role, and a reconciler that keeps one IRSA role per EKS cluster.
 * A complete app: `npx ts-node -P tsconfig.dev.json examples/flows/container-cost.ts`.
 * In your own app, import from 'cdk-eks-cross-account-observability' instead of '../../src'.
 *
 * Deploy: `cdk deploy ClusterAccountCost --profile <cluster account>`, then in each cluster
 * `kubectl apply -f dist/container-cost/` and install the cost agent with that service account.
 */
import { App, Stack } from 'aws-cdk-lib';
import * as cdk8s from 'cdk8s';
import { ContainerCostAgentChart, ContainerCostBucket } from '../../src';

const CLUSTER_ACCOUNT = '222222222222';
const REGION = 'us-east-1';

export function build(app: App, k8s: cdk8s.App): { stacks: Stack[] } {
  const stack = new Stack(app, 'ClusterAccountCost', { env: { account: CLUSTER_ACCOUNT, region: REGION } });
  const cost = new ContainerCostBucket(stack, 'ContainerCost', {
    includeRegions: [REGION, 'us-west-2'],
    readerRoleName: 'cost-platform-onboarding',
  });

  // One chart per cluster: the agent's service account annotated with that cluster's role.
  for (const [clusterName, region] of [['prod', REGION], ['staging', 'us-west-2']]) {
    new ContainerCostAgentChart(k8s, `container-cost-agent-${clusterName}`, {
      account: CLUSTER_ACCOUNT,
      ownerKey: cost.ownerKey,
      clusterName,
      region,
    });
  }
  return { stacks: [stack] };
}

if (require.main === module) {
  const app = new App();
  const k8s = new cdk8s.App({ outdir: 'dist/container-cost', outputFileExtension: '.yaml' });
  build(app, k8s);
  k8s.synth();
  app.synth();
}

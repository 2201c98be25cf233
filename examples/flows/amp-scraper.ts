#!/usr/bin/env node
/**
 * An AMP managed collector (scraper) in the cluster account writes to a workspace in the
 * observability account, with no hand-edited trust policy.
 * A complete app: `npx ts-node -P tsconfig.dev.json examples/flows/amp-scraper.ts [-c ...]`.
 * In your own app, import from 'cdk-eks-cross-account-observability' instead of '../../src'.
 *
 * 1. `cdk deploy Workspace`: the target role accepts any scraper of the cluster account (phase 1, synth warns);
 * 2. `cdk deploy Cluster`: the scraper (about 20 minutes); its source role's trust is pinned to it;
 * 3. `cdk deploy Workspace -c scraperArn=<the Cluster stack's ScraperArn output>`: the target role pinned too.
 */
import { App, Stack } from 'aws-cdk-lib';
import * as cdk8s from 'cdk8s';
import { AmpCrossAccountScraper, AmpScraperRbacChart, AmpScraperTargetRole } from '../../src';

const WORKSPACE_ACCOUNT = '111111111111';
const CLUSTER_ACCOUNT = '222222222222';
const REGION = 'us-east-1';
const CLUSTER = 'prod';
const WORKSPACE_ARN = `arn:aws:aps:${REGION}:${WORKSPACE_ACCOUNT}:workspace/ws-0123abcd-4567-89ef-0123-456789abcdef`;

export function build(app: App, k8s: cdk8s.App): { stacks: Stack[] } {
  const workspace = new Stack(app, 'Workspace', { env: { account: WORKSPACE_ACCOUNT, region: REGION } });
  const cluster = new Stack(app, 'Cluster', { env: { account: CLUSTER_ACCOUNT, region: REGION } });

  const target = new AmpScraperTargetRole(workspace, 'AmpScraperTarget', {
    sourceAccountId: CLUSTER_ACCOUNT,
    clusterName: CLUSTER,
    workspaceArn: WORKSPACE_ARN,
    scraperArn: app.node.tryGetContext('scraperArn'), // phase 2 once the scraper exists
  });

  new AmpCrossAccountScraper(cluster, 'AmpScraper', {
    clusterArn: `arn:aws:eks:${REGION}:${CLUSTER_ACCOUNT}:cluster/${CLUSTER}`,
    subnetIds: ['subnet-0123456789abcdef0', 'subnet-0123456789abcdef1'], // two subnets in two AZs of the cluster's VPC
    workspaceArn: WORKSPACE_ARN,
    targetRoleArn: target.roleArn,
    targetStackName: workspace.stackName,
  });

  // Only for clusters in CONFIG_MAP authentication mode (API modes get an access entry from AMP).
  new AmpScraperRbacChart(k8s, `amp-scraper-rbac-${CLUSTER}`);
  return { stacks: [workspace, cluster] };
}

if (require.main === module) {
  const app = new App();
  const k8s = new cdk8s.App({ outdir: 'dist/amp-scraper', outputFileExtension: '.yaml' });
  build(app, k8s);
  k8s.synth();
  app.synth();
}

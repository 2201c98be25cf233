import { Stack } from 'aws-cdk-lib';
import * as cdk8s from 'cdk8s';
import { DemoSettings, workspaceArn } from './demo-settings';
import { AmpCrossAccountScraper, AmpScraperRbacChart, AmpScraperTargetRole } from '../src';

/**
 * An AMP managed collector in the cluster account writing to the observability account's
 * workspace (the AMP guide's cross-account collector), with no hand-edited policy:
 *
 * 1. deploy ObservabilityAccount: the target role accepts any scraper of the cluster account (phase 1);
 * 2. deploy ClusterAccount: the scraper (about 20 minutes), and its source role's trust pinned to it;
 * 3. redeploy ObservabilityAccount with `-c scraperArn=<ScraperArn output>`: the target role pinned too (phase 2).
 */
export function addAmpScraper(observability: Stack, cluster: Stack, k8s: cdk8s.App, settings: DemoSettings): void {
  const scraperArn: string | undefined = observability.node.tryGetContext('scraperArn');
  const target = new AmpScraperTargetRole(observability, 'AmpScraperTarget', {
    sourceAccountId: settings.clusterAccount,
    clusterName: settings.clusterName,
    workspaceArn: workspaceArn(settings),
    scraperArn,
  });

  new AmpCrossAccountScraper(cluster, 'AmpScraper', {
    clusterArn: `arn:aws:eks:${settings.region}:${settings.clusterAccount}:cluster/${settings.clusterName}`,
    subnetIds: settings.scraperSubnetIds.split(','),
    workspaceArn: workspaceArn(settings),
    targetRoleArn: target.roleArn,
    alias: `${settings.clusterName}-to-observability`,
    targetStackName: observability.stackName,
  });

  // Only for clusters in CONFIG_MAP authentication mode (API modes get an access entry from AMP).
  new AmpScraperRbacChart(k8s, `amp-scraper-rbac-${settings.clusterName}`);
}

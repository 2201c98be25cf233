import { App, Stack } from 'aws-cdk-lib';
import * as cdk8s from 'cdk8s';
import { addAmpScraper } from './amp-scraper';
import { addContainerCost } from './container-cost';
import { addContainerInsights } from './container-insights';
import { DemoSettings } from './demo-settings';
import { addOrganization, OrganizationExample } from './organization';
import { addRemoteWrite } from './remote-write';
import { addCrossAccountWorkload } from './workload';

/** What the example builds: one stack per account, and the charts for the cluster. */
export interface ExampleApp {
  readonly observability: Stack;
  readonly cluster: Stack;
  readonly target: Stack;
  /** Helm values files to write, by file name. */
  readonly helmValues: Record<string, string>;
  /** Every flow for a whole AWS Organization: the StackSet and the organization-scoped targets. */
  readonly organization: OrganizationExample;
}

export function buildExample(app: App, k8s: cdk8s.App, settings: DemoSettings): ExampleApp {
  const observability = new Stack(app, 'ObservabilityAccount', {
    env: { account: settings.observabilityAccount, region: settings.region },
    description: 'Observability account: the roles the clusters write through (cdk-eks-cross-account-observability example)',
  });
  const cluster = new Stack(app, 'ClusterAccount', {
    env: { account: settings.clusterAccount, region: settings.region },
    description: 'Cluster account: the cluster-side roles and associations (cdk-eks-cross-account-observability example)',
  });

  const target = new Stack(app, 'TargetAccount', {
    env: { account: settings.targetAccount, region: settings.region },
    description: 'Target account of the cross-account workload (cdk-eks-cross-account-observability example)',
  });

  const helmValues: Record<string, string> = {};
  for (const chart of addRemoteWrite(observability, k8s, settings)) {
    helmValues[`kube-prometheus-stack-${chart.node.id.replace('prometheus-remote-write-', '')}.yaml`] = chart.helmValuesYaml();
  }
  addContainerInsights(observability, cluster, settings);
  addAmpScraper(observability, cluster, k8s, settings);
  addContainerCost(cluster, k8s, settings);
  addCrossAccountWorkload(cluster, target, k8s, settings);
  const organization = addOrganization(app, k8s, settings);
  return { observability, cluster, target, helmValues, organization };
}

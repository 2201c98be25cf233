import { App, Stack } from 'aws-cdk-lib';
import * as cdk8s from 'cdk8s';
import { DemoSettings, workspaceArn } from './demo-settings';
import {
  AmpScraperTargetRole, CrossAccountWorkloadRole, FleetNames, IrsaRemoteWriteRole, ObservabilityFleetSource, OrganizationObservabilitySink,
  OrganizationSourceTrust, PrometheusRemoteWriteChart,
} from '../src';

/** What the organization example builds. */
export interface OrganizationExample {
  /** The observability account, one stack per fleet region (each holds that region's OAM sink; the first also the targets). */
  readonly observability: Stack[];
  /** The management account: the StackSet. */
  readonly management: Stack;
  readonly fleet: ObservabilityFleetSource;
}

const list = (value: string) => value.split(',').map((v) => v.trim()).filter((v) => v !== '');

/**
 * Every flow for a whole AWS Organization. The observability account trusts the fleet's identities
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
    ampScraper: { targetRoleArn: scraper.roleArn },
    workloads: [{ name: 'ci', targetRoleArn: ci.roleArn, serviceAccount: { namespace: 'ci', name: 'deployer' } }],
    // Container Insights inside the organization: CloudWatch's own engine, no cross-account role.
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
  return { observability, management, fleet };
}

/** The sinks by region: from `-c fleetSinkArns=...`, or demo ARNs of the right shape before they exist. */
function sinkArns(settings: DemoSettings, regions: string[]): Record<string, string> {
  const given = list(settings.fleetSinkArns).map((pair) => pair.split('=') as [string, string]);
  if (given.length > 0) return Object.fromEntries(given);
  return Object.fromEntries(regions.map((region, i) => [region, `arn:aws:oam:${region}:${settings.organizationObservabilityAccount}:sink/00000000-0000-4000-8000-00000000000${i}`]));
}

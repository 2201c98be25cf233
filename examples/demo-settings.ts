import { App } from 'aws-cdk-lib';

/**
 * The example's accounts, region and clusters: built-in demo values, each overridable with
 * `-c <key>=<value>` on the cdk command line (no AWS credentials are needed to synthesize).
 */
export interface DemoSettings {
  /** The observability account: AMP workspace, CloudWatch. */
  readonly observabilityAccount: string;
  /** The account that runs the EKS cluster. */
  readonly clusterAccount: string;
  readonly region: string;
  /** An existing AMP workspace in the observability account. */
  readonly workspaceId: string;
  readonly clusterName: string;
  /** The cluster's OIDC issuer (`aws eks describe-cluster --name <cluster> --query cluster.identity.oidc.issuer`). */
  readonly clusterOidcIssuer: string;
  /** Comma-separated subnets of the cluster's VPC for the AMP collector (1 to 5). */
  readonly scraperSubnetIds: string;
  /** The cross-account workload's target account, with a cluster of its own. */
  readonly targetAccount: string;
  readonly targetClusterName: string;
  /**
   * More regions whose clusters get a container-cost agent role, comma-separated. The stack's own
   * region is always included, once, and a region of another partition is left out.
   */
  readonly extraCostRegions: string;
  /** The AWS Organization of the organization example, its root, and the OUs the fleet goes to (comma-separated). */
  readonly organizationId: string;
  readonly organizationRootId: string;
  readonly organizationalUnitIds: string;
  /** The organization example's observability account (its own scenario, so its role names do not meet the first example's). */
  readonly organizationObservabilityAccount: string;
  /** The organization's management account (or a StackSets delegated administrator), where the fleet's StackSet lives. */
  readonly managementAccount: string;
  /** The regions of every member account the fleet goes to, comma-separated. */
  readonly fleetRegions: string;
  /**
   * The sinks of the observability account, `<region>=<sink ARN>` comma-separated: the `SinkArn`
   * outputs of the OrganizationObservability stacks once deployed. Demo ARNs until then.
   */
  readonly fleetSinkArns: string;
  /** A member account and two of its clusters, for the organization example's cluster-side charts. */
  readonly memberAccount: string;
}

const DEFAULTS: DemoSettings = {
  observabilityAccount: '111111111111',
  clusterAccount: '222222222222',
  region: 'us-east-1',
  workspaceId: 'ws-0123abcd-4567-89ef-0123-456789abcdef',
  clusterName: 'prod',
  clusterOidcIssuer: 'https://oidc.eks.us-east-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF',
  scraperSubnetIds: 'subnet-0123456789abcdef0,subnet-0123456789abcdef1',
  targetAccount: '333333333333',
  targetClusterName: 'apps',
  extraCostRegions: 'eu-west-1',
  organizationId: 'o-a1b2c3d4e5',
  organizationRootId: 'r-ab12',
  organizationalUnitIds: 'ou-ab12-11111111,ou-ab12-22222222',
  organizationObservabilityAccount: '555555555555',
  managementAccount: '100000000000',
  fleetRegions: 'us-east-1,eu-west-1',
  fleetSinkArns: '',
  memberAccount: '444444444444',
};

export function demoSettings(app: App): DemoSettings {
  const setting = (key: keyof DemoSettings): string => String(app.node.tryGetContext(key) ?? DEFAULTS[key]);
  return Object.fromEntries(Object.keys(DEFAULTS).map((key) => [key, setting(key as keyof DemoSettings)])) as unknown as DemoSettings;
}

export function workspaceArn(settings: DemoSettings): string {
  return `arn:aws:aps:${settings.region}:${settings.observabilityAccount}:workspace/${settings.workspaceId}`;
}

/** A scraper ARN of the right shape for the demo cluster account and region (phase 2 of the AMP scraper flow). */
export function demoScraperArn(settings: DemoSettings): string {
  return `arn:aws:aps:${settings.region}:${settings.clusterAccount}:scraper/s-0123abcd-4567-89ef-0123-456789abcdef`;
}

/**
 * The fleet member reconciler's desired-state function and its spec for the shared engine
 * (core/reconciler). For each EKS cluster of the StackSet instance's region and each configured
 * flow, the identity the flow's pods use to reach the flow's central role:
 * - a cluster that runs the EKS Pod Identity agent: a Pod Identity association of the flow's
 *   service account with the account's Pod Identity role of the flow and `TargetRoleArn` = the
 *   central role (EKS chains the two);
 * - otherwise, a cluster whose OIDC provider is registered in IAM: a per-cluster IRSA role at the
 *   flow's path, trusted by that provider for the service account, allowed to assume the central role;
 * - otherwise nothing, with the reason in the log.
 * Pure: no I/O.
 */
import { irsaTrustStatement, issuerHostPath, oidcProviderArn } from '../../core/irsa';
import { policyDocument } from '../../core/policy-size';
import { DesiredState, ReconcilerSpec, RemovalTarget } from '../../core/reconciler/engine';
import { Cluster } from '../../core/reconciler/io';
import { DesiredAssociation } from '../../core/reconciler/plan-associations';
import { DesiredRole, RoleScheme } from '../../core/reconciler/plan-roles';
// The unchecked rules: this code is inlined in the member template (its inputs were checked at synth).
import { costPrefixOf as organizationCostPrefix, irsaRoleNameOf as fleetIrsaRoleName, podIdentityRoleNameOf as fleetPodIdentityRoleName, rolePathOf as fleetRolePath } from '../fleet-name-parts';

/** How clusters get their identities. */
export type FleetIdentityChoice = 'AUTO' | 'POD_IDENTITY' | 'IRSA';

/** The EKS add-on that runs the Pod Identity agent. */
export const POD_IDENTITY_AGENT_ADDON = 'eks-pod-identity-agent';

/** One flow whose pods get a per-cluster identity. */
export interface FleetFlowConfig {
  /** The flow key (`remote-write`, `container-insights`, `workload-<name>`). */
  readonly key: string;
  readonly namespace: string;
  readonly serviceAccount: string;
  /** The central role in the target account (every flow but container cost). */
  readonly targetRoleArn?: string;
  /**
   * The container-cost flow: the organization's cost bucket, which the identity writes itself
   * (under `<account>/<region>/<cluster>/`); no central role.
   */
  readonly costBucketName?: string;
}

/** The member reconciler's configuration (from its Lambda environment, fixed at deploy time). */
export interface FleetSyncConfig {
  readonly partition: string;
  readonly account: string;
  /** The StackSet instance's region: the only one it scans (IAM is global, so roles carry the region in their names). */
  readonly region: string;
  readonly ownerKey: string;
  readonly boundaryArn: string;
  readonly reconcilerRoleName: string;
  readonly identity: FleetIdentityChoice;
  readonly flows: readonly FleetFlowConfig[];
}

export const FLEET_OWNER_TAG = 'xacct-observability:owner';
export const FLEET_CLUSTER_TAG = 'xacct-observability:cluster-arn';
export const FLEET_MANAGED_BY_TAG = 'xacct-observability:managed-by';
export const FLEET_MANAGED_BY = 'cdk-eks-cross-account-observability';
export const FLEET_POLICY_NAME = 'assume-central-role';

export const FLEET_ROLE_SCHEME: RoleScheme = {
  ownerTag: FLEET_OWNER_TAG,
  clusterTag: FLEET_CLUSTER_TAG,
  policyName: FLEET_POLICY_NAME,
  describe: (clusterArn) => `Fleet identity of ${clusterArn} (cdk-eks-cross-account-observability)`,
};

/** `<stack set>.<region>`: one owner per StackSet instance (IAM is global; instances are regional). */
export function fleetOwnerKey(stackSetName: string, region: string): string {
  return `${stackSetName}.${region}`;
}

/** The tag on the reconciler's own role that says the instance still accepts new identities. */
export function fleetFenceTag(ownerKey: string): string {
  return `xacct-observability:accepting/${ownerKey}`;
}

export function fleetReconcilerSpec(config: FleetSyncConfig): ReconcilerSpec {
  return {
    ownerKey: config.ownerKey,
    rolePaths: [...new Set(config.flows.map((f) => fleetRolePath(f.key)))],
    scheme: FLEET_ROLE_SCHEME,
    regions: [config.region],
    boundaryArn: config.boundaryArn,
    reconcilerRoleName: config.reconcilerRoleName,
    fenceTag: fleetFenceTag(config.ownerKey),
    scan: { oidcProviders: config.identity !== 'POD_IDENTITY', addons: config.identity === 'AUTO' },
    // IRSA mode wants no association, but still reads them: it removes its own from an earlier mode.
    associations: true,
    desired: (clusters, providers) => fleetDesiredState(config, clusters, providers),
  };
}

/** What a Delete of the instance's resource removes (from the deleted resource's properties). */
/** What a Delete names, from the deleted resource's own properties. */
export interface FleetRemovalProperties {
  readonly ownerKey: string;
  readonly boundaryArn: string;
  readonly reconcilerRoleName: string;
  readonly flowKeys: string[];
  readonly region: string;
}

export function fleetRemovalTarget(p: FleetRemovalProperties): RemovalTarget {
  return {
    ownerKey: p.ownerKey,
    boundaryArn: p.boundaryArn,
    reconcilerRoleName: p.reconcilerRoleName,
    rolePaths: [...new Set(p.flowKeys.map(fleetRolePath))],
    scheme: FLEET_ROLE_SCHEME,
    fenceTag: fleetFenceTag(p.ownerKey),
    associationRegions: [p.region],
  };
}

export function fleetDesiredState(config: FleetSyncConfig, clusters: Cluster[], providers: ReadonlySet<string>): DesiredState {
  const roles: DesiredRole[] = [];
  const associations: DesiredAssociation[] = [];
  const skipped: Array<{ clusterArn: string; reason: string }> = [];
  for (const cluster of clusters) {
    const podIdentity = config.identity === 'POD_IDENTITY' || (config.identity === 'AUTO' && (cluster.addons ?? []).includes(POD_IDENTITY_AGENT_ADDON));
    if (podIdentity) {
      associations.push(...config.flows.map((flow) => podIdentityAssociation(config, cluster, flow)));
      continue;
    }
    const reason = irsaUnavailable(config, cluster, providers);
    if (reason) {
      skipped.push({ clusterArn: cluster.arn, reason });
      continue;
    }
    roles.push(...config.flows.map((flow) => irsaRole(config, cluster as Cluster & { issuer: string }, flow)));
  }
  return { roles, associations, skipped };
}

function irsaUnavailable(config: FleetSyncConfig, cluster: Cluster, providers: ReadonlySet<string>): string | undefined {
  const pi = config.identity === 'AUTO' ? `it does not run the ${POD_IDENTITY_AGENT_ADDON} add-on, and ` : '';
  if (!cluster.issuer) return `${pi}it has no OIDC issuer`;
  if (!providers.has(issuerHostPath(cluster.issuer))) {
    return `${pi}its OIDC provider (${issuerHostPath(cluster.issuer)}) is not registered in IAM: install the Pod Identity agent add-on or register the provider`;
  }
  return undefined;
}

function tags(config: FleetSyncConfig, clusterArn: string): Record<string, string> {
  return { [FLEET_OWNER_TAG]: config.ownerKey, [FLEET_CLUSTER_TAG]: clusterArn, [FLEET_MANAGED_BY_TAG]: FLEET_MANAGED_BY };
}

function podIdentityAssociation(config: FleetSyncConfig, cluster: Cluster, flow: FleetFlowConfig): DesiredAssociation {
  return {
    region: cluster.region,
    clusterName: cluster.name,
    clusterArn: cluster.arn,
    namespace: flow.namespace,
    serviceAccount: flow.serviceAccount,
    roleArn: `arn:${config.partition}:iam::${config.account}:role${fleetRolePath(flow.key)}${fleetPodIdentityRoleName(flow.key, config.region)}`,
    // The cost flow has no central role: the Pod Identity role writes the bucket itself.
    ...(flow.targetRoleArn ? { targetRoleArn: flow.targetRoleArn } : {}),
    tags: tags(config, cluster.arn),
  };
}

function irsaRole(config: FleetSyncConfig, cluster: Cluster & { issuer: string }, flow: FleetFlowConfig): DesiredRole {
  const hostPath = issuerHostPath(cluster.issuer);
  const provider = oidcProviderArn(config.partition, config.account, hostPath);
  return {
    roleName: fleetIrsaRoleName(flow.key, cluster.name, cluster.region),
    path: fleetRolePath(flow.key),
    clusterArn: cluster.arn,
    trust: policyDocument([irsaTrustStatement(provider, hostPath, [{ namespace: flow.namespace, name: flow.serviceAccount }])]),
    policy: irsaRolePolicy(config, cluster, flow),
    tags: tags(config, cluster.arn),
    boundaryArn: config.boundaryArn,
  };
}

/** What a per-cluster IRSA role may do: assume its flow's central role, or (container cost) write its cluster's prefix. */
function irsaRolePolicy(config: FleetSyncConfig, cluster: Cluster, flow: FleetFlowConfig): unknown {
  if (flow.costBucketName) return { Version: '2012-10-17', Statement: costWriterStatements(config.partition, flow.costBucketName, organizationCostPrefix(config.account, cluster.region, cluster.name)) };
  return { Version: '2012-10-17', Statement: [{ Sid: 'AssumeCentralRole', Effect: 'Allow', Action: 'sts:AssumeRole', Resource: flow.targetRoleArn }] };
}

/**
 * Writes (and lists) one prefix of the organization's cost bucket. The central bucket policy admits
 * only the writer's own account's prefix; this pins the region and cluster within it.
 */
export function costWriterStatements(partition: string, bucketName: string, prefix: string): Record<string, unknown>[] {
  const bucketArn = `arn:${partition}:s3:::${bucketName}`;
  return [
    { Sid: 'WriteOwnClusterPrefix', Effect: 'Allow', Action: ['s3:PutObject', 's3:AbortMultipartUpload'], Resource: `${bucketArn}/${prefix}*` },
    { Sid: 'ListOwnClusterPrefix', Effect: 'Allow', Action: 's3:ListBucket', Resource: bucketArn, Condition: { StringLike: { 's3:prefix': `${prefix}*` } } },
  ];
}

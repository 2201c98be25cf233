/**
 * The one naming rule for the per-cluster agent roles, shared by the construct (and its chart)
 * and the reconciler Lambda. Pure: no aws-cdk-lib import.
 */
import { roleNameFromParts } from '../../core/naming';

/** Tag keys that mark a role as this reconciler's. */
export const OWNER_TAG = 'container-cost:owner';
export const CLUSTER_TAG = 'container-cost:cluster-arn';
export const MANAGED_BY_TAG = 'container-cost:managed-by';
export const MANAGED_BY = 'cdk-eks-cross-account-observability';

/** The inline policy the reconciler writes on every agent role. */
export const WRITE_POLICY_NAME = 'container-cost-write';

/** The agent role of a cluster: "container-cost-<cluster>-<region>", cut with a stable hash at 64 characters. */
export function agentRoleName(clusterName: string, region: string): string {
  return roleNameFromParts(['container-cost', clusterName, region]);
}

/** The IAM path that holds one stack's agent roles: "/container-cost/<owner key>/". */
export function agentRolePath(ownerKey: string): string {
  return `/container-cost/${ownerKey}/`;
}

/** The bucket prefix a cluster's agent writes under: "<region>/<cluster>/". */
export function clusterPrefix(clusterName: string, region: string): string {
  return `${region}/${clusterName}/`;
}

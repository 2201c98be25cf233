/**
 * The one naming rule for the per-cluster agent roles, shared by the construct (and its chart)
 * and the reconciler Lambda. Pure: no aws-cdk-lib import.
 */
import { clusterRoleName } from '../../core/naming';

/** Tag keys that mark a role as this reconciler's. */
export const OWNER_TAG = 'container-cost:owner';
export const CLUSTER_TAG = 'container-cost:cluster-arn';
export const MANAGED_BY_TAG = 'container-cost:managed-by';
/** The bucket prefix the role may write: the permissions boundary reads it as `${aws:PrincipalTag/...}`. */
export const PREFIX_TAG = 'container-cost:prefix';
export const MANAGED_BY = 'cdk-eks-cross-account-observability';

/** The inline policy the reconciler writes on every agent role. */
export const WRITE_POLICY_NAME = 'container-cost-write';

/**
 * The agent role of a cluster: "container-cost-<cluster>-<region>", cut with a stable hash at 64
 * characters (`clusterRoleName`: `Prod` and `prod` get two roles, not one shared one).
 */
export function agentRoleName(clusterName: string, region: string): string {
  return clusterRoleName('container-cost', clusterName, region);
}

/** The IAM path that holds one stack's agent roles: "/container-cost/<owner key>/". */
export function agentRolePath(ownerKey: string): string {
  return `/container-cost/${ownerKey}/`;
}

/** The bucket prefix a cluster's agent writes under: "<region>/<cluster>/". */
export function clusterPrefix(clusterName: string, region: string): string {
  return `${region}/${clusterName}/`;
}

/** The bucket prefix of a cluster that uses the IAM-user fallback: "iam-user/<region>/<cluster>/". */
export function userClusterPrefix(clusterName: string, region: string): string {
  return `iam-user/${clusterPrefix(clusterName, region)}`;
}

/**
 * The tag on the reconciler's own role that says its stack still accepts new agent roles. The
 * Delete handler removes it first; every run checks it before and after creating a role.
 */
export function acceptingRolesTag(ownerKey: string): string {
  return `container-cost:accepting-roles/${ownerKey}`;
}

/** `container-cost/<ownerKey>/<user name>`: the Secrets Manager secret of a fallback cluster's access key. */
export function userCredentialsSecretName(ownerKey: string, clusterName: string, region: string): string {
  return `container-cost/${ownerKey}/${agentRoleName(clusterName, region)}`;
}

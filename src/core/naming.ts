/**
 * Deterministic physical names. Pure: no aws-cdk-lib import, so Lambda handlers share the exact rule.
 */
import { createHash } from 'crypto';

/** IAM's limit on role names. */
export const MAX_ROLE_NAME_LENGTH = 64;

/** First `length` hex characters of the SHA-256 of `value`: stable across runs, machines and versions. */
export function stableHash(value: string, length = 8): string {
  return createHash('sha256').update(value).digest('hex').slice(0, length);
}

/**
 * A role name from parts joined by "-". Characters IAM does not allow become "-". When the
 * result is longer than `maxLength`, it is cut and ends in "-" plus a hash of the whole name,
 * so two long names that share a prefix still differ and the same parts always give the same name.
 */
export function roleNameFromParts(parts: string[], maxLength = MAX_ROLE_NAME_LENGTH): string {
  const full = parts
    .filter((part) => part.length > 0)
    .join('-')
    .replace(/[^\w+=,.@-]/g, '-');
  if (full.length <= maxLength) return full;
  const hash = stableHash(full);
  return `${full.slice(0, maxLength - hash.length - 1).replace(/-+$/, '')}-${hash}`;
}

/**
 * A per-cluster role name "<prefix>-<cluster>-<region>", cut with a stable hash at 64 characters.
 * EKS names are case-sensitive and IAM names are not, so a name with capitals also ends in a hash
 * of the exact cluster name: `Prod` and `prod` get two roles, not one shared one.
 */
export function clusterRoleName(prefix: string, clusterName: string, region: string): string {
  if (clusterName === clusterName.toLowerCase()) return roleNameFromParts([prefix, clusterName, region]);
  const caseTag = stableHash(clusterName);
  // Keep the hash whole even when the name is cut: it is what tells the two roles apart.
  const head = roleNameFromParts([prefix, clusterName, region], MAX_ROLE_NAME_LENGTH - caseTag.length - 1);
  return `${head}-${caseTag}`;
}

/**
 * The trust of an organization-scoped target role: the fleet's source identities of one flow, in any
 * account of an organization (or of some OUs). One builder for every target construct. Pure: no
 * aws-cdk-lib import.
 *
 * The statement is `Principal: { AWS: '*' }` held by three conditions (see organization-scope.ts for the
 * keys): `aws:PrincipalOrgID` (the caller's account is a member), `aws:PrincipalOrgPaths` (under one of
 * the OUs, when given), and `ArnLike aws:PrincipalArn` on the flow's role path (only that flow's
 * identities; `ArnNotLike` keeps it to one path level), plus the flow's own conditions (the AMP scraper's
 * external ID) and, where sessions are tagged, the cluster tag pinned to the caller's account. Its size depends on the
 * number of OUs, never on the number of accounts.
 */
import { OrganizationSourceTrust } from './organization';
import { organizationConditions } from './organization-scope';
import { PARTITIONS } from './partition';
import { Rule } from './rules';

/** A condition block: `{ <operator>: { <key>: <value or values> } }`. */
export type TrustConditions = Record<string, Record<string, unknown>>;

/**
 * The source-principal pattern of an organization trust: an IAM role ARN pattern whose wildcards
 * (`*`, `?`) are in the role name only, below a fixed path. In `ArnLike`, `*` also matches "/"
 * (IAM user guide, "ARN condition operators": wildcards match any characters within each of the six
 * colon-delimited components), so `role/*` or `role/prefix*` would admit every role, at every path, of
 * every member account; a fixed path first (`role/xacct-observability/remote-write/*`) keeps the
 * pattern to that path and the paths below it, and the trust's `ArnNotLike` (`nestedPathPattern`) to
 * that one level. `role-<name>` without "/" or `role*` is not a role ARN.
 */
export const SOURCE_PRINCIPAL_PATTERN: Rule = {
  expected: 'an IAM role ARN pattern arn:<partition>:iam::<* or 12-digit account>:role/<path>/<name>, '
    + 'with * or ? only in the role name and only below a fixed path (for example arn:aws:iam::*:role/xacct-observability/remote-write/*)',
  check: (value) => {
    const parts = value.split(':');
    if (parts.length < 6 || parts[0] !== 'arn') return 'not an ARN';
    const [, partition, service, region, account, ...rest] = parts;
    const resource = rest.join(':');
    if (!PARTITIONS.includes(partition)) return `unknown partition "${partition}"`;
    if (service !== 'iam') return `service is "${service}", not "iam"`;
    if (region !== '') return 'IAM ARNs have no region';
    if (account !== '*' && !/^\d{12}$/.test(account)) return `account "${account}" is neither * nor a 12-digit account ID`;
    if (!resource.startsWith('role/')) return `resource "${resource}" is not role/<path>/<name>`;
    const pathAndName = resource.slice('role/'.length);
    const cut = pathAndName.lastIndexOf('/') + 1;
    const path = pathAndName.slice(0, cut);
    const name = pathAndName.slice(cut);
    if (name === '') return 'names no role (it ends in "/"); end it in a role name or *';
    if (/[*?]/.test(path)) return `has a wildcard in its path "/${path}"; only the role name may have one`;
    if (path === '' && /[*?]/.test(name)) return 'has a wildcard role name at the root path, which matches every role of a member account (* also matches "/")';
    if (!/^[\x21-\x7E]*$/.test(path) || `/${path}`.length > 512) return 'has a path IAM does not allow (printable ASCII, at most 512 characters)';
    if (!/^[\w+=,.@*?-]{1,64}$/.test(name)) return `role name "${name}" has characters IAM does not allow (A-Z a-z 0-9 _+=,.@- and the wildcards * ?)`;
    return undefined;
  },
};

/**
 * `ArnNotLike` for a pattern with a wildcard role name: the fixed path, then `*`, "/" and `*` (every
 * ARN with another "/" after the fixed path). With the `ArnLike` on the pattern, that admits exactly one path level:
 * `role/xacct-observability/remote-write/x`, never `role/xacct-observability/remote-write/sub/x`
 * (IAM has no wildcard that stops at "/"). Undefined for an exact name or a deploy-time pattern.
 */
export function nestedPathPattern(principalPattern: string): string | undefined {
  const cut = principalPattern.lastIndexOf('/') + 1;
  if (cut === 0 || !/[*?]/.test(principalPattern.slice(cut))) return undefined;
  return `${principalPattern.slice(0, cut)}*/*`;
}

/**
 * EKS Pod Identity's session tag naming the pod's cluster (EKS user guide, "Enable or disable session
 * tags": eks-cluster-arn, eks-cluster-name, kubernetes-namespace, kubernetes-service-account,
 * kubernetes-pod-name, kubernetes-pod-uid). The others name things inside that cluster.
 */
export const CLUSTER_ARN_TAG = 'eks-cluster-arn';

/**
 * Conditions that pin a cluster-ARN session tag, where there is one, to the caller's own account: in
 * the request (`aws:RequestTag`, tags passed now) and on the calling session or role
 * (`aws:PrincipalTag`, incoming transitive tags and role tags), so a member account's role cannot
 * carry another member's cluster into the central session. No tag passes (IfExists): IRSA callers
 * send none. `${aws:PrincipalAccount}` is a policy variable of a global key present in every request
 * (IAM user guide, "IAM policy elements: Variables and tags": variables work in the Condition element
 * of resource-based policies, a role trust policy among them, and global condition keys can be
 * variables; "AWS global condition context keys": aws:PrincipalAccount is always in the context). StringLike's `*` also matches ":", so a
 * second condition refuses values with more colons than a cluster ARN has (5; cluster names have none),
 * or `arn:aws:eks:r:222…:cluster/a:333…:cluster/b` would pass for account 333.
 */
export function sessionTagConditions(partition: string): TrustConditions {
  const own = `arn:${partition}:eks:*:\${aws:PrincipalAccount}:cluster/*`;
  const keys = [`aws:RequestTag/${CLUSTER_ARN_TAG}`, `aws:PrincipalTag/${CLUSTER_ARN_TAG}`];
  return {
    StringLikeIfExists: Object.fromEntries(keys.map((key) => [key, own])),
    StringNotLikeIfExists: Object.fromEntries(keys.map((key) => [key, '*:*:*:*:*:*:*'])),
  };
}

/** What an organization trust is built from (validated before). */
export interface OrganizationTrustOptions {
  /** The organization, its OUs (optional). */
  readonly source: OrganizationSourceTrust;
  /** The source-principal pattern (the given one, or the flow's default). */
  readonly principalPattern: string;
  /** The stack's partition (a deploy-time value when the region is not a literal), for the cluster ARNs of session tags. */
  readonly partition: string;
  /**
   * Also allow `sts:TagSession`. An EKS Pod Identity association with a target role assumes the target
   * with the Pod Identity role's session tags (`eks-cluster-arn`, `kubernetes-namespace`, ...), which
   * are transitive: without `sts:TagSession` in the target's trust that AssumeRole is denied (EKS user
   * guide, "Access AWS resources using EKS Pod Identity target IAM roles"; IAM user guide, "Chaining
   * roles with session tags").
   */
  readonly tagSession: boolean;
  /** The flow's own conditions, on every statement. */
  readonly conditions?: TrustConditions;
  /**
   * Conditions on `sts:AssumeRole` only, such as an external ID the caller passes. `sts:TagSession`
   * then gets a statement of its own without them (tagging alone grants nothing; it only lets a caller
   * that may assume the role carry its tags).
   */
  readonly assumeRoleConditions?: TrustConditions;
}

/** One statement of an organization trust; its principal is always `{ AWS: '*' }`. */
export interface OrganizationTrustStatement {
  readonly actions: string[];
  readonly conditions: TrustConditions;
}

/** The statements of an organization-scoped trust (one, or two when `assumeRoleConditions` are given with `tagSession`). */
export function organizationTrustStatements(options: OrganizationTrustOptions): OrganizationTrustStatement[] {
  const nested = nestedPathPattern(options.principalPattern);
  const common = mergeConditions(
    organizationConditions(options.source),
    { ArnLike: { 'aws:PrincipalArn': options.principalPattern } },
    nested ? { ArnNotLike: { 'aws:PrincipalArn': nested } } : {},
    options.tagSession ? sessionTagConditions(options.partition) : {},
    options.conditions ?? {},
  );
  const assumeOnly = options.assumeRoleConditions && Object.keys(options.assumeRoleConditions).length > 0 ? options.assumeRoleConditions : undefined;
  if (!assumeOnly) return [{ actions: options.tagSession ? ['sts:AssumeRole', 'sts:TagSession'] : ['sts:AssumeRole'], conditions: common }];
  const statements: OrganizationTrustStatement[] = [{ actions: ['sts:AssumeRole'], conditions: mergeConditions(common, assumeOnly) }];
  if (options.tagSession) statements.push({ actions: ['sts:TagSession'], conditions: common });
  return statements;
}

/** Condition blocks merged operator by operator (a key given twice under one operator is a programming error). */
export function mergeConditions(...blocks: TrustConditions[]): TrustConditions {
  const merged: TrustConditions = {};
  for (const block of blocks) {
    for (const [operator, keys] of Object.entries(block)) {
      for (const [key, value] of Object.entries(keys)) {
        if (merged[operator] && key in merged[operator]) throw new Error(`condition ${operator} ${key} given twice`);
        merged[operator] = { ...merged[operator], [key]: value };
      }
    }
  }
  return merged;
}

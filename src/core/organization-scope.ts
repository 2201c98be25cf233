/**
 * Trust scoped to an AWS Organization (or some of its OUs) instead of a list of accounts: the same
 * condition block whether the organization has 10 accounts or 10,000. Used by the organization-scale
 * routes (a StackSet puts fixed-name source roles into every member account; the target side trusts
 * that name in any member account). Pure: no aws-cdk-lib import.
 *
 * IAM global condition keys (IAM user guide, "AWS global condition context keys"): `aws:PrincipalOrgID`
 * is the organization of the calling principal's account; `aws:PrincipalOrgPaths` is multivalued (the
 * account's path `o-…/r-…/ou-…/…/`), matched with `ForAnyValue:StringLike`; `aws:PrincipalArn` is the
 * calling role's ARN (not the session's), matched with `ArnLike` and a `*` account.
 */
import { OrganizationScope } from './organization';
import { Rule } from './rules';

export type { OrganizationScope };

export const ORGANIZATION_ID: Rule = {
  expected: 'an AWS Organizations ID: o- and 10 to 32 lowercase letters or digits',
  check: (value) => (/^o-[a-z0-9]{10,32}$/.test(value) ? undefined : 'does not match'),
};

export const ORGANIZATION_PATH: Rule = {
  expected: 'an organizational-unit path: o-<org id>/r-<root id>/ou-<root>-<ou id>/ (one or more OUs), ending in "/"',
  check: (value) => (/^o-[a-z0-9]{10,32}\/r-[0-9a-z]{4,32}(\/ou-[0-9a-z]{4,32}-[a-z0-9]{8,32})+\/$/.test(value) ? undefined : 'does not match'),
};

/** Problems with a scope, as `[prop suffix, message]` pairs (the caller's validator names the prop). */
export function organizationScopeProblems(scope: OrganizationScope | undefined, isLiteral: (value: string) => boolean): Array<[string, string]> {
  if (scope === undefined || scope === null || typeof scope !== 'object') return [['', 'is required: { organizationId, organizationalUnitPaths? }']];
  const problems: Array<[string, string]> = [];
  const id = scope.organizationId;
  if (typeof id !== 'string' || id === '') problems.push(['.organizationId', 'is required']);
  else if (isLiteral(id) && ORGANIZATION_ID.check(id)) problems.push(['.organizationId', `got ${JSON.stringify(id)}; expected ${ORGANIZATION_ID.expected}`]);
  const paths = scope.organizationalUnitPaths;
  if (paths !== undefined && !Array.isArray(paths)) problems.push(['.organizationalUnitPaths', 'is not a list']);
  (Array.isArray(paths) ? paths : []).forEach((path, i) => {
    if (typeof path !== 'string' || !isLiteral(path)) {
      if (typeof path !== 'string') problems.push([`.organizationalUnitPaths[${i}]`, 'is not a string']);
      return;
    }
    if (ORGANIZATION_PATH.check(path)) {problems.push([`.organizationalUnitPaths[${i}]`, `got ${JSON.stringify(path)}; expected ${ORGANIZATION_PATH.expected}`]);} else if (typeof id === 'string' && isLiteral(id) && !path.startsWith(`${id}/`)) {
      problems.push([`.organizationalUnitPaths[${i}]`, `is in organization ${path.split('/')[0]}, not ${id}`]);
    } else {
      // An OU ID carries its root's: ou-<root id without "r-">-<id> (AWS Organizations API reference,
      // OrganizationalUnit.Id), so an OU of another root can never match aws:PrincipalOrgPaths here.
      const [, root, ...ous] = path.split('/').filter((p) => p !== '');
      const other = ous.find((ou) => ou.split('-')[1] !== root.slice('r-'.length));
      if (other) problems.push([`.organizationalUnitPaths[${i}]`, `${other} is under root r-${other.split('-')[1]}, not ${root}: an OU ID names its root (ou-<root>-<id>)`]);
    }
  });
  if (Array.isArray(paths) && paths.length === 0) problems.push(['.organizationalUnitPaths', 'is empty; leave it out to mean the whole organization']);
  return problems;
}

/**
 * Conditions that admit a principal only from an account of the organization (and of one of the
 * OUs, when given). Add `aws:PrincipalArn` (see `organizationRoleArnPattern`) where only one role
 * name may come in.
 */
export function organizationConditions(scope: OrganizationScope): Record<string, Record<string, unknown>> {
  return {
    StringEquals: { 'aws:PrincipalOrgID': scope.organizationId },
    ...(scope.organizationalUnitPaths?.length
      ? { 'ForAnyValue:StringLike': { 'aws:PrincipalOrgPaths': scope.organizationalUnitPaths.map((path) => `${path}*`) } }
      : {}),
  };
}

/** `arn:<partition>:iam::*:role<path><name>`: one role name (at one path) in any account. */
export function organizationRoleArnPattern(partition: string, roleName: string, rolePath = '/'): string {
  return `arn:${partition}:iam::*:role${rolePath}${roleName}`;
}

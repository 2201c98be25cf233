/**
 * What to do, from what is wanted and what is there. Pure: no I/O, so every safety rule is
 * tested directly.
 *
 * Safety rules (the defects of the public implementation, reversed):
 * - a role is ours only if it is under our path AND carries our owner tag; others are never touched;
 * - orphans are deleted only when every region's scan succeeded in this run (fail closed);
 * - a name taken by a role that is not ours is reported as a conflict and skipped;
 * - two clusters that would share one role name (IAM compares names case-insensitively) are an error,
 *   never a role handed back and forth between them.
 */
import { DesiredRole } from './desired';
import { CLUSTER_TAG, OWNER_TAG, WRITE_POLICY_NAME } from './naming';
import { canonicalPolicy } from '../../core/policy-document';

/** A role as read from IAM. */
export interface ActualRole {
  readonly roleName: string;
  readonly path: string;
  readonly trust: unknown;
  readonly tags: Record<string, string>;
  /** Inline policies by name (documents parsed). */
  readonly policies: Record<string, unknown>;
  /** ARNs of attached managed policies. */
  readonly attachedPolicies: string[];
  /** ARN of its permissions boundary, if any. */
  readonly boundaryArn?: string;
}

export type Action =
  | { kind: 'create'; role: DesiredRole }
  | { kind: 'set-boundary'; roleName: string; boundaryArn: string }
  | { kind: 'update-trust'; role: DesiredRole }
  | { kind: 'update-policy'; role: DesiredRole }
  | { kind: 'delete-extra-policy'; roleName: string; policyName: string }
  | { kind: 'detach-policy'; roleName: string; policyArn: string }
  | { kind: 'delete'; roleName: string; policyNames: string[]; attachedPolicies: string[]; boundaryArn?: string; clusterArn?: string }
  | { kind: 'conflict'; roleName: string; reason: string }
  | { kind: 'skip'; roleName: string; reason: string };

export interface PlanInput {
  readonly desired: DesiredRole[];
  /** Roles under our path, read in full. (A wanted name taken outside it shows up when CreateRole says EntityAlreadyExists.) */
  readonly underPath: ActualRole[];
  readonly ownerKey: string;
  readonly rolePath: string;
  /** The stack's permissions boundary, which every owned role must carry. */
  readonly boundaryArn: string;
  /** Whether every region's scan succeeded: only then may orphans be deleted. */
  readonly scanComplete: boolean;
}

export function isOwned(role: ActualRole, ownerKey: string, rolePath: string): boolean {
  return role.path === rolePath && role.tags[OWNER_TAG] === ownerKey;
}

/** Deletes a role: its boundary put back first if missing (the reconciler may change only bounded roles), then what blocks DeleteRole. */
export function deleteAction(actual: ActualRole, boundaryArn: string): Action & { kind: 'delete' } {
  return {
    kind: 'delete',
    roleName: actual.roleName,
    policyNames: Object.keys(actual.policies),
    attachedPolicies: actual.attachedPolicies,
    ...(actual.boundaryArn === boundaryArn ? {} : { boundaryArn }),
    clusterArn: actual.tags[CLUSTER_TAG],
  };
}

export function plan(input: PlanInput): Action[] {
  const actions: Action[] = [];
  const actualByName = new Map(input.underPath.map((role) => [role.roleName.toLowerCase(), role]));
  const claims = new Map<string, DesiredRole[]>();
  for (const role of input.desired) claims.set(role.roleName.toLowerCase(), [...(claims.get(role.roleName.toLowerCase()) ?? []), role]);

  for (const [key, roles] of claims) {
    const actual = actualByName.get(key);
    if (roles.length > 1) {
      const clusters = roles.map((r) => r.clusterArn).join(', ');
      actions.push({ kind: 'conflict', roleName: roles[0].roleName, reason: `clusters ${clusters} map to one role name (IAM names are case-insensitive); none of them is served` });
      continue;
    }
    const [role] = roles;
    if (!actual) {
      actions.push({ kind: 'create', role });
      continue;
    }
    if (!isOwned(actual, input.ownerKey, input.rolePath)) {
      actions.push({ kind: 'skip', roleName: role.roleName, reason: `a role named ${actual.roleName} exists at ${actual.path} and is not this stack's (owner tag ${actual.tags[OWNER_TAG] ?? 'missing'}); it is left untouched` });
      continue;
    }
    if (Object.entries(role.tags).some(([k, value]) => actual.tags[k] !== value)) {
      // Tags are set only at creation (the reconciler may not retag a role): replace the role.
      actions.push(deleteAction(actual, input.boundaryArn), { kind: 'create', role });
      continue;
    }
    // The boundary goes first: every other change is allowed only on a role that carries it.
    if (actual.boundaryArn !== role.boundaryArn) actions.push({ kind: 'set-boundary', roleName: role.roleName, boundaryArn: role.boundaryArn });
    for (const policyArn of actual.attachedPolicies) actions.push({ kind: 'detach-policy', roleName: role.roleName, policyArn });
    if (canonicalPolicy(actual.trust) !== canonicalPolicy(role.trust)) actions.push({ kind: 'update-trust', role });
    const policy = actual.policies[WRITE_POLICY_NAME];
    if (policy === undefined || canonicalPolicy(policy) !== canonicalPolicy(role.policy)) actions.push({ kind: 'update-policy', role });
    for (const name of Object.keys(actual.policies).filter((n) => n !== WRITE_POLICY_NAME)) {
      actions.push({ kind: 'delete-extra-policy', roleName: role.roleName, policyName: name });
    }
  }

  for (const actual of input.underPath) {
    if (claims.has(actual.roleName.toLowerCase()) || !isOwned(actual, input.ownerKey, input.rolePath)) continue;
    if (!input.scanComplete) {
      actions.push({ kind: 'skip', roleName: actual.roleName, reason: 'looks orphaned, but a region scan failed in this run, so nothing is deleted' });
      continue;
    }
    actions.push(deleteAction(actual, input.boundaryArn));
  }
  return actions;
}

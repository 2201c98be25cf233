/**
 * What to do, from what is wanted and what is there. Pure: no I/O, so every safety rule is
 * tested directly.
 *
 * Safety rules (the defects of the public implementation, reversed):
 * - a role is ours only if it is under our path AND carries our owner tag; others are never touched;
 * - orphans are deleted only when every region's scan succeeded in this run (fail closed);
 * - a name taken by a role that is not ours is reported as a conflict and skipped.
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
}

export type Action =
  | { kind: 'create'; role: DesiredRole }
  | { kind: 'update-trust'; role: DesiredRole }
  | { kind: 'update-policy'; role: DesiredRole }
  | { kind: 'delete-extra-policy'; roleName: string; policyName: string }
  | { kind: 'tag'; role: DesiredRole }
  | { kind: 'delete'; roleName: string; policyNames: string[]; clusterArn?: string }
  | { kind: 'skip'; roleName: string; reason: string };

export interface PlanInput {
  readonly desired: DesiredRole[];
  /** Roles under our path, read in full. (A wanted name taken outside it shows up when CreateRole says EntityAlreadyExists.) */
  readonly underPath: ActualRole[];
  readonly ownerKey: string;
  readonly rolePath: string;
  /** Whether every region's scan succeeded: only then may orphans be deleted. */
  readonly scanComplete: boolean;
}

export function isOwned(role: ActualRole, ownerKey: string, rolePath: string): boolean {
  return role.path === rolePath && role.tags[OWNER_TAG] === ownerKey;
}

export function plan(input: PlanInput): Action[] {
  const actions: Action[] = [];
  const actualByName = new Map(input.underPath.map((role) => [role.roleName.toLowerCase(), role]));
  const wanted = new Set(input.desired.map((role) => role.roleName.toLowerCase()));

  for (const role of input.desired) {
    const actual = actualByName.get(role.roleName.toLowerCase());
    if (!actual) {
      actions.push({ kind: 'create', role });
      continue;
    }
    if (!isOwned(actual, input.ownerKey, input.rolePath)) {
      actions.push({ kind: 'skip', roleName: role.roleName, reason: `a role named ${actual.roleName} exists at ${actual.path} and is not this stack's (owner tag ${actual.tags[OWNER_TAG] ?? 'missing'}); it is left untouched` });
      continue;
    }
    if (canonicalPolicy(actual.trust) !== canonicalPolicy(role.trust)) actions.push({ kind: 'update-trust', role });
    const policy = actual.policies[WRITE_POLICY_NAME];
    if (policy === undefined || canonicalPolicy(policy) !== canonicalPolicy(role.policy)) actions.push({ kind: 'update-policy', role });
    for (const name of Object.keys(actual.policies).filter((n) => n !== WRITE_POLICY_NAME)) {
      actions.push({ kind: 'delete-extra-policy', roleName: role.roleName, policyName: name });
    }
    if (Object.entries(role.tags).some(([key, value]) => actual.tags[key] !== value)) actions.push({ kind: 'tag', role });
  }

  for (const actual of input.underPath) {
    if (wanted.has(actual.roleName.toLowerCase()) || !isOwned(actual, input.ownerKey, input.rolePath)) continue;
    if (!input.scanComplete) {
      actions.push({ kind: 'skip', roleName: actual.roleName, reason: 'looks orphaned, but a region scan failed in this run, so nothing is deleted' });
      continue;
    }
    actions.push({ kind: 'delete', roleName: actual.roleName, policyNames: Object.keys(actual.policies), clusterArn: actual.tags[CLUSTER_TAG] });
  }
  return actions;
}

/**
 * What to do with a reconciler's IAM roles, from what is wanted and what is there. Pure: no I/O,
 * so every safety rule is tested directly. Shared by every reconciler of the library (the
 * container-cost agent roles, the fleet's per-cluster IRSA roles): they differ only in their
 * desired-state function and their `RoleScheme`.
 *
 * Safety rules (the defects of the public implementation, reversed):
 * - a role is ours only if it is under our path AND carries our owner tag; others are never touched;
 * - orphans are deleted only when every region's scan succeeded in this run (fail closed);
 * - a name taken by a role that is not ours is reported as a conflict and skipped;
 * - a role with our owner tag but without our boundary is never adopted (see `notAdoptedReason`);
 * - two clusters that would share one role name (IAM compares names case-insensitively) are an error,
 *   never a role handed back and forth between them.
 */
import { canonicalPolicy } from '../policy-document';

/** How one reconciler marks and fills its roles. */
export interface RoleScheme {
  /** The tag whose value is the owner key: a role is ours only with it (and at one of our paths). */
  readonly ownerTag: string;
  /** The tag that names the cluster a role serves. */
  readonly clusterTag: string;
  /** The one inline policy the reconciler writes on each role; any other is drift. */
  readonly policyName: string;
  /** What a created role's description says. */
  readonly describe: (clusterArn: string) => string;
}

/** The role a desired-state function wants for one cluster. */
export interface DesiredRole {
  readonly roleName: string;
  readonly path: string;
  readonly clusterArn: string;
  readonly trust: unknown;
  readonly policy: unknown;
  readonly tags: Record<string, string>;
  readonly boundaryArn: string;
}

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
  | { kind: 'update-trust'; role: DesiredRole }
  | { kind: 'update-policy'; role: DesiredRole }
  | { kind: 'delete-extra-policy'; roleName: string; policyName: string }
  | { kind: 'detach-policy'; roleName: string; policyArn: string }
  | { kind: 'delete'; roleName: string; policyNames: string[]; attachedPolicies: string[]; clusterArn?: string }
  | { kind: 'conflict'; roleName: string; reason: string }
  | { kind: 'skip'; roleName: string; reason: string };

export interface PlanInput {
  readonly desired: DesiredRole[];
  /** Roles under our path, read in full. (A wanted name taken outside it shows up when CreateRole says EntityAlreadyExists.) */
  readonly underPath: ActualRole[];
  readonly ownerKey: string;
  /** The paths the reconciler owns roles at (exactly: never deeper). */
  readonly rolePaths: readonly string[];
  readonly scheme: RoleScheme;
  /** The stack's permissions boundary, which every owned role must carry. */
  readonly boundaryArn: string;
  /** Whether every region's scan succeeded: only then may orphans be deleted. */
  readonly scanComplete: boolean;
}

/** Who owns roles: the owner key, at which paths, by which tag. */
export interface RoleOwnership {
  readonly ownerKey: string;
  readonly rolePaths: readonly string[];
  readonly scheme: RoleScheme;
}

export function isOwned(role: ActualRole, owner: RoleOwnership): boolean {
  return owner.rolePaths.includes(role.path) && role.tags[owner.scheme.ownerTag] === owner.ownerKey;
}

/**
 * Why an owned-looking role is not adopted (undefined when it carries the stack's boundary). Every
 * role the reconciler creates has the boundary (CreateRole requires it) and its fences deny removing
 * or putting one, so a role at its path with its owner tag but without that boundary was made (or
 * tagged, or stripped) by someone else: it is neither repaired nor deleted, only reported. Tags are
 * anyone's to write who may create a role; the boundary is the one mark of provenance.
 */
export function notAdoptedReason(actual: ActualRole, boundaryArn: string): string | undefined {
  if (actual.boundaryArn === boundaryArn) return undefined;
  return `${actual.roleName} carries this stack's owner tag but not its permissions boundary (it has ${actual.boundaryArn ?? 'none'}), so this stack did not create it as it is; `
    + 'it is not adopted, repaired or deleted: remove it (the next run creates this stack\'s own)';
}

/** Deletes a role it made: first what blocks DeleteRole (inline and attached policies). */
export function deleteAction(actual: ActualRole, scheme: RoleScheme): Action & { kind: 'delete' } {
  return {
    kind: 'delete',
    roleName: actual.roleName,
    policyNames: Object.keys(actual.policies),
    attachedPolicies: actual.attachedPolicies,
    clusterArn: actual.tags[scheme.clusterTag],
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
    if (!isOwned(actual, input)) {
      actions.push({ kind: 'skip', roleName: role.roleName, reason: `a role named ${actual.roleName} exists at ${actual.path} and is not this stack's (owner tag ${actual.tags[input.scheme.ownerTag] ?? 'missing'}); it is left untouched` });
      continue;
    }
    const notAdopted = notAdoptedReason(actual, input.boundaryArn);
    if (notAdopted) {
      actions.push({ kind: 'conflict', roleName: role.roleName, reason: notAdopted });
      continue;
    }
    if (Object.entries(role.tags).some(([k, value]) => actual.tags[k] !== value)) {
      // Tags are set only at creation (the reconciler may not retag a role): replace the role.
      actions.push(deleteAction(actual, input.scheme), { kind: 'create', role });
      continue;
    }
    for (const policyArn of actual.attachedPolicies) actions.push({ kind: 'detach-policy', roleName: role.roleName, policyArn });
    if (canonicalPolicy(actual.trust) !== canonicalPolicy(role.trust)) actions.push({ kind: 'update-trust', role });
    const policyName = input.scheme.policyName;
    const policy = actual.policies[policyName];
    if (policy === undefined || canonicalPolicy(policy) !== canonicalPolicy(role.policy)) actions.push({ kind: 'update-policy', role });
    for (const name of Object.keys(actual.policies).filter((n) => n !== policyName)) {
      actions.push({ kind: 'delete-extra-policy', roleName: role.roleName, policyName: name });
    }
  }

  // Once per name: a page of the bulk read can repeat a role when the account changes between pages.
  for (const actual of actualByName.values()) {
    if (claims.has(actual.roleName.toLowerCase()) || !isOwned(actual, input)) continue;
    if (!input.scanComplete) {
      actions.push({ kind: 'skip', roleName: actual.roleName, reason: 'looks orphaned, but a region scan failed in this run, so nothing is deleted' });
      continue;
    }
    const notAdopted = notAdoptedReason(actual, input.boundaryArn);
    actions.push(notAdopted ? { kind: 'conflict', roleName: actual.roleName, reason: notAdopted } : deleteAction(actual, input.scheme));
  }
  return actions;
}

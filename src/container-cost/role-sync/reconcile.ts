/**
 * One reconciliation run: scan the regions, read this stack's roles, plan, apply. Each change is
 * one JSON log line; the run ends with a summary line.
 */
import { EntityAlreadyExistsException } from '@aws-sdk/client-iam';
import { SyncIo } from './aws-io';
import { mapWithConcurrency } from './concurrency';
import { Cluster, desiredRole, DesiredRole, SyncConfig } from './desired';
import { acceptingRolesTag, agentRolePath, WRITE_POLICY_NAME } from './naming';
import { Action, ActualRole, deleteAction, isOwned, plan } from './plan';
import { issuerHostPath } from '../../core/irsa';

export interface Concurrency {
  /** Regions scanned at once. */
  readonly regions: number;
  /** DescribeCluster calls at once, per region. */
  readonly clusters: number;
  /** Roles read or changed at once. */
  readonly roles: number;
}

export const DEFAULT_CONCURRENCY: Concurrency = { regions: 4, clusters: 8, roles: 8 };

export interface SyncSummary {
  created: number;
  updated: number;
  deleted: number;
  skipped: number;
  errors: string[];
}

type Log = (entry: Record<string, unknown>) => void;

/** Brings the agent roles in line with the clusters of the configured regions. */
export async function reconcile(config: SyncConfig, io: SyncIo, log: Log, concurrency: Concurrency = DEFAULT_CONCURRENCY): Promise<SyncSummary> {
  const summary: SyncSummary = { created: 0, updated: 0, deleted: 0, skipped: 0, errors: [] };
  const rolePath = agentRolePath(config.ownerKey);

  const scans = await mapWithConcurrency(config.regions, concurrency.regions, async (region) => {
    try {
      const names = await io.listClusterNames(region);
      // A cluster deleted since ListClusters is simply not there: no failed scan.
      const described = await mapWithConcurrency(names, concurrency.clusters, (name) => io.describeCluster(region, name));
      return { region, clusters: described.filter((c): c is Cluster => c !== undefined) };
    } catch (error) {
      return { region, error: describeError(error) };
    }
  });
  const failedRegions = scans.filter((scan) => 'error' in scan);
  for (const scan of failedRegions) {
    summary.errors.push(`scan of ${scan.region} failed: ${(scan as { error: string }).error}`);
    log({ action: 'scan-failed', region: scan.region, error: (scan as { error: string }).error });
  }
  const clusters = scans.flatMap((scan) => ('clusters' in scan ? scan.clusters! : []));

  const providers = await io.oidcProviderHostPaths();
  const desired: DesiredRole[] = [];
  for (const cluster of clusters) {
    const reason = missingIdentity(cluster, providers);
    if (reason) {
      summary.skipped++;
      log({ action: 'skip-cluster', cluster: cluster.arn, reason });
    } else {
      desired.push(desiredRole(config, cluster as Cluster & { issuer: string }));
    }
  }

  const listed = await io.rolesUnder(rolePath);
  for (const nested of listed.nested) {
    // The reconciler's policy denies every path below its own, so someone else put this here.
    summary.errors.push(`role ${nested} is nested below ${rolePath}; this stack never creates such roles: remove it`);
    log({ action: 'nested-role', role: nested });
  }
  const underPath = await readRoles(io, listed.atPath, concurrency.roles);
  const scanComplete = failedRegions.length === 0;
  const actions = plan({ desired, underPath, ownerKey: config.ownerKey, rolePath, boundaryArn: config.boundaryArn, scanComplete });
  const fence = await creationFence(config, io, actions).catch((error) => {
    // Fail closed: without knowing whether deletion began, create nothing this run.
    summary.errors.push(`check whether the stack accepts new roles: ${describeError(error)}`);
    return { open: false, check: async () => false };
  });
  await applyByRole(io, actions, concurrency.roles, summary, log, (role) => isOwned(role, config.ownerKey, rolePath), fence);

  log({ action: 'summary', ...summary, errors: summary.errors.length, clusters: clusters.length, regions: config.regions.length });
  return summary;
}

/** Who may delete the stack's roles, and whether runs may still create them. */
export interface RemovalTarget {
  readonly ownerKey: string;
  readonly boundaryArn: string;
  readonly reconcilerRoleName: string;
}

/**
 * Deletes every role this stack owns (stack deletion). First it removes the tag that lets runs
 * create roles, so a scheduled run still in flight creates none after this point (and one that
 * created a role just before deletes it again, see `creationFence`). Never throws: errors are
 * logged and returned.
 */
export async function removeOwnedRoles(
  target: RemovalTarget, io: SyncIo, log: Log, concurrency: Concurrency = DEFAULT_CONCURRENCY,
): Promise<SyncSummary> {
  const summary: SyncSummary = { created: 0, updated: 0, deleted: 0, skipped: 0, errors: [] };
  const { ownerKey, boundaryArn } = target;
  try {
    await io.stopAcceptingNewRoles(target.reconcilerRoleName, acceptingRolesTag(ownerKey));
  } catch (error) {
    summary.errors.push(`stop accepting new roles: ${describeError(error)}`);
  }
  try {
    const rolePath = agentRolePath(ownerKey);
    const roles = await readRoles(io, (await io.rolesUnder(rolePath)).atPath, concurrency.roles);
    const actions: Action[] = roles.map((role) => isOwned(role, ownerKey, rolePath)
      ? deleteAction(role, boundaryArn)
      : { kind: 'skip', roleName: role.roleName, reason: 'under this stack\'s path but without its owner tag; left untouched' });
    await applyByRole(io, actions, concurrency.roles, summary, log, (role) => isOwned(role, ownerKey, rolePath));
  } catch (error) {
    summary.errors.push(describeError(error));
  }
  // A Delete never fails the stack, so what IAM refused (for example roles of an earlier owner key,
  // outside this stack's fences) must at least be in the log, one line each, for alarms and people.
  for (const error of summary.errors) log({ action: 'error', mode: 'delete', error });
  log({ action: 'summary', ...summary, errors: summary.errors.length, mode: 'delete' });
  return summary;
}

function missingIdentity(cluster: Cluster, providers: Set<string>): string | undefined {
  if (!cluster.issuer) return 'the cluster has no OIDC issuer';
  if (!providers.has(issuerHostPath(cluster.issuer))) return `the cluster's OIDC provider (${issuerHostPath(cluster.issuer)}) is not registered in IAM; register it to give the agent a role`;
  return undefined;
}

/**
 * Checks, before a run creates anything, that the stack still accepts new roles, and returns the
 * check to repeat after each create. Runs that create nothing (the steady state) make no call.
 */
async function creationFence(config: SyncConfig, io: SyncIo, actions: Action[]): Promise<Fence | undefined> {
  if (!actions.some((a) => a.kind === 'create')) return undefined;
  const check = () => io.acceptsNewRoles(config.reconcilerRoleName, acceptingRolesTag(config.ownerKey));
  return { open: await check(), check };
}

interface Fence {
  /** Whether the stack accepted new roles when the run started applying. */
  readonly open: boolean;
  readonly check: () => Promise<boolean>;
}

async function readRoles(io: SyncIo, names: string[], limit: number): Promise<ActualRole[]> {
  const roles = await mapWithConcurrency(names, limit, (name) => io.readRole(name));
  return roles.filter((role): role is ActualRole => role !== undefined);
}

/**
 * Applies each role's actions in order, roles in parallel; counts and logs every outcome. Runs may
 * overlap (a deployment during a scheduled run): a role another run of this stack created first is
 * not a conflict, and one it deleted first is not an error (SyncIo ignores NoSuchEntity on delete).
 */
async function applyByRole(
  io: SyncIo, actions: Action[], limit: number, summary: SyncSummary, log: Log, ours: (role: ActualRole) => boolean, fence?: Fence,
): Promise<void> {
  const byRole = new Map<string, Action[]>();
  for (const action of actions) {
    const name = 'role' in action ? action.role.roleName : action.roleName;
    byRole.set(name, [...(byRole.get(name) ?? []), action]);
  }
  await mapWithConcurrency([...byRole.entries()], limit, async ([roleName, roleActions]) => {
    let updated = false;
    for (const action of roleActions) {
      const entry = { action: action.kind, role: roleName, ...('role' in action ? { cluster: action.role.clusterArn } : {}) };
      if (action.kind === 'skip') {
        summary.skipped++;
        log({ ...entry, reason: action.reason });
        continue;
      }
      if (action.kind === 'conflict') {
        summary.errors.push(`${roleName}: ${action.reason}`);
        log({ ...entry, error: action.reason });
        continue;
      }
      if (action.kind === 'create' && fence && !fence.open) {
        summary.skipped++;
        log({ ...entry, action: 'skip', reason: 'the stack is being deleted; no new roles' });
        return;
      }
      try {
        await io.apply(action, WRITE_POLICY_NAME);
        if (action.kind === 'create' && fence && !(await fence.check())) {
          // Deletion began while we created it, maybe after the Delete handler listed the roles: undo.
          await io.apply({ kind: 'delete', roleName, policyNames: [WRITE_POLICY_NAME], attachedPolicies: [] }, WRITE_POLICY_NAME);
          summary.skipped++;
          log({ ...entry, action: 'skip', reason: 'the stack began deletion during the create; the role was deleted again' });
          return;
        }
        log(entry);
        if (action.kind === 'create') summary.created++;
        else if (action.kind === 'delete') summary.deleted++;
        else updated = true;
      } catch (error) {
        if (action.kind === 'create' && error instanceof EntityAlreadyExistsException) {
          const existing = await io.readRole(roleName).catch(() => undefined);
          const concurrent = existing !== undefined && ours(existing);
          summary.skipped++;
          log({ ...entry, action: 'skip', reason: concurrent ? 'created by a concurrent run of this stack' : 'a role with this name exists and is not this stack\'s; it is left untouched' });
          return;
        }
        summary.errors.push(`${action.kind} ${roleName}: ${describeError(error)}`);
        log({ ...entry, error: describeError(error) });
        return;
      }
    }
    if (updated) summary.updated++;
  });
}

function describeError(error: unknown): string {
  const e = error as Error;
  return `${e?.name ?? 'Error'}: ${e?.message ?? String(error)}`;
}

/**
 * The reconciliation engine every reconciler of the library shares: scan the regions' EKS clusters,
 * ask a desired-state function what each cluster needs (IAM roles, Pod Identity associations), read
 * what this owner has, plan, apply behind the creation fence. Each change is one JSON log line; a
 * run ends with a summary line. The container-cost reconciler and the fleet's member reconciler
 * differ only in their `ReconcilerSpec` (desired state, names, tags).
 */
import { EntityAlreadyExistsException } from '@aws-sdk/client-iam';
import { mapWithConcurrency } from './concurrency';
import { Cluster, SyncIo } from './io';
import { ActualAssociation, AssociationAction, ClusterAssociations, DesiredAssociation, planAssociations } from './plan-associations';
import { Action, ActualRole, deleteAction, DesiredRole, isOwned, notAdoptedReason, plan, RoleOwnership, RoleScheme } from './plan-roles';

export interface Concurrency {
  /** Regions scanned at once. */
  readonly regions: number;
  /** DescribeCluster calls at once, per region. */
  readonly clusters: number;
  /** Roles read or changed at once. */
  readonly roles: number;
}

export const DEFAULT_CONCURRENCY: Concurrency = { regions: 4, clusters: 8, roles: 8 };

/** What a desired-state function returns for the clusters a run found. */
export interface DesiredState {
  readonly roles: DesiredRole[];
  readonly associations?: DesiredAssociation[];
  /** Clusters that get nothing, each with the reason (logged and counted as skipped). */
  readonly skipped: Array<{ readonly clusterArn: string; readonly reason: string }>;
}

/** What the scan may look up besides each cluster's description. */
export interface ScanNeeds {
  /** The IAM OIDC providers of the account (for IRSA roles). */
  readonly oidcProviders?: boolean;
  /** Each cluster's add-ons (to tell whether it runs the Pod Identity agent). */
  readonly addons?: boolean;
}

/** One reconciler: who it is (owner, paths, tags, boundary, fence) and what it wants. */
export interface ReconcilerSpec extends RoleOwnership {
  readonly regions: readonly string[];
  /** The permissions boundary every role it creates or changes carries. */
  readonly boundaryArn: string;
  /** Its own role, whose `fenceTag` says the stack still accepts new roles and associations. */
  readonly reconcilerRoleName: string;
  readonly fenceTag: string;
  readonly scan?: ScanNeeds;
  /** Whether it keeps Pod Identity associations (then it reads every scanned cluster's). */
  readonly associations?: boolean;
  readonly desired: (clusters: Cluster[], oidcProviders: ReadonlySet<string>) => DesiredState;
}

export interface SyncSummary {
  created: number;
  updated: number;
  deleted: number;
  skipped: number;
  errors: string[];
}

type Log = (entry: Record<string, unknown>) => void;

/** Brings the roles (and associations) in line with the clusters of the configured regions. */
export async function reconcile(spec: ReconcilerSpec, io: SyncIo, log: Log, concurrency: Concurrency = DEFAULT_CONCURRENCY): Promise<SyncSummary> {
  const summary: SyncSummary = { created: 0, updated: 0, deleted: 0, skipped: 0, errors: [] };
  const { clusters, failedRegions } = await scanClusters(spec, io, log, summary, concurrency);
  const providers = spec.scan?.oidcProviders ? await io.oidcProviderHostPaths() : new Set<string>();
  const desired = spec.desired(clusters, providers);
  for (const skip of desired.skipped) {
    summary.skipped++;
    log({ action: 'skip-cluster', cluster: skip.clusterArn, reason: skip.reason });
  }

  // Every role under the paths, read in full (in bulk, or per role: see SyncIo.rolesUnder).
  const { roles: underPath, nested } = await io.rolesUnder(spec.rolePaths);
  for (const { path, role } of nested) {
    // The reconciler's policy denies every path below its own, so someone else put this here.
    summary.errors.push(`role ${role} is nested below ${path}; this stack never creates such roles: remove it`);
    log({ action: 'nested-role', role });
  }
  const scanComplete = failedRegions === 0;
  const actions = plan({ ...spec, desired: desired.roles, underPath, scanComplete });
  const associationActions = spec.associations
    ? planAssociations({
      desired: desired.associations ?? [],
      clusters: await readAssociations(io, clusters, log, summary, concurrency),
      ownerTag: spec.scheme.ownerTag,
      ownerKey: spec.ownerKey,
    })
    : [];
  const creates = actions.some((a) => a.kind === 'create') || associationActions.some((a) => a.kind === 'create-association' || a.kind === 'replace-association');
  const fence = await creationFence(spec, io, creates).catch((error) => {
    // Fail closed: without knowing whether deletion began, create nothing this run.
    summary.errors.push(`check whether the stack accepts new roles: ${describeError(error)}`);
    return { open: false, check: async () => false };
  });
  // Orphans go last: a cluster moving from IRSA roles to associations (or back) gets its new
  // identity before the old one is removed.
  const roleOf = (a: Action) => ('role' in a ? a.role.roleName : a.roleName);
  const [roleDeletes, roleChanges] = partition(actions, (a) => a.kind === 'delete' && actions.filter((b) => roleOf(b) === roleOf(a)).length === 1);
  const [associationDeletes, associationChanges] = partition(associationActions, (a) => a.kind === 'delete-association');
  const ours = (role: ActualRole) => isOwned(role, spec);
  await applyByRole(io, spec.scheme, roleChanges, concurrency.roles, summary, log, ours, fence);
  const oursAssociation = (a: ActualAssociation) => a.tags[spec.scheme.ownerTag] === spec.ownerKey;
  await applyAssociations(io, associationChanges, concurrency.roles, summary, log, oursAssociation, fence);
  await applyByRole(io, spec.scheme, roleDeletes, concurrency.roles, summary, log, ours, fence);
  await applyAssociations(io, associationDeletes, concurrency.roles, summary, log, oursAssociation, fence);

  log({ action: 'summary', ...summary, errors: summary.errors.length, clusters: clusters.length, regions: spec.regions.length });
  return summary;
}

/** Every cluster of the regions (a region whose scan fails is an error, and blocks every delete). */
async function scanClusters(
  spec: ReconcilerSpec, io: SyncIo, log: Log, summary: SyncSummary, concurrency: Concurrency,
): Promise<{ clusters: Cluster[]; failedRegions: number }> {
  const scans = await mapWithConcurrency(spec.regions, concurrency.regions, async (region) => {
    try {
      const names = await io.listClusterNames(region);
      // A cluster deleted since ListClusters (or since DescribeCluster) is simply not there: no failed scan.
      const described = await mapWithConcurrency(names, concurrency.clusters, async (name) => {
        const cluster = await io.describeCluster(region, name);
        if (!cluster || !spec.scan?.addons) return cluster;
        const addons = await io.listAddons(region, name);
        return addons === undefined ? undefined : { ...cluster, addons };
      });
      return { region, clusters: described.filter((c): c is Cluster => c !== undefined) };
    } catch (error) {
      return { region, error: describeError(error) };
    }
  });
  let failedRegions = 0;
  for (const scan of scans) {
    if (!('error' in scan)) continue;
    failedRegions++;
    summary.errors.push(`scan of ${scan.region} failed: ${scan.error}`);
    log({ action: 'scan-failed', region: scan.region, error: scan.error });
  }
  return { clusters: scans.flatMap((scan) => ('clusters' in scan ? scan.clusters! : [])), failedRegions };
}

/** Each scanned cluster's associations; one that cannot be read is an error and keeps all of its associations. */
async function readAssociations(
  io: SyncIo, clusters: Cluster[], log: Log, summary: SyncSummary, concurrency: Concurrency,
): Promise<ClusterAssociations[]> {
  return mapWithConcurrency(clusters, concurrency.clusters, async (cluster) => {
    try {
      const actual = await io.listAssociations(cluster.region, cluster.name, concurrency.roles);
      return { region: cluster.region, clusterName: cluster.name, actual };
    } catch (error) {
      summary.errors.push(`read the Pod Identity associations of ${cluster.arn}: ${describeError(error)}`);
      log({ action: 'associations-unreadable', cluster: cluster.arn, error: describeError(error) });
      return { region: cluster.region, clusterName: cluster.name };
    }
  });
}

/** What a Delete removes, from the deleted resource's own properties (never the current environment). */
export interface RemovalTarget extends RoleOwnership {
  readonly boundaryArn: string;
  readonly reconcilerRoleName: string;
  readonly fenceTag: string;
  /** With associations: the regions whose clusters' associations are removed too. */
  readonly associationRegions?: readonly string[];
}

/**
 * Deletes every role (and association) this owner has (stack deletion). First it removes the tag
 * that lets runs create, so a scheduled run still in flight creates nothing after this point (and
 * one that created just before deletes it again, see `creationFence`). Never throws: errors are
 * logged and returned.
 */
export async function removeOwned(
  target: RemovalTarget, io: SyncIo, log: Log, concurrency: Concurrency = DEFAULT_CONCURRENCY, options: { closeFence?: boolean } = {},
): Promise<SyncSummary> {
  const summary: SyncSummary = { created: 0, updated: 0, deleted: 0, skipped: 0, errors: [] };
  try {
    // Not when an update only drops some paths: the stack goes on accepting new roles elsewhere.
    if (options.closeFence ?? true) await io.stopAcceptingNewRoles(target.reconcilerRoleName, target.fenceTag);
  } catch (error) {
    summary.errors.push(`stop accepting new roles: ${describeError(error)}`);
  }
  try {
    const { roles } = await io.rolesUnder(target.rolePaths);
    const actions: Action[] = roles.map((role): Action => {
      if (!isOwned(role, target)) return { kind: 'skip', roleName: role.roleName, reason: 'under this stack\'s path but without its owner tag; left untouched' };
      const notAdopted = notAdoptedReason(role, target.boundaryArn);
      return notAdopted ? { kind: 'conflict', roleName: role.roleName, reason: notAdopted } : deleteAction(role, target.scheme);
    });
    await applyByRole(io, target.scheme, actions, concurrency.roles, summary, log, (role) => isOwned(role, target));
  } catch (error) {
    summary.errors.push(describeError(error));
  }
  if (target.associationRegions?.length) {
    const noneWanted = { ...target, regions: target.associationRegions, associations: true, desired: () => ({ roles: [], skipped: [] }) };
    const { clusters } = await scanClusters(noneWanted, io, log, summary, concurrency);
    const read = await readAssociations(io, clusters, log, summary, concurrency);
    await applyAssociations(io, planAssociations({ desired: [], clusters: read, ownerTag: target.scheme.ownerTag, ownerKey: target.ownerKey }),
      concurrency.roles, summary, log, (a) => a.tags[target.scheme.ownerTag] === target.ownerKey);
  }
  // A Delete never fails the stack, so what IAM refused (for example roles of an earlier owner key,
  // outside this stack's fences) must at least be in the log, one line each, for alarms and people.
  for (const error of summary.errors) log({ action: 'error', mode: 'delete', error });
  log({ action: 'summary', ...summary, errors: summary.errors.length, mode: 'delete' });
  return summary;
}

/**
 * Checks, before a run creates anything, that the stack still accepts new roles, and returns the
 * check to repeat after each create. Runs that create nothing (the steady state) make no call.
 */
async function creationFence(spec: ReconcilerSpec, io: SyncIo, creates: boolean): Promise<Fence | undefined> {
  if (!creates) return undefined;
  const check = () => io.acceptsNewRoles(spec.reconcilerRoleName, spec.fenceTag);
  return { open: await check(), check };
}

interface Fence {
  /** Whether the stack accepted new roles when the run started applying. */
  readonly open: boolean;
  readonly check: () => Promise<boolean>;
}

/**
 * Applies each role's actions in order, roles in parallel; counts and logs every outcome. Runs may
 * overlap (a deployment during a scheduled run): a role another run of this stack created first is
 * not a conflict, and one it deleted first is not an error (SyncIo ignores NoSuchEntity on delete).
 */
async function applyByRole(
  io: SyncIo, scheme: RoleScheme, actions: Action[], limit: number, summary: SyncSummary, log: Log,
  ours: (role: ActualRole) => boolean, fence?: Fence,
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
        await io.apply(action, scheme);
        if (action.kind === 'create' && fence && !(await fence.check())) {
          // Deletion began while we created it, maybe after the Delete handler listed the roles: undo.
          await io.apply({ kind: 'delete', roleName, policyNames: [scheme.policyName], attachedPolicies: [] }, scheme);
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

/**
 * Applies the association actions, in parallel; creates only while the fence is open, and a create
 * that races the stack's deletion is undone.
 */
async function applyAssociations(
  io: SyncIo, actions: AssociationAction[], limit: number, summary: SyncSummary, log: Log, ours: (a: ActualAssociation) => boolean, fence?: Fence,
): Promise<void> {
  await mapWithConcurrency(actions, limit, async (action) => {
    const entry = { action: action.kind, association: 'association' in action ? associationLabel(action.association) : (action as { key?: string }).key ?? action.kind };
    if (action.kind === 'skip') {
      summary.skipped++;
      log({ ...entry, reason: action.reason });
      return;
    }
    const creates = action.kind === 'create-association' || action.kind === 'replace-association';
    if (creates && fence && !fence.open) {
      summary.skipped++;
      log({ ...entry, action: 'skip', reason: 'the stack is being deleted; no new associations' });
      return;
    }
    try {
      await io.applyAssociation(action);
      if (creates && fence && !(await fence.check())) {
        // Deletion began while we created it, maybe after the Delete handler listed them: undo.
        const a = (action as { association: DesiredAssociation }).association;
        const created = (await io.listAssociations(a.region, a.clusterName, 1))
          .find((x) => x.namespace === a.namespace && x.serviceAccount === a.serviceAccount);
        if (created) await io.applyAssociation({ kind: 'delete-association', region: a.region, clusterName: a.clusterName, associationId: created.associationId, serviceAccount: a.serviceAccount });
        summary.skipped++;
        log({ ...entry, action: 'skip', reason: 'the stack began deletion during the create; the association was deleted again' });
        return;
      }
      log(entry);
      if (action.kind === 'create-association') summary.created++;
      else if (action.kind === 'delete-association') summary.deleted++;
      else summary.updated++;
    } catch (error) {
      if (action.kind === 'create-association' && (error as Error).name === 'ResourceInUseException') {
        // Another run of this instance made it first, or someone else did: either way, not an error of ours.
        const a = action.association;
        const existing = (await io.listAssociations(a.region, a.clusterName, 1).catch(() => []))
          .find((x) => x.namespace === a.namespace && x.serviceAccount === a.serviceAccount);
        summary.skipped++;
        log({ ...entry, action: 'skip', reason: existing && ours(existing) ? 'created by a concurrent run of this stack' : 'the service account got someone else\'s association meanwhile; it is left untouched' });
        return;
      }
      summary.errors.push(`${action.kind} ${entry.association}: ${describeError(error)}`);
      log({ ...entry, error: describeError(error) });
    }
  });
}

function associationLabel(a: DesiredAssociation): string {
  return `${a.clusterArn}/${a.namespace}/${a.serviceAccount}`;
}

function partition<T>(items: T[], test: (item: T) => boolean): [T[], T[]] {
  return [items.filter(test), items.filter((item) => !test(item))];
}

function describeError(error: unknown): string {
  const e = error as Error;
  return `${e?.name ?? 'Error'}: ${e?.message ?? String(error)}`;
}

/**
 * The container-cost role reconciler (Node.js 22, AWS SDK v3 from the Lambda runtime). Invoked by
 * the custom resource (Create/Update: reconcile; Delete: remove exactly this stack's roles, never
 * failing) and by the EventBridge schedule (reconcile).
 */
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { ReconcilerDriftReads } from './drift-reads';
import { configFromEnv, driftReadsFromEnv, ENV } from './role-sync/config';
import { costReconcilerSpec, costRemovalTarget } from './role-sync/desired';
import { PerRoleSyncIo } from './role-sync/per-role-io';
import { RetryOptions } from '../core/reconciler/concurrency';
import { reconcile, removeOwned, SyncSummary } from '../core/reconciler/engine';
import { Clients, SyncIo } from '../core/reconciler/io';
import { confirmDelete, jsonLog, LAMBDA_RETRY, lambdaClients, refuseForeignOwner } from '../core/reconciler/lambda-wiring';

/** The custom resource's physical ID is `<prefix>/<owner key>`. */
const PHYSICAL_ID_PREFIX = 'container-cost-roles';

export interface RoleSyncResponse {
  readonly PhysicalResourceId?: string;
  readonly Data?: Record<string, string>;
  readonly summary?: SyncSummary;
}

export interface Dependencies {
  readonly clients: Clients;
  readonly retry: RetryOptions;
  readonly env: Record<string, string | undefined>;
  readonly log: (entry: Record<string, unknown>) => void;
}

/** The Lambda entry point: real clients, whose own retries are off (ours retry throttling with backoff). */
export async function handler(event: unknown): Promise<RoleSyncResponse> {
  return onEvent(event, { clients: lambdaClients(), retry: LAMBDA_RETRY, env: process.env, log: jsonLog });
}

export async function onEvent(event: unknown, deps: Dependencies): Promise<RoleSyncResponse> {
  const Io = driftReadsFromEnv(deps.env) === ReconcilerDriftReads.PER_ROLE ? PerRoleSyncIo : SyncIo;
  const io = new Io(deps.clients, deps.retry, deps.log);
  if (!isCustomResourceEvent(event)) {
    // The schedule: reconcile, and fail the invocation (for alarms) if anything went wrong.
    const summary = await reconcile(costReconcilerSpec(configFromEnv(deps.env)), io, deps.log);
    failOnErrors(summary);
    return { summary };
  }
  const ownerKey = String(event.ResourceProperties.OwnerKey);
  const physicalResourceId = `${PHYSICAL_ID_PREFIX}/${ownerKey}`;
  switch (event.RequestType) {
    case 'Create':
    case 'Update': {
      const summary = await reconcile(costReconcilerSpec(configFromEnv(deps.env)), io, deps.log);
      failOnErrors(summary);
      const Data = { Created: String(summary.created), Updated: String(summary.updated), Deleted: String(summary.deleted) };
      return { PhysicalResourceId: physicalResourceId, Data };
    }
    case 'Delete': {
      // Only CloudFormation's own Delete of this stack's resource may remove roles.
      const own = { stackId: deps.env[ENV.STACK_ID], logicalId: deps.env[ENV.LOGICAL_ID] };
      if (await confirmDelete(io, own, event, deps.log, 'the agent roles') === 'keep') {
        return { PhysicalResourceId: event.PhysicalResourceId };
      }
      refuseForeignOwner(PHYSICAL_ID_PREFIX, event, event.ResourceProperties.OwnerKey, deps.log);
      // The owner key (and its boundary and marker) come from the deleted resource's own
      // properties, never from the current environment: a replaced resource must remove its
      // roles, not the new owner's.
      const props = event.ResourceProperties;
      const target = { ownerKey, boundaryArn: String(props.BoundaryArn), reconcilerRoleName: String(props.ReconcilerRoleName) };
      await removeOwned(costRemovalTarget(target), io, deps.log);
      return { PhysicalResourceId: event.PhysicalResourceId };
    }
    default:
      throw new Error(`unknown request type ${(event as { RequestType: string }).RequestType}`);
  }
}

function isCustomResourceEvent(event: unknown): event is CloudFormationCustomResourceEvent {
  return typeof event === 'object' && event !== null && 'RequestType' in event;
}

function failOnErrors(summary: SyncSummary): void {
  if (summary.errors.length > 0) throw new Error(`container-cost role sync finished with ${summary.errors.length} error(s): ${summary.errors.join('; ')}`);
}

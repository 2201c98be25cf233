/**
 * The fleet's member reconciler (Node.js 22, AWS SDK v3 from the Lambda runtime), inlined into the
 * StackSet's member template. Invoked by the instance's custom resource (Create/Update: reconcile;
 * Delete: remove exactly this instance's identities) and by its schedule (reconcile). With no
 * Provider framework in between, it answers CloudFormation itself (core/cfn-response.ts).
 *
 * Threat model: see fleet-member-policy.ts. The event never configures it: the flows, roles,
 * owner and boundary come from the environment fixed at deploy time; a Delete is acted on only
 * for its own custom resource while CloudFormation reports it deleting; a response goes only to an S3 URL.
 */
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { FLEET_ENV, fleetConfigFromEnv } from './fleet-sync/config';
import { FleetSyncConfig, fleetReconcilerSpec, fleetRemovalTarget } from './fleet-sync/desired';
import { CfnResponseBody, putCfnResponse, responseUrlProblem } from '../core/cfn-response';
import { RetryOptions } from '../core/reconciler/concurrency';
import { reconcile, removeOwned, SyncSummary } from '../core/reconciler/engine';
import { Clients, SyncIo } from '../core/reconciler/io';
import { confirmDelete, jsonLog, LAMBDA_RETRY, lambdaClients, Log, refuseForeignOwner } from '../core/reconciler/lambda-wiring';

export interface FleetDependencies {
  readonly clients: Clients;
  readonly retry: RetryOptions;
  readonly env: Record<string, string | undefined>;
  readonly log: (entry: Record<string, unknown>) => void;
  readonly respond: (url: string, body: CfnResponseBody) => Promise<void>;
  /** Milliseconds left before the function is stopped (Lambda's context); absent in tests that need no deadline. */
  readonly remainingMs?: () => number;
}

/** The custom resource's physical ID is `<prefix>/<owner key>`. */
const PHYSICAL_ID_PREFIX = 'xacct-observability-fleet';

/** What is kept back to answer CloudFormation before the function is stopped. */
const ANSWER_MARGIN_MS = 60_000;

export async function handler(event: unknown, context?: { getRemainingTimeInMillis(): number }): Promise<unknown> {
  return onFleetEvent(event, {
    clients: lambdaClients(),
    retry: LAMBDA_RETRY,
    env: process.env,
    log: jsonLog,
    respond: putCfnResponse,
    remainingMs: context ? () => context.getRemainingTimeInMillis() : undefined,
  });
}

export async function onFleetEvent(event: unknown, deps: FleetDependencies): Promise<unknown> {
  const io = new SyncIo(deps.clients, deps.retry, deps.log);
  if (!isCustomResourceEvent(event)) {
    // The schedule: reconcile, and fail the invocation (for alarms) if anything went wrong.
    const summary = await reconcile(fleetReconcilerSpec(fleetConfigFromEnv(deps.env)), io, deps.log);
    if (summary.errors.length > 0) throw new Error(`fleet sync finished with ${summary.errors.length} error(s): ${summary.errors.join('; ')}`);
    return { summary };
  }
  const urlProblem = responseUrlProblem(event.ResponseURL, deps.env[FLEET_ENV.REGION]);
  if (urlProblem) {
    // Not CloudFormation's event: do nothing, and tell nobody but the log.
    deps.log({ action: 'refused-event', reason: urlProblem });
    throw new Error(`refused event: ${urlProblem}`);
  }
  const physicalResourceId = `${PHYSICAL_ID_PREFIX}/${String(event.ResourceProperties?.OwnerKey)}`;
  let body: CfnResponseBody;
  try {
    const { data, physicalId } = await withinDeadline(onCustomResource(event, io, deps), deps);
    body = { ...replyTo(event), Status: 'SUCCESS', PhysicalResourceId: physicalId ?? physicalResourceId, Data: data };
  } catch (error) {
    body = { ...replyTo(event), Status: 'FAILED', Reason: (error as Error).message.slice(0, 1000), PhysicalResourceId: 'PhysicalResourceId' in event ? event.PhysicalResourceId : physicalResourceId };
  }
  await deps.respond(event.ResponseURL, body);
  return body;
}

async function onCustomResource(
  event: CloudFormationCustomResourceEvent, io: SyncIo, deps: FleetDependencies,
): Promise<{ data?: Record<string, string>; physicalId?: string }> {
  switch (event.RequestType) {
    case 'Create':
    case 'Update': {
      // One cluster's trouble must not fail the instance (and count against the StackSet's failure
      // tolerance): the run's errors are logged and reported here, and the schedule tries again.
      const config = fleetConfigFromEnv(deps.env);
      const summary = await reconcile(fleetReconcilerSpec(config), io, deps.log);
      if (event.RequestType === 'Update') await removeDroppedFlows(event.OldResourceProperties, config, io, deps.log);
      return { data: summaryData(summary) };
    }
    case 'Delete': {
      const own = { stackId: deps.env[FLEET_ENV.STACK_ID], logicalId: deps.env[FLEET_ENV.LOGICAL_ID] };
      if (await confirmDelete(io, own, event, deps.log, 'the identities') === 'keep') {
        return { physicalId: event.PhysicalResourceId };
      }
      // What to remove comes from the deleted resource's own properties, never the current environment;
      // its owner must be the one of the physical ID CloudFormation just confirmed.
      const p = event.ResourceProperties;
      refuseForeignOwner(PHYSICAL_ID_PREFIX, event, p.OwnerKey, deps.log);
      await removeOwned(fleetRemovalTarget({
        ownerKey: String(p.OwnerKey),
        boundaryArn: String(p.BoundaryArn),
        reconcilerRoleName: String(p.ReconcilerRoleName),
        flowKeys: String(p.FlowKeys).split(',').filter((k) => k !== ''),
        region: String(p.Region),
      }), io, deps.log);
      return { physicalId: event.PhysicalResourceId };
    }
    default:
      throw new Error(`unknown request type ${(event as { RequestType: string }).RequestType}`);
  }
}

/**
 * A flow the update dropped leaves its per-cluster roles at a path the reconciler no longer keeps:
 * remove the ones it owns there (its policy may delete owned roles anywhere under the fleet's root).
 * The old flows come from the event, but only paths outside the current configuration are touched,
 * and only roles with this instance's owner tag, so a forged Update can remove nothing still in use.
 */
async function removeDroppedFlows(old: Record<string, unknown> | undefined, config: FleetSyncConfig, io: SyncIo, log: Log): Promise<void> {
  const current = new Set(config.flows.map((f) => f.key));
  const dropped = String(old?.FlowKeys ?? '').split(',').filter((key) => key !== '' && !current.has(key) && FLOW_KEY.test(key));
  if (dropped.length === 0) return;
  const target = fleetRemovalTarget({ ...config, flowKeys: dropped });
  await removeOwned({ ...target, associationRegions: [] }, io, log, undefined, { closeFence: false });
}

/** A flow key, as the construct makes them: never a path trick. */
const FLOW_KEY = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;

/**
 * The work, or, when the function is about to be stopped, SUCCESS with what is known: the run goes
 * on until then, and the schedule finishes what it could not (a stack instance never waits for an
 * answer that cannot come, and one slow account never fails the StackSet operation).
 */
async function withinDeadline(
  work: Promise<{ data?: Record<string, string>; physicalId?: string }>, deps: FleetDependencies,
): Promise<{ data?: Record<string, string>; physicalId?: string }> {
  const left = deps.remainingMs?.();
  if (left === undefined) return work;
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<{ data: Record<string, string> }>((resolve) => {
    timer = setTimeout(() => {
      deps.log({ action: 'deadline', reason: 'answering CloudFormation before the function is stopped; the schedule finishes the run' });
      resolve({ data: { Partial: 'true' } });
    }, Math.max(0, left - ANSWER_MARGIN_MS));
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

function replyTo(event: CloudFormationCustomResourceEvent) {
  return { StackId: event.StackId, RequestId: event.RequestId, LogicalResourceId: event.LogicalResourceId };
}

function summaryData(summary: SyncSummary): Record<string, string> {
  const { created, updated, deleted, errors } = summary;
  return { Created: String(created), Updated: String(updated), Deleted: String(deleted), Errors: String(errors.length) };
}

function isCustomResourceEvent(event: unknown): event is CloudFormationCustomResourceEvent {
  return typeof event === 'object' && event !== null && 'RequestType' in event;
}

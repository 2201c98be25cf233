/**
 * The fleet's member reconciler (Node.js 22, AWS SDK v3 from the Lambda runtime), inlined into the
 * StackSet's member template. Invoked by the instance's custom resource (Create/Update: reconcile;
 * Delete: remove exactly this instance's identities) and by its schedule (reconcile). With no
 * Provider framework in between, it answers CloudFormation itself (core/cfn-response.ts).
 *
 * Threat model: see fleet-member-policy.ts. The event never configures it: the flows, roles,
 * owner and boundary come from the environment fixed at deploy time; a Delete is acted on only
 * while CloudFormation reports this stack deleting; a response goes only to an S3 URL.
 */
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { EKSClient } from '@aws-sdk/client-eks';
import { IAMClient } from '@aws-sdk/client-iam';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { FLEET_ENV, fleetConfigFromEnv } from './fleet-sync/config';
import { fleetReconcilerSpec, fleetRemovalTarget } from './fleet-sync/desired';
import { CfnResponseBody, putCfnResponse, responseUrlProblem } from '../core/cfn-response';
import { RetryOptions } from '../core/reconciler/concurrency';
import { deleteRefusal } from '../core/reconciler/delete-guard';
import { reconcile, removeOwned, SyncSummary } from '../core/reconciler/engine';
import { Clients, SyncIo } from '../core/reconciler/io';

export interface FleetDependencies {
  readonly clients: Clients;
  readonly retry: RetryOptions;
  readonly env: Record<string, string | undefined>;
  readonly log: (entry: Record<string, unknown>) => void;
  readonly respond: (url: string, body: CfnResponseBody) => Promise<void>;
}

export async function handler(event: unknown): Promise<unknown> {
  const eks = new Map<string, EKSClient>();
  return onFleetEvent(event, {
    clients: {
      iam: new IAMClient({ maxAttempts: 1 }),
      eks: (region) => eks.get(region) ?? eks.set(region, new EKSClient({ region, maxAttempts: 1 })).get(region)!,
      cfn: new CloudFormationClient({ maxAttempts: 1 }),
    },
    retry: {
      maxAttempts: 8, baseDelayMs: 200, maxDelayMs: 20_000, random: Math.random, sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    },
    env: process.env,
    log: (entry) => console.log(JSON.stringify(entry)),
    respond: putCfnResponse,
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
  const urlProblem = responseUrlProblem(event.ResponseURL);
  if (urlProblem) {
    // Not CloudFormation's event: do nothing, and tell nobody but the log.
    deps.log({ action: 'refused-event', reason: urlProblem });
    throw new Error(`refused event: ${urlProblem}`);
  }
  const physicalResourceId = `xacct-observability-fleet/${String(event.ResourceProperties?.OwnerKey)}`;
  let body: CfnResponseBody;
  try {
    const { data, physicalId } = await onCustomResource(event, io, deps);
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
      const summary = await reconcile(fleetReconcilerSpec(fleetConfigFromEnv(deps.env)), io, deps.log);
      return { data: summaryData(summary) };
    }
    case 'Delete': {
      const stackId = deps.env[FLEET_ENV.STACK_ID];
      if (!stackId) throw new Error(`environment variable ${FLEET_ENV.STACK_ID} is not set`);
      let status: string | undefined;
      try {
        status = await io.stackStatus(stackId);
      } catch (error) {
        // A genuine deletion must not fail on this: keep the identities (bounded, at the fleet's paths) and say so.
        deps.log({ action: 'error', error: `cannot confirm the Delete with CloudFormation (${(error as Error).name}); the identities are kept` });
        return { physicalId: event.PhysicalResourceId };
      }
      const refusal = deleteRefusal(stackId, event.StackId, status);
      if (refusal) {
        deps.log({ action: 'refused-delete', reason: refusal });
        throw new Error(`refused Delete: ${refusal}`);
      }
      // What to remove comes from the deleted resource's own properties, never the current environment.
      const p = event.ResourceProperties;
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

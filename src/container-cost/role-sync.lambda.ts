/**
 * The container-cost role reconciler (Node.js 22, AWS SDK v3 from the Lambda runtime). Invoked by
 * the custom resource (Create/Update: reconcile; Delete: remove exactly this stack's roles, never
 * failing) and by the EventBridge schedule (reconcile).
 */
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { EKSClient } from '@aws-sdk/client-eks';
import { IAMClient } from '@aws-sdk/client-iam';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { configFromEnv, ENV } from './role-sync/config';
import { costReconcilerSpec, costRemovalTarget } from './role-sync/desired';
import { RetryOptions } from '../core/reconciler/concurrency';
import { deleteRefusal } from '../core/reconciler/delete-guard';
import { reconcile, removeOwned, SyncSummary } from '../core/reconciler/engine';
import { Clients, SyncIo } from '../core/reconciler/io';

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
  const eks = new Map<string, EKSClient>();
  return onEvent(event, {
    clients: {
      iam: new IAMClient({ maxAttempts: 1 }),
      eks: (region) => eks.get(region) ?? eks.set(region, new EKSClient({ region, maxAttempts: 1 })).get(region)!,
      cfn: new CloudFormationClient({ maxAttempts: 1 }),
    },
    retry: {
      maxAttempts: 8,
      baseDelayMs: 200,
      maxDelayMs: 20_000,
      random: Math.random,
      sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    },
    env: process.env,
    log: (entry) => console.log(JSON.stringify(entry)),
  });
}

export async function onEvent(event: unknown, deps: Dependencies): Promise<RoleSyncResponse> {
  const io = new SyncIo(deps.clients, deps.retry, deps.log);
  if (!isCustomResourceEvent(event)) {
    // The schedule: reconcile, and fail the invocation (for alarms) if anything went wrong.
    const summary = await reconcile(costReconcilerSpec(configFromEnv(deps.env)), io, deps.log);
    failOnErrors(summary);
    return { summary };
  }
  const ownerKey = String(event.ResourceProperties.OwnerKey);
  const physicalResourceId = `container-cost-roles/${ownerKey}`;
  switch (event.RequestType) {
    case 'Create':
    case 'Update': {
      const summary = await reconcile(costReconcilerSpec(configFromEnv(deps.env)), io, deps.log);
      failOnErrors(summary);
      const Data = { Created: String(summary.created), Updated: String(summary.updated), Deleted: String(summary.deleted) };
      return { PhysicalResourceId: physicalResourceId, Data };
    }
    case 'Delete': {
      // Only CloudFormation's own Delete of this stack's resource may remove roles: a hand-made one
      // (anyone allowed to invoke the function) is refused and removes nothing.
      const stackId = deps.env[ENV.STACK_ID];
      if (!stackId) throw new Error(`environment variable ${ENV.STACK_ID} is not set`);
      let status: string | undefined;
      try {
        status = await io.stackStatus(stackId);
      } catch (error) {
        // A genuine stack deletion must not fail on this: keep the roles (bounded, at the stack's path) and say so.
        deps.log({ action: 'error', error: `cannot confirm the Delete with CloudFormation (${(error as Error).name}); the agent roles are kept` });
        return { PhysicalResourceId: event.PhysicalResourceId };
      }
      const refusal = deleteRefusal(stackId, event.StackId, status);
      if (refusal) {
        deps.log({ action: 'refused-delete', reason: refusal });
        throw new Error(`refused Delete: ${refusal}`);
      }
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

/**
 * What every reconciler handler needs at run time, written once: the real AWS clients (their own
 * retries off: ours retry throttling with backoff), the retry settings, the JSON logger, and the
 * check that a Delete really comes from CloudFormation deleting this stack's resource.
 */
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { EKSClient } from '@aws-sdk/client-eks';
import { IAMClient } from '@aws-sdk/client-iam';
import { RetryOptions } from './concurrency';
import { deleteRefusal, ownerRefusal } from './delete-guard';
import { Clients, SyncIo } from './io';

export type Log = (entry: Record<string, unknown>) => void;

/** The clients of a Lambda run: one IAM and CloudFormation client, one EKS client per region. */
export function lambdaClients(): Clients {
  const eks = new Map<string, EKSClient>();
  return {
    iam: new IAMClient({ maxAttempts: 1 }),
    eks: (region) => eks.get(region) ?? eks.set(region, new EKSClient({ region, maxAttempts: 1 })).get(region)!,
    cfn: new CloudFormationClient({ maxAttempts: 1 }),
  };
}

/** Capped exponential backoff with full jitter, within a 15-minute function. */
export const LAMBDA_RETRY: RetryOptions = {
  maxAttempts: 8,
  baseDelayMs: 200,
  maxDelayMs: 20_000,
  random: Math.random,
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

export const jsonLog: Log = (entry) => console.log(JSON.stringify(entry));

/** What of a Delete event the confirmation reads. */
export interface DeleteEvent {
  readonly StackId: unknown;
  readonly LogicalResourceId: string;
  readonly PhysicalResourceId: string;
}

/**
 * Whether to act on a Delete. Anyone allowed to invoke the function can send one, with any stack,
 * logical ID, physical ID and properties, so:
 * - the event must name this function's stack and its own custom resource (both fixed in its
 *   environment), and CloudFormation must report that stack in a state in which it sends Deletes;
 *   otherwise the Delete throws (refused);
 * - then 'remove' only if CloudFormation reports that very resource (the configured logical ID, never
 *   the event's) DELETE_IN_PROGRESS with the event's physical ID. A replaced resource's Delete, one
 *   forged during an ordinary update's cleanup, or one sent before the stack's deletion reaches this
 *   resource gets 'keep': nothing removed, and no failure.
 * When CloudFormation cannot be asked, 'keep': a genuine deletion must not fail on that, so the
 * identities (bounded, at the stack's paths) are kept and the log says so.
 */
export async function confirmDelete(
  io: SyncIo, own: { stackId?: string; logicalId?: string }, event: DeleteEvent, log: Log, kept: string,
): Promise<'remove' | 'keep'> {
  if (!own.stackId) throw new Error('environment variable STACK_ID is not set');
  if (!own.logicalId) throw new Error('environment variable LOGICAL_ID is not set');
  const configured = { stackId: own.stackId, logicalId: own.logicalId };
  let status: string | undefined;
  let resource: { status?: string; physicalId?: string } | undefined;
  try {
    status = await io.stackStatus(configured.stackId);
    const refusal = deleteRefusal(configured, event, status);
    if (refusal) {
      log({ action: 'refused-delete', reason: refusal });
      throw new RefusedDelete(refusal);
    }
    resource = await io.stackResource(configured.stackId, configured.logicalId);
  } catch (error) {
    if (error instanceof RefusedDelete) throw error;
    log({ action: 'error', error: `cannot confirm the Delete with CloudFormation (${(error as Error).name}); ${kept} are kept` });
    return 'keep';
  }
  if (resource.status === 'DELETE_IN_PROGRESS' && resource.physicalId === event.PhysicalResourceId) return 'remove';
  log({
    action: 'kept-delete',
    reason: `the stack is ${status}, but CloudFormation reports ${configured.logicalId} (${resource.physicalId ?? 'no physical ID'}) ${resource.status ?? 'without a status'}, `
      + `not this resource (${event.PhysicalResourceId}) being deleted: ${kept} are kept`,
  });
  return 'keep';
}

/** Refuses a Delete whose properties name another owner than its physical ID (see `ownerRefusal`). */
export function refuseForeignOwner(physicalIdPrefix: string, event: DeleteEvent, ownerKey: unknown, log: Log): void {
  const refusal = ownerRefusal(physicalIdPrefix, event.PhysicalResourceId, ownerKey);
  if (!refusal) return;
  log({ action: 'refused-delete', reason: refusal });
  throw new RefusedDelete(refusal);
}

class RefusedDelete extends Error {
  constructor(reason: string) {
    super(`refused Delete: ${reason}`);
  }
}

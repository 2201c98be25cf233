/**
 * What every reconciler handler needs at run time, written once: the real AWS clients (their own
 * retries off: ours retry throttling with backoff), the retry settings, the JSON logger, and the
 * check that a Delete really comes from CloudFormation deleting this stack's resource.
 */
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { EKSClient } from '@aws-sdk/client-eks';
import { IAMClient } from '@aws-sdk/client-iam';
import { RetryOptions } from './concurrency';
import { deleteRefusal } from './delete-guard';
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
 * Whether to act on a Delete. Anyone allowed to invoke the function can send one, so:
 * - the event must name this function's stack (fixed in its environment), and CloudFormation must
 *   report that stack in a state in which it sends Deletes; otherwise the Delete throws (refused);
 * - while the whole stack is being deleted, 'remove' (everything in it goes anyway);
 * - in an update's cleanup or a rollback, 'remove' only if CloudFormation reports this very
 *   resource (logical and physical ID) DELETE_IN_PROGRESS. A replaced resource's Delete, or one
 *   forged during an ordinary update's cleanup, gets 'keep': nothing removed, and no failure.
 * When CloudFormation cannot be asked, 'keep': a genuine deletion must not fail on that, so the
 * identities (bounded, at the stack's paths) are kept and the log says so.
 */
export async function confirmDelete(io: SyncIo, configuredStackId: string | undefined, event: DeleteEvent, log: Log, kept: string): Promise<'remove' | 'keep'> {
  if (!configuredStackId) throw new Error('environment variable STACK_ID is not set');
  let status: string | undefined;
  let resource: { status?: string; physicalId?: string } | undefined;
  try {
    status = await io.stackStatus(configuredStackId);
    const refusal = deleteRefusal(configuredStackId, event.StackId, status);
    if (refusal) {
      log({ action: 'refused-delete', reason: refusal });
      throw new RefusedDelete(refusal);
    }
    if (status === 'DELETE_IN_PROGRESS') return 'remove';
    resource = await io.stackResource(configuredStackId, event.LogicalResourceId);
  } catch (error) {
    if (error instanceof RefusedDelete) throw error;
    log({ action: 'error', error: `cannot confirm the Delete with CloudFormation (${(error as Error).name}); ${kept} are kept` });
    return 'keep';
  }
  if (resource.status === 'DELETE_IN_PROGRESS' && resource.physicalId === event.PhysicalResourceId) return 'remove';
  log({
    action: 'kept-delete',
    reason: `the stack is ${status}, but CloudFormation reports ${event.LogicalResourceId} (${resource.physicalId ?? 'no physical ID'}) ${resource.status ?? 'without a status'}, `
      + `not this resource (${event.PhysicalResourceId}) being deleted: ${kept} are kept`,
  });
  return 'keep';
}

class RefusedDelete extends Error {
  constructor(reason: string) {
    super(`refused Delete: ${reason}`);
  }
}

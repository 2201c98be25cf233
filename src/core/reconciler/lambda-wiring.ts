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

/**
 * Whether to act on a Delete: 'remove' only when the event names this function's stack (fixed in its
 * environment) and CloudFormation reports that stack deleting (or replacing, or rolling back). A
 * hand-made Delete (anyone allowed to invoke the function can send one) throws and removes nothing.
 * When CloudFormation cannot be asked, 'keep': a genuine deletion must not fail on that, so the
 * identities (bounded, at the stack's paths) are kept and the log says so.
 */
export async function confirmDelete(io: SyncIo, configuredStackId: string | undefined, eventStackId: unknown, log: Log, kept: string): Promise<'remove' | 'keep'> {
  if (!configuredStackId) throw new Error('environment variable STACK_ID is not set');
  let status: string | undefined;
  try {
    status = await io.stackStatus(configuredStackId);
  } catch (error) {
    log({ action: 'error', error: `cannot confirm the Delete with CloudFormation (${(error as Error).name}); ${kept} are kept` });
    return 'keep';
  }
  const refusal = deleteRefusal(configuredStackId, eventStackId, status);
  if (refusal) {
    log({ action: 'refused-delete', reason: refusal });
    throw new Error(`refused Delete: ${refusal}`);
  }
  return 'remove';
}

/**
 * Splitting trust statements across roles so that no trust policy exceeds IAM's size quota.
 * Pure: no aws-cdk-lib import.
 */
import { policyDocument, policySize } from './policy-size';

export interface TrustShardPlan {
  /** For each role, the indexes of the statements it holds, in input order. */
  readonly shards: number[][];
  /** Indexes of statements that do not fit in a trust policy even alone, with their size. */
  readonly oversized: Array<{ index: number; size: number }>;
}

/**
 * First fit in input order: each statement goes to the first role with room, else a new role.
 * Appending statements never moves the ones already placed, so existing clusters keep their
 * role as new clusters are added; only removing a cluster can let a later one move up.
 */
export function planTrustShards(statements: unknown[], sizeLimit: number): TrustShardPlan {
  const shards: number[][] = [];
  const oversized: Array<{ index: number; size: number }> = [];
  statements.forEach((statement, index) => {
    const alone = policySize(policyDocument([statement]));
    if (alone > sizeLimit) {
      oversized.push({ index, size: alone });
      return;
    }
    const shard = shards.find((held) => policySize(policyDocument([...held.map((i) => statements[i]), statement])) <= sizeLimit);
    if (shard) shard.push(index);
    else shards.push([index]);
  });
  return { shards, oversized };
}

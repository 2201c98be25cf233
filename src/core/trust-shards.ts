/**
 * Splitting trust statements across roles so that no trust policy exceeds IAM's size quota.
 * Pure: no aws-cdk-lib import.
 */
import { policyDocument, policySize } from './policy-size';

export interface TrustShardPlan {
  /** For each role, the indexes of the statements it holds, in input order. */
  readonly shards: number[][];
  /** For each role, its trust policy's size as IAM counts it (`policySize` of the rendered document). */
  readonly sizes: number[];
  /** Indexes of statements that do not fit in a trust policy even alone, with their size. */
  readonly oversized: Array<{ index: number; size: number }>;
}

/** `{"Statement":[],"Version":"2012-10-17"}`: the document around no statements. */
const EMPTY_DOCUMENT_SIZE = policySize(policyDocument([]));
/** `[]`: what `policySize([statement])` counts besides the statement. */
const BRACKETS = 2;
/** The comma between two statements of the list. */
const SEPARATOR = 1;

/**
 * First fit in input order: each statement goes to the first role with room, else a new role.
 * Appending statements never moves the ones already placed, so existing clusters keep their
 * role as new clusters are added; only removing a cluster can let a later one move up.
 *
 * Linear in the statements' size: each statement is serialized once, and each role keeps a running
 * size. White space is dropped character by character, so a document's size is exactly the empty
 * document's, plus each statement's (as an element of the list), plus one comma between statements.
 */
export function planTrustShards(statements: unknown[], sizeLimit: number): TrustShardPlan {
  const shards: number[][] = [];
  const sizes: number[] = [];
  const oversized: Array<{ index: number; size: number }> = [];
  statements.forEach((statement, index) => {
    const measured = policySize([statement]) - BRACKETS;
    const alone = EMPTY_DOCUMENT_SIZE + measured;
    if (alone > sizeLimit) {
      oversized.push({ index, size: alone });
      return;
    }
    const added = measured + SEPARATOR;
    const shard = sizes.findIndex((size) => size + added <= sizeLimit);
    if (shard >= 0) {
      shards[shard].push(index);
      sizes[shard] += added;
    } else {
      shards.push([index]);
      sizes.push(alone);
    }
  });
  return { shards, sizes, oversized };
}

import fc from 'fast-check';
import { irsaTrustStatement } from '../../src/core/irsa';
import { policyDocument, policySize } from '../../src/core/policy-size';
import { planTrustShards } from '../../src/core/trust-shards';

/** The quadratic first fit that shipped before the running sizes: the reference the new plan must equal. */
function referencePlan(statements: unknown[], sizeLimit: number) {
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

// Strings full of the white space IAM does not count (and JSON.stringify escapes or keeps).
const whitespacey = fc.string({ unit: fc.constantFrom('a', 'Z', ':', '*', '"', '\\', ' ', '\t', '\n', '\r', '\u00a0', '\u2028', '\ufeff', 'é', '😀'), maxLength: 40 });
const conditionBlock = fc.dictionary(whitespacey, fc.oneof(whitespacey, fc.array(whitespacey, { maxLength: 4 })), { maxKeys: 3 });
const statement = fc.oneof(
  fc.record({
    Effect: fc.constant('Allow'),
    Action: fc.oneof(whitespacey, fc.array(whitespacey, { maxLength: 3 })),
    Principal: fc.record({ Federated: whitespacey }),
    Condition: fc.dictionary(whitespacey, conditionBlock, { maxKeys: 2 }),
  }),
  fc.jsonValue({ maxDepth: 3 }),
);

test('the running sizes give exactly the old plan, and each size is the rendered document\'s', () => {
  fc.assert(fc.property(fc.array(statement, { maxLength: 40 }), fc.integer({ min: 1, max: 2000 }), (statements, sizeLimit) => {
    const plan = planTrustShards(statements, sizeLimit);
    const reference = referencePlan(statements, sizeLimit);
    expect(plan.shards).toEqual(reference.shards);
    expect(plan.oversized).toEqual(reference.oversized);
    expect(plan.sizes).toEqual(plan.shards.map((shard) => policySize(policyDocument(shard.map((i) => statements[i])))));
  }), { numRuns: 500 });
});

test('real IRSA statements at the quota fill shards to the same character as the old plan', () => {
  const statements = Array.from({ length: 300 }, (_, n) => irsaTrustStatement(
    `arn:aws:iam::111111111111:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/${String(n).padStart(32, '0')}`,
    `oidc.eks.us-east-1.amazonaws.com/id/${String(n).padStart(32, '0')}`,
    Array.from({ length: 1 + (n % 5) }, (__, s) => ({ namespace: 'monitoring', name: `prometheus-${s}` })),
  ));
  for (const limit of [2048, 4096, 1000]) {
    const plan = planTrustShards(statements, limit);
    expect(plan.shards).toEqual(referencePlan(statements, limit).shards);
    plan.sizes.forEach((size) => expect(size).toBeLessThanOrEqual(limit));
  }
});

test('a document exactly at the limit fits, one character over does not', () => {
  const one = { Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { AWS: 'arn:aws:iam::111111111111:root' } };
  const both = policySize(policyDocument([one, one]));
  expect(planTrustShards([one, one], both).shards).toEqual([[0, 1]]);
  expect(planTrustShards([one, one], both - 1).shards).toEqual([[0], [1]]);
});

import { irsaTrustStatement } from '../../src/core/irsa';
import { policyDocument, policySize } from '../../src/core/policy-size';
import { planTrustShards } from '../../src/core/trust-shards';

const statementFor = (n: number) => irsaTrustStatement(
  `arn:aws:iam::111111111111:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/${String(n).padStart(32, '0')}`,
  `oidc.eks.us-east-1.amazonaws.com/id/${String(n).padStart(32, '0')}`,
  [{ namespace: 'monitoring', name: 'prometheus' }],
);

test('policy size counts the JSON without white space, as IAM does', () => {
  expect(policySize({ a: 'b c' })).toBe('{"a":"bc"}'.length);
  expect(policySize(policyDocument([]))).toBe('{"Statement":[],"Version":"2012-10-17"}'.length);
});

test('every shard stays within the limit and statements keep their order', () => {
  const statements = Array.from({ length: 20 }, (_, i) => statementFor(i));
  const plan = planTrustShards(statements, 2048);
  expect(plan.oversized).toEqual([]);
  expect(plan.shards.flat()).toEqual(statements.map((_, i) => i));
  for (const shard of plan.shards) expect(policySize(policyDocument(shard.map((i) => statements[i])))).toBeLessThanOrEqual(2048);
  expect(plan.shards.length).toBeGreaterThan(1);
});

test('appending statements never moves the ones already placed', () => {
  const statements = Array.from({ length: 30 }, (_, i) => statementFor(i));
  const before = planTrustShards(statements.slice(0, 17), 2048).shards;
  const after = planTrustShards(statements, 2048).shards;
  before.forEach((shard, s) => expect(after[s].slice(0, shard.length)).toEqual(shard));
});

test('a statement that cannot fit alone is reported, not placed', () => {
  const plan = planTrustShards([statementFor(1), statementFor(2)], 300);
  expect(plan.shards).toEqual([]);
  expect(plan.oversized.map((o) => o.index)).toEqual([0, 1]);
  expect(plan.oversized[0].size).toBeGreaterThan(300);
});

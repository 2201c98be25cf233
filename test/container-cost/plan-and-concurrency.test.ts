import { COST_ROLE_SCHEME, desiredRole, SyncConfig } from '../../src/container-cost/role-sync/desired';
import { agentRolePath, OWNER_TAG, WRITE_POLICY_NAME } from '../../src/container-cost/role-sync/naming';
import { policySize } from '../../src/core/policy-size';
import { isRetryable, mapWithConcurrency, withRetry } from '../../src/core/reconciler/concurrency';
import { ActualRole, plan } from '../../src/core/reconciler/plan-roles';
import { issuer } from '../fixtures';
import { accessDenied, throttling } from '../harness/fake-iam';

const config: SyncConfig = {
  partition: 'aws',
  account: '222222222222',
  bucketName: 'container-cost-222222222222',
  regions: ['us-east-1'],
  ownerKey: 'owner1',
  serviceAccount: { namespace: 'container-cost', name: 'container-cost-agent' },
  boundaryArn: 'arn:aws:iam::222222222222:policy/container-cost/boundary',
  reconcilerRoleName: 'reconciler',
};
const PATH = agentRolePath('owner1');
const wanted = desiredRole(config, { name: 'prod', region: 'us-east-1', arn: 'arn:aws:eks:us-east-1:222222222222:cluster/prod', issuer: issuer(1) });
const actual = (over: Partial<ActualRole>): ActualRole => ({
  roleName: wanted.roleName,
  path: PATH,
  trust: wanted.trust,
  tags: wanted.tags,
  policies: { [WRITE_POLICY_NAME]: wanted.policy },
  attachedPolicies: [],
  boundaryArn: config.boundaryArn,
  ...over,
});

describe('plan: the safety rules', () => {
  test('an owned role in line with its cluster needs nothing', () => {
    expect(plan({ desired: [wanted], underPath: [actual({})], ownerKey: 'owner1', rolePaths: [PATH], scheme: COST_ROLE_SCHEME, boundaryArn: config.boundaryArn, scanComplete: true })).toEqual([]);
  });

  test('an owned orphan is deleted only when the scan is complete', () => {
    const orphan = actual({ roleName: 'container-cost-gone-us-east-1' });
    expect(plan({ desired: [], underPath: [orphan], ownerKey: 'owner1', rolePaths: [PATH], scheme: COST_ROLE_SCHEME, boundaryArn: config.boundaryArn, scanComplete: true }))
      .toEqual([expect.objectContaining({ kind: 'delete', roleName: 'container-cost-gone-us-east-1', policyNames: [WRITE_POLICY_NAME] })]);
    expect(plan({ desired: [], underPath: [orphan], ownerKey: 'owner1', rolePaths: [PATH], scheme: COST_ROLE_SCHEME, boundaryArn: config.boundaryArn, scanComplete: false }))
      .toEqual([expect.objectContaining({ kind: 'skip', reason: expect.stringMatching(/a region scan failed/) })]);
  });

  test('a role without our owner tag, or under another path, is never changed or deleted', () => {
    const foreign = [
      actual({ tags: { ...wanted.tags, [OWNER_TAG]: 'owner2' } }),
      actual({ roleName: 'container-cost-x-us-east-1', tags: {} }),
      actual({ roleName: 'container-cost-y-us-east-1', path: agentRolePath('owner2') }),
    ];
    const actions = plan({ desired: [wanted], underPath: foreign, ownerKey: 'owner1', rolePaths: [PATH], scheme: COST_ROLE_SCHEME, boundaryArn: config.boundaryArn, scanComplete: true });
    expect(actions).toEqual([expect.objectContaining({ kind: 'skip', roleName: wanted.roleName, reason: expect.stringMatching(/not this stack's/) })]);
  });

  test('drift in attached policies, trust, policy and extra policies each plan their repair', () => {
    const drifted = actual({ trust: {}, policies: { [WRITE_POLICY_NAME]: {}, extra: {} }, attachedPolicies: ['arn:aws:iam::aws:policy/AdministratorAccess'] });
    expect(plan({ desired: [wanted], underPath: [drifted], ownerKey: 'owner1', rolePaths: [PATH], scheme: COST_ROLE_SCHEME, boundaryArn: config.boundaryArn, scanComplete: true }).map((a) => a.kind))
      .toEqual(['detach-policy', 'update-trust', 'update-policy', 'delete-extra-policy']);
  });

  // Issue 21, item 10: a role without this stack's boundary is not one it made (every role it creates
  // has it, and it can never remove or put one), whatever its tags say: it is never adopted (given
  // the boundary and repaired), nor deleted as an orphan; it is reported.
  test('a role with the owner tag but without this stack\'s boundary (none, or another) is reported, never adopted, repaired or deleted', () => {
    for (const boundaryArn of [undefined, 'arn:aws:iam::222222222222:policy/other-boundary']) {
      const foreign = actual({ trust: {}, boundaryArn });
      for (const desired of [[wanted], []]) {
        const actions = plan({ desired, underPath: [foreign], ownerKey: 'owner1', rolePaths: [PATH], scheme: COST_ROLE_SCHEME, boundaryArn: config.boundaryArn, scanComplete: true });
        expect(actions).toEqual([{ kind: 'conflict', roleName: foreign.roleName, reason: expect.stringMatching(/carries this stack's owner tag but not its permissions boundary .* not adopted, repaired or deleted/) }]);
      }
    }
  });

  test('two clusters whose role names differ only in case are a conflict, never a shared role', () => {
    const twin = { ...wanted, roleName: wanted.roleName.toUpperCase(), clusterArn: 'arn:aws:eks:us-east-1:222222222222:cluster/twin' };
    const actions = plan({ desired: [wanted, twin], underPath: [actual({})], ownerKey: 'owner1', rolePaths: [PATH], scheme: COST_ROLE_SCHEME, boundaryArn: config.boundaryArn, scanComplete: true });
    expect(actions).toEqual([expect.objectContaining({ kind: 'conflict', reason: expect.stringMatching(/map to one role name/) })]);
  });

  test('drifted tags replace the role (tags are set only at creation)', () => {
    const retagged = actual({ tags: { ...wanted.tags, 'container-cost:cluster-arn': 'tampered' } });
    expect(plan({ desired: [wanted], underPath: [retagged], ownerKey: 'owner1', rolePaths: [PATH], scheme: COST_ROLE_SCHEME, boundaryArn: config.boundaryArn, scanComplete: true }).map((a) => a.kind))
      .toEqual(['delete', 'create']);
  });

  test('the write policy is scoped to the cluster prefix, with KMS when the bucket has a key', () => {
    const withKey = desiredRole({ ...config, kmsKeyArn: 'arn:aws:kms:us-east-1:222222222222:key/k' }, { name: 'prod', region: 'us-east-1', arn: 'x', issuer: issuer(1) });
    expect(JSON.stringify(wanted.policy)).toContain('arn:aws:s3:::container-cost-222222222222/us-east-1/prod/*');
    expect(JSON.stringify(wanted.policy)).not.toContain('kms:');
    expect((withKey.policy as any).Statement[2]).toEqual({ Sid: 'UploadWithBucketKey', Effect: 'Allow', Action: ['kms:GenerateDataKey', 'kms:Decrypt'], Resource: 'arn:aws:kms:us-east-1:222222222222:key/k' });
  });
});

test('what the reconciler writes stays inside IAM\'s quotas at the longest names (trust 2,048; inline policies 10,240)', () => {
  const longest = desiredRole({
    ...config,
    bucketName: `${'b'.repeat(50)}-222222222222`,
    kmsKeyArn: 'arn:aws:kms:us-east-1:222222222222:key/1234abcd-12ab-34cd-56ef-1234567890ab',
    serviceAccount: { namespace: 'n'.repeat(63), name: 's'.repeat(253) },
  }, { name: 'c'.repeat(100), region: 'ap-southeast-1', arn: 'x', issuer: issuer(1, 'ap-southeast-1') });
  expect(policySize(longest.trust)).toBeLessThan(2048);
  expect(policySize(longest.policy)).toBeLessThan(10_240);
});

describe('concurrency and retries', () => {
  test('mapWithConcurrency keeps order and never exceeds the limit', async () => {
    let inFlight = 0;
    let peak = 0;
    const results = await mapWithConcurrency(Array.from({ length: 20 }, (_, i) => i), 3, async (n) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise((resolve) => setTimeout(resolve, 1));
      inFlight--;
      return n * 2;
    });
    expect(results).toEqual(Array.from({ length: 20 }, (_, i) => i * 2));
    expect(peak).toBe(3);
  });

  test('withRetry does not retry what throttling did not cause', async () => {
    let calls = 0;
    const retry = { maxAttempts: 5, baseDelayMs: 1, maxDelayMs: 1, sleep: async () => undefined, random: () => 0 };
    await expect(withRetry(async () => { calls++; throw accessDenied(); }, retry)).rejects.toThrow(/not authorized/);
    expect(calls).toBe(1);
    expect(isRetryable(throttling())).toBe(true);
    expect(isRetryable({ $fault: 'server' })).toBe(true);
    expect(isRetryable(new Error('boom'))).toBe(false);
  });
});

import { percentOf, resolveFailureTolerance, resolveMaxConcurrent, rolloutEstimate, runs } from '../../bench/stackset-rollout';

const base = { minutesPerInstance: 3 };

test('percentages round down; MaxConcurrentPercentage never below 1, FailureTolerancePercentage may be 0', () => {
  // The user guide's example: 25% of 10 accounts is 2.5, so 2.
  expect(percentOf(10, 25, true)).toBe(2);
  expect(resolveMaxConcurrent(10, { maxConcurrentPercentage: 25 })).toBe(2);
  expect(resolveFailureTolerance(10, { failureTolerancePercentage: 25 })).toBe(2);
  // 5% of 10 is 0.5: concurrency becomes 1, tolerance stays 0.
  expect(resolveMaxConcurrent(10, { maxConcurrentPercentage: 5 })).toBe(1);
  expect(resolveFailureTolerance(10, { failureTolerancePercentage: 5 })).toBe(0);
});

test('unset preferences take the API defaults: count 1, tolerance 0, STRICT, SEQUENTIAL', () => {
  const e = rolloutEstimate({ ...base, accounts: 4, regions: ['a', 'b'], preferences: {} });
  expect([e.maxConcurrent, e.failureTolerance, e.initialConcurrency]).toEqual([1, 0, 1]);
  expect(e.regions.map(r => r.waves)).toEqual([[1, 1, 1, 1], [1, 1, 1, 1]]);
  expect(e.totalMinutes).toBe(8 * 3);
});

test('count and percentage of the same setting are rejected together', () => {
  expect(() => resolveMaxConcurrent(10, { maxConcurrentCount: 2, maxConcurrentPercentage: 20 })).toThrow(/not both/);
  expect(() => resolveFailureTolerance(10, { failureToleranceCount: 2, failureTolerancePercentage: 20 })).toThrow(/not both/);
});

test('a partial last wave still costs a whole wave', () => {
  // 10 accounts, 3 at a time: 3, 3, 3, 1.
  const e = rolloutEstimate({ ...base, accounts: 10, regions: ['a'], preferences: { maxConcurrentCount: 3, failureToleranceCount: 5, concurrencyMode: 'SOFT_FAILURE_TOLERANCE' } });
  expect(e.regions[0].waves).toEqual([3, 3, 3, 1]);
  expect(e.totalMinutes).toBe(12);
  expect(runs(e.regions[0].waves)).toBe('3×3, 1');
});

test('STRICT caps concurrency at tolerance + 1; SOFT runs at MaxConcurrent', () => {
  const preferences = { maxConcurrentCount: 10, failureToleranceCount: 2 };
  const strict = rolloutEstimate({ ...base, accounts: 10, regions: ['a'], preferences: { ...preferences, concurrencyMode: 'STRICT_FAILURE_TOLERANCE' as const } });
  const soft = rolloutEstimate({ ...base, accounts: 10, regions: ['a'], preferences: { ...preferences, concurrencyMode: 'SOFT_FAILURE_TOLERANCE' as const } });
  expect(strict.regions[0].waves).toEqual([3, 3, 3, 1]);
  expect(soft.regions[0].waves).toEqual([10]);
  // Below the cap, STRICT uses MaxConcurrent as it is.
  const low = rolloutEstimate({ ...base, accounts: 10, regions: ['a'], preferences: { maxConcurrentCount: 2, failureToleranceCount: 5 } });
  expect(low.regions[0].waves).toEqual([2, 2, 2, 2, 2]);
});

test('STRICT lowers concurrency by each failure; SOFT does not', () => {
  // Tolerance 3: window 4; 2 failures in the first wave leave a window of 2.
  const preferences = { maxConcurrentCount: 10, failureToleranceCount: 3 };
  const strict = rolloutEstimate({ ...base, accounts: 12, regions: ['a'], failedPerRegion: 2, preferences });
  expect(strict.regions[0].waves).toEqual([4, 2, 2, 2, 2]);
  expect(strict.regions[0].stopped).toBe(false);
  const soft = rolloutEstimate({ ...base, accounts: 12, regions: ['a'], failedPerRegion: 2, preferences: { ...preferences, concurrencyMode: 'SOFT_FAILURE_TOLERANCE' } });
  expect(soft.regions[0].waves).toEqual([10, 2]);
});

test('failures beyond the tolerance stop the Region, and SEQUENTIAL skips the later Regions', () => {
  const e = rolloutEstimate({ ...base, accounts: 10, regions: ['a', 'b'], failedPerRegion: 2, preferences: { maxConcurrentCount: 1, failureToleranceCount: 1 } });
  expect(e.regions[0]).toMatchObject({ waves: [1, 1], failed: 2, stopped: true });
  expect(e.regions[1]).toMatchObject({ waves: [], skipped: true });
  expect(e.totalMinutes).toBe(6);
});

test('SEQUENTIAL adds the Regions in RegionOrder; PARALLEL takes the longest', () => {
  const preferences = { maxConcurrentPercentage: 50, failureToleranceCount: 0 };
  const seq = rolloutEstimate({ ...base, accounts: 10, regions: ['a', 'b', 'c'], preferences: { ...preferences, regionOrder: ['c', 'a'] } });
  expect(seq.regions.map(r => r.region)).toEqual(['c', 'a', 'b']);
  // STRICT with tolerance 0 runs one at a time: 10 waves per Region.
  expect(seq.totalMinutes).toBe(3 * 10 * 3);
  const par = rolloutEstimate({ ...base, accounts: 10, regions: ['a', 'b', 'c'], preferences: { ...preferences, concurrencyMode: 'SOFT_FAILURE_TOLERANCE', regionConcurrencyType: 'PARALLEL' } });
  expect(par.regions.map(r => r.waves)).toEqual([[5, 5], [5, 5], [5, 5]]);
  expect(par.totalMinutes).toBe(6);
});

test('the instance-operations quota and the per-stack-set ceiling bound the window', () => {
  const preferences = { maxConcurrentCount: 100, failureToleranceCount: 100, concurrencyMode: 'SOFT_FAILURE_TOLERANCE' as const };
  const quota = rolloutEstimate({ ...base, accounts: 100, regions: ['a'], preferences, instanceOperationsPerRegion: 50, otherInstanceOperations: 20 });
  expect(quota.initialConcurrency).toBe(30);
  // A ceiling of 100 shared by 3 PARALLEL Regions gives each 33; SEQUENTIAL Regions get all of it.
  const par = rolloutEstimate({ ...base, accounts: 100, regions: ['a', 'b', 'c'], preferences: { ...preferences, regionConcurrencyType: 'PARALLEL' }, stackSetConcurrencyCeiling: 100 });
  expect(par.regions[0].waves).toEqual([33, 33, 33, 1]);
  const seq = rolloutEstimate({ ...base, accounts: 100, regions: ['a', 'b', 'c'], preferences, stackSetConcurrencyCeiling: 100 });
  expect(seq.regions[0].waves).toEqual([100]);
});

test('more than 100,000 stack instances is over the per-stack-set quota', () => {
  expect(() => rolloutEstimate({ ...base, accounts: 50_001, regions: ['a', 'b'], preferences: {} })).toThrow(/quota/);
});

test('the README case: 1,000 accounts x 3 Regions, our defaults, 3 minutes per instance', () => {
  const e = rolloutEstimate({
    ...base,
    accounts: 1000,
    regions: ['us-east-1', 'eu-west-1', 'ap-southeast-1'],
    preferences: { concurrencyMode: 'SOFT_FAILURE_TOLERANCE', maxConcurrentPercentage: 25, failureTolerancePercentage: 10, regionConcurrencyType: 'PARALLEL' },
  });
  expect([e.maxConcurrent, e.failureTolerance]).toEqual([250, 100]);
  expect(e.regions.map(r => r.waves.length)).toEqual([4, 4, 4]);
  expect(e.totalMinutes).toBe(12);
});

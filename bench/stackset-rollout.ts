/**
 * Rollout-time model for the source-side StackSet (service-managed, auto-deployment) across an
 * Organization: how many waves, and how many minutes, one CreateStackInstances / UpdateStackSet
 * operation takes under given StackSetOperationPreferences. Computed from the documented semantics,
 * not measured. Run `ts-node -P tsconfig.dev.json bench/stackset-rollout.ts` for the README table;
 * bench/STACKSET-FACTS.md has every fact below with its quotation.
 *
 * Sources:
 * - StackSetOperationPreferences (ConcurrencyMode, Max/FailureTolerance rounding, defaults):
 *   https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_StackSetOperationPreferences.html
 * - Concurrency Mode (STRICT starts at min(MaxConcurrent, FailureTolerance + 1) and lowers it per failure):
 *   https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/concurrency-mode.html
 * - StackSet operation options (region concurrency, "100 concurrent stack instances per stack set"):
 *   https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/stacksets-concepts.html#stackset-ops-options
 * - Quotas (10,000 instance operations per Region per administrator account; 100,000 instances per stack set):
 *   https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html
 *
 * Model: every stack instance takes `minutesPerInstance`, so CloudFormation's sliding window of
 * in-flight instances is a sequence of waves. Failures land in the earliest waves (the worst case
 * for STRICT mode, whose concurrency then stays low for the rest of the Region). Auto-deployment to
 * an account that joins later is outside this model: the preferences don't apply to it.
 */

export type RegionConcurrencyType = 'SEQUENTIAL' | 'PARALLEL';
export type ConcurrencyMode = 'STRICT_FAILURE_TOLERANCE' | 'SOFT_FAILURE_TOLERANCE';

/** The fields of StackSetOperationPreferences; unset fields take the API defaults. */
export interface OperationPreferences {
  /** Default SEQUENTIAL. */
  readonly regionConcurrencyType?: RegionConcurrencyType;
  readonly regionOrder?: string[];
  /** Default 1 (when no percentage is given either). */
  readonly maxConcurrentCount?: number;
  readonly maxConcurrentPercentage?: number;
  /** Default 0 (when no percentage is given either). */
  readonly failureToleranceCount?: number;
  readonly failureTolerancePercentage?: number;
  /** Default STRICT_FAILURE_TOLERANCE. */
  readonly concurrencyMode?: ConcurrencyMode;
}

export interface RolloutInput {
  readonly accounts: number;
  readonly regions: string[];
  readonly preferences: OperationPreferences;
  readonly minutesPerInstance: number;
  /** Stack instances that fail in each Region (default 0). */
  readonly failedPerRegion?: number;
  /** Quota: stack instances in operation per Region per administrator account, all stack sets. Default 10,000. */
  readonly instanceOperationsPerRegion?: number;
  /** Stack instances of other stack sets already in operation in each Region (default 0). */
  readonly otherInstanceOperations?: number;
  /**
   * Ceiling on concurrent stack instances of this stack set across all Regions (the user guide's
   * "maximum speed of deployment is 100 concurrent stack instances per stack set"). Unset: no ceiling.
   * PARALLEL Regions share it equally (an assumption; the split is not documented).
   */
  readonly stackSetConcurrencyCeiling?: number;
}

export interface RegionRollout {
  readonly region: string;
  /** Stack instances started in each wave. */
  readonly waves: number[];
  readonly minutes: number;
  readonly failed: number;
  /** Failures exceeded the tolerance: CloudFormation stopped the operation in this Region. */
  readonly stopped: boolean;
  /** Not attempted: an earlier Region stopped (SEQUENTIAL). */
  readonly skipped: boolean;
}

export interface RolloutEstimate {
  readonly maxConcurrent: number;
  readonly failureTolerance: number;
  /** Instances per Region in the first wave, after mode, quota and ceiling. */
  readonly initialConcurrency: number;
  readonly regions: RegionRollout[];
  readonly totalMinutes: number;
}

export const INSTANCE_OPERATIONS_PER_REGION = 10_000;
export const STACK_INSTANCES_PER_STACK_SET = 100_000;
export const DOCUMENTED_STACK_SET_CEILING = 100;

/** Percent of `n`, rounded down; MaxConcurrentPercentage never rounds below 1. */
export function percentOf(n: number, percent: number, atLeastOne: boolean): number {
  const value = Math.floor((n * percent) / 100);
  return atLeastOne ? Math.max(1, value) : value;
}

export function resolveMaxConcurrent(accounts: number, p: OperationPreferences): number {
  if (p.maxConcurrentCount !== undefined && p.maxConcurrentPercentage !== undefined) {
    throw new Error('specify MaxConcurrentCount or MaxConcurrentPercentage, not both');
  }
  if (p.maxConcurrentPercentage !== undefined) return percentOf(accounts, p.maxConcurrentPercentage, true);
  return p.maxConcurrentCount ?? 1;
}

export function resolveFailureTolerance(accounts: number, p: OperationPreferences): number {
  if (p.failureToleranceCount !== undefined && p.failureTolerancePercentage !== undefined) {
    throw new Error('specify FailureToleranceCount or FailureTolerancePercentage, not both');
  }
  if (p.failureTolerancePercentage !== undefined) return percentOf(accounts, p.failureTolerancePercentage, false);
  return p.failureToleranceCount ?? 0;
}

export function rolloutEstimate(input: RolloutInput): RolloutEstimate {
  const { accounts, preferences: p, minutesPerInstance } = input;
  if (accounts * input.regions.length > STACK_INSTANCES_PER_STACK_SET) {
    throw new Error(`${accounts * input.regions.length} stack instances exceed the ${STACK_INSTANCES_PER_STACK_SET} per stack set quota`);
  }
  const parallel = (p.regionConcurrencyType ?? 'SEQUENTIAL') === 'PARALLEL';
  const strict = (p.concurrencyMode ?? 'STRICT_FAILURE_TOLERANCE') === 'STRICT_FAILURE_TOLERANCE';
  const maxConcurrent = resolveMaxConcurrent(accounts, p);
  const failureTolerance = resolveFailureTolerance(accounts, p);
  const quotaRoom = (input.instanceOperationsPerRegion ?? INSTANCE_OPERATIONS_PER_REGION) - (input.otherInstanceOperations ?? 0);
  if (quotaRoom < 1) throw new Error('no room under the StackSets instance operations quota');
  const ceiling = input.stackSetConcurrencyCeiling === undefined
    ? Infinity
    : Math.max(1, Math.floor(input.stackSetConcurrencyCeiling / (parallel ? input.regions.length : 1)));

  // The window at a given failure count: STRICT keeps in-flight + failed <= tolerance + 1.
  const windowAfter = (failed: number) =>
    Math.min(strict ? Math.min(maxConcurrent, failureTolerance + 1 - failed) : maxConcurrent, quotaRoom, ceiling);

  const order = [...(p.regionOrder ?? []).filter(r => input.regions.includes(r)), ...input.regions.filter(r => !(p.regionOrder ?? []).includes(r))];
  const regions: RegionRollout[] = [];
  let earlierStopped = false;
  for (const region of order) {
    if (earlierStopped && !parallel) {
      regions.push({ region, waves: [], minutes: 0, failed: 0, stopped: false, skipped: true });
      continue;
    }
    const waves: number[] = [];
    let remaining = accounts;
    let toFail = input.failedPerRegion ?? 0;
    let failed = 0;
    while (remaining > 0 && failed <= failureTolerance) {
      const wave = Math.min(windowAfter(failed), remaining);
      waves.push(wave);
      const failing = Math.min(toFail, wave);
      failed += failing;
      toFail -= failing;
      remaining -= wave;
    }
    const stopped = failed > failureTolerance;
    earlierStopped ||= stopped;
    regions.push({ region, waves, minutes: waves.length * minutesPerInstance, failed, stopped, skipped: false });
  }
  const minutes = regions.map(r => r.minutes);
  return {
    maxConcurrent,
    failureTolerance,
    initialConcurrency: windowAfter(0),
    regions,
    totalMinutes: parallel ? Math.max(0, ...minutes) : minutes.reduce((a, b) => a + b, 0),
  };
}

// ---- The README table --------------------------------------------------------------------------

const OUR_DEFAULTS: OperationPreferences = {
  concurrencyMode: 'SOFT_FAILURE_TOLERANCE',
  maxConcurrentPercentage: 25,
  failureTolerancePercentage: 10,
  regionConcurrencyType: 'PARALLEL',
};

export const SCENARIOS: { name: string; preferences: OperationPreferences; failedPerRegion?: number }[] = [
  { name: 'ours: SOFT, 25%, tolerance 10%, PARALLEL', preferences: OUR_DEFAULTS },
  { name: 'ours, SEQUENTIAL', preferences: { ...OUR_DEFAULTS, regionConcurrencyType: 'SEQUENTIAL' } },
  { name: 'ours, STRICT (tolerance 10%)', preferences: { ...OUR_DEFAULTS, concurrencyMode: 'STRICT_FAILURE_TOLERANCE' } },
  { name: 'ours, MaxConcurrentCount 100', preferences: { ...OUR_DEFAULTS, maxConcurrentPercentage: undefined, maxConcurrentCount: 100 } },
  { name: 'ours, 50 failures per Region', preferences: OUR_DEFAULTS, failedPerRegion: 50 },
  { name: 'ours, STRICT, 50 failures per Region', preferences: { ...OUR_DEFAULTS, concurrencyMode: 'STRICT_FAILURE_TOLERANCE' }, failedPerRegion: 50 },
  { name: 'API defaults (STRICT, count 1, tolerance 0, SEQUENTIAL)', preferences: {} },
];

/** Waves as runs: [250, 250, 250, 250] -> "250×4"; [101, 51, 51, 32] -> "101, 51×2, 32". */
export function runs(waves: number[]): string {
  const out: string[] = [];
  for (let i = 0; i < waves.length;) {
    let j = i;
    while (j < waves.length && waves[j] === waves[i]) j++;
    out.push(j - i > 1 ? `${waves[i]}×${j - i}` : `${waves[i]}`);
    i = j;
  }
  return out.join(', ');
}

if (require.main === module) {
  const accounts = 1000;
  const regions = ['us-east-1', 'eu-west-1', 'ap-southeast-1'];
  const at = (minutesPerInstance: number, s: typeof SCENARIOS[number], ceiling?: number) =>
    rolloutEstimate({
      accounts, regions, preferences: s.preferences, minutesPerInstance, failedPerRegion: s.failedPerRegion, stackSetConcurrencyCeiling: ceiling,
    });
  console.log(`${accounts} accounts x ${regions.length} Regions = ${accounts * regions.length} stack instances; minutes per instance assumed 3 (2 and 5 shown).`);
  console.log('Minutes for one operation (create or update of every instance).');
  console.log('Ceiling column: the documented 100 concurrent instances per stack set, shared by PARALLEL Regions.\n');
  console.log('| Preferences | Instances per wave, each Region | Waves per Region | 2 min | **3 min** | 5 min | 3 min, 100/stack-set ceiling |');
  console.log('| --- | --- | --- | --- | --- | --- | --- |');
  for (const s of SCENARIOS) {
    const e = at(3, s);
    const c = at(3, s, DOCUMENTED_STACK_SET_CEILING);
    const waves = e.regions[0].waves;
    const note = e.regions.some(r => r.stopped) ? ' (stops: failures > tolerance)' : '';
    console.log(`| ${s.name} | ${runs(waves)} | ${waves.length}${note} | ${at(2, s).totalMinutes} | **${e.totalMinutes}** | ${at(5, s).totalMinutes} | ${c.totalMinutes} (${c.initialConcurrency} per Region) |`);
  }
}

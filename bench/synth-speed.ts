/**
 * The example synth with and without TypeScript type-checking (issue 24 item 2; `npm run bench`).
 *
 * `cdk synth` of examples/app.ts (what `npm run synth` runs through cdk.json) with the app under
 * `ts-node` (type-checks every file it compiles) and under `ts-node --transpile-only` (what cdk.json
 * runs now; `npm test` type-checks the same program with `tsc --noEmit`). Paired runs, alternating;
 * wall time and the peak resident memory of the largest process (GNU time's "Maximum resident set
 * size") as medians. Then the proof: the two cloud assemblies and the manifests the app writes to
 * dist/ must be byte for byte the same, or the script fails.
 * BENCH_RUNS (default 3) pairs. Needs the bundled Lambda assets (`npx projen bundle`).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const ROOT = resolve(__dirname, '..');
const TIME = '/usr/bin/time';
const APP = 'npx ts-node --prefer-ts-exts -P tsconfig.dev.json examples/app.ts';
const VARIANTS: Array<[string, string]> = [
  ['type-checked (ts-node)', APP],
  ['transpile-only (cdk.json)', APP.replace('ts-node ', 'ts-node --transpile-only ')],
];

interface Sample { seconds: number; peakMb: number }

/** Runs `cdk synth` under GNU time -v (stderr carries its report); falls back to no memory figure. */
function run(app: string, outdir: string): Sample {
  const cdk = ['cdk', 'synth', '--quiet', '--no-notices', '--no-version-reporting', '-o', outdir, '--app', app];
  const env = { ...process.env, CDK_DISABLE_CLI_TELEMETRY: 'true', AWS_EC2_METADATA_DISABLED: 'true' };
  const start = process.hrtime.bigint();
  if (!existsSync(TIME)) {
    execFileSync('npx', cdk, { cwd: ROOT, env, stdio: 'ignore' });
    return { seconds: Number(process.hrtime.bigint() - start) / 1e9, peakMb: NaN };
  }
  const timed = spawnSync(TIME, ['-v', 'npx', ...cdk], { cwd: ROOT, env, encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'] });
  if (timed.status !== 0) throw new Error(`cdk synth failed (${app}):\n${timed.stderr}`);
  const stderr = timed.stderr;
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return { seconds, peakMb: timeReportPeakMb(stderr) };
}

function timeReportPeakMb(report: string): number {
  const kb = /Maximum resident set size \(kbytes\): (\d+)/.exec(report);
  return kb ? Number(kb[1]) / 1024 : NaN;
}

function files(dir: string, base = dir): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? files(path, base) : [relative(base, path)];
  }).sort();
}

/** Every file that differs between two trees (missing on one side, or other bytes). */
function differences(a: string, b: string): string[] {
  const left = files(a);
  const right = files(b);
  const all = [...new Set([...left, ...right])].sort();
  return all.filter((file) => !left.includes(file) || !right.includes(file)
    || !readFileSync(join(a, file)).equals(readFileSync(join(b, file))));
}

const median = (values: number[]) => [...values].sort((x, y) => x - y)[Math.floor(values.length / 2)];

const work = mkdtempSync(join(tmpdir(), 'synth-speed-'));
const samples = new Map<string, Sample[]>(VARIANTS.map(([label]) => [label, []]));
try {
  for (let pair = 0; pair < RUNS; pair++) {
    VARIANTS.forEach(([label, app], index) => {
      const out = join(work, `${index}`);
      rmSync(out, { recursive: true, force: true });
      rmSync(join(ROOT, 'dist', 'manifests'), { recursive: true, force: true });
      samples.get(label)!.push(run(app, join(out, 'cdk.out')));
      cpSync(join(ROOT, 'dist'), join(out, 'dist'), { recursive: true });
    });
  }
  const [typeChecked, transpiled] = [join(work, '0'), join(work, '1')];
  const diff = differences(typeChecked, transpiled);

  console.log(`\nExample synth (cdk synth of examples/app.ts; ${RUNS} paired runs, medians)\n`);
  console.log('| app command | wall time | peak memory (largest process) |');
  console.log('|---|---:|---:|');
  for (const [label] of VARIANTS) {
    const list = samples.get(label)!;
    console.log(`| ${label} | ${median(list.map((s) => s.seconds)).toFixed(1)} s | ${median(list.map((s) => s.peakMb)).toFixed(0)} MB |`);
  }
  const [a, b] = VARIANTS.map(([label]) => samples.get(label)!);
  console.log(`\nspeed-up ${(median(a.map((s) => s.seconds)) / median(b.map((s) => s.seconds))).toFixed(2)}x, `
    + `memory ${(median(a.map((s) => s.peakMb)) / median(b.map((s) => s.peakMb))).toFixed(2)}x less`);
  const compared = files(typeChecked).length;
  if (diff.length > 0) {
    console.error(`\nsynth-speed: the outputs differ in ${diff.length} of ${compared} files:\n${diff.map((f) => `  - ${f}`).join('\n')}`);
    process.exitCode = 1;
  } else {
    console.log(`identical: ${compared} files of cdk.out/ and dist/ are byte for byte the same with and without type-checking`);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}

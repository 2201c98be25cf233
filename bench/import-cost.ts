/**
 * What importing the package costs a CDK app that uses one construct (issue 24 item 3; `npm run
 * bench`, after `npx projen compile`: it measures the compiled lib/, what users load).
 *
 * Each run is a fresh `node` process that times `require(<lib>).IrsaRemoteWriteRole` with hrtime (node's
 * own start-up excluded) and counts `require.cache` and which of cdk8s, cdk8s-plus-27 and yaml it
 * loaded. Variants, alternating run by run:
 * - `lazy`: lib/ as the compile task leaves it (scripts/lazy-chart-exports.mjs rewrote its index files);
 * - `eager`: the same lib/ with those index files put back to the `__exportStar(require(...))` tsc emits;
 * - `aws-iam`: `require('aws-cdk-lib/aws-iam').Role`, the yardstick issue 24 compared with.
 * More variants: `label=path/to/lib` arguments (for example a lib/ built from main). BENCH_RUNS (default 15).
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const RUNS = Number(process.env.BENCH_RUNS ?? 15);
const ROOT = resolve(__dirname, '..');
const CLUSTER_SIDE = '/node_modules/(cdk8s|cdk8s-plus-27|yaml)/';

interface Sample { ms: number; modules: number; clusterSide: string[] }

function measure(target: string, member: string): Sample {
  const script = `
    const start = process.hrtime.bigint();
    const m = require(${JSON.stringify(target)})[${JSON.stringify(member)}];
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    if (typeof m !== 'function') throw new Error('no ${member}');
    const keys = Object.keys(require.cache);
    const clusterSide = [...new Set(keys.map((k) => (k.match(new RegExp(${JSON.stringify(CLUSTER_SIDE)})) || [])[1]).filter(Boolean))].sort();
    console.log(JSON.stringify({ ms, modules: keys.length, clusterSide }));`;
  const env = { ...process.env, NODE_PATH: join(ROOT, 'node_modules') };
  return JSON.parse(execFileSync(process.execPath, ['-e', script], { env, encoding: 'utf8' }));
}

/** A copy of `lib` with the lazy getters put back to the eager `__exportStar` tsc emitted. */
function eagerCopy(lib: string): string {
  const copy = join(mkdtempSync(join(tmpdir(), 'import-cost-')), 'lib');
  cpSync(lib, copy, { recursive: true });
  const walk = (dir: string): string[] => readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : e.name === 'index.js' ? [join(dir, e.name)] : []));
  for (const file of walk(copy)) {
    const source = readFileSync(file, 'utf8');
    writeFileSync(file, source.replace(/^\/\/ lazy-chart-exports: (\S+) loads .*\n(?:.*\n){6}/gm, '__exportStar(require("$1"), exports);\n'));
  }
  return copy;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

const lib = join(ROOT, 'lib');
if (!existsSync(join(lib, 'index.js'))) throw new Error('lib/ is missing: run `npx projen compile` first');
const eager = eagerCopy(lib);
const variants: Array<[string, string, string]> = [
  ['lazy (lib/)', lib, 'IrsaRemoteWriteRole'],
  ['eager (lib/, index files as tsc emits them)', eager, 'IrsaRemoteWriteRole'],
  ['aws-cdk-lib/aws-iam', 'aws-cdk-lib/aws-iam', 'Role'],
  ...process.argv.slice(2).map((arg): [string, string, string] => {
    const [label, path] = arg.split('=');
    return [label, resolve(path), 'IrsaRemoteWriteRole'];
  }),
];
const samples = new Map<string, Sample[]>(variants.map(([label]) => [label, []]));
try {
  for (const [, target, member] of variants) measure(target, member); // warm the file cache
  for (let run = 0; run < RUNS; run++) {
    for (const [label, target, member] of variants) samples.get(label)!.push(measure(target, member));
  }
} finally {
  rmSync(resolve(eager, '..'), { recursive: true, force: true });
}

const iam = median(samples.get('aws-cdk-lib/aws-iam')!.map((s) => s.ms));
console.log(`\nImporting one construct (${RUNS} runs each, alternating; medians; fresh node process per run)\n`);
console.log('| variant | require time | x aws-iam | modules loaded | cdk8s / cdk8s-plus-27 / yaml loaded |');
console.log('|---|---:|---:|---:|---|');
for (const [label] of variants) {
  const list = samples.get(label)!;
  const ms = median(list.map((s) => s.ms));
  console.log(`| ${label} | ${ms.toFixed(0)} ms | ${(ms / iam).toFixed(2)}x | ${median(list.map((s) => s.modules))} | ${list[0].clusterSide.join(', ') || 'none'} |`);
}

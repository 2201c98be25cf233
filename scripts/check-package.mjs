#!/usr/bin/env node
/**
 * Refuses an npm tarball that a consumer could not use: every Lambda handler (`src/**\/*.lambda.ts`,
 * and `*.handler.ts`, bundled to be inlined into a StackSet's member template) must be inside as its
 * bundled `assets/<handler>/index.js` (a stack that uses the construct fails with CannotFindAsset, or
 * the fleet with a missing-code error, otherwise), and so must the jsii output and the bundled dependencies.
 * It also holds the tarball to a size budget (packed bytes, unpacked bytes, file count; issue 24 item 4):
 * no source maps in lib/ or in the Lambda assets, nothing dev-only inside.
 *
 *   node scripts/check-package.mjs dist/js
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { loadedByRequire } from './lazy-chart-exports.mjs';

const outdir = process.argv[2] ?? 'dist/js';
const tarballs = readdirSync(outdir).filter((name) => name.endsWith('.tgz'));
if (tarballs.length !== 1) fail(`expected one .tgz in ${outdir}, found ${tarballs.length}`);
const tarball = join(outdir, tarballs[0]);
const entries = new Set(execFileSync('tar', ['tzf', tarball], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 }).split('\n'));

// Measured on the lean package (no source maps) with this round's constructs merged (customer
// templates, Windows Fluent Bit, argument checks): 689,895 packed, 3,742,417 unpacked, 485 files
// (590,957 / 3,157,321 / 462 before them; the .jsii assembly and API.md grow with the API). Each budget
// is that figure with about 15% headroom. A rise past a budget means something new ships; look at
// what before raising it.
const BUDGET = { packedBytes: 795_000, unpackedBytes: 4_300_000, files: 560 };

function handlers(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return handlers(path);
    return /\.(lambda|handler)\.ts$/.test(entry.name) ? [relative('src', path).replace(/\.ts$/, '')] : [];
  });
}

const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
const required = [
  'package/lib/index.js',
  'package/.jsii',
  ...handlers('src').map((handler) => `package/assets/${handler}/index.js`),
  ...(pkg.bundledDependencies ?? []).map((dep) => `package/node_modules/${dep}/package.json`),
];
const missing = required.filter((entry) => !entries.has(entry));
if (missing.length > 0) fail(`${tarball} is missing:\n${missing.map((m) => `  - ${m}`).join('\n')}`);
console.log(`${tarball}: ${required.length} required entries present (${handlers('src').length} Lambda handlers)`);

// `tar tzvf` lists each member with its size in the third column; directories are entries too.
const members = execFileSync('tar', ['tzvf', tarball], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 })
  .split('\n')
  .filter((line) => line.startsWith('-'))
  .map((line) => ({ size: Number(line.trim().split(/\s+/)[2]), name: line.trim().split(/\s+/).slice(5).join(' ') }));
const maps = members.filter((member) => member.name.endsWith('.map') && !member.name.startsWith('package/node_modules/'));
if (maps.length > 0) fail(`${tarball} ships source maps nothing uses:\n${maps.map((m) => `  - ${m.name}`).join('\n')}`);
const unpacked = mkdtempSync(join(tmpdir(), 'check-package-'));
execFileSync('tar', ['xzf', tarball, '-C', unpacked, 'package/lib']);
// The lib/ that ships is the one the compile step made lazy (issue 24 item 3): a CDK app requiring it loads no cdk8s or yaml.
const eager = loadedByRequire(join(unpacked, 'package', 'lib', 'index.js'), { ...process.env, NODE_PATH: join(process.cwd(), 'node_modules') });
if (eager.length > 0) fail(`requiring ${tarball}'s lib/index.js loads ${eager.join(', ')}: its index files are not the lazy ones (scripts/lazy-chart-exports.mjs)`);
const inline = members
  .filter((member) => member.name.startsWith('package/lib/') && member.name.endsWith('.js'))
  .filter((member) => readFileSync(join(unpacked, member.name), 'utf8').includes('sourceMappingURL=data:'));
rmSync(unpacked, { recursive: true, force: true });
if (inline.length > 0) fail(`${tarball} has inline source maps in ${inline.length} lib/*.js files, e.g. ${inline[0].name}`);
const actual = {
  packedBytes: statSync(tarball).size,
  unpackedBytes: members.reduce((sum, member) => sum + member.size, 0),
  files: members.length,
};
const over = Object.keys(BUDGET).filter((key) => actual[key] > BUDGET[key]);
for (const key of Object.keys(BUDGET)) {
  console.log(`  ${key.padEnd(13)} ${String(actual[key]).padStart(9)} of budget ${String(BUDGET[key]).padStart(9)}${over.includes(key) ? '  OVER' : ''}`);
}
if (over.length > 0) fail(`${tarball} is over its size budget (${over.join(', ')}): see what ships with \`tar tzvf ${tarball}\``);

function fail(message) {
  console.error(`check-package: ${message}`);
  process.exit(1);
}

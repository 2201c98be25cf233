#!/usr/bin/env node
/**
 * Refuses an npm tarball that a consumer could not use: every Lambda handler (`src/**\/*.lambda.ts`,
 * and `*.handler.ts`, bundled to be inlined into a StackSet's member template) must be inside as its
 * bundled `assets/<handler>/index.js` (a stack that uses the construct fails with CannotFindAsset, or
 * the fleet with a missing-code error, otherwise), and so must the jsii output and the bundled dependencies.
 *
 *   node scripts/check-package.mjs dist/js
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const outdir = process.argv[2] ?? 'dist/js';
const tarballs = readdirSync(outdir).filter((name) => name.endsWith('.tgz'));
if (tarballs.length !== 1) fail(`expected one .tgz in ${outdir}, found ${tarballs.length}`);
const tarball = join(outdir, tarballs[0]);
const entries = new Set(execFileSync('tar', ['tzf', tarball], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 }).split('\n'));

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

function fail(message) {
  console.error(`check-package: ${message}`);
  process.exit(1);
}

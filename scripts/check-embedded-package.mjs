#!/usr/bin/env node
/**
 * The Java, .NET and Go code pacmak generates embeds the npm package (the tarball jsii's runtime
 * loads into its Node.js kernel). That embedded tarball must be as whole as the npm one: every Lambda
 * handler's bundled assets, the jsii output, the bundled dependencies (scripts/check-package.mjs).
 *
 *   node scripts/check-embedded-package.mjs dist/java
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = process.argv[2];
if (!root) fail('usage: check-embedded-package.mjs <generated code directory>');

function tarballs(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return tarballs(path);
    return entry.name.endsWith('.tgz') ? [path] : [];
  });
}

const found = tarballs(root);
if (found.length !== 1) fail(`expected one embedded npm tarball under ${root}, found ${found.length}: ${found.join(', ')}`);
const scratch = mkdtempSync(join(tmpdir(), 'check-embedded-'));
try {
  copyFileSync(found[0], join(scratch, 'package.tgz'));
  execFileSync('node', ['scripts/check-package.mjs', scratch], { stdio: 'inherit' });
} catch {
  fail(`the npm package embedded in ${found[0]} is not whole`);
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
console.log(`${found[0]}: the embedded npm package is whole`);

function fail(message) {
  console.error(`check-embedded-package: ${message}`);
  process.exit(1);
}

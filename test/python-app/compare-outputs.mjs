#!/usr/bin/env node
/**
 * Two synthesis outputs must be byte-identical: the same files (templates, asset directories,
 * cloud-assembly manifests, Kubernetes manifests, helm values) with the same bytes.
 *
 *   node test/python-app/compare-outputs.mjs <typescript-dir> <python-dir>
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const [expectedDir, actualDir] = process.argv.slice(2);
if (!expectedDir || !actualDir) {
  console.error('usage: compare-outputs.mjs <typescript-dir> <python-dir>');
  process.exit(2);
}

function files(dir, root = dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? files(path, root) : [relative(root, path)];
  }).sort();
}

const expected = files(expectedDir);
const actual = new Set(files(actualDir));
const problems = [];
for (const file of expected) {
  if (!actual.has(file)) problems.push(`only from TypeScript: ${file}`);
  else if (!readFileSync(join(expectedDir, file)).equals(readFileSync(join(actualDir, file)))) problems.push(`differs: ${file}`);
  actual.delete(file);
}
for (const file of actual) problems.push(`only from Python: ${file}`);
if (expected.filter((file) => file.endsWith('.template.json')).length === 0) problems.push(`no template in ${expectedDir}`);

if (problems.length > 0) {
  console.error(`compare-outputs: ${problems.length} difference(s) between ${expectedDir} and ${actualDir}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  process.exit(1);
}
const templates = expected.filter((file) => file.endsWith('.template.json')).length;
console.log(`compare-outputs: ${expected.length} files identical (${templates} templates)`);

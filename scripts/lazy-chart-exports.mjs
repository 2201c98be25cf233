#!/usr/bin/env node
/**
 * Makes the cluster side of the compiled package load on first use (issue 24 item 3).
 *
 * jsii needs every public type exported from src/index.ts, and TypeScript compiles each
 * `export * from './x'` to an eager `__exportStar(require("./x"), exports)`: importing the package
 * for one IAM construct loaded all of cdk8s, cdk8s-plus-27 and yaml, because the cdk8s charts (which
 * must extend cdk8s.Chart at top level) sit in the same index files. This step rewrites, in every
 * compiled `index.js`, each `__exportStar` of a module that (through its top-level requires) reaches
 * one of those packages into one getter per exported name that requires the module when first read.
 * The names and the types (`.d.ts`, `.jsii`) stay exactly as jsii emitted them; only when the module
 * loads changes. Run after `jsii` (the compile task does); running it twice changes nothing.
 *
 *   node scripts/lazy-chart-exports.mjs lib            rewrite lib/
 *   node scripts/lazy-chart-exports.mjs lib --check    exit 1 if a chart module is still eager
 */
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

/** Loaded only by the charts and the YAML renderers; a CDK construct must not need them to import. */
export const CLUSTER_SIDE_PACKAGES = ['cdk8s', 'cdk8s-plus-27', 'yaml'];

// A top-level require as tsc emits it: `const x_1 = require("./x");`, `__importStar(require(..))`,
// or `__exportStar(require("./x"), exports);`. Requires inside functions are indented: lazy already.
const EAGER_REQUIRE = /^(?:(?:const|var|let) \w+ = (?:__importStar\(|__importDefault\()?|__exportStar\()require\("([^"]+)"\)/gm;
const EXPORT_STAR = /^__exportStar\(require\("(\.[^"]+)"\), exports\);$/gm;
const MARK = '// lazy-chart-exports:';

function jsFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return jsFiles(path);
    return entry.name.endsWith('.js') ? [path] : [];
  });
}

function resolveLocal(from, specifier) {
  const base = resolve(dirname(from), specifier);
  for (const candidate of [`${base}.js`, join(base, 'index.js'), base]) if (existsSync(candidate) && candidate.endsWith('.js')) return candidate;
  return undefined; // JSON or a file outside the JavaScript graph
}

/** The cluster-side packages `file` loads when it is required, through top-level requires only. */
export function eagerClusterSide(file, seen = new Set()) {
  if (file === undefined || seen.has(file)) return new Set();
  seen.add(file);
  const found = new Set();
  for (const [, specifier] of readFileSync(file, 'utf8').matchAll(EAGER_REQUIRE)) {
    if (CLUSTER_SIDE_PACKAGES.includes(specifier)) found.add(specifier);
    else if (specifier.startsWith('.')) for (const pkg of eagerClusterSide(resolveLocal(file, specifier), seen)) found.add(pkg);
  }
  return found;
}

function lazyExports(indexFile, specifier) {
  const names = Object.keys(createRequire(indexFile)(specifier)).filter((name) => name !== 'default');
  return [
    `${MARK} ${specifier} loads ${[...eagerClusterSide(resolveLocal(indexFile, specifier))].join(', ')}; it loads when one of its names is read`,
    `for (const name of ${JSON.stringify(names)}) {`,
    '    if (!Object.prototype.hasOwnProperty.call(exports, name)) {',
    `        Object.defineProperty(exports, name, { enumerable: true, configurable: true, get: () => require(${JSON.stringify(specifier)})[name] });`,
    '    }',
    '}',
    // Never runs: node's ES module loader finds a CommonJS module's names by reading its source
    // (cjs-module-lexer), which sees `exports.X =` (as tsc writes it) but not the names the loop defines.
    // (Not `module.exports = {...}`: the lexer then drops the file's other re-exports.)
    `0 && (${names.map((name) => `exports.${name} = `).join('')}void 0);`,
  ].join('\n');
}

/**
 * The cluster-side packages that requiring `entry` really loads, read from a fresh node process's
 * `require.cache`: the check does not rely on the regular expressions above, so an index file shaped
 * in a way they do not know (other helpers, another compiler) fails it instead of passing unchanged.
 */
export function loadedByRequire(entry, env = process.env) {
  const script = [
    'require(process.argv[1]);',
    `const pattern = /[\\\\/]node_modules[\\\\/](${CLUSTER_SIDE_PACKAGES.join('|')})[\\\\/]/;`,
    'const found = new Set(Object.keys(require.cache).map((key) => (key.match(pattern) || [])[1]).filter(Boolean));',
    'console.log(JSON.stringify([...found].sort()));',
  ].join('\n');
  return JSON.parse(execFileSync(process.execPath, ['-e', script, entry], { encoding: 'utf8', env }));
}

/** Rewrites every index.js under `libDir`, deepest first (an area's index before the package's). */
export function rewrite(libDir) {
  const indexes = jsFiles(libDir).filter((file) => file.endsWith('/index.js'))
    .sort((a, b) => b.split('/').length - a.split('/').length);
  const rewritten = [];
  for (const file of indexes) {
    const source = readFileSync(file, 'utf8');
    const next = source.replace(EXPORT_STAR, (line, specifier) => {
      if (eagerClusterSide(resolveLocal(file, specifier)).size === 0) return line;
      rewritten.push(`${relative(libDir, file)}: ${specifier}`);
      return lazyExports(file, specifier);
    });
    if (next !== source) writeFileSync(file, next);
  }
  return rewritten;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const libDir = resolve(process.argv[2] ?? 'lib');
  const entry = join(libDir, 'index.js');
  if (!process.argv.includes('--check')) {
    const rewritten = rewrite(libDir);
    console.log(`lazy-chart-exports: ${rewritten.length} cluster-side modules load on first use${rewritten.map((r) => `\n  ${r}`).join('')}`);
  }
  const eager = loadedByRequire(entry);
  if (eager.length > 0) {
    console.error(`lazy-chart-exports: requiring ${relative('.', entry)} still loads ${eager.join(', ')}`);
    process.exit(1);
  }
}

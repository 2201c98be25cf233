/**
 * Issue 24 item 3: importing the package for a CDK construct does not load cdk8s, cdk8s-plus-27 or
 * yaml; a chart loads them when it is used. A module-graph check (what `require.cache` holds), not a
 * timing: src/ is compiled to CommonJS as tsc emits it for the package (transpile only, the types are
 * checked by `npm test`'s typecheck), scripts/lazy-chart-exports.mjs rewrites the index files as the
 * compile task does to lib/, and a fresh node process requires the entry point.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import * as ts from 'typescript';

const ROOT = join(__dirname, '..', '..');
const CLUSTER_SIDE = /[\\/]node_modules[\\/](cdk8s|cdk8s-plus-27|yaml)[\\/]/;

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return tsFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

function compileSrc(outDir: string): void {
  for (const file of tsFiles(join(ROOT, 'src'))) {
    const { outputText } = ts.transpileModule(readFileSync(file, 'utf8'), {
      fileName: file,
      compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
    });
    const out = join(outDir, relative(join(ROOT, 'src'), file)).replace(/\.ts$/, '.js');
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, outputText);
  }
}

/** Runs `script` in a fresh node process that resolves packages from our node_modules; returns its JSON. */
function probe(lib: string, script: string): any {
  const env = { ...process.env, NODE_PATH: join(ROOT, 'node_modules') };
  return JSON.parse(execFileSync(process.execPath, ['-e', `const lib = ${JSON.stringify(lib)};\n${script}`], { env, encoding: 'utf8' }));
}

const LOADED = `const loaded = () => [...new Set(Object.keys(require.cache).map((k) => (k.match(${CLUSTER_SIDE}) || [])[1]).filter(Boolean))].sort();`;

let work: string;
let lib: string;
let eagerNames: string[];
let rewriteReport: string;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'lazy-cluster-side-'));
  lib = join(work, 'lib');
  compileSrc(lib);
  eagerNames = probe(lib, 'console.log(JSON.stringify(Object.keys(require(lib)).sort()));');
  rewriteReport = execFileSync(process.execPath, [join(ROOT, 'scripts', 'lazy-chart-exports.mjs'), lib], {
    env: { ...process.env, NODE_PATH: join(ROOT, 'node_modules') }, encoding: 'utf8',
  });
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

test('without the rewrite, requiring the entry point loads cdk8s, cdk8s-plus-27 and yaml (what issue 24 measured)', () => {
  const eager = mkdtempSync(join(tmpdir(), 'eager-cluster-side-'));
  try {
    compileSrc(eager);
    expect(probe(eager, `${LOADED} require(lib); console.log(JSON.stringify(loaded()));`)).toEqual(['cdk8s', 'cdk8s-plus-27', 'yaml']);
  } finally {
    rmSync(eager, { recursive: true, force: true });
  }
});

test('requiring the entry point and using a CDK construct loads none of cdk8s, cdk8s-plus-27, yaml', () => {
  const result = probe(lib, `${LOADED}
    const pkg = require(lib);
    const afterImport = loaded();
    const { App, Stack } = require('aws-cdk-lib');
    const app = new App();
    const stack = new Stack(app, 'Obs', { env: { account: '111111111111', region: 'eu-west-1' } });
    new pkg.IrsaRemoteWriteRole(stack, 'Writer', {
      workspaceArn: 'arn:aws:aps:eu-west-1:111111111111:workspace/ws-1',
      clusters: [{ oidcIssuerUrl: 'https://oidc.eks.eu-west-1.amazonaws.com/id/ABCDEF0123456789ABCDEF0123456789' }],
      serviceAccounts: [{ namespace: 'monitoring', name: 'prometheus' }],
    });
    app.synth();
    console.log(JSON.stringify({ afterImport, afterSynth: loaded() }));`);
  expect(result).toEqual({ afterImport: [], afterSynth: [] });
});

test('only the charts and the YAML renderers are deferred: no CDK construct module loads cdk8s or yaml when required', () => {
  // A construct that imported a chart module (or yaml at top level) would be deferred too, and load
  // all of them as soon as an app touched it: the edge must be cut in src/ instead.
  const deferred = rewriteReport.split('\n').filter((line) => line.startsWith('  ')).map((line) => line.trim()).sort();
  expect(deferred).toEqual([
    'amp-scraper/index.js: ./amp-scraper-rbac-chart',
    'container-cost/index.js: ./container-cost-agent-chart',
    'container-insights/index.js: ./cloudwatch-agent-chart',
    'cross-account-workload/index.js: ./cross-account-workload-chart',
    'cross-account-workload/index.js: ./trust-probe-chart',
    'irsa-remote-write/index.js: ./adot-collector-config',
    'irsa-remote-write/index.js: ./prometheus-agent-config',
    'irsa-remote-write/index.js: ./prometheus-remote-write-chart',
  ]);
});

test('a chart loads cdk8s and cdk8s-plus-27 when it is used, and is a cdk8s Chart', () => {
  const result = probe(lib, `${LOADED}
    const pkg = require(lib);
    const Chart = pkg.PrometheusRemoteWriteChart;
    const cdk8s = require('cdk8s');
    // cdk8s.Chart answers instanceof for chart instances only; compare the class chain.
    console.log(JSON.stringify({ loaded: loaded(), isChart: Object.getPrototypeOf(Chart) === cdk8s.Chart }));`);
  expect(result.loaded).toEqual(expect.arrayContaining(['cdk8s', 'cdk8s-plus-27']));
  expect(result.isChart).toBe(true);
});

test('the rewritten entry point exports exactly the names the eager one does, each defined', () => {
  const lazy = probe(lib, `const pkg = require(lib);
    console.log(JSON.stringify(Object.keys(pkg).sort().map((name) => [name, pkg[name] !== undefined])));`);
  expect(lazy.map(([name]: [string]) => name)).toEqual(eagerNames);
  expect(lazy.filter(([, defined]: [string, boolean]) => !defined)).toEqual([]);
  expect(eagerNames).toEqual(expect.arrayContaining(['PrometheusRemoteWriteChart', 'IrsaRemoteWriteRole', 'CloudWatchAgentChart']));
});

test('an ES module app can import every name, charts included (node finds CommonJS names by reading the source)', () => {
  // Node's ESM loader lists a CommonJS module's names with cjs-module-lexer, which reads the source and
  // cannot see names defined in a loop: without an annotation the charts are missing from \`import { ... }\`.
  const env = { ...process.env, NODE_PATH: join(ROOT, 'node_modules') };
  const script = `const ns = await import(${JSON.stringify(join(lib, 'index.js'))});
    console.log(JSON.stringify(Object.keys(ns).filter((k) => k !== 'default' && k !== '__esModule').sort()));`;
  const esmNames = JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { env, encoding: 'utf8' }));
  expect(esmNames).toEqual(eagerNames);
});

test('an index whose shape the rewrite does not know (tslib helpers) fails the compile step instead of quietly staying eager', () => {
  // tsc with importHelpers emits `tslib_1.__exportStar(require("./x"), exports)`; jsii could too one day.
  const other = mkdtempSync(join(tmpdir(), 'lazy-other-shape-'));
  try {
    writeFileSync(join(other, 'index.js'), [
      '"use strict";',
      'Object.defineProperty(exports, "__esModule", { value: true });',
      'const tslib_1 = require("tslib");',
      'tslib_1.__exportStar(require("./chart"), exports);',
    ].join('\n'));
    writeFileSync(join(other, 'chart.js'), '"use strict";\nconst cdk8s = require("cdk8s");\nexports.Chart = class extends cdk8s.Chart {};\n');
    const run = spawnSync(process.execPath, [join(ROOT, 'scripts', 'lazy-chart-exports.mjs'), other], {
      env: { ...process.env, NODE_PATH: join(ROOT, 'node_modules') }, encoding: 'utf8',
    });
    expect(run.stderr).toMatch(/still loads cdk8s/);
    expect(run.status).toBe(1);
  } finally {
    rmSync(other, { recursive: true, force: true });
  }
});

/**
 * The README's TypeScript snippets type-check against the library: each section's blocks are
 * joined (later blocks use earlier ones' variables), imports merged, the package name mapped to
 * src/, and the stacks and apps the prose assumes declared.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';
import { readmeTsSections } from './harness/readme-sections';

const ROOT = path.join(__dirname, '..');
const PACKAGE = 'cdk-eks-cross-account-observability';
const ASSUMED: Record<string, string> = {
  app: 'App',
  ampStack: 'Stack',
  clusterStack: 'Stack',
  obsStack: 'Stack',
  managementStack: 'Stack',
  targetStack: 'Stack',
  ciStack: 'Stack',
  k8s: 'cdk8s.App',
  somePrincipal: 'iam.IGrantable',
};


/** One compilable file: merged imports, declarations for what the prose assumes, then the code. */
function compilable(code: string): string {
  const named = new Map<string, Set<string>>();
  const namespaces = new Set<string>();
  const body = code.split('\n').filter((line) => {
    const m = /^import \{([^}]+)\} from '([^']+)';$/.exec(line);
    if (m) {
      const names = named.get(m[2]) ?? new Set<string>();
      m[1].split(',').map((n) => n.trim()).filter(Boolean).forEach((n) => names.add(n));
      named.set(m[2], names);
      return false;
    }
    if (/^import \* as \w+ from '[^']+';$/.test(line)) {
      namespaces.add(line);
      return false;
    }
    return true;
  }).join('\n');
  const module = (m: string) => (m === PACKAGE ? path.join(ROOT, 'src').replace(/\\/g, '/') : m);
  const imports = [
    "import { App, Stack } from 'aws-cdk-lib';", "import * as iam from 'aws-cdk-lib/aws-iam';", "import * as cdk8s from 'cdk8s';",
    ...[...namespaces].filter((l) => !/ as (iam|cdk8s) from/.test(l)),
    ...[...named].map(([m, names]) => `import { ${[...names].filter((n) => !(m === 'aws-cdk-lib' && ['App', 'Stack'].includes(n))).join(', ')} } from '${module(m)}';`),
  ].filter((l) => !/import \{ {2}\}/.test(l));
  const declared = Object.entries(ASSUMED).filter(([name]) => !new RegExp(`\\b(const|let) ${name}\\b`).test(body));
  return [...imports, ...declared.map(([name, type]) => `declare const ${name}: ${type};`), 'export {};', body].join('\n');
}

// One program for every section: the library's types load once. The files live under
// node_modules/.cache (ignored by git) so that module resolution finds the project's packages.
const SNIPPET_DIR = path.join(ROOT, 'node_modules', '.cache', 'readme-snippets');
const snippets = readmeTsSections().map((section, i) => ({ ...section, file: path.join(SNIPPET_DIR, `section-${process.pid}-${i}.ts`) }));
let diagnostics: readonly ts.Diagnostic[] = [];

beforeAll(() => {
  fs.mkdirSync(SNIPPET_DIR, { recursive: true });
  snippets.forEach((snippet) => fs.writeFileSync(snippet.file, compilable(snippet.code)));
  const program = ts.createProgram(snippets.map((s) => s.file), {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.Node16,
    moduleResolution: ts.ModuleResolutionKind.Node16,
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    esModuleInterop: true,
    types: ['node'],
  });
  diagnostics = ts.getPreEmitDiagnostics(program);
});

afterAll(() => snippets.forEach((snippet) => fs.rmSync(snippet.file, { force: true })));

test.each(snippets.map((s) => [s.title, s.file]))('README section "%s" type-checks', (_title, file) => {
  const problems = diagnostics.filter((d) => d.file?.fileName === file).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
  expect(problems).toEqual([]);
});

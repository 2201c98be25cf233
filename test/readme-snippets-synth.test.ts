/**
 * The README's TypeScript snippets run: readme-snippets.test.ts type-checks each section, but a
 * value that type-checks can still be refused at synth (a placeholder external ID, a bad ARN). Here
 * each section's blocks are joined, the package name mapped to src/, the stacks and apps the prose
 * assumes created with literal accounts, and the result run and synthesized in a scratch directory.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as ts from 'typescript';
import { readmeTsSections } from './harness/readme-sections';

const ROOT = path.join(__dirname, '..');
const PACKAGE = 'cdk-eks-cross-account-observability';
const STACK = (id: string, account: string) => `new Stack(__harnessApp, '${id}', { env: { account: '${account}', region: 'us-east-1' } })`;
const ASSUMED: Record<string, string> = {
  app: '__harnessApp',
  ampStack: STACK('AmpAccount', '111111111111'),
  obsStack: STACK('ObservabilityAccount', '111111111111'),
  clusterStack: STACK('ClusterAccount', '222222222222'),
  ciStack: STACK('CiAccount', '222222222222'),
  targetStack: STACK('TargetAccount', '333333333333'),
  managementStack: STACK('ManagementAccount', '999999999999'),
  k8s: "new cdk8s.App({ outdir: 'k8s' })",
  somePrincipal: "new iam.AccountPrincipal('444444444444')",
};
/**
 * Sections that show alternatives side by side and so cannot run as one program. Container
 * Insights: the source-account block is "one of" three `ContainerInsightsAgentAccess` modes with
 * one construct ID (and one agent role name).
 */
const ALTERNATIVES = new Set(['Container Insights into another account']);


/** A CommonJS program: harness stacks for what the prose assumes, then the section's code. */
function runnable(code: string): string {
  const src = path.join(ROOT, 'src').replace(/\\/g, '/');
  const body = code.replace(new RegExp(`from '${PACKAGE}'`, 'g'), `from '${src}'`);
  const declared = Object.entries(ASSUMED).filter(([name]) => !new RegExp(`\\b(const|let) ${name}\\b`).test(body));
  const prelude = [
    "import { App as __HarnessApp, Stack } from 'aws-cdk-lib';",
    "import * as iam from 'aws-cdk-lib/aws-iam';",
    "import * as cdk8s from 'cdk8s';",
    "const __harnessApp = new __HarnessApp({ outdir: 'cdk.out' });",
    ...declared.map(([name, value]) => `const ${name} = ${value};`),
  ];
  const epilogue = [
    '__harnessApp.synth();',
    declared.some(([name]) => name === 'k8s') ? '(k8s as cdk8s.App).synth();' : '',
    'void iam; void Stack;',
  ];
  const program = [...prelude, body, ...epilogue].join('\n');
  const compilerOptions = { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true };
  return ts.transpileModule(program, { compilerOptions }).outputText;
}

const runnableSections = readmeTsSections().filter((s) => !ALTERNATIVES.has(s.title));
const SNIPPET_DIR = path.join(ROOT, 'node_modules', '.cache', 'readme-snippets-synth', String(process.pid));
let scratch: string;
const cwd = process.cwd();

beforeAll(() => {
  fs.mkdirSync(SNIPPET_DIR, { recursive: true });
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'readme-synth-'));
  process.chdir(scratch); // the snippets write cdk.out, manifests and values files relative to the working directory
});
afterAll(() => {
  process.chdir(cwd);
  fs.rmSync(scratch, { recursive: true, force: true });
  fs.rmSync(SNIPPET_DIR, { recursive: true, force: true });
});

test('every section with ts blocks is run here or named as showing alternatives', () => {
  const titles = readmeTsSections().map((s) => s.title);
  expect([...ALTERNATIVES].filter((t) => !titles.includes(t))).toEqual([]);
  expect(runnableSections.length).toBeGreaterThanOrEqual(6);
});

test.each(runnableSections.map((s) => [s.title, s.code]))('README section "%s" synthesizes as written', (title, code) => {
  const dir = path.join(scratch, title.replace(/[^A-Za-z0-9]+/g, '-').slice(0, 60));
  fs.mkdirSync(dir, { recursive: true });
  process.chdir(dir);
  // The program lives under node_modules/.cache (ignored by git) so that it resolves the project's packages.
  const file = path.join(SNIPPET_DIR, `${path.basename(dir)}.js`);
  fs.writeFileSync(file, runnable(code));
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- runs the generated program in jest's module registry
  expect(() => require(file)).not.toThrow();
});

/**
 * Checks of a template a customer launches without CDK: self-contained (no bootstrap reference, no
 * asset), within CloudFormation's limits, and clean under the real cfn-lint (aws-cloudformation/cfn-lint,
 * the PyPI package; the node machine image ships it: see README, Development).
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';

/** CloudFormation quotas: a template body passed inline (51,200 bytes), from S3 (1 MB); 200 parameters. */
export const INLINE_TEMPLATE_BYTES = 51_200;
export const S3_TEMPLATE_BYTES = 1_000_000;

export interface SynthesizedTemplate {
  readonly file: string;
  readonly body: string;
  readonly json: any;
  readonly assemblyDir: string;
}

/** Synthesizes the app of `stack` into a fresh directory and returns the stack's template file. */
export function synthTemplate(stack: Stack): SynthesizedTemplate {
  const app = stack.node.root as App;
  const assembly = app.synth();
  const artifact = assembly.getStackByName(stack.stackName);
  const file = path.join(assembly.directory, artifact.templateFile);
  const body = fs.readFileSync(file, 'utf8');
  return { file, body, json: JSON.parse(body), assemblyDir: assembly.directory };
}

/** A fresh App writing into its own temporary directory. */
export function freshApp(): App {
  return new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'customer-template-')) });
}

const PSEUDO = new Set(['AWS::AccountId', 'AWS::Region', 'AWS::Partition', 'AWS::URLSuffix', 'AWS::StackName', 'AWS::StackId', 'AWS::NoValue', 'AWS::NotificationARNs']);

function refsOf(node: any, into: string[] = []): string[] {
  if (Array.isArray(node)) {node.forEach((n) => refsOf(n, into));} else if (node && typeof node === 'object') {
    if (typeof node.Ref === 'string') into.push(node.Ref);
    Object.values(node).forEach((n) => refsOf(n, into));
  }
  return into;
}

/** What keeps a template from being launched as it is, in an account that never ran `cdk bootstrap`. */
export function selfContainedProblems(t: SynthesizedTemplate): string[] {
  const problems: string[] = [];
  if (t.json.Parameters?.BootstrapVersion) problems.push('has the BootstrapVersion parameter');
  if (t.json.Rules?.CheckBootstrapVersion) problems.push('has the CheckBootstrapVersion rule');
  if (/cdk-hnb659fds|cdk-bootstrap|\/cdk-bootstrap\//.test(t.body)) problems.push('names the CDK bootstrap stack or its resources');
  if (/aws:asset:|AssetParameters|S3Bucket"\s*:\s*\{\s*"Fn::Sub"\s*:\s*"cdk-/.test(t.body)) problems.push('refers to an asset');
  const assetManifests = fs.readdirSync(t.assemblyDir).filter((f) => f.endsWith('.assets.json'));
  for (const manifest of assetManifests) {
    const assets = JSON.parse(fs.readFileSync(path.join(t.assemblyDir, manifest), 'utf8'));
    const files = Object.values(assets.files ?? {}).filter((a: any) => !String(a.source?.path ?? '').endsWith('.template.json'));
    if (files.length > 0 || Object.keys(assets.dockerImages ?? {}).length > 0) problems.push(`${manifest} lists assets`);
  }
  if (Buffer.byteLength(t.body) > INLINE_TEMPLATE_BYTES) problems.push(`is ${Buffer.byteLength(t.body)} bytes, over the ${INLINE_TEMPLATE_BYTES} CloudFormation takes inline`);
  const known = new Set([...Object.keys(t.json.Parameters ?? {}), ...Object.keys(t.json.Resources ?? {}), ...PSEUDO]);
  for (const ref of refsOf(t.json)) if (!known.has(ref)) problems.push(`Ref ${ref} names no parameter, resource or pseudo parameter`);
  for (const [name, rule] of Object.entries<any>(t.json.Rules ?? {})) {
    if (!Array.isArray(rule.Assertions) || rule.Assertions.length === 0) problems.push(`rule ${name} has no Assertions`);
    for (const a of rule.Assertions ?? []) if (!a.Assert || typeof a.AssertDescription !== 'string') problems.push(`rule ${name}: an assertion needs Assert and AssertDescription`);
  }
  return problems;
}

export interface LintFinding {
  readonly rule: string;
  readonly level: string;
  readonly message: string;
  readonly line?: number;
  /** The template file it is in. */
  readonly file?: string;
}

/** The cfn-lint executable: on PATH, or where pyenv puts it on the project's machine image. */
function cfnLintBinary(): string {
  const candidates = ['cfn-lint', path.join(os.homedir(), '.pyenv', 'shims', 'cfn-lint')];
  for (const candidate of candidates) {
    const probe = spawnSync(candidate, ['--version'], { encoding: 'utf8' });
    if (probe.status === 0) return candidate;
  }
  throw new Error('cfn-lint is not installed: the customer templates are checked with the real linter (pip install cfn-lint; README, Development)');
}

/** cfn-lint's findings (every level) for the template files, as data. */
export function cfnLint(files: string[]): LintFinding[] {
  const run = spawnSync(cfnLintBinary(), ['--format', 'json', '--', ...files], { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
  // Exit codes are a bit mask of the levels found (2 errors, 4 warnings, 8 informational); 1 is a crash.
  if (run.status === null || run.status === 1 || run.stdout.trim() === '') {
    if (run.status === 0) return [];
    throw new Error(`cfn-lint failed (${run.status}): ${run.stderr}`);
  }
  return (JSON.parse(run.stdout) as any[]).map((m) => ({
    rule: m.Rule.Id, level: m.Level, message: m.Message, line: m.Location?.Start?.LineNumber, file: m.Filename,
  }));
}

/** cfn-lint's E-level findings only (what the issue asks to be zero). */
export function cfnLintErrors(files: string[]): LintFinding[] {
  return cfnLint(files).filter((f) => f.level === 'Error');
}

/**
 * Every template a valid contract case synthesizes is clean under cfn-lint's E-rules (issue 22): the
 * baseline of every construct and customer template of the contract table, built in a stack with an
 * environment and in an environment-agnostic one (where pseudo parameters stand for account, region
 * and partition: E6003 found an `Fn::Join` Output Description only there). One cfn-lint process
 * lints them all: it costs seconds to start, and milliseconds per template. Each string or string-list
 * prop of a baseline is also given as a deploy-time value (a `CfnParameter`): where the construct
 * accepts it, that template is a valid case too.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CfnParameter } from 'aws-cdk-lib';
import { ENTRIES, InStack, inEnvAgnosticStacks } from './entries';
import { cfnLintErrors } from '../harness/template-lint';

interface Case { readonly title: string; readonly file: string }

/**
 * The baseline with one top-level prop replaced by a deploy-time value (a `CfnParameter` of the
 * matching type): a valid case when the construct accepts it, and a template with `Ref`s in it.
 */
function withDeployTimeValues(baseline: Record<string, unknown>): Array<[string, Record<string, unknown>]> {
  const out: Array<[string, Record<string, unknown>]> = [];
  for (const [prop, value] of Object.entries(baseline)) {
    const type = typeof value === 'string' ? 'String' : Array.isArray(value) && value.every((v) => typeof v === 'string') ? 'List<String>' : undefined;
    if (!type) continue;
    const token = new InStack((stack) => {
      const p = new CfnParameter(stack, `Deploy${prop}`, { type });
      return type === 'String' ? p.valueAsString : p.valueAsList;
    });
    out.push([prop, { ...baseline, [prop]: token }]);
  }
  return out;
}

/** The templates of every valid case (a chart writes manifests, not a template; a refusal writes nothing). */
function templatesOfValidCases(dir: string): Case[] {
  const cases: Case[] = [];
  const add = (title: string, output: string) => {
    const json = JSON.parse(output);
    if (Array.isArray(json) || !json.Resources) return;
    const file = path.join(dir, `${cases.length}.json`);
    fs.writeFileSync(file, output);
    cases.push({ title, file });
  };
  for (const entry of ENTRIES) {
    for (const [prop, props] of withDeployTimeValues(entry.baseline)) {
      try {
        add(`${entry.name}${entry.variant ? ` (${entry.variant})` : ''}, ${prop} as a deploy-time value`, entry.build(props));
      } catch (e) {
        if (!/: invalid props/.test((e as Error).message)) throw e; // refused by name: not a valid case
      }
    }
  }
  for (const [mode, run] of [['with env', (f: () => string) => f()], ['env-agnostic', inEnvAgnosticStacks]] as const) {
    for (const entry of ENTRIES) {
      const title = `${entry.name}${entry.variant ? ` (${entry.variant})` : ''}, ${mode}`;
      let output: string;
      try {
        output = run(() => entry.build(entry.baseline));
      } catch (e) {
        // Some constructs need a literal account or region and say so; that is a refusal, not a template.
        if (mode === 'env-agnostic' && /: invalid props/.test((e as Error).message)) continue;
        throw e;
      }
      add(title, output);
    }
  }
  return cases;
}

test('no cfn-lint E-rule finding in any template of a valid contract case', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'contract-lint-'));
  const cases = templatesOfValidCases(dir);
  // Every construct and customer template of the table, in at least one mode.
  expect(cases.length).toBeGreaterThanOrEqual(20);
  expect(cases.filter((c) => c.title.includes('deploy-time')).length).toBeGreaterThanOrEqual(10);
  const titleOf = new Map(cases.map((c) => [path.resolve(c.file), c.title]));
  const errors = cfnLintErrors(cases.map((c) => c.file))
    .map((f) => `${titleOf.get(path.resolve(f.file ?? '')) ?? f.file}: ${f.rule} ${f.message}`);
  fs.rmSync(dir, { recursive: true, force: true });
  expect(errors).toEqual([]);
}, 300_000);

/**
 * The input contract (CONTRIBUTING.md), held for every exported construct and chart: each prop of a
 * valid baseline is mutated through the classes a JavaScript or Python caller can produce. Never a
 * TypeError; a refusal is the one validation error naming the prop; an accepted input leaves no
 * `${Token[`, `undefined` or `[object Object]` in anything written.
 */
import { Lazy } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { ENTRIES } from './entries';
import * as lib from '../../src';

type Outcome = { kind: 'refused'; message: string } | { kind: 'accepted'; output: string } | { kind: 'crashed'; error: string };

function attempt(build: (props: any) => string, props: any): Outcome {
  try {
    return { kind: 'accepted', output: build(props) };
  } catch (error) {
    const message = (error as Error).message ?? String(error);
    if (error instanceof TypeError || !/: invalid props \(\d+ problems?\):\n/.test(message)) return { kind: 'crashed', error: `${(error as Error).name}: ${message.split('\n').slice(0, 3).join(' | ')}` };
    return { kind: 'refused', message };
  }
}

const GARBAGE_TEXT = /\$\{Token\[|\bundefined\b|\[object Object\]/;

/** The wrong-typed value for a prop, from its baseline value's type. */
function wrongType(value: unknown): unknown {
  if (typeof value === 'string') return 42;
  if (Array.isArray(value)) return 'not-a-list';
  if (typeof value === 'object' && value !== null) return 'not-an-object';
  return 'not-a-' + typeof value;
}

/** A partial object or list element: what `{ namespace: 'x' }` without `name` looks like. */
function partial(value: unknown): unknown | undefined {
  if (Array.isArray(value) && value.length > 0 && typeof value[0] === 'object' && !(value[0] instanceof Construct) && value[0]?.constructor === Object) return [{}];
  if (value && typeof value === 'object' && !Array.isArray(value) && value.constructor === Object) return {};
  return undefined;
}

function refusedNaming(outcome: Outcome, prop: string): boolean {
  return outcome.kind === 'refused' && new RegExp(`\\n  - ${prop.replace(/[.[\]]/g, '\\$&')}\\b`).test(outcome.message);
}

test('every exported construct and chart is in the contract table', () => {
  const exported = Object.entries(lib).filter(([, v]) => typeof v === 'function' && (v as any).prototype instanceof Construct).map(([n]) => n).sort();
  expect([...new Set(ENTRIES.map((e) => e.name))].sort()).toEqual(exported);
});

describe.each(ENTRIES.map((e) => [e.variant ? `${e.name} (${e.variant})` : e.name, e] as const))('%s', (_name, entry) => {
  test('the baseline is accepted and writes no token text, "undefined" or "[object Object]"', () => {
    const outcome = attempt(entry.build, entry.baseline);
    expect(outcome.kind === 'accepted' ? GARBAGE_TEXT.exec(outcome.output)?.[0] ?? 'clean' : outcome).toBe('clean');
  });

  test('null or nothing at all for the props object: one validation error or an accepted default, never a crash', () => {
    for (const props of [undefined, null]) {
      const outcome = attempt(entry.build, props);
      expect(outcome.kind).not.toBe('crashed');
      if (outcome.kind === 'refused') {
        for (const prop of entry.required) {
          expect([prop, ...entry.alternatives?.[prop] ?? []].some((p) => outcome.message.includes(`- ${p}`)) ? prop : outcome.message).toBe(prop);
        }
      }
    }
  });

  const props = Object.keys(entry.baseline);
  const cases: Array<[string, string, unknown, 'refuse' | 'refuse-or-absent' | 'refuse-or-token']> = [];
  for (const prop of props) {
    const value = entry.baseline[prop];
    const required = entry.required.includes(prop);
    cases.push([prop, 'missing', undefined, required ? 'refuse' : 'refuse-or-absent']);
    cases.push([prop, 'null', null, required ? 'refuse' : 'refuse-or-absent']);
    cases.push([prop, 'a wrong type', wrongType(value), 'refuse']);
    const part = partial(value);
    if (part !== undefined) cases.push([prop, 'a partial object', part, 'refuse']);
    if (typeof value === 'string') cases.push([prop, 'a deploy-time value (token)', Lazy.string({ produce: () => String(value) }), 'refuse-or-token']);
  }

  test.each(cases)('%s as %s', (prop, _class, value, expected) => {
    const mutated: Record<string, unknown> = { ...entry.baseline, [prop]: value };
    if (value === undefined) delete mutated[prop];
    const outcome = attempt(entry.build, mutated);
    if (outcome.kind === 'crashed') throw new Error(`crashed: ${outcome.error}`);
    if (outcome.kind === 'accepted') {
      expect(GARBAGE_TEXT.exec(outcome.output)?.[0] ?? 'clean').toBe('clean');
      if (expected === 'refuse') throw new Error(`accepted silently; expected a validation error naming ${prop}`);
      return;
    }
    const missing = value === undefined || value === null;
    const named = refusedNaming(outcome, prop) || (missing && (entry.alternatives?.[prop] ?? []).some((p) => refusedNaming(outcome, p)));
    expect(named ? 'names the prop' : outcome.message).toBe('names the prop');
  });
});

/**
 * Runtime checks of an exported function's arguments (issue 22): a JavaScript or Python caller can
 * pass anything, so every exported function checks its arguments' types and shapes and throws ONE
 * error naming the function and every bad argument, never a `TypeError` and never a silently
 * rewritten or over-long name. Pure: no aws-cdk-lib import, so Lambda handlers and the member
 * reconciler share these functions unchanged.
 */
import { PARTITIONS } from './partition';
import { IAM_ROLE_NAME, Rule } from './rules';

/** How CDK encodes a deploy-time string (`${Token[...]}`) and a list element (`#{Token[...]}`). */
const TOKEN_TEXT = /\$\{Token\[|#\{Token\[/;

/** Whether a string holds a CDK token (a deploy-time value), without importing aws-cdk-lib. */
export function holdsToken(value: string): boolean {
  return TOKEN_TEXT.test(value);
}

/**
 * What a function does with a deploy-time value (token) argument:
 * - `'carried'`: it only places the value into the result (CloudFormation resolves it);
 * - `'refused'`: it must read the value at synth (hash it, fold its case, cut it at 64), so a token is refused by name.
 */
export type TokenUse = 'carried' | 'refused';

export interface ArgumentOptions {
  /** Whether the argument may be left out (`undefined` or `null`). */
  readonly optional?: boolean;
  /** @default 'carried' */
  readonly tokens?: TokenUse;
}

/** A partition name, as ARNs spell it. */
export const PARTITION: Rule = {
  expected: `a partition: ${PARTITIONS.join(', ')}`,
  check: (value) => (PARTITIONS.includes(value) ? undefined : 'unknown partition'),
};

/**
 * Collects the problems with one call's arguments; `result` throws them as one error or returns the
 * function's value. The message: `fleetIrsaRoleName(flowKey, clusterName, region): invalid arguments (1 problem):`
 * and one line per argument, `  - clusterName: got undefined; expected ...`.
 */
export class ArgumentChecker {
  private readonly problems: string[] = [];

  /** @param signature the function as the caller writes it: `FleetNames.irsaRoleArn(partition, account, ...)` */
  constructor(private readonly signature: string) {}

  /** A string argument checked with `rule` (when literal). Returns whether it is a literal that passed. */
  public string(name: string, value: unknown, rule?: Rule, options: ArgumentOptions = {}): boolean {
    if (value === undefined || value === null) {
      if (!options.optional) this.problem(name, `got ${describeArgument(value)}; expected ${rule?.expected ?? 'a string'}`);
      return false;
    }
    if (typeof value !== 'string') {
      this.problem(name, `got ${describeArgument(value)}; expected ${rule?.expected ?? 'a string'}`);
      return false;
    }
    if (holdsToken(value)) {
      if (options.tokens === 'refused') {
        this.problem(name, `is a deploy-time value (token), but this function must read it at synth (to hash it or cut it to IAM's limits); pass a literal value (${rule?.expected ?? 'a string'})`);
      }
      return false;
    }
    const reason = rule?.check(value);
    if (reason !== undefined) {
      this.problem(name, `got ${JSON.stringify(value)} (${reason}); expected ${rule!.expected}`);
      return false;
    }
    return true;
  }

  /** A list of strings, each checked with `rule`; returns the entries (empty when it is not a list). */
  public stringList(name: string, value: unknown, rule?: Rule, options: ArgumentOptions = {}): readonly string[] {
    if (value === undefined || value === null) {
      if (!options.optional) this.problem(name, `got ${describeArgument(value)}; expected a list`);
      return [];
    }
    if (!Array.isArray(value)) {
      this.problem(name, `got ${describeArgument(value)}; expected a list of strings`);
      return [];
    }
    value.forEach((item, i) => this.string(`${name}[${i}]`, item, rule, options));
    return value.filter((item) => typeof item === 'string');
  }

  /** A plain object argument; returns whether it is one. */
  public object(name: string, value: unknown, expected: string): boolean {
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) return true;
    this.problem(name, `got ${describeArgument(value)}; expected ${expected}`);
    return false;
  }

  /**
   * Checks a role name the function built from `from` (the arguments it holds): IAM allows 64
   * characters of `[\w+=,.@-]` (IAM API reference, CreateRole, RoleName). A name holding a token is
   * CloudFormation's to check.
   */
  public roleName(name: string, from: string): string {
    if (this.problems.length === 0 && !holdsToken(name)) {
      const reason = IAM_ROLE_NAME.check(name);
      if (reason !== undefined) this.problem(from, `gives the role name ${JSON.stringify(name)} (${reason}); expected shorter arguments: ${IAM_ROLE_NAME.expected}`);
    }
    return name;
  }

  /**
   * Runs another checked function on these arguments and takes its problems as this call's own, so
   * the caller gets one error naming the function they called. Returns its value, or undefined.
   */
  public nested<T>(compute: () => T): T | undefined {
    try {
      return compute();
    } catch (e) {
      const lines = invalidArgumentLines(e);
      if (lines === undefined) throw e;
      for (const line of lines) if (!this.problems.includes(line)) this.problems.push(line);
      return undefined;
    }
  }

  public problem(name: string, message: string): this {
    this.problems.push(`${name}: ${message}`);
    return this;
  }

  /** Whether no problem was found so far. */
  public get ok(): boolean {
    return this.problems.length === 0;
  }

  /** Throws one error naming every problem, if any; otherwise returns `compute()`. */
  public result<T>(compute: () => T): T {
    this.throwIfAny();
    const value = compute();
    this.throwIfAny();
    return value;
  }

  private throwIfAny(): void {
    if (this.problems.length === 0) return;
    const count = this.problems.length === 1 ? '1 problem' : `${this.problems.length} problems`;
    throw new Error(`${this.signature}: invalid arguments (${count}):\n${this.problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/** The problem lines of an `invalid arguments` error, or undefined for any other error. */
function invalidArgumentLines(e: unknown): string[] | undefined {
  const message = e instanceof Error ? e.message : '';
  const match = /^[^\n]*\): invalid arguments \(\d+ problems?\):\n([\s\S]*)$/.exec(message);
  return match ? match[1].split('\n').map((line) => line.replace(/^ {2}- /, '')) : undefined;
}

/**
 * Calls a checked function under another name (a static method that forwards to it): its error
 * names the method the caller called.
 */
export function forwardedAs<T>(signature: string, compute: () => T): T {
  const a = new ArgumentChecker(signature);
  const value = a.nested(compute);
  return a.result(() => value as T);
}

/** A value as an error message shows it. */
function describeArgument(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (value === null) return 'null';
  if (typeof value === 'number' && Number.isNaN(value)) return 'NaN';
  if (Array.isArray(value)) return `a list (${safeJson(value)})`;
  if (typeof value === 'object') return `an object (${safeJson(value)})`;
  return `${typeof value} ${JSON.stringify(value)}`;
}

function safeJson(value: unknown): string {
  try {
    return (JSON.stringify(value) ?? '?').slice(0, 60);
  } catch {
    return '?';
  }
}

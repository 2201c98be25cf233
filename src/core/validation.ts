import { Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { partitionOf } from './partition';
import { K8S_LABEL_KEY, K8S_LABEL_VALUE, K8S_NAME, K8S_NAMESPACE, REGION, Rule } from './rules';
import { ServiceAccountRef } from './service-account';

/**
 * Collects every problem with a construct's props, then throws one error that lists them all.
 *
 * Values that are CDK tokens (deploy-time values) are skipped: they cannot be checked at synth.
 * Charts call {@link PropsValidator.forChart}: a chart writes plain YAML, so a token there is
 * itself a problem.
 */
export class PropsValidator {
  /** A validator for a cdk8s chart, where a CDK token would end up as literal `${Token[...]}` text. */
  public static forChart(owner: string): PropsValidator {
    return new PropsValidator(owner, false);
  }

  private readonly problems: string[] = [];
  /** The stack's partition, when its region is literal: every ARN and region checked must be in it. */
  private stackPartition?: string;
  /** A chart's partition: that of the first ARN or region checked. */
  private firstPartition?: { readonly prop: string; readonly partition: string };

  constructor(private readonly owner: string, private readonly tokensAllowed = true) {}

  /**
   * Checks every ARN and region from now on against the partition of the construct's stack (when its
   * region is a literal): IAM refuses policies naming another partition at deploy
   * (MalformedPolicyDocument), and a region of another partition cannot hold the stack's resources.
   */
  public inStackOf(scope: IConstruct): this {
    const region = Stack.of(scope).region;
    if (!Token.isUnresolved(region)) this.stackPartition = partitionOf(region).partition;
    return this;
  }

  /**
   * Checks `value` against `rule` unless it is absent (optional prop; `null` counts as absent, as a
   * Python `None` arrives) or a token. A value of another type (a JavaScript or Python caller can pass
   * one) is a problem, never a crash.
   */
  public check(prop: string, value: string | undefined, rule: Rule): this {
    if (value === undefined || value === null) return this;
    if (typeof value !== 'string') return this.problem(prop, `got ${describeValue(value)}; expected ${rule.expected}`);
    if (this.skipToken(prop, value)) return this;
    const reason = rule.check(value);
    if (reason !== undefined) return this.problem(prop, `got ${JSON.stringify(value)} (${reason}); expected ${rule.expected}`);
    const partition = value.startsWith('arn:') ? value.split(':')[1] : rule === REGION ? partitionOf(value).partition : undefined;
    if (this.stackPartition && partition && partition !== this.stackPartition) {
      this.problem(prop, `is in partition ${partition}, but this stack is in ${this.stackPartition}: one partition per stack (IAM refuses policies naming another)`);
    } else if (!this.tokensAllowed && partition) {
      // A chart has no stack: the first ARN or region it is given sets the partition.
      if (!this.firstPartition) {
        this.firstPartition = { prop, partition };
      } else if (partition !== this.firstPartition.partition) {
        this.problem(prop, `is in partition ${partition}, but ${this.firstPartition.prop} is in ${this.firstPartition.partition}: one partition per chart (a role in one partition cannot trust or assume one in another)`);
      }
    }
    return this;
  }

  /** Records a problem when a required prop is missing or empty. Returns whether it is present. */
  public required(prop: string, value: unknown): boolean {
    const present = value !== undefined && value !== null && value !== '' && !(Array.isArray(value) && value.length === 0);
    if (!present) this.problem(prop, 'is required');
    return present;
  }

  /**
   * Checks a service account: an object with a namespace (RFC 1123 label) and a name (`nameRule`: a
   * literal name by default), both required once the object is given.
   */
  public serviceAccount(prop: string, sa: ServiceAccountRef | undefined, nameRule: Rule = K8S_NAME): this {
    if (sa === undefined || sa === null) return this;
    if (typeof sa !== 'object' || Array.isArray(sa)) return this.problem(prop, `got ${describeValue(sa)}; expected { namespace, name }`);
    this.required(`${prop}.namespace`, sa.namespace);
    this.required(`${prop}.name`, sa.name);
    return this.check(`${prop}.namespace`, sa.namespace, K8S_NAMESPACE).check(`${prop}.name`, sa.name, nameRule);
  }

  /**
   * Checks that a prop, when given, is a list (of `itemType` values, if named). Returns the list to
   * iterate over: empty when absent or not a list, so callers never crash on a wrong type.
   *
   * A deploy-time list (a `CfnParameter` of type `List<String>`, `Token.asList`) cannot be iterated at
   * synth: it is refused by name unless the construct passes it through untouched (`tokens: 'carried'`,
   * constructs only), in which case nothing is returned to iterate.
   */
  public list<T = unknown>(prop: string, value: readonly T[] | undefined, itemType?: 'string' | 'object', options: ListOptions = {}): readonly T[] {
    if (value === undefined || value === null) return [];
    if (Token.isUnresolved(value)) {
      if (options.tokens !== 'carried' || !this.tokensAllowed) {
        this.problem(prop, 'is a deploy-time list (token), but its entries are needed at synth (to check them and build trusts, names or YAML from them); pass a literal list');
      }
      return [];
    }
    if (!Array.isArray(value)) {
      this.problem(prop, `got ${describeValue(value)}; expected a list`);
      return [];
    }
    const fits = (item: unknown) => item !== undefined && item !== null
      && (itemType === undefined || (itemType === 'object' ? typeof item === 'object' && !Array.isArray(item) : typeof item === itemType));
    value.forEach((item, i) => {
      if (!fits(item)) this.problem(`${prop}[${i}]`, `got ${describeValue(item)}; expected ${itemType === 'object' ? 'an object' : itemType ? `a ${itemType}` : 'a value'}`);
    });
    return value.filter(fits);
  }

  /**
   * Refuses a list that names one literal value twice: CloudFormation's schemas mark such lists
   * `uniqueItems` (cfn-lint E3037), and the service refuses or silently merges the duplicate.
   */
  public unique(prop: string, values: readonly unknown[]): this {
    const literal = values.filter((x) => typeof x === 'string' && !Token.isUnresolved(x));
    for (const duplicate of new Set(literal.filter((x, i) => literal.indexOf(x) !== i))) this.problem(prop, `lists ${JSON.stringify(duplicate)} twice; each entry once`);
    return this;
  }

  /** Checks that a prop, when given, is a string (any content); a chart refuses a token. */
  public string(prop: string, value: unknown): this {
    if (value === undefined || value === null) return this;
    if (typeof value !== 'string') return this.problem(prop, `got ${describeValue(value)}; expected a string`);
    this.skipToken(prop, value);
    return this;
  }

  /** Checks that a prop, when given, is a `Duration` (a JavaScript number or an ISO 8601 string is not one). */
  public duration(prop: string, value: unknown): this {
    if (value === undefined || value === null || value instanceof Duration) return this;
    return this.problem(prop, `got ${describeValue(value)}; expected a Duration (Duration.seconds(...), Duration.hours(...))`);
  }

  /** Checks that a prop, when given, is a `RemovalPolicy`. */
  public removalPolicy(prop: string, value: unknown): this {
    return this.oneOf(prop, value, RemovalPolicy as unknown as Record<string, string>);
  }

  /**
   * Checks that a prop, when given, is an instance built with the library's or aws-cdk-lib's API (an
   * IAM role, a managed policy, a policy statement), recognised by `looksRight`; `expected` names it.
   */
  public instance(prop: string, value: unknown, looksRight: (value: any) => boolean, expected: string): this {
    if (value === undefined || value === null) return this;
    if (typeof value !== 'object' || !looksRight(value)) this.problem(prop, `got ${describeValue(value)}; expected ${expected}`);
    return this;
  }

  /**
   * Checks a map of strings (`{ key: value }`): a plain object whose values are strings; keys and
   * values each checked with a rule when given. Returns the entries that are safe to use.
   */
  public map(prop: string, value: unknown, keyRule?: Rule, valueRule?: Rule): Array<[string, string]> {
    if (value === undefined || value === null) return [];
    if (typeof value !== 'object' || Array.isArray(value) || Token.isUnresolved(value)) {
      this.problem(prop, `got ${describeValue(value)}; expected a map of strings ({ key: 'value' })`);
      return [];
    }
    const out: Array<[string, string]> = [];
    for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
      const at = `${prop}.${key}`;
      if (Token.isUnresolved(key)) {
        this.problem(prop, 'has a key that is a deploy-time value (token); keys are needed at synth');
        continue;
      }
      if (keyRule) {
        const reason = keyRule.check(key);
        if (reason !== undefined) this.problem(at, `the key ${JSON.stringify(key)} is invalid (${reason}); expected ${keyRule.expected}`);
      }
      if (typeof item !== 'string') {
        this.problem(at, `got ${describeValue(item)}; expected a string`);
        continue;
      }
      if (valueRule) this.check(at, item, valueRule); else this.string(at, item);
      out.push([key, item]);
    }
    return out;
  }

  /** Checks Kubernetes labels: keys `[prefix/]name`, values of at most 63 characters (Kubernetes' label syntax). */
  public labels(prop: string, value: unknown): this {
    this.map(prop, value, K8S_LABEL_KEY, K8S_LABEL_VALUE);
    return this;
  }

  /** Checks that a prop, when given, is one of an enum's values. */
  public oneOf(prop: string, value: unknown, allowed: Record<string, string> | readonly string[]): this {
    if (value === undefined || value === null) return this;
    const values = Array.isArray(allowed) ? allowed : Object.values(allowed);
    if (!values.includes(value as string)) this.problem(prop, `got ${describeValue(value)}; expected one of ${values.join(', ')}`);
    return this;
  }

  /** Checks that a prop, when given, is a boolean. */
  public boolean(prop: string, value: unknown): this {
    if (value !== undefined && value !== null && typeof value !== 'boolean') this.problem(prop, `got ${describeValue(value)}; expected true or false`);
    return this;
  }

  /** Checks an STS external ID (2-1,224 characters of the set STS accepts) unless absent or a token. */
  public externalId(prop: string, value: string | undefined): this {
    if (value === undefined || value === null) return this;
    if (typeof value !== 'string') return this.problem(prop, `got ${describeValue(value)}; expected 2-1224 characters from A-Z a-z 0-9 and +=,.@:/-`);
    if (this.skipToken(prop, value)) return this;
    if (!/^[\w+=,.@:/-]{2,1224}$/.test(value)) this.problem(prop, 'expected 2-1224 characters from A-Z a-z 0-9 and +=,.@:/-');
    return this;
  }

  /**
   * Checks that `value` is a whole number in [min, max]. A deploy-time number (`Token.asNumber`, a
   * `CfnParameter`'s `valueAsNumber`) is a huge negative double at synth; it is refused by name unless
   * the construct passes it through untouched (`tokens: 'carried'`, constructs only).
   */
  public integer(prop: string, value: number | undefined, min: number, max: number, options: ListOptions = {}): this {
    if (value === undefined || value === null) return this;
    if (typeof value !== 'number') return this.problem(prop, `got ${describeValue(value)}; expected a whole number from ${min} to ${max}`);
    if (Token.isUnresolved(value)) {
      if (options.tokens !== 'carried' || !this.tokensAllowed) {
        this.problem(prop, `is a deploy-time number (token), but it is needed at synth; pass a literal whole number from ${min} to ${max}`);
      }
      return this;
    }
    if (!Number.isInteger(value) || value < min || value > max) {
      this.problem(prop, `got ${value}; expected a whole number from ${min} to ${max}`);
    }
    return this;
  }

  /** Records a problem that no single rule expresses (cross-prop checks). */
  /** Whether a problem is already recorded for `prop` (or a path below it). */
  public hasProblemFor(prop: string): boolean {
    return this.problems.some((p) => p.startsWith(`${prop}: `) || p.startsWith(`${prop}.`) || p.startsWith(`${prop}[`));
  }

  public problem(prop: string, message: string): this {
    this.problems.push(`${prop}: ${message}`);
    return this;
  }

  /** How many problems were found so far (to tell whether one value passed its checks). */
  public get problemCount(): number {
    return this.problems.length;
  }

  /** Whether a literal, checkable value was given (not absent, not a token). */
  public isLiteral(value: string | undefined): value is string {
    return typeof value === 'string' && !Token.isUnresolved(value);
  }

  /** Throws one error naming every problem found, if any. */
  public throwIfAny(): void {
    if (this.problems.length === 0) return;
    const count = this.problems.length === 1 ? '1 problem' : `${this.problems.length} problems`;
    throw new Error(`${this.owner}: invalid props (${count}):\n${this.problems.map((p) => `  - ${p}`).join('\n')}`);
  }

  private skipToken(prop: string, value: string): boolean {
    if (!Token.isUnresolved(value)) return false;
    if (!this.tokensAllowed) {
      this.problem(prop, 'is a CDK token; a chart writes plain YAML, so pass the literal value (the constructs expose deterministic ARNs as plain strings)');
    }
    return true;
  }
}

/** How a prop takes deploy-time values (tokens). */
export interface ListOptions {
  /** `'carried'`: the construct passes a token through to CloudFormation untouched. */
  readonly tokens?: 'carried';
}

/** A value as an error message shows it: JSON where it can be, its type otherwise. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'number' && Number.isNaN(value)) return 'NaN';
  if (Array.isArray(value)) return `a list (${JSON.stringify(value).slice(0, 60)})`;
  if (typeof value === 'object') return `an object (${(() => { try { return JSON.stringify(value).slice(0, 60); } catch { return '?'; } })()})`;
  return `${typeof value} ${JSON.stringify(value)}`;
}

/** The props object a JavaScript or Python caller passed, or an empty one for null/undefined, so validation reports what is missing. */
export function propsOrEmpty<T>(props: T | undefined | null): T {
  return (props ?? {}) as T;
}

/** "IrsaRemoteWriteRole 'Stack/RemoteWrite'": how errors name the construct they are about. */
export function describeConstruct(kind: string, path: string): string {
  return `${kind} '${path}'`;
}

/**
 * Builds a child construct from a group of the caller's props, so that its validation error names
 * them as the caller passed them: `clusterNames` of the child becomes `<prefix>.clusterNames`, and the
 * error is the caller's (`owner`). Any other error passes through unchanged.
 */
export function buildWithPropPrefix<T>(owner: string, prefix: string, build: () => T): T {
  try {
    return build();
  } catch (e) {
    const message = e instanceof Error ? e.message : '';
    const match = /^[^\n]*: invalid props \((\d+ problems?)\):\n([\s\S]*)$/.exec(message);
    if (!match) throw e;
    const lines = match[2].split('\n').map((line) => line.replace(/^ {2}- /, `  - ${prefix}.`));
    throw new Error(`${owner}: invalid props (${match[1]}):\n${lines.join('\n')}`);
  }
}

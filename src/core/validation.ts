import { Stack, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { partitionOf } from './partition';
import { K8S_NAME, K8S_NAMESPACE, REGION, Rule } from './rules';
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
   */
  public list<T = unknown>(prop: string, value: readonly T[] | undefined, itemType?: 'string' | 'object'): readonly T[] {
    if (value === undefined || value === null || Token.isUnresolved(value)) return [];
    if (!Array.isArray(value)) {
      this.problem(prop, `got ${describeValue(value)}; expected a list`);
      return [];
    }
    value.forEach((item, i) => {
      const ok = itemType === undefined || (itemType === 'object' ? item !== null && typeof item === 'object' && !Array.isArray(item) : typeof item === itemType);
      if (!ok) this.problem(`${prop}[${i}]`, `got ${describeValue(item)}; expected ${itemType === 'object' ? 'an object' : `a ${itemType}`}`);
    });
    return value.filter((item) => itemType === undefined || (itemType === 'object' ? item !== null && typeof item === 'object' : typeof item === itemType));
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
    if (this.isLiteral(value) && !/^[\w+=,.@:/-]{2,1224}$/.test(value)) this.problem(prop, 'expected 2-1224 characters from A-Z a-z 0-9 and +=,.@:/-');
    return this;
  }

  /** Checks that `value` is a whole number in [min, max] unless it is a token. */
  public integer(prop: string, value: number | undefined, min: number, max: number): this {
    if (value === undefined || value === null || Token.isUnresolved(value)) return this;
    if (!Number.isInteger(value) || value < min || value > max) {
      this.problem(prop, `got ${value}; expected a whole number from ${min} to ${max}`);
    }
    return this;
  }

  /** Records a problem that no single rule expresses (cross-prop checks). */
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

/** A value as an error message shows it: JSON where it can be, its type otherwise. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
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

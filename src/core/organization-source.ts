/**
 * The `organizationSource` prop shared by the target constructs: validation, the default principal
 * pattern (the fleet's path of the construct's flow) and the trust statements for `createRoleWithTrust`.
 */
import { Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';
import { OrganizationSourceTrust } from './organization';
import { organizationScopeProblems } from './organization-scope';
import { organizationTrustStatements, SOURCE_PRINCIPAL_PATTERN, TrustConditions } from './organization-trust';
import { partitionOf } from './partition';
import { DEFAULT_TRUST_POLICY_SIZE_LIMIT } from './policy-size';
import { TrustStatement } from './role-trust';
import { describeValue, PropsValidator } from './validation';
import { worstCasePolicySize } from './worst-case-size';
import { fleetSourcePrincipalPattern } from '../organization/fleet-names';

/** The prop's name, the same on every target construct. */
export const ORGANIZATION_SOURCE = 'organizationSource';

/** Whether a prop was given: `null` (a Python `None`) and an empty list mean "not given". */
export function isGiven(value: unknown): boolean {
  return value !== undefined && value !== null && !(Array.isArray(value) && value.length === 0);
}

/**
 * Checks `organizationSource` when given (every problem named under `organizationSource.<member>`).
 * Returns whether the construct is in organization mode (the prop is given, whatever its shape).
 */
export function checkOrganizationSource(v: PropsValidator, source: unknown): source is OrganizationSourceTrust {
  if (source === undefined || source === null) return false;
  const prop = ORGANIZATION_SOURCE;
  if (typeof source !== 'object' || Array.isArray(source)) {
    v.problem(prop, `got ${describeValue(source)}; expected { organizationId, organizationalUnitPaths?, sourcePrincipalPattern? }`);
    return true;
  }
  const given = source as OrganizationSourceTrust;
  const id = given.organizationId as unknown;
  if (id !== undefined && id !== null && id !== '' && typeof id !== 'string') {
    v.problem(`${prop}.organizationId`, `got ${describeValue(id)}; expected an AWS Organizations ID (o-...)`);
  }
  const paths = given.organizationalUnitPaths as unknown;
  if (paths !== undefined && paths !== null && Token.isUnresolved(paths)) {
    v.problem(`${prop}.organizationalUnitPaths`, 'is a deploy-time value (token) as a whole list; give a literal list (its items may be deploy-time values)');
  }
  const scope = {
    organizationId: typeof id === 'string' ? id : undefined as unknown as string,
    organizationalUnitPaths: paths === null || Token.isUnresolved(paths) ? undefined : given.organizationalUnitPaths,
  };
  for (const [suffix, message] of organizationScopeProblems(scope, (value) => !Token.isUnresolved(value))) {
    if (suffix === '.organizationId' && id !== undefined && id !== null && id !== '' && typeof id !== 'string') continue;
    v.problem(`${prop}${suffix}`, message);
  }
  v.check(`${prop}.sourcePrincipalPattern`, given.sourcePrincipalPattern, SOURCE_PRINCIPAL_PATTERN);
  return true;
}

/**
 * Records one problem per per-account/per-cluster trust prop given together with `organizationSource`.
 *
 * @param props the conflicting props by name, with their values
 * @param why what the prop is for (the message says the two modes exclude each other)
 */
export function refuseWithOrganizationSource(v: PropsValidator, props: Record<string, unknown>, why: string): void {
  for (const [prop, value] of Object.entries(props)) {
    if (isGiven(value)) v.problem(prop, `must be left out with ${ORGANIZATION_SOURCE}: ${why}; give one or the other`);
  }
}

/**
 * The principal pattern: the given one, or the fleet's path of `flowKey` in the stack's partition
 * (the partition as a deploy-time value when the stack's region is not a literal).
 */
export function sourcePrincipalPattern(scope: IConstruct, source: OrganizationSourceTrust, flowKey: string): string {
  if (source.sourcePrincipalPattern !== undefined && source.sourcePrincipalPattern !== null) return source.sourcePrincipalPattern;
  return fleetSourcePrincipalPattern(stackPartition(scope), flowKey);
}

/** The stack's partition: a literal when its region is one, else the deploy-time value. */
function stackPartition(scope: IConstruct): string {
  const region = Stack.of(scope).region;
  return Token.isUnresolved(region) ? Stack.of(scope).partition : partitionOf(region).partition;
}

/** Options of {@link organizationSourceTrust}. */
export interface OrganizationSourceTrustOptions {
  /** The flow key whose fleet path is the default pattern. */
  readonly flowKey: string;
  /** Allow `sts:TagSession` (see `OrganizationTrustOptions.tagSession`). */
  readonly tagSession: boolean;
  /** The flow's own conditions. */
  readonly conditions?: TrustConditions;
  /** Conditions on `sts:AssumeRole` only. */
  readonly assumeRoleConditions?: TrustConditions;
}

/** The trust statements of an organization-mode target role, for `createRoleWithTrust`. */
export function organizationSourceTrust(
  scope: IConstruct, source: OrganizationSourceTrust, options: OrganizationSourceTrustOptions,
): TrustStatement[] {
  const normalized: OrganizationSourceTrust = {
    organizationId: source.organizationId,
    organizationalUnitPaths: source.organizationalUnitPaths ?? undefined,
  };
  return organizationTrustStatements({
    source: normalized,
    principalPattern: sourcePrincipalPattern(scope, source, options.flowKey),
    partition: stackPartition(scope),
    tagSession: options.tagSession,
    conditions: options.conditions,
    assumeRoleConditions: options.assumeRoleConditions,
  }).map((statement) => ({ principal: new iam.AnyPrincipal(), actions: statement.actions, conditions: statement.conditions }));
}

/**
 * Fails synth when the organization trust exceeds the account's trust-policy quota (only many OUs can
 * make it grow; the number of accounts never does).
 */
export function checkOrganizationTrustSize(role: iam.Role, owner: string, limit: number = DEFAULT_TRUST_POLICY_SIZE_LIMIT): void {
  const size = worstCasePolicySize(Stack.of(role).resolve(role.assumeRolePolicy!.toJSON()));
  if (size > limit) {
    new PropsValidator(owner).problem(`${ORGANIZATION_SOURCE}.organizationalUnitPaths`,
      `make a trust policy of up to ${size} characters, over the trust-policy quota ${limit} (IAM's default is 2,048; accounts can raise it to 4,096): `
      + 'list fewer, higher OUs (an OU path admits the OUs below it)').throwIfAny();
  }
}

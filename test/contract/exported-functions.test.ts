/**
 * The input contract for every exported function and public static method (issue 22), as a plain
 * JavaScript or Python caller meets it. The functions and their parameters' shapes are read from
 * the TypeScript source (`exportedCallables()`), so a new exported function fails this suite until it
 * has a valid call below. Each argument gets wrong types, `undefined`/`null` where it is required,
 * characters a name cannot hold, over-long values and deploy-time values (tokens):
 * - never a crash (a `TypeError`, or an error in another form);
 * - a refusal is ONE error `<function>(<params>): invalid arguments (N problems):` naming the argument;
 * - nothing is silently rewritten or returned over IAM's 64-character role-name limit;
 * - a token is either refused by name or carried into the result whole (never mangled into text).
 */
import { Duration, Lazy } from 'aws-cdk-lib';
import * as fc from 'fast-check';
import { attempt, Outcome } from './outcome';
import { exportedCallables, Shape } from './prop-shapes';
import * as lib from '../../src';
import { PropsValidator } from '../../src/core/validation';

const WORKSPACE = 'arn:aws:aps:us-east-1:111122223333:workspace/ws-0123abcd';
const ROLE = 'arn:aws:iam::111122223333:role/scraper';

/** A valid call of every exported function: the baseline each mutation starts from. */
const VALID: Record<string, () => unknown[]> = {
  'checkClientProps': () => [new PropsValidator('Test'), { workspaceArn: WORKSPACE }],
  'podScrapeJob': () => [],
  'CrossAccountContainerInsights.reportedClusterName': () => ['acme', 'prod'],
  'CrossAccountContainerInsights.memberReportedClusterName': () => ['acme', '222222222222', 'prod'],
  'ContainerCostCustomerTemplate.writerRoleName': () => ['111122223333', 'us-east-1'],
  'ContainerInsightsAgentAccess.agentRoleName': () => ['prod'],
  'AmpScraperTargetRole.roleNameFor': () => ['111122223333', 'prod', WORKSPACE],
  'AmpScraperTargetRole.organizationRoleNameFor': () => [WORKSPACE],
  'AmpCrossAccountScraper.defaultScrapeConfiguration': () => ['arn:aws:eks:us-east-1:111122223333:cluster/prod'],
  'AmpCrossAccountScraper.sourceRoleNameFor': () => ['prod', WORKSPACE],
  'AmpScraperRbacChart.awsAuthRoleArn': () => [ROLE],
  'ContainerCostBucket.agentRoleName': () => ['prod', 'us-east-1'],
  'workloadFlowKey': () => ['billing'],
  'fleetRolePath': () => ['remote-write'],
  'fleetPodIdentityRoleName': () => ['remote-write', 'us-east-1'],
  'fleetIrsaRoleName': () => ['remote-write', 'prod', 'us-east-1'],
  'fleetScraperSourceRoleName': () => ['us-east-1'],
  'organizationCostPrefix': () => ['111122223333', 'us-east-1', 'prod'],
  'fleetSourcePrincipalPattern': () => ['aws', 'remote-write'],
  'FleetNames.costPrefix': () => ['111122223333', 'us-east-1', 'prod'],
  'FleetNames.workloadFlowKey': () => ['billing'],
  'FleetNames.rolePath': () => ['remote-write'],
  'FleetNames.sourcePrincipalPattern': () => ['aws', 'remote-write'],
  'FleetNames.podIdentityRoleArn': () => ['aws', '111122223333', 'remote-write', 'us-east-1'],
  'FleetNames.irsaRoleArn': () => ['aws', '111122223333', 'remote-write', 'prod', 'us-east-1'],
  'FleetNames.scraperSourceRoleArn': () => ['aws', '111122223333', 'us-east-1'],
  'renderMemberTemplate': () => [{ stackSetName: 'fleet', flows: [], identity: 'AUTO', schedule: Duration.hours(1) }],
  'fleetIdentityGuardrailDocument': () => ['aws', ['arn:aws:iam::*:role/break-glass']],
  'selfContainedStackProps': () => ['A template'],
  'refuseTokens': () => [new PropsValidator('Test'), {}],
  'checkBaseProps': () => [new PropsValidator('Test'), { vendorAccountId: '111122223333', regions: ['us-east-1'] }],
  'RemoteWriteCustomerTemplate.sourceRoleName': () => ['prod'],
  'QuickCreateLink.forTemplate': () => [{ region: 'us-east-1', templateUrl: 'https://s3.us-east-1.amazonaws.com/bucket/template.json' }],
  'VendorCustomer.externalIdSecretName': () => ['acme'],
  'VendorCustomer.remoteWriteRoleName': () => ['acme'],
};

/** Parameters that take free text, where any string is valid. */
const FREE_TEXT = new Set(['selfContainedStackProps description']);

/** Functions whose result is an IAM role name (64 characters at most) or ends in one (an ARN). */
const ROLE_NAME_RESULT = /RoleName|roleName|RoleArn|roleNameFor|RoleNameFor/;

const callables = exportedCallables();
const fn = (name: string): ((...args: unknown[]) => unknown) => {
  const [head, member] = name.split('.');
  const owner = (lib as any)[head];
  return member ? owner[member].bind(owner) : owner;
};

/** Text an accepted call must never return (a token is checked on its own). */
const GARBAGE = /\bundefined\b|\[object Object\]|\bNaN\b/;

/** A call's outcome; a refusal must be an `invalid arguments` error of the function itself (or, for a props object, its props error). */
function call(name: string, args: unknown[]): Outcome {
  return attempt(() => JSON.stringify(fn(name)(...args)) ?? '(no value)', /: invalid (arguments|props) \(\d+ problems?\):\n/);
}

function namesArgument(outcome: Outcome, name: string, param: string): boolean {
  if (outcome.kind !== 'refused') return false;
  const header = outcome.message.split('\n')[0];
  // A props object validated by its own construct names its props (`region: ...`), under its own header.
  const own = header.startsWith(`${name}(`);
  return own ? new RegExp(`\\n  - ${param}(?=[:.\\[ ])`).test(outcome.message) : /: invalid props/.test(header);
}

function wrongValues(shape: Shape, optional: boolean): Array<[string, unknown]> {
  const missing: Array<[string, unknown]> = optional ? [] : [['undefined', undefined], ['null', null]];
  switch (shape.kind) {
    case 'string':
      return [...missing, ['a number', 42], ['a boolean', true], ['an object', { a: 1 }], ['a list', ['x']]];
    case 'list':
      return [...missing, ['a string', 'x'], ['an object', { a: 1 }], ['a list of numbers', [42]], ['a list with a null entry', [null]]];
    case 'struct':
      return [...missing, ['a string', 'x'], ['a number', 7], ['a list', [{}]]];
    case 'instance':
      // `object` (refuseTokens' props) takes any plain object.
      return [...missing, ['a string', 'x'], ...(shape.name === '__type' || shape.name === 'Object' || shape.name === '?' ? [] : [['a plain object', { a: 1 }]] as Array<[string, unknown]>)];
    default:
      return missing;
  }
}

test('every exported function has a valid call here, and it succeeds', () => {
  const names = callables.map((c) => c.name).sort();
  expect(names.filter((n) => !VALID[n])).toEqual([]);
  expect(Object.keys(VALID).filter((n) => !names.includes(n))).toEqual([]);
  for (const { name } of callables) {
    const outcome = call(name, VALID[name]());
    expect([name, outcome.kind === 'accepted' ? GARBAGE.exec(outcome.output)?.[0] ?? 'clean' : JSON.stringify(outcome)]).toEqual([name, 'clean']);
  }
});

const cases = callables.flatMap(({ name, params }) => params.flatMap((param, i) => {
  const out: Array<[string, string, string, number, unknown]> = wrongValues(param.shape, param.optional)
    .map(([label, value]) => [name, param.name, label, i, value]);
  if (param.shape.kind === 'string' && !FREE_TEXT.has(`${name} ${param.name}`)) {
    out.push([name, param.name, 'a name with invalid characters ("bad name/x")', i, 'bad name/x']);
  }
  return out;
}));

test.each(cases)('%s: %s as %s is refused by name', (name, param, _label, index, value) => {
  const args = VALID[name]();
  args[index] = value;
  const outcome = call(name, args);
  expect(outcome.kind === 'crashed' ? outcome.error : outcome.kind).toBe('refused');
  expect(namesArgument(outcome, name, param) ? 'named' : (outcome as { message: string }).message).toBe('named');
});

const stringParams = callables.flatMap(({ name, params }) => params
  .map((p, i) => [name, p.name, i] as const)
  .filter(([, , i]) => params[i].shape.kind === 'string' && !FREE_TEXT.has(`${name} ${params[i].name}`)));

test.each(stringParams)('%s: %s as a deploy-time value is refused by name or carried whole', (name, param, index) => {
  const args = VALID[name]();
  args[index] = Lazy.string({ produce: () => 'x' });
  const outcome = call(name, args);
  if (outcome.kind === 'accepted') {
    // Carried: the token's text is there whole, not cut, hashed or rewritten (`-Token-TOKEN.15--`).
    expect(outcome.output).toMatch(/\$\{Token\[[A-Za-z0-9_.-]+\]\}/);
    expect(outcome.output).not.toMatch(/-Token-|Token-TOKEN/);
  } else {
    expect(outcome.kind === 'crashed' ? outcome.error : namesArgument(outcome, name, param)).toBe(true);
  }
});

test.each(stringParams)('%s: %s at 200 characters is refused by name, or the result stays inside IAM\'s limits', (name, param, index) => {
  const args = VALID[name]();
  args[index] = 'a'.repeat(200);
  const outcome = call(name, args);
  if (outcome.kind === 'accepted') {
    if (ROLE_NAME_RESULT.test(name)) expect(JSON.parse(outcome.output).split('/').pop().length).toBeLessThanOrEqual(64);
  } else {
    expect(outcome.kind === 'crashed' ? outcome.error : namesArgument(outcome, name, param)).toBe(true);
  }
});

test('the examples of issue 22', () => {
  expect(() => lib.fleetIrsaRoleName(undefined as any, 'prod', 'us-east-1')).toThrow(/^fleetIrsaRoleName\(flowKey, clusterName, region\): invalid arguments \(1 problem\):\n {2}- flowKey: got undefined/);
  expect(() => lib.FleetNames.irsaRoleArn('aws', '12345', 'remote-write', 'prod', 'us-east-1')).toThrow(/^FleetNames\.irsaRoleArn\([^)]*\): invalid arguments \(1 problem\):\n {2}- account: got "12345"/);
  expect(() => lib.fleetIrsaRoleName('remote-write', 'bad name/x', 'us-east-1')).toThrow(/- clusterName: got "bad name\/x"/);
  expect(() => lib.RemoteWriteCustomerTemplate.sourceRoleName('c'.repeat(100))).toThrow(/- clusterName: gives the role name "[^"]+" \(\d+ characters, the limit is 64\)/);
  expect(() => lib.ContainerInsightsAgentAccess.agentRoleName(Lazy.string({ produce: () => 'prod' }))).toThrow(/- clusterName: is a deploy-time value \(token\)/);
});

test('random arguments of any type never crash, and a refusal names the function', () => {
  const anyValue = fc.oneof(
    fc.string({ maxLength: 80 }), fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.constant(undefined),
    fc.array(fc.oneof(fc.string({ maxLength: 20 }), fc.integer(), fc.constant(null)), { maxLength: 3 }),
    fc.dictionary(fc.string({ maxLength: 8 }), fc.oneof(fc.string({ maxLength: 20 }), fc.integer()), { maxKeys: 3 }),
  );
  const withParams = callables.filter((c) => c.params.length > 0);
  fc.assert(
    fc.property(fc.constantFrom(...withParams), fc.array(fc.tuple(fc.nat(), anyValue), { minLength: 1, maxLength: 3 }), (callable, changes) => {
      const args = VALID[callable.name]();
      for (const [at, value] of changes) args[at % callable.params.length] = value;
      const outcome = call(callable.name, args);
      return outcome.kind !== 'crashed' && (outcome.kind !== 'refused' || /^[\w.]+\(.*\): invalid arguments|: invalid props/.test(outcome.message));
    }),
    { numRuns: Number(process.env.FC_RUNS ?? 300), seed: Number(process.env.FC_SEED ?? 22) },
  );
});

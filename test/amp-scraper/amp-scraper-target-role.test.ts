import { Aws, CfnParameter } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { AmpScraperTargetRole, AmpScraperTargetRoleProps } from '../../src';
import { OTHER_ACCOUNT, OTHER_WORKSPACE_ARN, REGION, SOURCE_ACCOUNT, stackIn, TARGET_ACCOUNT, WORKSPACE_ARN } from '../fixtures';
import { canAssume, identityPoliciesOf, isAllowed, logicalIdsOfType, trustPolicyOf } from '../harness/iam-proof';
import { expectNagClean } from '../harness/nag';
import { templateForSnapshot } from '../harness/snapshot';

const ENV = { account: TARGET_ACCOUNT, region: REGION };
const SCRAPER = `arn:aws:aps:${REGION}:${SOURCE_ACCOUNT}:scraper/s-0123abcd-4567-89ef-0123-456789abcdef`;
const OTHER_SCRAPER = `arn:aws:aps:${REGION}:${SOURCE_ACCOUNT}:scraper/s-ffffffff-4567-89ef-0123-456789abcdef`;
const SOURCE_ROLE = `arn:aws:iam::${SOURCE_ACCOUNT}:role/amp-scraper-source-prod-0123abcd`;
const TARGET_ROLE_NAME = `amp-scraper-target-${SOURCE_ACCOUNT}-prod-0123abcd`;
const TARGET_ROLE = `arn:aws:iam::${TARGET_ACCOUNT}:role/${TARGET_ROLE_NAME}`;

function build(props: Partial<AmpScraperTargetRoleProps> = {}) {
  const stack = stackIn();
  const target = new AmpScraperTargetRole(stack, 'ScraperTarget', { sourceAccountId: SOURCE_ACCOUNT, clusterName: 'prod', workspaceArn: WORKSPACE_ARN, ...props });
  const json = Template.fromStack(stack).toJSON();
  const roleId = logicalIdsOfType(json, 'AWS::IAM::Role')[0];
  return { stack, target, json, trustPolicy: trustPolicyOf(json, roleId, ENV), policies: identityPoliciesOf(json, roleId, ENV) };
}

/** The source role's own permission: it may assume the target role (cross-account needs both sides). */
const sourceMayAssume = [{ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: TARGET_ROLE }] }];
const ask = (trustPolicy: any, principal: string, externalId?: string) => canAssume({
  trustPolicy,
  roleArn: TARGET_ROLE,
  principal,
  callerPolicies: sourceMayAssume,
  context: { 'aws:PrincipalArn': principal, ...(externalId ? { 'sts:ExternalId': externalId } : {}) },
});

test('a deterministic role with aps:RemoteWrite on the workspace only', () => {
  const { target, policies } = build();
  expect(target.roleArn).toBe(TARGET_ROLE);
  expect(AmpScraperTargetRole.roleNameFor(SOURCE_ACCOUNT, 'prod', WORKSPACE_ARN)).toBe(TARGET_ROLE_NAME);
  expect(isAllowed({ policies, principal: TARGET_ROLE, action: 'aps:RemoteWrite', resource: WORKSPACE_ARN })).toBe('Allowed');
  expect(isAllowed({ policies, principal: TARGET_ROLE, action: 'aps:RemoteWrite', resource: OTHER_WORKSPACE_ARN })).toBe('ImplicitlyDenied');
  expect(isAllowed({ policies, principal: TARGET_ROLE, action: 'aps:QueryMetrics', resource: WORKSPACE_ARN })).toBe('ImplicitlyDenied');
});

describe('phase 1: before the scraper exists', () => {
  const { trustPolicy, stack, json } = build();

  test('the trust names the source role and a scraper-ARN pattern of the source account and region', () => {
    expect(trustPolicy.Statement).toEqual([{
      Action: 'sts:AssumeRole',
      Effect: 'Allow',
      Principal: { AWS: `arn:aws:iam::${SOURCE_ACCOUNT}:root` },
      Condition: { ArnEquals: { 'aws:PrincipalArn': SOURCE_ROLE }, StringLike: { 'sts:ExternalId': `arn:aws:aps:${REGION}:${SOURCE_ACCOUNT}:scraper/*` } },
    }]);
    expect(JSON.stringify(json)).not.toContain('StringEquals');
  });

  test('the source role with any of its account\'s scrapers is allowed; everything else is denied', () => {
    expect(ask(trustPolicy, SOURCE_ROLE, SCRAPER)).toBe('Allowed');
    expect(ask(trustPolicy, SOURCE_ROLE, OTHER_SCRAPER)).toBe('Allowed');
    expect(ask(trustPolicy, SOURCE_ROLE)).not.toBe('Allowed');
    expect(ask(trustPolicy, SOURCE_ROLE, `arn:aws:aps:${REGION}:${OTHER_ACCOUNT}:scraper/s-1`)).not.toBe('Allowed');
    expect(ask(trustPolicy, SOURCE_ROLE, `arn:aws:aps:eu-west-1:${SOURCE_ACCOUNT}:scraper/s-1`)).not.toBe('Allowed');
    expect(ask(trustPolicy, `arn:aws:iam::${SOURCE_ACCOUNT}:role/other`, SCRAPER)).not.toBe('Allowed');
    expect(ask(trustPolicy, `arn:aws:iam::${OTHER_ACCOUNT}:role/amp-scraper-source-prod-0123abcd`, SCRAPER)).not.toBe('Allowed');
  });

  test('a warning says how to pin it', () => {
    Annotations.fromStack(stack).hasWarning('/Stack/ScraperTarget', Match.stringLikeRegexp('redeploy this stack with its ScraperArn output as scraperArn'));
  });

  test('cdk-nag clean', () => expectNagClean(stack));
});

describe('phase 2: pinned to the scraper', () => {
  const { trustPolicy, stack, target } = build({ scraperArn: SCRAPER });

  test('the external ID must be exactly the scraper ARN', () => {
    expect(target.pinned).toBe(true);
    expect(trustPolicy.Statement[0].Condition).toEqual({ ArnEquals: { 'aws:PrincipalArn': SOURCE_ROLE }, StringEquals: { 'sts:ExternalId': SCRAPER } });
    expect(ask(trustPolicy, SOURCE_ROLE, SCRAPER)).toBe('Allowed');
  });

  test.each([
    ['another scraper of the same account', SOURCE_ROLE, OTHER_SCRAPER],
    ['a missing external ID', SOURCE_ROLE, undefined],
    ['a wrong external ID', SOURCE_ROLE, 'arn:aws:aps:us-east-1:222222222222:scraper/*'],
    ['another role', `arn:aws:iam::${SOURCE_ACCOUNT}:role/other`, SCRAPER],
    ['another account', `arn:aws:iam::${OTHER_ACCOUNT}:role/amp-scraper-source-prod-0123abcd`, SCRAPER],
  ])('%s is denied', (_name, principal, externalId) => {
    expect(ask(trustPolicy, principal, externalId)).not.toBe('Allowed');
  });

  test('no warning, cdk-nag clean', () => {
    Annotations.fromStack(stack).hasNoWarning('/Stack/ScraperTarget', Match.anyValue());
    expectNagClean(stack);
  });
});

describe('bad input', () => {
  test.each([
    ['sourceAccountId', { sourceAccountId: '22' }, /sourceAccountId: got "22"/],
    ['clusterName', { clusterName: 'prod/1' }, /clusterName: .*EKS cluster name/],
    ['workspaceArn', { workspaceArn: 'ws-1' }, /workspaceArn: got "ws-1" \(not an ARN\)/],
    ['scraperArn', { scraperArn: 'arn:aws:aps:us-east-1:222222222222:workspace/ws-1' }, /scraperArn: .*expected an AMP scraper ARN/],
    ['scraper in another account', { scraperArn: `arn:aws:aps:${REGION}:${OTHER_ACCOUNT}:scraper/s-1` }, /scraperArn: is in account 333333333333; the scraper runs in the source account/],
    ['scraper in another region', { scraperArn: `arn:aws:aps:eu-west-1:${SOURCE_ACCOUNT}:scraper/s-1` }, /scraperArn: is in eu-west-1; a scraper writes only to a workspace of its own region/],
    ['workspace in another account', { workspaceArn: `arn:aws:aps:${REGION}:${OTHER_ACCOUNT}:workspace/ws-1` }, /workspaceArn: is in account 333333333333; deploy AmpScraperTargetRole in the workspace's account/],
    ['token workspace', { workspaceArn: `arn:aws:aps:${REGION}:${Aws.ACCOUNT_ID}:workspace/ws-1` }, /workspaceArn: must be a literal/],
    ['roleName', { roleName: 'x'.repeat(65) }, /roleName/],
  ])('%s', (_name, props, message) => {
    expect(() => build(props as Partial<AmpScraperTargetRoleProps>)).toThrow(message);
  });

  test('a token scraper ARN passes', () => {
    expect(() => build({ scraperArn: Aws.STACK_NAME })).not.toThrow();
  });
});

describe('deploy-time values (tokens) in name-building props', () => {
  test('a token source account or cluster name with the default role name is refused by name (it would become ${Token[...]} text)', () => {
    expect(() => build({ sourceAccountId: Aws.ACCOUNT_ID })).toThrow(/sourceAccountId: is a deploy-time value \(token\), but the default roleName is built from it/);
    expect(() => build({ clusterName: Aws.STACK_NAME })).toThrow(/clusterName: is a deploy-time value \(token\), but the default roleName is built from it/);
    expect(() => build({ clusterName: Aws.STACK_NAME, roleName: 'scraper-target' })).toThrow(/clusterName: .*the default sourceRoleName is built from it/);
  });

  test('with explicit names they are supported end to end: no token text in any name, and the trust names the source role through the token', () => {
    const stack = stackIn();
    const sourceAccountId = new CfnParameter(stack, 'SourceAccount').valueAsString;
    const target = new AmpScraperTargetRole(stack, 'ScraperTarget', {
      sourceAccountId,
      clusterName: new CfnParameter(stack, 'Cluster').valueAsString,
      workspaceArn: WORKSPACE_ARN,
      roleName: 'scraper-target',
      sourceRoleName: 'scraper-source',
    });
    expect(target.roleArn).toBe(`arn:aws:iam::${TARGET_ACCOUNT}:role/scraper-target`);
    const json = Template.fromStack(stack).toJSON();
    const role = Object.values<any>(json.Resources).find((r) => r.Type === 'AWS::IAM::Role');
    expect(role.Properties.RoleName).toBe('scraper-target');
    const env = { ...ENV, attributes: { SourceAccount: { Ref: SOURCE_ACCOUNT }, Cluster: { Ref: 'prod' } } };
    const trust = trustPolicyOf(json, logicalIdsOfType(json, 'AWS::IAM::Role')[0], env);
    expect(JSON.stringify(trust)).toContain(`arn:aws:iam::${SOURCE_ACCOUNT}:role/scraper-source`);
    expect(JSON.stringify(json)).not.toMatch(/\$\{Token\[/);
    // The phase-1 warning never prints a token.
    const warnings = Annotations.fromStack(stack).findWarning('*', Match.anyValue());
    expect(warnings.map((w) => String(w.entry.data)).join('\n')).toMatch(/the source account \(a deploy-time value\)/);
    expect(warnings.map((w) => String(w.entry.data)).join('\n')).not.toMatch(/Token\[/);
  });
});

test('snapshots of both phases', () => {
  expect(templateForSnapshot(build().stack)).toMatchSnapshot();
  expect(templateForSnapshot(build({ scraperArn: SCRAPER }).stack)).toMatchSnapshot();
});

test('a plain-JS caller\'s scraperArn: null is phase 1 (not a trust with "sts:ExternalId": null)', () => {
  const { target, trustPolicy, stack } = build({ scraperArn: null as any });
  expect(target.pinned).toBe(false);
  expect(JSON.stringify(trustPolicy)).not.toContain('null');
  expect(ask(trustPolicy, SOURCE_ROLE, SCRAPER)).toBe('Allowed');
  Annotations.fromStack(stack).hasWarning('*', Match.stringLikeRegexp('Phase 1'));
});

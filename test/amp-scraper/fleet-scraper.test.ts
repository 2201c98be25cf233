/**
 * AMP collectors of the fleet: `AmpCrossAccountScraper` with `fleetSourceRole` uses the source role the
 * fleet's StackSet put into the cluster's account and region; the collector's whole chain is proven
 * with the IAM engine on the synthesized documents (the member template's source role, the central
 * organization-mode target role): account A's collector writes through the target, and reaches
 * nothing with account B's scraper ARN; the fleet warns about, and leaves out, regions whose
 * collectors the target cannot admit.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { AmpCrossAccountScraper, AmpScraperTargetRole, FleetNames, ObservabilityFleetSource, ObservabilityFleetSourceProps } from '../../src';
import { evaluate } from '../harness/cfn-eval';
import { canAssume, identityPoliciesOf, logicalIdsOfType, trustPolicyOf } from '../harness/iam-proof';
import { expectNagClean } from '../harness/nag';

const ORG = 'o-a1b2c3d4e5';
const PROD_OU = `${ORG}/r-ab12/ou-ab12-11111111/`;
const CENTRAL = '111111111111';
const A = '444444444444';
const B = '555555555555';
const REGION = 'us-east-1';
const OTHER_REGION = 'eu-west-1';
const WORKSPACE = `arn:aws:aps:${REGION}:${CENTRAL}:workspace/ws-0123abcd-4567-89ef-0123-456789abcdef`;

function targetSide() {
  const stack = new Stack(new App(), 'Central', { env: { account: CENTRAL, region: REGION } });
  const target = new AmpScraperTargetRole(stack, 'Target', { workspaceArn: WORKSPACE, organizationSource: { organizationId: ORG } });
  const json = Template.fromStack(stack).toJSON();
  return { roleArn: target.roleArn, trust: trustPolicyOf(json, logicalIdsOfType(json, 'AWS::IAM::Role')[0], { account: CENTRAL, region: REGION }) };
}
const target = targetSide();

function fleet(props: Partial<ObservabilityFleetSourceProps> = {}) {
  const stack = new Stack(new App(), 'Management', { env: { account: '100000000000', region: REGION } });
  const source = new ObservabilityFleetSource(stack, 'Fleet', {
    organizationalUnitIds: ['ou-ab12-11111111'],
    regions: [REGION, OTHER_REGION],
    ampScraper: { targetRoleArn: target.roleArn, workspaceArn: WORKSPACE },
    ...props,
  });
  return { stack, source };
}

function memberScraper(account: string, props: Record<string, unknown> = {}) {
  const stack = new Stack(new App(), 'Cluster', { env: { account, region: REGION } });
  const scraper = new AmpCrossAccountScraper(stack, 'Scraper', {
    clusterArn: `arn:aws:eks:${REGION}:${account}:cluster/prod`,
    subnetIds: ['subnet-0123456789abcdef0', 'subnet-0123456789abcdef1'],
    workspaceArn: WORKSPACE,
    targetRoleArn: target.roleArn,
    fleetSourceRole: true,
    ...props,
  });
  return { stack, scraper, json: Template.fromStack(stack).toJSON() };
}

describe('AmpCrossAccountScraper fleetSourceRole', () => {
  test('only the scraper: it names the fleet\'s source role of this account and region; no role, no pinning Lambda, no phase 2', () => {
    const { json, scraper, stack } = memberScraper(A);
    const types = Object.values<any>(json.Resources).map((r) => r.Type).sort();
    expect(types).toEqual(['AWS::APS::Scraper']);
    const scraperId = logicalIdsOfType(json, 'AWS::APS::Scraper')[0];
    const roles = evaluate(json.Resources[scraperId].Properties.RoleConfiguration, json, { account: A, region: REGION });
    expect(roles).toEqual({ SourceRoleArn: FleetNames.scraperSourceRoleArn('aws', A, REGION), TargetRoleArn: target.roleArn });
    expect(scraper.sourceRoleArn).toBe(FleetNames.scraperSourceRoleArn('aws', A, REGION));
    expect(Object.keys(json.Outputs)).toEqual([expect.stringMatching(/^ScraperScraperArn/)]);
    expectNagClean(stack);
  });

  test('roleName and targetStackName are refused with it; a non-boolean is refused', () => {
    expect(() => memberScraper(A, { roleName: 'x', targetStackName: 'T' })).toThrow(/2 problems[\s\S]*roleName: is given with fleetSourceRole[\s\S]*targetStackName: is given with fleetSourceRole/);
    expect(() => memberScraper(A, { fleetSourceRole: 'yes' })).toThrow(/fleetSourceRole/);
  });
});

describe('the fleet collector chain, proven with the IAM engine', () => {
  const { source } = fleet();
  const member = source.memberTemplate;
  const chain = (account: string, region: string) => {
    const env = { account, region };
    return { trust: trustPolicyOf(member, 'ScraperSource', env), policies: identityPoliciesOf(member, 'ScraperSource', env), arn: FleetNames.scraperSourceRoleArn('aws', account, region) };
  };
  const scraperOf = (account: string, region = REGION) => `arn:aws:aps:${region}:${account}:scraper/s-0123abcd-4567-89ef-0123-456789abcdef`;
  const targetAdmits = (sourceRoleArn: string, policies: any[], externalId: string) => canAssume({
    trustPolicy: target.trust,
    roleArn: target.roleArn,
    principal: sourceRoleArn,
    callerPolicies: policies,
    context: { 'aws:PrincipalArn': sourceRoleArn, 'aws:PrincipalAccount': sourceRoleArn.split(':')[4], 'aws:PrincipalOrgID': ORG, 'aws:PrincipalOrgPaths': [PROD_OU], 'sts:ExternalId': externalId },
  });

  test('A\'s collector: AMP assumes A\'s source role for A\'s scraper, which assumes the central target with that scraper\'s ARN', () => {
    const a = chain(A, REGION);
    expect(canAssume({ trustPolicy: a.trust, roleArn: a.arn, principal: 'scraper.aps.amazonaws.com', context: { 'aws:SourceAccount': A, 'aws:SourceArn': scraperOf(A) } })).toBe('Allowed');
    expect(targetAdmits(a.arn, a.policies, scraperOf(A))).toBe('Allowed');
  });

  test('account A reaches none of account B\'s collectors: B\'s scraper cannot use A\'s role, A\'s role cannot pass B\'s scraper ARN', () => {
    const a = chain(A, REGION);
    const b = chain(B, REGION);
    expect(canAssume({ trustPolicy: a.trust, roleArn: a.arn, principal: 'scraper.aps.amazonaws.com', context: { 'aws:SourceAccount': B, 'aws:SourceArn': scraperOf(B) } })).not.toBe('Allowed');
    expect(canAssume({ trustPolicy: a.trust, roleArn: a.arn, principal: 'scraper.aps.amazonaws.com', context: { 'aws:SourceAccount': A, 'aws:SourceArn': scraperOf(B) } })).not.toBe('Allowed');
    expect(targetAdmits(a.arn, a.policies, scraperOf(B))).not.toBe('Allowed');
    expect(targetAdmits(b.arn, b.policies, scraperOf(A))).not.toBe('Allowed');
    expect(targetAdmits(b.arn, b.policies, scraperOf(B))).toBe('Allowed');
  });

  test('another region\'s collector cannot be admitted by the target (its scraper ARN is of its own region): why the fleet leaves that region out', () => {
    const eu = chain(A, OTHER_REGION);
    expect(targetAdmits(eu.arn, eu.policies, scraperOf(A, OTHER_REGION))).not.toBe('Allowed');
    expect(member.Resources.ScraperSource.Condition).toBe('InWorkspaceRegion');
    expect(member.Conditions.InWorkspaceRegion).toEqual({ 'Fn::Equals': [{ Ref: 'AWS::Region' }, REGION] });
  });
});

describe('ObservabilityFleetSource ampScraper regions', () => {
  const warnings = (stack: Stack) => Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('fleetScraperRegions'));

  test('a workspace in one of two regions: a warning naming the region that gets no collector', () => {
    const [warning] = warnings(fleet().stack);
    expect(warning.entry.data).toMatch(/the workspace is in us-east-1[\s\S]*clusters in eu-west-1 get no collector/);
  });

  test('no workspaceArn with two regions: a warning that only the workspace\'s region can use the roles; one region: none', () => {
    expect(warnings(fleet({ ampScraper: { targetRoleArn: target.roleArn } }).stack)[0].entry.data).toMatch(/Give workspaceArn/);
    expect(warnings(fleet({ ampScraper: { targetRoleArn: target.roleArn, workspaceArn: WORKSPACE }, regions: [REGION] }).stack)).toEqual([]);
    expect(fleet({ ampScraper: { targetRoleArn: target.roleArn } }).source.memberTemplate.Resources.ScraperSource.Condition).toBeUndefined();
  });

  test('refused: a workspace in none of the regions, a target role of another account than the workspace, not a workspace ARN', () => {
    expect(() => fleet({ regions: [OTHER_REGION] })).toThrow(/ampScraper\.workspaceArn: is in us-east-1, which is not one of regions/);
    expect(() => fleet({ ampScraper: { targetRoleArn: `arn:aws:iam::${B}:role/t`, workspaceArn: WORKSPACE } })).toThrow(/ampScraper\.targetRoleArn: is in account 555555555555; the target role must be in the workspace's account/);
    expect(() => fleet({ ampScraper: { targetRoleArn: target.roleArn, workspaceArn: 'ws-1' } })).toThrow(/ampScraper\.workspaceArn/);
  });
});

/**
 * Organization-scale building blocks: trust scoped to an organization (and OUs) with a fixed role
 * name, and CloudWatch cross-account observability (a sink the organization's accounts may link to,
 * and the link in a member account), proven with the IAM engine.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { ObservabilityLink, ObservabilityResourceType, OrganizationObservabilitySink } from '../../src';
import { organizationConditions, organizationRoleArnPattern, organizationScopeProblems } from '../../src/core/organization-scope';
import { canAssume, isAllowed } from '../harness/iam-proof';
import { expectNagClean } from '../harness/nag';

const ORG = 'o-a1b2c3d4e5';
const OTHER_ORG = 'o-zzzzzzzzzz';
const PROD_OU = `${ORG}/r-ab12/ou-ab12-11111111/`;
const DEV_OU = `${ORG}/r-ab12/ou-ab12-22222222/`;
const MONITORING = '111111111111';
const MEMBER = '444444444444';
const SOURCE_ROLE_NAME = 'observability-source';

describe('organization-scoped trust: one fixed role name in any account of the organization (or of listed OUs)', () => {
  const trust = (organizationalUnitPaths?: string[]) => ({
    Version: '2012-10-17',
    Statement: [{
      Effect: 'Allow',
      Principal: { AWS: '*' },
      Action: 'sts:AssumeRole',
      Condition: {
        ...organizationConditions({ organizationId: ORG, organizationalUnitPaths }),
        ArnLike: { 'aws:PrincipalArn': organizationRoleArnPattern('aws', SOURCE_ROLE_NAME) },
      },
    }],
  });
  const roleArn = `arn:aws:iam::${MONITORING}:role/target`;
  const caller = (account: string, name = SOURCE_ROLE_NAME) => `arn:aws:iam::${account}:role/${name}`;
  const ask = (policy: unknown, principal: string, orgId: string, orgPaths: string[]) => canAssume({
    trustPolicy: policy,
    roleArn,
    principal,
    callerPolicies: [{ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: roleArn }] }],
    context: { 'aws:PrincipalArn': principal, 'aws:PrincipalOrgID': orgId, 'aws:PrincipalOrgPaths': orgPaths },
  });

  test('a member account\'s source role is allowed; the same name outside the organization and another role name are denied', () => {
    const policy = trust();
    expect(ask(policy, caller(MEMBER), ORG, [`${PROD_OU}`])).toBe('Allowed');
    expect(ask(policy, caller('999999999999'), OTHER_ORG, [`${OTHER_ORG}/r-zz99/ou-zz99-33333333/`])).not.toBe('Allowed');
    expect(ask(policy, caller(MEMBER, 'admin'), ORG, [PROD_OU])).not.toBe('Allowed');
    expect(ask(policy, `arn:aws:iam::${MEMBER}:role/nested/${SOURCE_ROLE_NAME}`, ORG, [PROD_OU])).not.toBe('Allowed');
  });

  test('with OUs: accounts under them (deeper OUs too) are allowed, members elsewhere in the organization are denied', () => {
    const policy = trust([PROD_OU]);
    expect(ask(policy, caller(MEMBER), ORG, [PROD_OU])).toBe('Allowed');
    expect(ask(policy, caller(MEMBER), ORG, [`${PROD_OU}ou-ab12-99999999/`])).toBe('Allowed');
    expect(ask(policy, caller(MEMBER), ORG, [DEV_OU])).not.toBe('Allowed');
  });

  test('its size is constant: the same document for 10 or 10,000 accounts, far inside the 2,048 quota', () => {
    const size = (doc: unknown) => JSON.stringify(doc).replace(/\s/g, '').length;
    expect(size(trust([PROD_OU, DEV_OU]))).toBeLessThan(600);
  });

  test('bad scopes are named: org ID, OU path form, an OU of another organization, an empty list, no scope', () => {
    const problems = organizationScopeProblems({ organizationId: 'org-1', organizationalUnitPaths: ['ou-ab12-11111111', `${OTHER_ORG}/r-ab12/ou-ab12-11111111/`] }, () => true);
    expect(problems.map(([p]) => p)).toEqual(['.organizationId', '.organizationalUnitPaths[0]', '.organizationalUnitPaths[1]']);
    expect(organizationScopeProblems(undefined, () => true)).toEqual([['', 'is required: { organizationId, organizationalUnitPaths? }']]);
    expect(organizationScopeProblems({ organizationId: ORG, organizationalUnitPaths: [] }, () => true)[0][1]).toMatch(/leave it out/);
  });
});

describe('OrganizationObservabilitySink and ObservabilityLink (CloudWatch cross-account observability)', () => {
  function sink(props: Partial<ConstructorParameters<typeof OrganizationObservabilitySink>[2]> = {}) {
    const stack = new Stack(new App(), 'Monitoring', { env: { account: MONITORING, region: 'us-east-1' } });
    const construct = new OrganizationObservabilitySink(stack, 'Sink', { organization: { organizationId: ORG }, ...props });
    return { stack, construct, template: Template.fromStack(stack) };
  }
  const SINK_ARN = `arn:aws:oam:us-east-1:${MONITORING}:sink/a1b2c3d4-5678-90ab-cdef-EXAMPLE11111`;
  const createLink = (policy: unknown, orgId: string, orgPaths: string[], types: string[]) => isAllowed({
    policies: [{ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'oam:CreateLink', Resource: '*' }] }],
    principal: `arn:aws:iam::${MEMBER}:role/stackset-execution`,
    action: 'oam:CreateLink',
    resource: SINK_ARN,
    resourcePolicy: policy,
    context: { 'aws:PrincipalOrgID': orgId, 'aws:PrincipalOrgPaths': orgPaths, 'oam:ResourceTypes': types },
  });

  test('the sink policy admits member accounts for metrics and log groups, and refuses outsiders and other data', () => {
    const policy = sink().construct.policyDocument;
    expect(createLink(policy, ORG, [PROD_OU], ['AWS::CloudWatch::Metric', 'AWS::Logs::LogGroup'])).toBe('Allowed');
    expect(createLink(policy, ORG, [PROD_OU], ['AWS::CloudWatch::Metric'])).toBe('Allowed');
    expect(createLink(policy, OTHER_ORG, [`${OTHER_ORG}/r-zz99/`], ['AWS::CloudWatch::Metric'])).not.toBe('Allowed');
    expect(createLink(policy, ORG, [PROD_OU], ['AWS::CloudWatch::Metric', 'AWS::XRay::Trace'])).not.toBe('Allowed');
  });

  test('with OUs, members elsewhere in the organization are refused', () => {
    const policy = sink({ organization: { organizationId: ORG, organizationalUnitPaths: [PROD_OU] } }).construct.policyDocument;
    expect(createLink(policy, ORG, [PROD_OU], ['AWS::Logs::LogGroup'])).toBe('Allowed');
    expect(createLink(policy, ORG, [DEV_OU], ['AWS::Logs::LogGroup'])).not.toBe('Allowed');
  });

  test('the template: one sink with that policy and the SinkArn output; nag clean', () => {
    const { template, construct, stack } = sink();
    template.hasResourceProperties('AWS::Oam::Sink', { Name: 'organization-observability', Policy: construct.policyDocument });
    expect(Object.keys(template.toJSON().Outputs).some((id) => id.startsWith('SinkSinkArn'))).toBe(true);
    expectNagClean(stack);
  });

  test('the link shares Container Insights\' metrics and log groups only, by default', () => {
    const stack = new Stack(new App(), 'Member', { env: { account: MEMBER, region: 'us-east-1' } });
    new ObservabilityLink(stack, 'Link', { sinkArn: SINK_ARN });
    Template.fromStack(stack).hasResourceProperties('AWS::Oam::Link', {
      SinkIdentifier: SINK_ARN,
      ResourceTypes: ['AWS::CloudWatch::Metric', 'AWS::Logs::LogGroup'],
      LabelTemplate: '$AccountName',
      LinkConfiguration: {
        LogGroupConfiguration: { Filter: "LogGroupName LIKE '/aws/containerinsights/%'" },
        MetricConfiguration: { Filter: "Namespace IN ('ContainerInsights')" },
      },
    });
    expectNagClean(stack);
  });

  test('bad input gets one error naming every problem; nothing crashes on null', () => {
    const member = () => new Stack(new App(), 'Member', { env: { account: MEMBER, region: 'eu-west-1' } });
    expect(() => new ObservabilityLink(member(), 'Link', { sinkArn: SINK_ARN, resourceTypes: ['AWS::S3::Bucket' as ObservabilityResourceType] }))
      .toThrow(/2 problems[\s\S]*sinkArn: is in us-east-1; a link must be in its sink's region[\s\S]*resourceTypes\[0\]: got string "AWS::S3::Bucket"/);
    expect(() => new ObservabilityLink(member(), 'Link', null as any)).toThrow(/sinkArn: is required/);
    expect(() => new ObservabilityLink(member(), 'Link', { sinkArn: 'arn:aws:iam::111111111111:role/x' })).toThrow(/sinkArn: got .* expected a sink ARN/);
    expect(() => sink({ organization: null as any, sinkName: 'bad name' })).toThrow(/2 problems[\s\S]*organization: is required[\s\S]*sinkName/);
  });
});

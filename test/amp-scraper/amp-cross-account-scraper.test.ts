import { Aws, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { parse } from 'yaml';
import { AmpCrossAccountScraper, AmpCrossAccountScraperProps } from '../../src';
import { pinConfigFromEnv, pinnedTrust } from '../../src/amp-scraper/pin-request';
import { OTHER_ACCOUNT, REGION, SOURCE_ACCOUNT, stackIn, TARGET_ACCOUNT, WORKSPACE_ARN } from '../fixtures';
import { evaluate } from '../harness/cfn-eval';
import { canAssume, identityPoliciesOf, isAllowed, logicalIdsOfType, trustPolicyOf } from '../harness/iam-proof';
import { expectNagClean } from '../harness/nag';
import { templateForSnapshot } from '../harness/snapshot';

const CLUSTER_ARN = `arn:aws:eks:${REGION}:${SOURCE_ACCOUNT}:cluster/prod`;
const TARGET_ROLE = `arn:aws:iam::${TARGET_ACCOUNT}:role/amp-scraper-target-${SOURCE_ACCOUNT}-prod-0123abcd`;
const SOURCE_ROLE_NAME = 'amp-scraper-source-prod-0123abcd';
const SOURCE_ROLE = `arn:aws:iam::${SOURCE_ACCOUNT}:role/${SOURCE_ROLE_NAME}`;
const SCRAPER = `arn:aws:aps:${REGION}:${SOURCE_ACCOUNT}:scraper/s-0123abcd-4567-89ef-0123-456789abcdef`;
const OTHER_SCRAPER = `arn:aws:aps:${REGION}:${SOURCE_ACCOUNT}:scraper/s-ffffffff-4567-89ef-0123-456789abcdef`;
const SERVICE_LINKED = `arn:aws:iam::${SOURCE_ACCOUNT}:role/aws-service-role/scraper.aps.amazonaws.com/AWSServiceRoleForAmazonPrometheusScraperInternal_cc319052-41a3-4`;

function build(props: Partial<AmpCrossAccountScraperProps> = {}, stack = stackIn(SOURCE_ACCOUNT)) {
  const scraper = new AmpCrossAccountScraper(stack, 'Scraper', {
    clusterArn: CLUSTER_ARN,
    subnetIds: ['subnet-0123456789abcdef0', 'subnet-0123456789abcdef1'],
    securityGroupIds: ['sg-0123456789abcdef0'],
    workspaceArn: WORKSPACE_ARN,
    targetRoleArn: TARGET_ROLE,
    ...props,
  });
  const template = Template.fromStack(stack);
  const json = template.toJSON();
  const scraperId = logicalIdsOfType(json, 'AWS::APS::Scraper')[0];
  const env = { account: SOURCE_ACCOUNT, region: REGION, attributes: { [scraperId]: { Arn: SCRAPER, RoleArn: SERVICE_LINKED } } };
  const roleIds = logicalIdsOfType(json, 'AWS::IAM::Role');
  const sourceRoleId = roleIds.find((id) => json.Resources[id].Properties.RoleName === SOURCE_ROLE_NAME)!;
  const pin = Object.values<any>(json.Resources).find((r) => r.Type === 'Custom::AmpScraperPinTrust')!;
  return { stack, scraper, template, json, env, scraperId, sourceRoleId, pin };
}

const scraperAssumes = (trustPolicy: any, context: Record<string, string>, principal = 'scraper.aps.amazonaws.com') =>
  canAssume({ trustPolicy, roleArn: SOURCE_ROLE, principal, context });
const fromScraper = (scraperArn: string, account = SOURCE_ACCOUNT) => ({ 'aws:SourceAccount': account, 'aws:SourceArn': scraperArn });

describe('resources', () => {
  test('the scraper: EKS source, AMP destination, role configuration, plain-YAML configuration', () => {
    const { template, json, scraperId, sourceRoleId } = build({ alias: 'prod-to-observability' });
    template.hasResourceProperties('AWS::APS::Scraper', {
      Alias: 'prod-to-observability',
      Source: { EksConfiguration: { ClusterArn: CLUSTER_ARN, SubnetIds: ['subnet-0123456789abcdef0', 'subnet-0123456789abcdef1'], SecurityGroupIds: ['sg-0123456789abcdef0'] } },
      Destination: { AmpConfiguration: { WorkspaceArn: WORKSPACE_ARN } },
      RoleConfiguration: { SourceRoleArn: { 'Fn::GetAtt': [sourceRoleId, 'Arn'] }, TargetRoleArn: TARGET_ROLE },
    });
    const blob = json.Resources[scraperId].Properties.ScrapeConfiguration.ConfigurationBlob;
    expect(parse(blob).global.scrape_interval).toBe('30s');
    expect(blob).toBe(AmpCrossAccountScraper.defaultScrapeConfiguration(CLUSTER_ARN));
  });

  test('a user configuration is passed as given', () => {
    const text = 'global:\n  scrape_interval: 60s\nscrape_configs:\n  - job_name: pods\n    kubernetes_sd_configs:\n      - role: pod\n';
    const { json, scraperId } = build({ scrapeConfiguration: text });
    expect(json.Resources[scraperId].Properties.ScrapeConfiguration.ConfigurationBlob).toBe(text);
  });

  test('the pin custom resource carries no policy: only the role, the scraper ARN and fingerprints', () => {
    const { pin, scraperId } = build();
    expect(Object.keys(pin.Properties).sort()).toEqual(['PinnedTrustDigest', 'RoleFingerprint', 'RoleName', 'ScraperArn', 'ServiceToken']);
    expect(pin.Properties.RoleName).toEqual({ Ref: expect.stringMatching(/^ScraperSourceRole/) });
    expect(pin.Properties.ScraperArn).toEqual({ 'Fn::GetAtt': [scraperId, 'Arn'] });
    const fingerprint = (props: Partial<AmpCrossAccountScraperProps>) => build(props).pin.Properties.RoleFingerprint;
    expect(fingerprint({})).toBe(pin.Properties.RoleFingerprint);
    expect(fingerprint({ targetRoleArn: `arn:aws:iam::${TARGET_ACCOUNT}:role/other-target` })).not.toBe(pin.Properties.RoleFingerprint);
  });

  test('the pin function\'s configuration is fixed at deploy time: this account, region, partition, the stack\'s source roles and their scrapers', () => {
    const { json, env } = build();
    const fn = Object.values<any>(json.Resources).find((r) => r.Type === 'AWS::Lambda::Function' && r.Properties.Environment?.Variables?.PIN_SCRAPERS)!;
    const variables = Object.fromEntries(Object.entries<any>(fn.Properties.Environment.Variables).map(([k, v]) => [k, evaluate(v, json, env)]));
    expect(pinConfigFromEnv(variables)).toEqual({ partition: 'aws', account: SOURCE_ACCOUNT, region: REGION, scrapers: { [SOURCE_ROLE_NAME]: SCRAPER } });
  });

  test('outputs: scraper ARN, the pin command, and the aws-auth role ARN from the pin handler (an output that cannot fail)', () => {
    const { json, env } = build({ targetStackName: 'ObservabilityAccount' });
    const pinId = logicalIdsOfType(json, 'Custom::AmpScraperPinTrust')[0];
    const outputs = Object.fromEntries(Object.entries<any>(json.Outputs).map(([id, o]) => [id.replace(/^Scraper/, '').replace(/[A-F0-9]{8}$/, ''), o.Value]));
    expect(evaluate(outputs.ScraperArn, json, env)).toBe(SCRAPER);
    expect(evaluate(outputs.PinTargetCommand, json, env)).toBe(`npx cdk deploy ObservabilityAccount -c scraperArn=${SCRAPER}`);
    // No Fn::Select over a Fn::Split of the service-linked role ARN: its form varies, and a missing
    // index fails the stack during output resolution, after the scraper's 20-minute create.
    expect(outputs.AwsAuthRoleArn).toEqual({ 'Fn::GetAtt': [pinId, 'AwsAuthRoleArn'] });
    expect(JSON.stringify(json.Outputs)).not.toMatch(/Fn::Select|Fn::Split/);
  });

  test('the scraper ARN can be published to SSM', () => {
    const { template, scraperId } = build({ scraperArnParameterName: '/observability/amp-scraper/prod' });
    template.hasResourceProperties('AWS::SSM::Parameter', { Name: '/observability/amp-scraper/prod', Type: 'String', Value: { 'Fn::GetAtt': [scraperId, 'Arn'] } });
  });

  test('one provider per stack; its function may pin exactly the source roles of the stack', () => {
    const stack = stackIn(SOURCE_ACCOUNT);
    const subnetIds = ['subnet-0123456789abcdef0', 'subnet-0123456789abcdef1'];
    new AmpCrossAccountScraper(stack, 'Scraper', { clusterArn: CLUSTER_ARN, subnetIds, workspaceArn: WORKSPACE_ARN, targetRoleArn: TARGET_ROLE });
    new AmpCrossAccountScraper(stack, 'Staging', {
      clusterArn: `arn:aws:eks:${REGION}:${SOURCE_ACCOUNT}:cluster/staging`, subnetIds, workspaceArn: WORKSPACE_ARN, targetRoleArn: TARGET_ROLE,
    });
    const json = Template.fromStack(stack).toJSON();
    expect(logicalIdsOfType(json, 'AWS::Lambda::Function').filter((id) => id.startsWith('AmpScraperPinTrustProviderFunction'))).toHaveLength(1);
    const functionRoleId = logicalIdsOfType(json, 'AWS::IAM::Role').find((id) => id.startsWith('AmpScraperPinTrustProviderFunctionRole'))!;
    const policies = identityPoliciesOf(json, functionRoleId, { account: SOURCE_ACCOUNT, region: REGION });
    const principal = `arn:aws:iam::${SOURCE_ACCOUNT}:role/pin-function`;
    const can = (action: string, resource: string) => isAllowed({ policies, principal, action, resource });
    for (const role of [SOURCE_ROLE_NAME, 'amp-scraper-source-staging-0123abcd']) {
      expect(can('iam:UpdateAssumeRolePolicy', `arn:aws:iam::${SOURCE_ACCOUNT}:role/${role}`)).toBe('Allowed');
      expect(can('iam:GetRole', `arn:aws:iam::${SOURCE_ACCOUNT}:role/${role}`)).toBe('Allowed');
    }
    expect(can('iam:UpdateAssumeRolePolicy', `arn:aws:iam::${SOURCE_ACCOUNT}:role/admin`)).toBe('ImplicitlyDenied');
    expect(can('iam:PutRolePolicy', SOURCE_ROLE)).toBe('ImplicitlyDenied');
    expect(can('iam:CreateRole', `arn:aws:iam::${SOURCE_ACCOUNT}:role/x`)).toBe('ImplicitlyDenied');
    expect(can('iam:AttachRolePolicy', SOURCE_ROLE)).toBe('ImplicitlyDenied');
    expect(can('aps:DescribeScraper', SCRAPER)).toBe('Allowed');
    expect(can('aps:DescribeScraper', `arn:aws:aps:eu-west-1:${SOURCE_ACCOUNT}:scraper/s-1`)).toBe('ImplicitlyDenied');
    expect(can('aps:DescribeScraper', `arn:aws:aps:${REGION}:${OTHER_ACCOUNT}:scraper/s-1`)).toBe('ImplicitlyDenied');
    expect(can('aps:UpdateScraper', SCRAPER)).toBe('ImplicitlyDenied');
  });
});

describe('source role trust (iam-simulate)', () => {
  const { json, env, sourceRoleId } = build();
  const unpinned = trustPolicyOf(json, sourceRoleId, env);
  // What the pin handler writes (derived from its deploy-time configuration and the scraper ARN).
  const pinned: any = pinnedTrust({ partition: 'aws', account: SOURCE_ACCOUNT, region: REGION, scrapers: { [SOURCE_ROLE_NAME]: SCRAPER } }, SCRAPER);

  test('at creation: the scraper service, for scrapers of this account and region', () => {
    expect(scraperAssumes(unpinned, fromScraper(SCRAPER))).toBe('Allowed');
    expect(scraperAssumes(unpinned, fromScraper(OTHER_SCRAPER))).toBe('Allowed');
  });

  test.each([
    ['another account\'s scraper', fromScraper(`arn:aws:aps:${REGION}:${OTHER_ACCOUNT}:scraper/s-1`, OTHER_ACCOUNT), 'scraper.aps.amazonaws.com'],
    ['a request from another source account', fromScraper(SCRAPER, OTHER_ACCOUNT), 'scraper.aps.amazonaws.com'],
    ['a scraper in another region', fromScraper(`arn:aws:aps:eu-west-1:${SOURCE_ACCOUNT}:scraper/s-1`), 'scraper.aps.amazonaws.com'],
    ['no source context (confused deputy)', {}, 'scraper.aps.amazonaws.com'],
    ['another service', fromScraper(SCRAPER), 'pods.eks.amazonaws.com'],
  ])('at creation, %s is denied', (_name, context, principal) => {
    expect(scraperAssumes(unpinned, context, principal)).not.toBe('Allowed');
  });

  test('after pinning: exactly this scraper; another scraper of the same account is denied', () => {
    expect(validPinned()).toBe(true);
    expect(scraperAssumes(pinned, fromScraper(SCRAPER))).toBe('Allowed');
    expect(scraperAssumes(pinned, fromScraper(OTHER_SCRAPER))).not.toBe('Allowed');
    expect(scraperAssumes(pinned, fromScraper(SCRAPER, OTHER_ACCOUNT))).not.toBe('Allowed');
    expect(scraperAssumes(pinned, fromScraper(SCRAPER), 'pods.eks.amazonaws.com')).not.toBe('Allowed');
  });

  function validPinned(): boolean {
    return pinned.Statement.length === 1 && pinned.Statement[0].Condition.ArnEquals['aws:SourceArn'] === SCRAPER && !pinned.Statement[0].Condition.ArnLike;
  }

  test('the source role may assume the target role and nothing else', () => {
    const policies = identityPoliciesOf(json, sourceRoleId, env);
    const can = (action: string, resource: string) => isAllowed({ policies, principal: SOURCE_ROLE, action, resource, identityOnly: true });
    expect(can('sts:AssumeRole', TARGET_ROLE)).toBe('Allowed');
    expect(can('sts:AssumeRole', `arn:aws:iam::${TARGET_ACCOUNT}:role/admin`)).toBe('ImplicitlyDenied');
    expect(can('aps:RemoteWrite', WORKSPACE_ARN)).toBe('ImplicitlyDenied');
  });
});

test('cdk-nag: every finding of the provider machinery acknowledged with a reason, none left', () => {
  expectNagClean(build({ scraperArnParameterName: '/x/scraper-arn' }).stack);
});

describe('bad input', () => {
  test.each([
    ['no subnets', { subnetIds: [] }, /subnetIds: has 0 subnets; a scraper takes 2 to 5/],
    ['one subnet (AMP asks for two, in two Availability Zones)', { subnetIds: ['subnet-0123456789abcdef0'] }, /subnetIds: has 1 subnet; a scraper takes 2 to 5 .*two Availability Zones/],
    ['the same subnet twice', { subnetIds: ['subnet-0123456789abcdef0', 'subnet-0123456789abcdef0'] }, /subnetIds: lists subnet-0123456789abcdef0 twice/],
    ['six subnets', { subnetIds: Array.from({ length: 6 }, (_, i) => `subnet-0123456789abcdef${i}`) }, /has 6 subnets/],
    ['subnet ID', { subnetIds: ['subnet-xyz'] }, /subnetIds\[0\]: got "subnet-xyz"/],
    ['security group ID', { securityGroupIds: ['default'] }, /securityGroupIds\[0\]: got "default"/],
    ['cluster ARN', { clusterArn: 'prod' }, /clusterArn: got "prod" \(not an ARN\)/],
    ['workspace in another region', { workspaceArn: `arn:aws:aps:eu-west-1:${TARGET_ACCOUNT}:workspace/ws-1`, targetRoleArn: TARGET_ROLE }, /cluster, scraper and workspace must share a region/],
    ['cluster in another account', { clusterArn: `arn:aws:eks:${REGION}:${OTHER_ACCOUNT}:cluster/prod` }, /clusterArn: is in account 333333333333; the scraper must be created in the cluster's account/],
    ['cluster in another region', { clusterArn: `arn:aws:eks:eu-west-1:${SOURCE_ACCOUNT}:cluster/prod`, workspaceArn: `arn:aws:aps:eu-west-1:${TARGET_ACCOUNT}:workspace/ws-1` }, /clusterArn: is in eu-west-1; the scraper must be created in the cluster's region/],
    ['target role outside the workspace account', { targetRoleArn: `arn:aws:iam::${OTHER_ACCOUNT}:role/x` }, /targetRoleArn: is in account 333333333333; the target role must be in the workspace's account/],
    ['alias', { alias: '-prod' }, /alias: got "-prod"/],
    ['scrape configuration', { scrapeConfiguration: 'global:\n  scrape_interval: 10s\nscrape_configs:\n  - job_name: a\n' }, /scrapeConfiguration: global.scrape_interval is 10s/],
  ])('%s', (_name, props, message) => {
    expect(() => build(props as Partial<AmpCrossAccountScraperProps>)).toThrow(message);
  });

  test('tokens pass (with an explicit role name)', () => {
    const stack = new Stack(undefined, 'Agnostic');
    expect(() => build({ clusterArn: `arn:aws:eks:${Aws.REGION}:${Aws.ACCOUNT_ID}:cluster/prod`, subnetIds: [Aws.NO_VALUE, Aws.NO_VALUE], roleName: 'scraper-source' }, stack)).not.toThrow();
    expect(() => build({ clusterArn: `arn:aws:eks:${Aws.REGION}:${Aws.ACCOUNT_ID}:cluster/prod` }, new Stack(undefined, 'Agnostic2'))).toThrow(/clusterArn: is a deploy-time value \(token\), but the default roleName is built from it/);
  });
});

test('snapshot', () => {
  expect(templateForSnapshot(build().stack)).toMatchSnapshot();
});

test('the source role ARN is a plain string matching what the target side computes', () => {
  expect(build().scraper.sourceRoleArn).toBe(SOURCE_ROLE);
  expect(AmpCrossAccountScraper.sourceRoleNameFor('prod', WORKSPACE_ARN)).toBe(SOURCE_ROLE_NAME);
  const template = build().template;
  template.hasResourceProperties('AWS::IAM::Role', { RoleName: SOURCE_ROLE_NAME, AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'scraper.aps.amazonaws.com' } })] } });
});

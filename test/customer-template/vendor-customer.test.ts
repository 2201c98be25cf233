/**
 * Issue 23, parts 2 and 4: the vendor's side of each customer (one VendorCustomer per customer), the
 * quick-create link checked against the console's documented parameters, and each customer's own
 * external ID and roles proven with the IAM engine: customer A is admitted, customer B (its
 * principals, its external ID, its scrapers) is not.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AgentIdentityMode, ContainerInsightsCustomerTemplate, QuickCreateLink, RemoteWriteCustomerTemplate, VendorCustomer, WorkloadIdentityMode } from '../../src';
import { canAssume, identityPoliciesOf, isAllowed, logicalIdsOfType, trustPolicyOf } from '../harness/iam-proof';
import { nagFindings } from '../harness/nag';
import { freshApp, synthTemplate } from '../harness/template-lint';

const VENDOR = '111111111111';
const ACME = '222222222222';
const GLOBEX = '333333333333';
const REGION = 'us-east-1';
const WORKSPACE = `arn:aws:aps:${REGION}:${VENDOR}:workspace/ws-0123abcd-4567-89ef-0123-456789abcdef`;
const CI_TEMPLATE = 'https://vendor-templates.s3.us-east-1.amazonaws.com/v1/container-insights-pod-identity.template.json';
const RW_TEMPLATE = 'https://vendor-templates.s3.us-east-1.amazonaws.com/v1/remote-write-pod-identity.template.json';
// AmpCrossAccountScraper's default source role for cluster prod and this workspace (amp-scraper/names.ts).
const SOURCE_ROLE_NAME = 'amp-scraper-source-prod-0123abcd';
const EXTERNAL_ID = { acme: 'AcmeExternalId0123456789abcdefXY', globex: 'GlobexExternalId0123456789abcdeZ' };

function vendorStack() {
  const stack = new Stack(new App(), 'Vendor', { env: { account: VENDOR, region: REGION } });
  const customers = {
    acme: new VendorCustomer(stack, 'Acme', {
      customerName: 'acme',
      customerAccountId: ACME,
      region: REGION,
      containerInsights: { templateUrl: CI_TEMPLATE },
      remoteWrite: { templateUrl: RW_TEMPLATE, workspaceArn: WORKSPACE, clusterName: 'prod' },
      ampCollector: { workspaceArn: WORKSPACE, clusterName: 'prod' },
    }),
    globex: new VendorCustomer(stack, 'Globex', {
      customerName: 'globex',
      customerAccountId: GLOBEX,
      region: REGION,
      containerInsights: { templateUrl: CI_TEMPLATE },
      remoteWrite: { templateUrl: RW_TEMPLATE, workspaceArn: WORKSPACE },
      ampCollector: { workspaceArn: WORKSPACE, clusterName: 'prod' },
    }),
  };
  return { stack, customers, template: Template.fromStack(stack).toJSON() };
}

/** The ARN each customer's secret gets (Secrets Manager appends 6 random characters). */
function secretArns(template: any): Record<string, Record<string, string>> {
  return Object.fromEntries(Object.entries<any>(template.Resources).filter(([, r]) => r.Type === 'AWS::SecretsManager::Secret')
    .map(([id, r]) => [id, { Ref: `arn:aws:secretsmanager:${REGION}:${VENDOR}:secret:${r.Properties.Name}-AbCdEf` }]));
}

/** A document with each `{{resolve:secretsmanager:<arn>...}}` replaced by the value that customer's secret holds. */
function withSecretValues(document: any): any {
  return JSON.parse(JSON.stringify(document).replace(/\{\{resolve:secretsmanager:([^}]*)\}\}/g, (_m, reference: string) => {
    if (reference.includes('/customers/acme/')) return EXTERNAL_ID.acme;
    if (reference.includes('/customers/globex/')) return EXTERNAL_ID.globex;
    throw new Error(`no secret for ${reference}`);
  }));
}

describe('QuickCreateLink', () => {
  const url = QuickCreateLink.forTemplate({
    region: 'eu-west-1',
    templateUrl: 'https://vendor-templates.s3.eu-west-1.amazonaws.com/v1/ci+template.json',
    stackName: 'container-insights-to-vendor-acme',
    parameters: { TargetRoleArn: `arn:aws:iam::${VENDOR}:role/containerinsights-acme`, ClusterName: 'prod' },
  });

  test('the documented form: console host and region, #/stacks/create/review, templateURL, stackName, param_<Name>', () => {
    const [base, fragment] = url.split('#');
    expect(base).toBe('https://eu-west-1.console.aws.amazon.com/cloudformation/home?region=eu-west-1');
    const [route, query] = fragment.split('?');
    expect(route).toBe('/stacks/create/review');
    const params = new URLSearchParams(query);
    expect([...params.keys()]).toEqual(['templateURL', 'stackName', 'param_TargetRoleArn', 'param_ClusterName']);
    expect(params.get('templateURL')).toBe('https://vendor-templates.s3.eu-west-1.amazonaws.com/v1/ci+template.json');
    expect(params.get('param_TargetRoleArn')).toBe(`arn:aws:iam::${VENDOR}:role/containerinsights-acme`);
    // URL-encoded, as the guide asks for templateURL: no raw "/" or " " in the query.
    expect(query).not.toMatch(/templateURL=https:\/\/|\+/);
  });

  test('every param_ of a link is a parameter of its template, and none is NoEcho (the console ignores those)', () => {
    const customerTemplate = synthTemplate(new RemoteWriteCustomerTemplate(freshApp(), 'Rw', {
      vendorAccountId: VENDOR, identityMode: WorkloadIdentityMode.POD_IDENTITY, serviceAccount: { namespace: 'monitoring', name: 'prometheus' },
    })).json;
    const { customers } = vendorStack();
    const params = new URLSearchParams(customers.acme.remoteWriteQuickCreateUrl!.split('#')[1].split('?')[1]);
    const names = [...params.keys()].filter((k) => k.startsWith('param_')).map((k) => k.slice('param_'.length));
    expect(names).toEqual(['TargetRoleArn', 'ClusterName']);
    for (const name of names) {
      expect(customerTemplate.Parameters[name]).toBeDefined();
      expect(customerTemplate.Parameters[name].NoEcho).toBeUndefined();
      expect(new RegExp(customerTemplate.Parameters[name].AllowedPattern).test(params.get(`param_${name}`)!)).toBe(true);
    }
    const ciTemplate = synthTemplate(new ContainerInsightsCustomerTemplate(freshApp(), 'Ci', { vendorAccountId: VENDOR, identityMode: AgentIdentityMode.POD_IDENTITY })).json;
    const ciParams = new URLSearchParams(customers.acme.containerInsightsQuickCreateUrl!.split('#')[1].split('?')[1]);
    expect(new RegExp(ciTemplate.Parameters.TargetRoleArn.AllowedPattern).test(ciParams.get('param_TargetRoleArn')!)).toBe(true);
  });

  test('bad input: one error naming every problem', () => {
    expect(() => QuickCreateLink.forTemplate({ region: 'cn-north-1', templateUrl: 'https://example.com/t.json', stackName: '1stack', parameters: { 'My-Param': 'x', 'Other': 7 as any } }))
      .toThrow(/QuickCreateLink: invalid props \(5 problems\):\n {2}- region: is in partition aws-cn[\s\S]*templateUrl[\s\S]*stackName[\s\S]*parameters\.My-Param[\s\S]*parameters\.Other: got number 7/);
    expect(() => QuickCreateLink.forTemplate(null as any)).toThrow(/region: is required[\s\S]*templateUrl: is required/);
  });
});

describe('VendorCustomer', () => {
  const { stack, customers, template } = vendorStack();

  test('the external ID lives in Secrets Manager, generated at deploy; no output, link or parameter carries it', () => {
    const secrets = Object.values<any>(template.Resources).filter((r) => r.Type === 'AWS::SecretsManager::Secret');
    expect(secrets.map((s) => s.Properties.Name).sort()).toEqual(['xacct-observability/customers/acme/external-id', 'xacct-observability/customers/globex/external-id']);
    secrets.forEach((s) => expect(s.Properties.GenerateSecretString).toEqual({ ExcludePunctuation: true, IncludeSpace: false, PasswordLength: 32 }));
    const outputs = JSON.stringify(template.Outputs);
    expect(outputs).not.toMatch(/resolve:secretsmanager|SecretString/);
    expect(Object.keys(template.Parameters ?? {}).filter((p) => p !== 'BootstrapVersion')).toEqual([]);
    expect(customers.acme.remoteWriteQuickCreateUrl).not.toMatch(/ExternalId/i);
  });

  test('the links are outputs, one per customer template', () => {
    const urls = Object.entries<any>(template.Outputs).filter(([k]) => /QuickCreateUrl/.test(k)).map(([, o]) => o.Value);
    expect(urls).toHaveLength(4);
    expect(urls).toContain(customers.globex.containerInsightsQuickCreateUrl);
    expect(customers.acme.remoteWriteQuickCreateUrl).toContain(`param_TargetRoleArn=${encodeURIComponent(`arn:aws:iam::${VENDOR}:role/amp-remote-write-acme`)}`);
  });

  test('cdk-nag finds nothing unacknowledged', () => {
    expect(nagFindings(stack)).toEqual([]);
  });

  const env = { account: VENDOR, region: REGION };
  const roleIdOf = (name: string) => logicalIdsOfType(template, 'AWS::IAM::Role').find((id) => template.Resources[id].Properties.RoleName === name)!;

  test('remote write: only the customer\'s own remote-write-* source roles, with the customer\'s own external ID', () => {
    const trust = withSecretValues(trustPolicyOf(template, roleIdOf('amp-remote-write-acme'), { ...env, attributes: secretArns(template) }));
    const roleArn = `arn:aws:iam::${VENDOR}:role/amp-remote-write-acme`;
    const ask = (principal: string, externalId?: string) => canAssume({
      trustPolicy: trust,
      roleArn,
      principal,
      context: { 'aws:PrincipalArn': principal, ...(externalId ? { 'sts:ExternalId': externalId } : {}) },
      callerPolicies: [{ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: roleArn }] }],
    });
    expect(ask(`arn:aws:iam::${ACME}:role/remote-write-prod`, EXTERNAL_ID.acme)).toBe('Allowed');
    expect(ask(`arn:aws:iam::${ACME}:role/remote-write-prod`, EXTERNAL_ID.globex)).not.toBe('Allowed');
    expect(ask(`arn:aws:iam::${ACME}:role/remote-write-prod`)).not.toBe('Allowed');
    expect(ask(`arn:aws:iam::${ACME}:role/some-other-role`, EXTERNAL_ID.acme)).not.toBe('Allowed');
    expect(ask(`arn:aws:iam::${GLOBEX}:role/remote-write-prod`, EXTERNAL_ID.acme)).not.toBe('Allowed');
    expect(ask(`arn:aws:iam::${GLOBEX}:role/remote-write-prod`, EXTERNAL_ID.globex)).not.toBe('Allowed');
    // A Pod Identity source session carries transitive tags: TagSession is allowed for the same principal only.
    expect(canAssume({ trustPolicy: trust, roleArn, principal: `arn:aws:iam::${ACME}:role/remote-write-prod`, action: 'sts:TagSession', context: { 'aws:PrincipalArn': `arn:aws:iam::${ACME}:role/remote-write-prod`, 'sts:ExternalId': EXTERNAL_ID.acme }, callerPolicies: [{ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sts:TagSession', Resource: roleArn }] }] })).toBe('Allowed');
  });

  test('remote write: the role writes to the vendor\'s workspace and nothing else', () => {
    const policies = identityPoliciesOf(template, roleIdOf('amp-remote-write-acme'), env);
    const principal = `arn:aws:iam::${VENDOR}:role/amp-remote-write-acme`;
    expect(isAllowed({ policies, principal, action: 'aps:RemoteWrite', resource: WORKSPACE })).toBe('Allowed');
    expect(isAllowed({ policies, principal, action: 'aps:RemoteWrite', resource: WORKSPACE.replace('ws-0123abcd', 'ws-99999999') })).not.toBe('Allowed');
    expect(isAllowed({ policies, principal, action: 'aps:QueryMetrics', resource: WORKSPACE })).not.toBe('Allowed');
  });

  test('Container Insights: each customer\'s role admits its own account only (the agent sends no external ID)', () => {
    const trust = trustPolicyOf(template, roleIdOf('containerinsights-acme'), env);
    const roleArn = `arn:aws:iam::${VENDOR}:role/containerinsights-acme`;
    const ask = (principal: string) => canAssume({
      trustPolicy: trust,
      roleArn,
      principal,
      context: { 'aws:PrincipalArn': principal },
      callerPolicies: [{ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: roleArn }] }],
    });
    expect(ask(`arn:aws:iam::${ACME}:role/containerinsights-agent-prod`)).toBe('Allowed');
    expect(ask(`arn:aws:iam::${GLOBEX}:role/containerinsights-agent-prod`)).not.toBe('Allowed');
  });

  test('AMP collectors: each customer\'s target role wants a scraper of that customer\'s account as external ID', () => {
    const acmeRole = logicalIdsOfType(template, 'AWS::IAM::Role').find((id) => String(template.Resources[id].Properties.RoleName).startsWith(`amp-scraper-target-${ACME}`))!;
    const trust = trustPolicyOf(template, acmeRole, env);
    const roleArn = `arn:aws:iam::${VENDOR}:role/${template.Resources[acmeRole].Properties.RoleName}`;
    const source = (account: string) => `arn:aws:iam::${account}:role/${SOURCE_ROLE_NAME}`;
    const ask = (principal: string, scraperAccount: string) => canAssume({
      trustPolicy: trust,
      roleArn,
      principal,
      context: { 'aws:PrincipalArn': principal, 'sts:ExternalId': `arn:aws:aps:${REGION}:${scraperAccount}:scraper/s-0123abcd-4567-89ef-0123-456789abcdef` },
      callerPolicies: [{ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: roleArn }] }],
    });
    expect(ask(source(ACME), ACME)).toBe('Allowed');
    expect(ask(source(ACME), GLOBEX)).not.toBe('Allowed');
    expect(ask(source(GLOBEX), GLOBEX)).not.toBe('Allowed');
  });

  test('bad input: one error naming every problem; the vendor stack needs a literal account', () => {
    const s = new Stack(new App(), 'V', { env: { account: VENDOR, region: REGION } });
    expect(() => new VendorCustomer(s, 'Bad', {
      customerName: 'Acme Corp',
      customerAccountId: VENDOR,
      region: 'mars',
      remoteWrite: { templateUrl: 'http://x', workspaceArn: WORKSPACE.replace(VENDOR, GLOBEX), requireExternalId: 'yes' as any },
      ampCollector: {} as any,
    })).toThrow(/invalid props \(8 problems\)[\s\S]*customerName[\s\S]*region[\s\S]*customerAccountId: is the vendor's own account[\s\S]*remoteWrite\.templateUrl[\s\S]*remoteWrite\.workspaceArn: is not in this stack's account[\s\S]*remoteWrite\.requireExternalId[\s\S]*ampCollector\.workspaceArn: is required[\s\S]*ampCollector\.clusterName: is required/);
    expect(() => new VendorCustomer(new Stack(new App(), 'NoEnv'), 'C', { customerName: 'acme', customerAccountId: ACME, region: REGION }))
      .toThrow(/env\.account: the vendor's stack needs a literal account/);
  });
});

import { AmpClient } from '@aws-sdk/client-amp';
import { IAMClient } from '@aws-sdk/client-iam';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { PinConfig, pinConfigFromEnv, roleArnWithoutPath } from '../../src/amp-scraper/pin-request';
import { onEvent, PinClients } from '../../src/amp-scraper/pin-trust.lambda';
import { canonicalPolicy, decodeTrustDocument } from '../../src/core/policy-document';
import { FakeAmp } from '../harness/fake-amp';
import { accessDenied, FakeIam } from '../harness/fake-iam';

const ACCOUNT = '222222222222';
const ROLE = 'amp-scraper-source-prod-0123abcd';
const OTHER_ROLE = 'admin-role';
const SCRAPER_ID = 's-0123abcd-4567-89ef-0123-456789abcdef';
const SCRAPER = `arn:aws:aps:us-east-1:${ACCOUNT}:scraper/${SCRAPER_ID}`;
const SERVICE_LINKED = `arn:aws:iam::${ACCOUNT}:role/aws-service-role/scraper.aps.amazonaws.com/AWSServiceRoleForAmazonPrometheusScraper_1a2b3c4d-5e6f7`;
const CONFIG: PinConfig = { partition: 'aws', account: ACCOUNT, region: 'us-east-1', scrapers: { [ROLE]: SCRAPER } };

const trust = (sourceArn: Record<string, unknown>) => ({
  Version: '2012-10-17',
  Statement: [{
    Effect: 'Allow',
    Principal: { Service: 'scraper.aps.amazonaws.com' },
    Action: 'sts:AssumeRole',
    Condition: { StringEquals: { 'aws:SourceAccount': ACCOUNT }, ...sourceArn },
  }],
});
const UNPINNED = trust({ ArnLike: { 'aws:SourceArn': `arn:aws:aps:us-east-1:${ACCOUNT}:scraper/*` } });
const PINNED = trust({ ArnEquals: { 'aws:SourceArn': SCRAPER } });
/** What an attacker would like the source role to trust. */
const FORGED = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::999999999999:root' }, Action: 'sts:AssumeRole' }] };

function event(requestType: 'Create' | 'Update' | 'Delete', props: Record<string, unknown> = {}): CloudFormationCustomResourceEvent {
  return {
    RequestType: requestType,
    ServiceToken: 'arn:aws:lambda:us-east-1:222222222222:function:provider',
    ResponseURL: 'https://example.com',
    StackId: 'stack',
    RequestId: 'req',
    LogicalResourceId: 'Pin',
    ResourceType: 'Custom::AmpScraperPinTrust',
    ResourceProperties: { ServiceToken: 'x', RoleName: ROLE, ScraperArn: SCRAPER, ...props },
    ...(requestType === 'Create' ? {} : { PhysicalResourceId: `pin-trust/${ROLE}`, OldResourceProperties: {} }),
  } as CloudFormationCustomResourceEvent;
}

let iam: FakeIam;
let amp: FakeAmp;
let logs: jest.SpyInstance;
let clients: PinClients;
beforeEach(() => {
  iam = new FakeIam();
  amp = new FakeAmp();
  iam.seedRole(ROLE, UNPINNED);
  iam.seedRole(OTHER_ROLE, { Version: '2012-10-17', Statement: [] });
  amp.seed({ scraperId: SCRAPER_ID, arn: SCRAPER, sourceRoleArn: `arn:aws:iam::${ACCOUNT}:role/${ROLE}`, roleArn: SERVICE_LINKED });
  logs = jest.spyOn(console, 'log').mockImplementation(() => undefined);
  clients = { iam: new IAMClient({}), amp: new AmpClient({}) };
});
afterEach(() => {
  iam.restore();
  amp.restore();
  logs.mockRestore();
});

const storedTrust = (role = ROLE) => JSON.parse(iam.roles.get(role.toLowerCase())!.trust);

test('Create checks the scraper with AMP, pins the trust to it, and returns the aws-auth role ARN', async () => {
  const response = await onEvent(event('Create'), clients, CONFIG);
  expect(response).toEqual({
    PhysicalResourceId: `pin-trust/${ROLE}`,
    Data: { Changed: 'true', AwsAuthRoleArn: `arn:aws:iam::${ACCOUNT}:role/AWSServiceRoleForAmazonPrometheusScraper_1a2b3c4d-5e6f7` },
  });
  expect(amp.calls).toEqual([`DescribeScraper(${SCRAPER_ID})`]);
  expect(canonicalPolicy(storedTrust())).toBe(canonicalPolicy(PINNED));
  expect(iam.writes()).toEqual([`UpdateAssumeRolePolicy(${ROLE})`]);
});

test('a re-run on a pinned role writes nothing (idempotent)', async () => {
  await onEvent(event('Create'), clients, CONFIG);
  iam.calls.length = 0;
  const response = await onEvent(event('Update'), clients, CONFIG);
  expect(response.Data?.Changed).toBe('false');
  expect(iam.writes()).toEqual([]);
  expect(iam.calls).toEqual([`GetRole(${ROLE})`]);
});

test('Update after CloudFormation reset the trust pins it again', async () => {
  await onEvent(event('Create'), clients, CONFIG);
  iam.roles.get(ROLE)!.trust = JSON.stringify(UNPINNED); // what a role update by CloudFormation would do
  const response = await onEvent(event('Update'), clients, CONFIG);
  expect(response.Data?.Changed).toBe('true');
  expect(canonicalPolicy(storedTrust())).toBe(canonicalPolicy(PINNED));
});

describe('forged events (anyone allowed to invoke the function) are refused and write nothing', () => {
  test('a policy document in the event is never written: the trust is derived from configuration and AMP', async () => {
    await onEvent(event('Update', { TrustPolicy: JSON.stringify(FORGED) }), clients, CONFIG);
    expect(canonicalPolicy(storedTrust())).toBe(canonicalPolicy(PINNED));
    expect(JSON.stringify(storedTrust())).not.toContain('999999999999');
  });

  test.each([
    ['a role the stack did not create', { RoleName: OTHER_ROLE }, /RoleName "admin-role" is not a scraper source role of this stack/],
    ['no role name', { RoleName: undefined }, /RoleName undefined is not a scraper source role/],
    ['a scraper of another account', { ScraperArn: `arn:aws:aps:us-east-1:999999999999:scraper/${SCRAPER_ID}` }, /is not a scraper of this account and region/],
    ['a scraper of another region', { ScraperArn: `arn:aws:aps:eu-west-1:${ACCOUNT}:scraper/${SCRAPER_ID}` }, /is not a scraper of this account and region/],
    ['another partition', { ScraperArn: `arn:aws-cn:aps:us-east-1:${ACCOUNT}:scraper/${SCRAPER_ID}` }, /is not a scraper of this account and region/],
    ['not a scraper ARN', { ScraperArn: `arn:aws:iam::${ACCOUNT}:role/x` }, /is not a scraper of this account and region/],
    ['another scraper ARN of this account and region', { ScraperArn: `arn:aws:aps:us-east-1:${ACCOUNT}:scraper/s-ffffffff` }, /is not the scraper this stack created for amp-scraper-source-prod-0123abcd/],
  ])('%s', async (_case, props, message) => {
    const before = JSON.stringify([...iam.roles.values()].map((r) => r.trust));
    await expect(onEvent(event('Update', { ...props, TrustPolicy: JSON.stringify(FORGED) }), clients, CONFIG)).rejects.toThrow(message);
    expect(iam.writes()).toEqual([]);
    expect(JSON.stringify([...iam.roles.values()].map((r) => r.trust))).toBe(before);
  });

  test('the stack\'s scraper, if AMP says it now uses another source role', async () => {
    amp.seed({ scraperId: SCRAPER_ID, arn: SCRAPER, sourceRoleArn: `arn:aws:iam::${ACCOUNT}:role/${OTHER_ROLE}`, roleArn: SERVICE_LINKED });
    await expect(onEvent(event('Update'), clients, CONFIG))
      .rejects.toThrow(/the scraper's source role is "arn:aws:iam::222222222222:role\/admin-role", not arn:aws:iam::222222222222:role\/amp-scraper-source-prod-0123abcd/);
    expect(iam.writes()).toEqual([]);
  });

  test('a second scraper that names the same source role (aps:CreateScraper needs no iam:PassRole) is not the stack\'s', async () => {
    await onEvent(event('Create'), clients, CONFIG);
    iam.calls.length = 0;
    const second = `arn:aws:aps:us-east-1:${ACCOUNT}:scraper/s-attacker`;
    amp.seed({ scraperId: 's-attacker', arn: second, sourceRoleArn: `arn:aws:iam::${ACCOUNT}:role/${ROLE}`, roleArn: SERVICE_LINKED, statusCode: 'CREATING' });
    await expect(onEvent(event('Update', { ScraperArn: second }), clients, CONFIG)).rejects.toThrow(/is not the scraper this stack created/);
    expect(iam.writes()).toEqual([]);
    expect(canonicalPolicy(storedTrust())).toBe(canonicalPolicy(PINNED));
  });

  test('a scraper the stack created that AMP does not know (deleted by hand)', async () => {
    amp.scrapers.clear();
    await expect(onEvent(event('Update'), clients, CONFIG)).rejects.toThrow(/no scraper arn:aws:aps:us-east-1:222222222222:scraper\/s-0123abcd/);
    expect(iam.writes()).toEqual([]);
  });

  test('a scraper being deleted', async () => {
    amp.seed({ scraperId: SCRAPER_ID, arn: SCRAPER, sourceRoleArn: `arn:aws:iam::${ACCOUNT}:role/${ROLE}`, roleArn: SERVICE_LINKED, statusCode: 'DELETING' });
    await expect(onEvent(event('Update'), clients, CONFIG)).rejects.toThrow(/status is "DELETING"/);
    expect(iam.writes()).toEqual([]);
  });

  test('a forged Delete writes nothing', async () => {
    await onEvent(event('Delete', { RoleName: OTHER_ROLE, TrustPolicy: JSON.stringify(FORGED) }), clients, CONFIG);
    expect(iam.calls).toEqual([]);
    expect(amp.calls).toEqual([]);
  });
});

test('a missing role fails Create with a clear message', async () => {
  iam.roles.delete(ROLE);
  await expect(onEvent(event('Create'), clients, CONFIG)).rejects.toThrow(/role amp-scraper-source-prod-0123abcd does not exist/);
  expect(iam.writes()).toEqual([]);
});

test('AccessDenied fails Create (it would be a deployment problem to surface)', async () => {
  iam.failNext('GetRole', accessDenied);
  await expect(onEvent(event('Create'), clients, CONFIG)).rejects.toThrow(/not authorized/);
});

test('Delete never fails and never writes, even when the role is gone', async () => {
  iam.roles.clear();
  iam.failNext('GetRole', accessDenied);
  const response = await onEvent(event('Delete'), clients, CONFIG);
  expect(response).toEqual({ PhysicalResourceId: `pin-trust/${ROLE}` });
  expect(iam.calls).toEqual([]);
});

test('an unknown request type is an error', async () => {
  await expect(onEvent({ ...event('Create'), RequestType: 'Replace' } as any, clients, CONFIG)).rejects.toThrow(/unknown request type Replace/);
});

test('the configuration comes from the environment the stack fixed, and is required', () => {
  expect(pinConfigFromEnv({ PIN_PARTITION: 'aws', PIN_ACCOUNT: ACCOUNT, PIN_REGION: 'us-east-1', PIN_SCRAPERS: JSON.stringify({ [ROLE]: SCRAPER }) }))
    .toEqual({ partition: 'aws', account: ACCOUNT, region: 'us-east-1', scrapers: { [ROLE]: SCRAPER } });
  expect(() => pinConfigFromEnv({ PIN_PARTITION: 'aws', PIN_ACCOUNT: ACCOUNT, PIN_REGION: 'us-east-1' })).toThrow(/PIN_SCRAPERS is not set/);
  expect(() => pinConfigFromEnv({ PIN_PARTITION: 'aws', PIN_ACCOUNT: ACCOUNT, PIN_REGION: 'us-east-1', PIN_SCRAPERS: '["x"]' })).toThrow(/not a JSON object/);
});

test('aws-auth role ARNs lose any path, and ARNs without one are unchanged', () => {
  expect(roleArnWithoutPath(SERVICE_LINKED)).toBe(`arn:aws:iam::${ACCOUNT}:role/AWSServiceRoleForAmazonPrometheusScraper_1a2b3c4d-5e6f7`);
  expect(roleArnWithoutPath(`arn:aws:iam::${ACCOUNT}:role/AWSServiceRoleForAmazonPrometheusScraperInternal_cc319052-41a3-4`))
    .toBe(`arn:aws:iam::${ACCOUNT}:role/AWSServiceRoleForAmazonPrometheusScraperInternal_cc319052-41a3-4`);
  expect(roleArnWithoutPath(`arn:aws-cn:iam::${ACCOUNT}:role/a/b/c/name`)).toBe(`arn:aws-cn:iam::${ACCOUNT}:role/name`);
  expect(() => roleArnWithoutPath('not-an-arn')).toThrow(/is not an IAM role ARN/);
});

test('trust documents compare by content, not by formatting', () => {
  const encoded = encodeURIComponent(JSON.stringify({ Version: '2012-10-17', Statement: PINNED.Statement }));
  expect(canonicalPolicy(decodeTrustDocument(encoded))).toBe(canonicalPolicy(PINNED));
  expect(canonicalPolicy({ a: ['x'], b: 1 })).toBe(canonicalPolicy({ b: 1, a: 'x' }));
  expect(canonicalPolicy(UNPINNED)).not.toBe(canonicalPolicy(PINNED));
});

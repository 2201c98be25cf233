import { IAMClient } from '@aws-sdk/client-iam';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { onEvent } from '../../src/amp-scraper/pin-trust.lambda';
import { canonicalPolicy, decodeTrustDocument } from '../../src/core/policy-document';
import { accessDenied, FakeIam } from '../harness/fake-iam';

const ROLE = 'amp-scraper-source-prod-0123abcd';
const SCRAPER = 'arn:aws:aps:us-east-1:222222222222:scraper/s-0123abcd-4567-89ef-0123-456789abcdef';
const trust = (sourceArn: Record<string, unknown>) => ({
  Version: '2012-10-17',
  Statement: [{
    Effect: 'Allow',
    Principal: { Service: 'scraper.aps.amazonaws.com' },
    Action: 'sts:AssumeRole',
    Condition: { StringEquals: { 'aws:SourceAccount': '222222222222' }, ...sourceArn },
  }],
});
const UNPINNED = trust({ ArnLike: { 'aws:SourceArn': 'arn:aws:aps:us-east-1:222222222222:scraper/*' } });
const PINNED = trust({ ArnEquals: { 'aws:SourceArn': SCRAPER } });

function event(requestType: 'Create' | 'Update' | 'Delete', roleName = ROLE): CloudFormationCustomResourceEvent {
  return {
    RequestType: requestType,
    ServiceToken: 'arn:aws:lambda:us-east-1:222222222222:function:provider',
    ResponseURL: 'https://example.com',
    StackId: 'stack',
    RequestId: 'req',
    LogicalResourceId: 'Pin',
    ResourceType: 'Custom::AmpScraperPinTrust',
    ResourceProperties: { ServiceToken: 'x', RoleName: roleName, TrustPolicy: JSON.stringify(PINNED), ScraperArn: SCRAPER },
    ...(requestType === 'Create' ? {} : { PhysicalResourceId: `pin-trust/${roleName}`, OldResourceProperties: {} }),
  } as CloudFormationCustomResourceEvent;
}

let iam: FakeIam;
let logs: jest.SpyInstance;
beforeEach(() => {
  iam = new FakeIam();
  iam.seedRole(ROLE, UNPINNED);
  logs = jest.spyOn(console, 'log').mockImplementation(() => undefined);
});
afterEach(() => {
  iam.restore();
  logs.mockRestore();
});

const storedTrust = () => JSON.parse(iam.roles.get(ROLE)!.trust);

test('Create pins the trust to the scraper ARN', async () => {
  const response = await onEvent(event('Create'), new IAMClient({}));
  expect(response).toEqual({ PhysicalResourceId: `pin-trust/${ROLE}`, Data: { Changed: 'true' } });
  expect(canonicalPolicy(storedTrust())).toBe(canonicalPolicy(PINNED));
  expect(iam.writes()).toEqual([`UpdateAssumeRolePolicy(${ROLE})`]);
  expect(logs).toHaveBeenCalledWith(JSON.stringify({ action: 'updated-trust', role: ROLE, requestType: 'Create' }));
});

test('a re-run on a pinned role writes nothing (idempotent)', async () => {
  await onEvent(event('Create'), new IAMClient({}));
  iam.calls.length = 0;
  const response = await onEvent(event('Update'), new IAMClient({}));
  expect(response.Data).toEqual({ Changed: 'false' });
  expect(iam.writes()).toEqual([]);
  expect(iam.calls).toEqual([`GetRole(${ROLE})`]);
});

test('Update after CloudFormation reset the trust pins it again', async () => {
  await onEvent(event('Create'), new IAMClient({}));
  iam.roles.get(ROLE)!.trust = JSON.stringify(UNPINNED); // what a role update by CloudFormation would do
  const response = await onEvent(event('Update'), new IAMClient({}));
  expect(response.Data).toEqual({ Changed: 'true' });
  expect(canonicalPolicy(storedTrust())).toBe(canonicalPolicy(PINNED));
});

test('a missing role fails Create with a clear message', async () => {
  await expect(onEvent(event('Create', 'missing-role'), new IAMClient({}))).rejects.toThrow(/role missing-role does not exist/);
  expect(iam.writes()).toEqual([]);
});

test('AccessDenied fails Create (it would be a deployment problem to surface)', async () => {
  iam.failNext('GetRole', accessDenied);
  await expect(onEvent(event('Create'), new IAMClient({}))).rejects.toThrow(/not authorized/);
});

test('Delete never fails and never writes, even when the role is gone', async () => {
  iam.roles.clear();
  iam.failNext('GetRole', accessDenied);
  const response = await onEvent(event('Delete'), new IAMClient({}));
  expect(response).toEqual({ PhysicalResourceId: `pin-trust/${ROLE}` });
  expect(iam.calls).toEqual([]);
});

test('an unknown request type is an error', async () => {
  await expect(onEvent({ ...event('Create'), RequestType: 'Replace' } as any, new IAMClient({}))).rejects.toThrow(/unknown request type Replace/);
});

test('trust documents compare by content, not by formatting', () => {
  const encoded = encodeURIComponent(JSON.stringify({ Version: '2012-10-17', Statement: PINNED.Statement }));
  expect(canonicalPolicy(decodeTrustDocument(encoded))).toBe(canonicalPolicy(PINNED));
  expect(canonicalPolicy({ a: ['x'], b: 1 })).toBe(canonicalPolicy({ b: 1, a: 'x' }));
  expect(canonicalPolicy(UNPINNED)).not.toBe(canonicalPolicy(PINNED));
});

/**
 * Attack (issue 23 review): a member account writes its cost objects encrypted so the central account
 * cannot read them: SSE-KMS under a key of its own account (the central account has no kms:Decrypt on
 * it), or SSE-C (only the writer holds the key). Either makes that prefix unreadable to the cost
 * platform (or hides data in it). The bucket is SSE-S3, so its policy refuses both encryption headers
 * from other accounts; a write with no header (the bucket's default) or with AES256 still goes through.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { FleetNames, OrganizationContainerCostBucket } from '../../src';
import { evaluate } from '../harness/cfn-eval';
import { isAllowed } from '../harness/iam-proof';

const ORG = 'o-a1b2c3d4e5';
const OU = `${ORG}/r-ab12/ou-ab12-11111111/`;
const CENTRAL = '111111111111';
const MEMBER = '444444444444';
const REGION = 'eu-west-1';

const stack = new Stack(new App(), 'Central', { env: { account: CENTRAL, region: 'us-east-1' } });
const cost = new OrganizationContainerCostBucket(stack, 'Cost', { organizationSource: { organizationId: ORG, organizationalUnitPaths: [OU] } });
const template = Template.fromStack(stack).toJSON();
const bucketPolicy = evaluate(
  Object.values<any>(template.Resources).find((r) => r.Type === 'AWS::S3::BucketPolicy').Properties.PolicyDocument,
  template, { account: CENTRAL, region: 'us-east-1' },
);
const BUCKET_ARN = `arn:aws:s3:::${cost.bucketName}`;
// The member's IAM admin may give its fleet role any identity policy: the bucket policy alone decides.
const ALL_OF_S3 = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }] };
const writer = FleetNames.podIdentityRoleArn('aws', MEMBER, FleetNames.CONTAINER_COST, REGION);
const MEMBER_KEY = `arn:aws:kms:${REGION}:${MEMBER}:key/0123abcd-4567-89ef-0123-456789abcdef`;

function put(headers: Record<string, string>, key = `${MEMBER}/${REGION}/prod/2026-12-03.csv`) {
  return isAllowed({
    principal: writer,
    action: 's3:PutObject',
    resource: `${BUCKET_ARN}/${key}`,
    resourceAccount: CENTRAL,
    policies: [ALL_OF_S3],
    resourcePolicy: bucketPolicy,
    context: { 'aws:PrincipalArn': writer, 'aws:PrincipalAccount': MEMBER, 'aws:PrincipalOrgID': ORG, 'aws:PrincipalOrgPaths': [OU], 'aws:SecureTransport': 'true', ...headers },
  });
}

describe('attack: a member account encrypts its cost objects so the central account cannot read them', () => {
  test('a plain write (the bucket\'s SSE-S3 default) and an explicit AES256 write are allowed', () => {
    expect(put({})).toBe('Allowed');
    expect(put({ 's3:x-amz-server-side-encryption': 'AES256' })).toBe('Allowed');
  });

  test('SSE-KMS (with the member\'s own key) and DSSE-KMS are explicitly denied', () => {
    expect(put({ 's3:x-amz-server-side-encryption': 'aws:kms', 's3:x-amz-server-side-encryption-aws-kms-key-id': MEMBER_KEY })).toBe('ExplicitlyDenied');
    expect(put({ 's3:x-amz-server-side-encryption': 'aws:kms' })).toBe('ExplicitlyDenied');
    expect(put({ 's3:x-amz-server-side-encryption': 'aws:kms:dsse', 's3:x-amz-server-side-encryption-aws-kms-key-id': MEMBER_KEY })).toBe('ExplicitlyDenied');
  });

  test('SSE-C (a key only the writer holds) is explicitly denied, on its own and with an AES256 header', () => {
    expect(put({ 's3:x-amz-server-side-encryption-customer-algorithm': 'AES256' })).toBe('ExplicitlyDenied');
    expect(put({ 's3:x-amz-server-side-encryption-customer-algorithm': 'AES256', 's3:x-amz-server-side-encryption': 'AES256' })).toBe('ExplicitlyDenied');
  });
});

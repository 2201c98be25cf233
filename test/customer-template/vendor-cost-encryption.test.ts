/**
 * Attack (issue 23 review): a customer writes its cost objects to the vendor's bucket encrypted so the
 * vendor cannot read them: SSE-KMS under the customer's own KMS key (the vendor has no kms:Decrypt on
 * it), DSSE-KMS, or SSE-C (only the customer holds the key). That prefix then cannot be ingested. The
 * vendor's bucket is SSE-S3 (VendorCustomer refuses a KMS bucket), so its policy refuses both from
 * other accounts, in one pair of statements for all customers; a plain or AES256 write goes through.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { ContainerCostCustomerTemplate, VendorCustomer } from '../../src';
import { evaluate } from '../harness/cfn-eval';
import { identityPoliciesOf, isAllowed, logicalIdsOfType } from '../harness/iam-proof';
import { freshApp, synthTemplate } from '../harness/template-lint';

const VENDOR = '111111111111';
const ACME = '222222222222';
const GLOBEX = '333333333333';
const REGION = 'us-east-1';
const BUCKET = 'vendor-container-cost';
const COST_TEMPLATE = 'https://vendor-templates.s3.us-east-1.amazonaws.com/v1/container-cost.template.json';

function vendorBucketPolicy(customers: Array<[string, string]>) {
  const stack = new Stack(new App(), 'Vendor', { env: { account: VENDOR, region: REGION } });
  const bucket = new s3.Bucket(stack, 'CostBucket', { bucketName: BUCKET, enforceSSL: true, blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL });
  for (const [customerName, customerAccountId] of customers) {
    new VendorCustomer(stack, customerName, {
      customerName, customerAccountId, region: REGION, containerCost: { templateUrl: COST_TEMPLATE, bucket },
    });
  }
  const vendor = Template.fromStack(stack).toJSON();
  const bucketId = logicalIdsOfType(vendor, 'AWS::S3::BucketPolicy')[0];
  return evaluate(vendor.Resources[bucketId].Properties.PolicyDocument, vendor, {
    account: VENDOR, region: REGION, attributes: { [vendor.Resources[bucketId].Properties.Bucket.Ref]: { Ref: BUCKET, Arn: `arn:aws:s3:::${BUCKET}` } },
  });
}

const bucketPolicy = vendorBucketPolicy([['acme', ACME], ['globex', GLOBEX]]);
const customerTemplate = synthTemplate(new ContainerCostCustomerTemplate(freshApp(), 'ContainerCost', { vendorAccountId: VENDOR, bucketName: BUCKET })).json;
const roleId = logicalIdsOfType(customerTemplate, 'AWS::IAM::Role')[0];
const env = { account: ACME, region: REGION };
// The writer role exactly as the customer template names it in ACME's account.
const writer = `arn:aws:iam::${ACME}:role/${evaluate(customerTemplate.Resources[roleId].Properties.RoleName, customerTemplate, env)}`;
const ACME_KEY = `arn:aws:kms:${REGION}:${ACME}:key/0123abcd-4567-89ef-0123-456789abcdef`;

function put(headers: Record<string, string>, policies = identityPoliciesOf(customerTemplate, roleId, env)) {
  return isAllowed({
    policies,
    principal: writer,
    action: 's3:PutObject',
    resource: `arn:aws:s3:::${BUCKET}/${ACME}/${REGION}/prod/2026-12-03.csv`,
    resourceAccount: VENDOR,
    resourcePolicy: bucketPolicy,
    context: {
      'aws:PrincipalArn': writer,
      'aws:PrincipalAccount': ACME,
      'aws:PrincipalTag/eks-cluster-name': 'prod',
      'aws:SecureTransport': 'true',
      's3:ResourceAccount': VENDOR,
      ...headers,
    },
  });
}

describe('attack: a customer encrypts its cost objects so the vendor cannot read them', () => {
  test('the customer template\'s writer: a plain write (the bucket\'s SSE-S3 default) and an AES256 write are allowed', () => {
    expect(put({})).toBe('Allowed');
    expect(put({ 's3:x-amz-server-side-encryption': 'AES256' })).toBe('Allowed');
  });

  test('SSE-KMS under the customer\'s own key, and DSSE-KMS, are explicitly denied by the vendor\'s bucket policy', () => {
    expect(put({ 's3:x-amz-server-side-encryption': 'aws:kms', 's3:x-amz-server-side-encryption-aws-kms-key-id': ACME_KEY })).toBe('ExplicitlyDenied');
    expect(put({ 's3:x-amz-server-side-encryption': 'aws:kms:dsse', 's3:x-amz-server-side-encryption-aws-kms-key-id': ACME_KEY })).toBe('ExplicitlyDenied');
  });

  test('SSE-C is explicitly denied, even when the customer\'s admin widens the writer role to all of S3', () => {
    const allOfS3 = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }] };
    expect(put({ 's3:x-amz-server-side-encryption-customer-algorithm': 'AES256' })).toBe('ExplicitlyDenied');
    expect(put({ 's3:x-amz-server-side-encryption-customer-algorithm': 'AES256' }, [allOfS3])).toBe('ExplicitlyDenied');
    expect(put({ 's3:x-amz-server-side-encryption': 'aws:kms' }, [allOfS3])).toBe('ExplicitlyDenied');
  });

  test('the denies are one pair for the bucket, not one per customer', () => {
    const denies = (policy: any) => policy.Statement.filter((s: any) => s.Effect === 'Deny' && /Encryption|ProvidedKeys/.test(s.Sid ?? ''));
    expect(denies(bucketPolicy)).toHaveLength(2);
    expect(denies(vendorBucketPolicy([['acme', ACME]]))).toHaveLength(2);
  });
});

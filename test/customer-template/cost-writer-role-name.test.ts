/**
 * Attack (issue 23 review): one customer account is a customer of two vendors that both use this
 * library. Each vendor's `ContainerCostCustomerTemplate` creates the cost writer role; with one fixed
 * name per region the second stack fails (the role exists) or, worse, a shared name would tie the
 * customer's two vendors to one role. The name carries a vendor key (default: the vendor's account),
 * and the vendor's bucket policy admits only roles with its own key.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { ContainerCostCustomerTemplate, VendorCustomer } from '../../src';
import { evaluate } from '../harness/cfn-eval';
import { identityPoliciesOf, isAllowed, logicalIdsOfType } from '../harness/iam-proof';
import { freshApp, synthTemplate } from '../harness/template-lint';

const VENDOR_A = '111111111111';
const VENDOR_B = '555555555555';
const CUSTOMER = '222222222222';
const REGION = 'us-east-1';
const COST_TEMPLATE = 'https://vendor-templates.s3.us-east-1.amazonaws.com/v1/container-cost.template.json';

function customerTemplate(props: ConstructorParameters<typeof ContainerCostCustomerTemplate>[2]) {
  const t = synthTemplate(new ContainerCostCustomerTemplate(freshApp(), 'ContainerCost', props)).json;
  const roleId = logicalIdsOfType(t, 'AWS::IAM::Role')[0];
  const env = { account: CUSTOMER, region: REGION };
  return { roleName: evaluate(t.Resources[roleId].Properties.RoleName, t, env) as string, policies: identityPoliciesOf(t, roleId, env) };
}

test('one customer account, two vendors with the default key: the writer roles\' names differ (no collision)', () => {
  const a = customerTemplate({ vendorAccountId: VENDOR_A, bucketName: 'vendor-a-cost' });
  const b = customerTemplate({ vendorAccountId: VENDOR_B, bucketName: 'vendor-b-cost' });
  expect(a.roleName).not.toBe(b.roleName);
  expect(a.roleName.length).toBeLessThanOrEqual(64);
});

function vendorBucketPolicy(vendorAccount: string, vendorKey?: string) {
  const stack = new Stack(new App(), 'Vendor', { env: { account: vendorAccount, region: REGION } });
  const bucket = new s3.Bucket(stack, 'CostBucket', { bucketName: 'vendor-cost', enforceSSL: true });
  new VendorCustomer(stack, 'Customer', { customerName: 'acme', customerAccountId: CUSTOMER, region: REGION, containerCost: { templateUrl: COST_TEMPLATE, bucket, vendorKey } });
  const t = Template.fromStack(stack).toJSON();
  const id = logicalIdsOfType(t, 'AWS::S3::BucketPolicy')[0];
  return evaluate(t.Resources[id].Properties.PolicyDocument, t, { account: vendorAccount, region: REGION, attributes: { [t.Resources[id].Properties.Bucket.Ref]: { Ref: 'vendor-cost', Arn: 'arn:aws:s3:::vendor-cost' } } });
}

/** A write by the customer's role of that name into the vendor's bucket, decided by the bucket policy alone (the role may write all of S3). */
function put(vendorAccount: string, bucketPolicy: any, roleName: string) {
  const principal = `arn:aws:iam::${CUSTOMER}:role/${roleName}`;
  return isAllowed({
    policies: [{ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:PutObject', Resource: '*' }] }],
    principal,
    action: 's3:PutObject',
    resource: `arn:aws:s3:::vendor-cost/${CUSTOMER}/${REGION}/prod/c.csv`,
    resourceAccount: vendorAccount,
    resourcePolicy: bucketPolicy,
    context: { 'aws:PrincipalArn': principal, 'aws:PrincipalAccount': CUSTOMER },
  });
}

test('a vendor-chosen key names the role; writerRoleName computes the same name', () => {
  const t = customerTemplate({ vendorAccountId: VENDOR_A, bucketName: 'vendor-cost', vendorKey: 'acmecost' });
  expect(t.roleName).toBe('container-cost-writer-acmecost-us-east-1');
  expect(ContainerCostCustomerTemplate.writerRoleName('acmecost', REGION)).toBe(t.roleName);
  expect(customerTemplate({ vendorAccountId: VENDOR_A, bucketName: 'vendor-cost' }).roleName).toBe(ContainerCostCustomerTemplate.writerRoleName(VENDOR_A, REGION));
});

test('VendorCustomer admits its own key\'s writer role and refuses the other vendor\'s writer in the same customer account (IAM engine)', () => {
  const defaults = vendorBucketPolicy(VENDOR_A);
  expect(put(VENDOR_A, defaults, customerTemplate({ vendorAccountId: VENDOR_A, bucketName: 'vendor-cost' }).roleName)).toBe('Allowed');
  expect(put(VENDOR_A, defaults, customerTemplate({ vendorAccountId: VENDOR_B, bucketName: 'vendor-cost' }).roleName)).not.toBe('Allowed');
  const keyed = vendorBucketPolicy(VENDOR_A, 'acme');
  expect(put(VENDOR_A, keyed, ContainerCostCustomerTemplate.writerRoleName('acme', REGION))).toBe('Allowed');
  // No "-" in a key: the pattern container-cost-writer-acme-* cannot reach the key "acmeeu" (or any other key's roles).
  expect(put(VENDOR_A, keyed, ContainerCostCustomerTemplate.writerRoleName('acmeeu', REGION))).not.toBe('Allowed');
  expect(put(VENDOR_A, keyed, ContainerCostCustomerTemplate.writerRoleName(VENDOR_A, REGION))).not.toBe('Allowed');
});

test('the longest key fits IAM\'s 64 characters in the longest region names', () => {
  for (const region of ['ap-southeast-7', 'us-isob-east-1', 'eu-isoe-west-1', 'us-gov-west-1']) {
    expect(ContainerCostCustomerTemplate.writerRoleName('a'.repeat(24), region).length).toBeLessThanOrEqual(64);
  }
});

test('bad vendor keys are refused by name, on both sides', () => {
  expect(() => customerTemplate({ vendorAccountId: VENDOR_A, bucketName: 'vendor-cost', vendorKey: 'Acme-EU' }))
    .toThrow(/vendorKey: got "Acme-EU" \(does not match\); expected a vendor key: 1-24 characters from a-z 0-9/);
  expect(() => customerTemplate({ vendorAccountId: VENDOR_A, bucketName: 'vendor-cost', vendorKey: 'a'.repeat(25) })).toThrow(/vendorKey/);
  const stack = new Stack(new App(), 'Vendor', { env: { account: VENDOR_A, region: REGION } });
  const bucket = new s3.Bucket(stack, 'CostBucket', { bucketName: 'vendor-cost' });
  expect(() => new VendorCustomer(stack, 'C', { customerName: 'acme', customerAccountId: CUSTOMER, region: REGION, containerCost: { templateUrl: COST_TEMPLATE, bucket, vendorKey: 'acme-eu' } }))
    .toThrow(/containerCost\.vendorKey: got "acme-eu"/);
  expect(() => new VendorCustomer(stack, 'D', { customerName: 'acme', customerAccountId: CUSTOMER, region: REGION, containerCost: { templateUrl: COST_TEMPLATE, bucket, vendorKey: 42 as any } }))
    .toThrow(/containerCost\.vendorKey: got number 42; expected a vendor key/);
});

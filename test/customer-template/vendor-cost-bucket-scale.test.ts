/**
 * Attack (issue 23 review): per-customer bucket-policy statements (about 860 characters each) fill S3's
 * 20 KB bucket policy at about twenty customers. One shared statement pair, with `${aws:PrincipalAccount}`
 * in its Resource (in a bucket policy that is the requesting customer's account) and the listed
 * customers' accounts as its principals, keeps each customer on its own prefix at one account ARN per
 * customer and statement. The isolation itself (A never writes or lists B's prefix, strangers refused)
 * is proven against this shared policy in collector-and-cost-templates.test.ts and below.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { ContainerCostCustomerTemplate, VendorCustomer } from '../../src';
import { evaluate } from '../harness/cfn-eval';
import { isAllowed, logicalIdsOfType } from '../harness/iam-proof';

const VENDOR = '111111111111';
const REGION = 'us-east-1';
const COST_TEMPLATE = 'https://vendor-templates.s3.us-east-1.amazonaws.com/v1/container-cost.template.json';
const account = (i: number) => String(200000000000 + i);

function bucketPolicyWith(count: number, vendorKeyOf: (i: number) => string | undefined = () => undefined) {
  const stack = new Stack(new App(), 'V', { env: { account: VENDOR, region: REGION } });
  const bucket = new s3.Bucket(stack, 'Cost', { bucketName: 'vendor-cost', enforceSSL: true });
  for (let i = 0; i < count; i++) {
    new VendorCustomer(stack, `C${i}`, { customerName: `customer-${i}`, customerAccountId: account(i), region: REGION, containerCost: { templateUrl: COST_TEMPLATE, bucket, vendorKey: vendorKeyOf(i) } });
  }
  const t = Template.fromStack(stack).toJSON();
  const id = logicalIdsOfType(t, 'AWS::S3::BucketPolicy')[0];
  return evaluate(t.Resources[id].Properties.PolicyDocument, t, { account: VENDOR, region: REGION, attributes: { [t.Resources[id].Properties.Bucket.Ref]: { Ref: 'vendor-cost', Arn: 'arn:aws:s3:::vendor-cost' } } });
}

test('each further customer adds under 80 characters to the bucket policy (was about 860)', () => {
  const size = (n: number) => JSON.stringify(bucketPolicyWith(n)).length;
  expect((size(20) - size(10)) / 10).toBeLessThan(80);
});

test('a hundred customers fit one bucket (S3\'s 20 KB), each admitted to its own prefix only', () => {
  const policy = bucketPolicyWith(100);
  expect(JSON.stringify(policy).length).toBeLessThan(20_480);
  const put = (caller: number, owner: number, roleName = ContainerCostCustomerTemplate.writerRoleName(VENDOR, REGION)) => {
    const principal = `arn:aws:iam::${account(caller)}:role/${roleName}`;
    return isAllowed({
      policies: [{ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:PutObject', Resource: '*' }] }],
      principal,
      action: 's3:PutObject',
      resource: `arn:aws:s3:::vendor-cost/${account(owner)}/${REGION}/prod/c.csv`,
      resourceAccount: VENDOR,
      resourcePolicy: policy,
      context: { 'aws:PrincipalArn': principal, 'aws:PrincipalAccount': account(caller) },
    });
  };
  expect(put(0, 0)).toBe('Allowed');
  expect(put(99, 99)).toBe('Allowed');
  expect(put(99, 0)).not.toBe('Allowed');
  expect(put(150, 150)).not.toBe('Allowed');
  expect(put(5, 5, 'some-other-role')).not.toBe('Allowed');
});

test('customers given different vendor keys on one bucket: each key\'s roles, of that key\'s customers only', () => {
  const policy = bucketPolicyWith(4, (i) => (i % 2 === 0 ? 'even' : 'odd'));
  const put = (caller: number, key: string) => {
    const principal = `arn:aws:iam::${account(caller)}:role/${ContainerCostCustomerTemplate.writerRoleName(key, REGION)}`;
    return isAllowed({
      policies: [{ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:PutObject', Resource: '*' }] }],
      principal,
      action: 's3:PutObject',
      resource: `arn:aws:s3:::vendor-cost/${account(caller)}/${REGION}/prod/c.csv`,
      resourceAccount: VENDOR,
      resourcePolicy: policy,
      context: { 'aws:PrincipalArn': principal, 'aws:PrincipalAccount': account(caller) },
    });
  };
  expect(put(0, 'even')).toBe('Allowed');
  expect(put(1, 'odd')).toBe('Allowed');
  expect(put(0, 'odd')).not.toBe('Allowed');
  expect(put(1, 'even')).not.toBe('Allowed');
});

/**
 * README "One VendorCustomer per customer": with all four flows each customer adds 8 outputs, so one
 * vendor stack holds 25 customers before CloudFormation's 200 outputs per template, and synth fails
 * beyond. The README used to say 100.
 */
import * as fs from 'fs';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { VendorCustomer } from '../../src';

const WORKSPACE = 'arn:aws:aps:us-east-1:111111111111:workspace/ws-0123abcd-4567-89ef-0123-456789abcdef';
const url = (name: string) => `https://vendor-templates.s3.us-east-1.amazonaws.com/v1/${name}.template.json`;

function vendorWith(customers: number): Stack {
  const vendor = new Stack(new App(), 'Vendor', { env: { account: '111111111111', region: 'us-east-1' } });
  const bucket = new s3.Bucket(vendor, 'CostBucket', { bucketName: 'vendor-container-cost', enforceSSL: true });
  for (let i = 0; i < customers; i++) {
    new VendorCustomer(vendor, `c${i}`, {
      customerName: `c${i}`,
      customerAccountId: String(200000000000 + i),
      region: 'us-east-1',
      containerInsights: { templateUrl: url('container-insights') },
      remoteWrite: { templateUrl: url('remote-write'), workspaceArn: WORKSPACE },
      ampCollector: { workspaceArn: WORKSPACE, clusterName: 'prod', templateUrl: url('amp-collector') },
      containerCost: { templateUrl: url('container-cost'), bucket },
    });
  }
  return vendor;
}

const outputs = (stack: Stack) => Object.keys((stack.node.root as App).synth().getStackByName(stack.stackName).template.Outputs ?? {}).length;

test('with all four flows a customer adds 8 outputs, and 25 customers fit one stack', () => {
  expect(outputs(vendorWith(1))).toBe(8);
  expect(outputs(vendorWith(25))).toBe(200);
});

test('README states the same figure', () => {
  const readme = fs.readFileSync(path.join(__dirname, '..', '..', 'README.md'), 'utf8').replace(/\s+/g, ' ');
  expect(readme).toContain('each customer adds 8 outputs, so a stack holds 25 customers');
});

test('the 26th customer fails synth on the 200-output quota', () => {
  expect(() => outputs(vendorWith(26))).toThrow(/208 Outputs, over CloudFormation's quota of 200/);
});

import { Aws, Lazy, Token } from 'aws-cdk-lib';
import { ACCOUNT_ID, REGION } from '../../src/core/rules';
import { PropsValidator } from '../../src/core/validation';

test('collects every problem and throws one error naming each prop and the expected form', () => {
  const v = new PropsValidator("Thing 'Stack/Thing'");
  v.check('sourceAccountId', '1234', ACCOUNT_ID).check('region', 'moon-1', REGION).required('clusters', []);
  expect(() => v.throwIfAny()).toThrow(
    "Thing 'Stack/Thing': invalid props (3 problems):\n"
    + '  - sourceAccountId: got "1234" (does not match); expected a 12-digit AWS account ID\n'
    + '  - region: got "moon-1" (does not match); expected an AWS region name such as us-east-1\n'
    + '  - clusters: is required',
  );
});

test('tokens pass through construct validation untouched', () => {
  const v = new PropsValidator('Thing');
  v.check('sourceAccountId', Aws.ACCOUNT_ID, ACCOUNT_ID).check('region', Lazy.string({ produce: () => 'x' }), REGION);
  v.integer('limit', Token.asNumber(Aws.NO_VALUE), 1, 2, { tokens: 'carried' });
  expect(() => v.throwIfAny()).not.toThrow();
});

test('a deploy-time number or list that the construct needs at synth is refused by name (issue 22: -1.888e+289 in helm values)', () => {
  const v = new PropsValidator('Thing');
  v.integer('limit', Token.asNumber(Aws.NO_VALUE), 1, 2);
  v.list('clusters', Token.asList(Aws.NOTIFICATION_ARNS), 'object');
  expect(() => v.throwIfAny()).toThrow(/2 problems[\s\S]*limit: is a deploy-time number \(token\)[\s\S]*clusters: is a deploy-time list \(token\)/);
});

test('a chart rejects tokens: they would be written into YAML as ${Token[...]}', () => {
  const v = PropsValidator.forChart('Chart');
  v.check('roleArn', Aws.ACCOUNT_ID, ACCOUNT_ID);
  expect(() => v.throwIfAny()).toThrow(/roleArn: is a CDK token/);
});

test('absent optional values are not checked; integers are range-checked', () => {
  const v = new PropsValidator('Thing');
  v.check('optional', undefined, ACCOUNT_ID).integer('limit', 2.5, 1, 10).integer('other', 0, 1, 10).integer('fine', 5, 1, 10);
  expect(() => v.throwIfAny()).toThrow(/2 problems[\s\S]*limit: got 2.5; expected a whole number from 1 to 10[\s\S]*other: got 0/);
});

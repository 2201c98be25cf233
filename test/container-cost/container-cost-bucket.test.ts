import { App, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { ContainerCostBucket, ContainerCostBucketProps, ContainerCostEncryption } from '../../src';
import { OWNER_TAG } from '../../src/container-cost/role-sync/naming';
import { OTHER_ACCOUNT, REGION, SOURCE_ACCOUNT, stackIn } from '../fixtures';
import { evaluate } from '../harness/cfn-eval';
import { identityPoliciesOf, isAllowed, logicalIdsOfType } from '../harness/iam-proof';
import { expectNagClean } from '../harness/nag';
import { templateForSnapshot } from '../harness/snapshot';

const ENV = { account: SOURCE_ACCOUNT, region: REGION };
const BUCKET = `container-cost-${SOURCE_ACCOUNT}`;

function build(props: ContainerCostBucketProps = {}, stack = stackIn(SOURCE_ACCOUNT)) {
  const cost = new ContainerCostBucket(stack, 'Cost', props);
  const template = Template.fromStack(stack);
  return { stack, cost, template, json: template.toJSON() };
}

describe('the bucket', () => {
  const { template, json, cost } = build();

  test('named container-cost-<account>, SSE-S3, all public access blocked, owner-enforced, retained', () => {
    expect(cost.bucketName).toBe(BUCKET);
    template.hasResource('AWS::S3::Bucket', {
      Properties: {
        BucketName: BUCKET,
        BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
        PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
        OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
        VersioningConfiguration: Match.absent(),
      },
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
  });

  test('outputs the bucket name and its HTTPS URL', () => {
    const outputs = Object.values<any>(json.Outputs).map((o) => evaluate(o.Value, json, ENV));
    expect(outputs).toEqual([BUCKET, `https://${BUCKET}.s3.${REGION}.amazonaws.com`]);
  });

  test('the bucket policy denies every request without TLS, even from a principal allowed to write (iam-simulate)', () => {
    const bucketPolicy = evaluate(Object.values<any>(json.Resources).find((r) => r.Type === 'AWS::S3::BucketPolicy').Properties.PolicyDocument, json, ENV);
    const writer = [{ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:PutObject', Resource: `arn:aws:s3:::${BUCKET}/*` }] }];
    const put = (secure: string) => isAllowed({
      policies: writer,
      principal: `arn:aws:iam::${SOURCE_ACCOUNT}:role/writer`,
      action: 's3:PutObject',
      resource: `arn:aws:s3:::${BUCKET}/us-east-1/prod/x.parquet`,
      resourcePolicy: bucketPolicy,
      context: { 'aws:SecureTransport': secure },
    });
    expect(put('true')).toBe('Allowed');
    expect(put('false')).toBe('ExplicitlyDenied');
  });
});

describe('options', () => {
  test('KMS, versioning, expiry, access logs, another prefix and removal policy', () => {
    const stack = stackIn(SOURCE_ACCOUNT);
    const logsBucket = s3.Bucket.fromBucketName(stack, 'Logs', 'access-logs');
    const { template, cost } = build({
      encryption: ContainerCostEncryption.KMS,
      versioned: true,
      expiration: Duration.days(400),
      serverAccessLogsBucket: logsBucket,
      bucketNamePrefix: 'acme-cost',
      removalPolicy: RemovalPolicy.DESTROY,
    }, stack);
    expect(cost.bucketName).toBe(`acme-cost-${SOURCE_ACCOUNT}`);
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    template.hasResource('AWS::S3::Bucket', {
      Properties: {
        BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: Match.anyValue() }, BucketKeyEnabled: true }] },
        VersioningConfiguration: { Status: 'Enabled' },
        LifecycleConfiguration: {
          Rules: [Match.objectLike({
            ExpirationInDays: 400, NoncurrentVersionExpiration: { NoncurrentDays: 400 }, AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 },
          })],
        },
        LoggingConfiguration: { DestinationBucketName: 'access-logs', LogFilePrefix: 'container-cost/' },
      },
      DeletionPolicy: 'Delete',
    });
    template.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: Match.objectLike({ KMS_KEY_ARN: { 'Fn::GetAtt': [Match.stringLikeRegexp('^CostKey'), 'Arn'] } }) } });
  });
});

describe('read access', () => {
  test('readerRoleName gets s3:GetObject and s3:ListBucket on this bucket only', () => {
    const { template, json } = build({ readerRoleName: 'cost-platform-onboarding' });
    template.hasResourceProperties('AWS::IAM::Policy', { Roles: ['cost-platform-onboarding'] });
    const policy = evaluate(Object.values<any>(json.Resources).find((r) => r.Type === 'AWS::IAM::Policy' && r.Properties.Roles?.includes('cost-platform-onboarding')).Properties.PolicyDocument, json, ENV);
    const principal = `arn:aws:iam::${SOURCE_ACCOUNT}:role/cost-platform-onboarding`;
    const can = (action: string, resource: string) => isAllowed({ policies: [policy], principal, action, resource });
    expect(can('s3:GetObject', `arn:aws:s3:::${BUCKET}/us-east-1/prod/x.parquet`)).toBe('Allowed');
    expect(can('s3:ListBucket', `arn:aws:s3:::${BUCKET}`)).toBe('Allowed');
    expect(can('s3:PutObject', `arn:aws:s3:::${BUCKET}/x`)).toBe('ImplicitlyDenied');
    expect(can('s3:DeleteObject', `arn:aws:s3:::${BUCKET}/x`)).toBe('ImplicitlyDenied');
    expect(can('s3:GetObject', 'arn:aws:s3:::another-bucket/x')).toBe('ImplicitlyDenied');
  });

  test('grantRead to a principal of another account goes into the bucket policy', () => {
    const stack = stackIn(SOURCE_ACCOUNT);
    const cost = new ContainerCostBucket(stack, 'Cost');
    cost.grantRead(new iam.ArnPrincipal(`arn:aws:iam::${OTHER_ACCOUNT}:role/vendor-reader`));
    const statements = Template.fromStack(stack).toJSON();
    const policy = evaluate(Object.values<any>(statements.Resources).find((r) => r.Type === 'AWS::S3::BucketPolicy').Properties.PolicyDocument, statements, ENV);
    expect(policy.Statement).toEqual(expect.arrayContaining([
      expect.objectContaining({ Effect: 'Allow', Action: 's3:GetObject', Principal: { AWS: `arn:aws:iam::${OTHER_ACCOUNT}:role/vendor-reader` } }),
      expect.objectContaining({ Effect: 'Allow', Action: 's3:ListBucket', Principal: { AWS: `arn:aws:iam::${OTHER_ACCOUNT}:role/vendor-reader` } }),
    ]));
  });
});

describe('IAM user fallback', () => {
  const { template, json, cost } = build({ createIamUser: true });

  test('a user that may write only its own prefix; its key in Secrets Manager and never in an output', () => {
    expect(cost.user).toBeDefined();
    template.resourceCountIs('AWS::IAM::User', 1);
    template.resourceCountIs('AWS::IAM::AccessKey', 1);
    template.hasResourceProperties('AWS::SecretsManager::Secret', { SecretString: Match.anyValue() });
    expect(JSON.stringify(json.Outputs)).not.toMatch(/SecretAccessKey/);
    const policy = evaluate(Object.values<any>(json.Resources).find((r) => r.Type === 'AWS::IAM::Policy' && r.Properties.Users).Properties.PolicyDocument, json, ENV);
    const principal = `arn:aws:iam::${SOURCE_ACCOUNT}:user/container-cost-s3-writer`;
    const can = (action: string, resource: string, context: Record<string, string> = {}) =>
      isAllowed({ policies: [policy], principal, action, resource, context });
    expect(can('s3:PutObject', `arn:aws:s3:::${BUCKET}/iam-user/cluster-a/x.parquet`)).toBe('Allowed');
    expect(can('s3:PutObject', `arn:aws:s3:::${BUCKET}/us-east-1/prod/x.parquet`)).toBe('ImplicitlyDenied');
    expect(can('s3:GetObject', `arn:aws:s3:::${BUCKET}/iam-user/x`)).toBe('ImplicitlyDenied');
    expect(can('s3:ListBucket', `arn:aws:s3:::${BUCKET}`, { 's3:prefix': 'iam-user/' })).toBe('Allowed');
    expect(can('s3:ListBucket', `arn:aws:s3:::${BUCKET}`, { 's3:prefix': 'us-east-1/' })).toBe('ImplicitlyDenied');
  });
});

describe('the reconciler', () => {
  const { template, json, cost } = build({ includeRegions: ['us-east-1', 'eu-west-1'], schedule: events.Schedule.rate(Duration.hours(2)) });
  const roleId = logicalIdsOfType(json, 'AWS::IAM::Role').find((id) => id.startsWith('CostReconcilerRole'))!;
  const policies = identityPoliciesOf(json, roleId, ENV);
  const principal = `arn:aws:iam::${SOURCE_ACCOUNT}:role/reconciler`;
  const ourRole = (name: string) => `arn:aws:iam::${SOURCE_ACCOUNT}:role${cost.rolePath}${name}`;

  test('a Node.js 22 function configured by its environment', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs22.x',
      Timeout: 900,
      ReservedConcurrentExecutions: Match.absent(),
      Environment: { Variables: Match.objectLike({ INCLUDE_REGIONS: 'us-east-1,eu-west-1', OWNER_KEY: cost.ownerKey, AGENT_NAMESPACE: 'container-cost', AGENT_SERVICE_ACCOUNT: 'container-cost-agent' }) },
    });
    expect(cost.rolePath).toBe(`/container-cost/${cost.ownerKey}/`);
    expect(cost.ownerKey).toMatch(/^[0-9a-f]{12}$/);
  });

  test('run by the custom resource on deploy and by the schedule; the schedule is deleted before the roles', () => {
    template.hasResourceProperties('Custom::ContainerCostAgentRoles', { OwnerKey: cost.ownerKey, ConfigFingerprint: Match.stringLikeRegexp('^[0-9a-f]{16}$') });
    const [ruleId] = logicalIdsOfType(json, 'AWS::Events::Rule');
    expect(json.Resources[ruleId].Properties.ScheduleExpression).toBe('rate(2 hours)');
    expect(json.Resources[ruleId].DependsOn).toEqual(expect.arrayContaining([expect.stringMatching(/^CostAgentRoles/)]));
  });

  test('it may create roles only under its path with its owner tag', () => {
    const create = (resource: string, owner?: string) => isAllowed({ policies, principal, action: 'iam:CreateRole', resource, context: owner ? { [`aws:RequestTag/${OWNER_TAG}`]: owner } : {} });
    expect(create(ourRole('container-cost-prod-us-east-1'), cost.ownerKey)).toBe('Allowed');
    expect(create(ourRole('container-cost-prod-us-east-1'))).toBe('ImplicitlyDenied');
    expect(create(ourRole('container-cost-prod-us-east-1'), 'other-owner')).toBe('ImplicitlyDenied');
    expect(create(`arn:aws:iam::${SOURCE_ACCOUNT}:role/container-cost-prod-us-east-1`, cost.ownerKey)).toBe('ImplicitlyDenied');
    expect(create(`arn:aws:iam::${SOURCE_ACCOUNT}:role/container-cost/ffffffffffff/x`, cost.ownerKey)).toBe('ImplicitlyDenied');
  });

  test('it cannot touch any role outside its path, nor one in it without its owner tag', () => {
    const change = (action: string, resource: string, owner?: string) => isAllowed({ policies, principal, action, resource, context: owner ? { [`iam:ResourceTag/${OWNER_TAG}`]: owner } : {} });
    for (const action of ['iam:DeleteRole', 'iam:UpdateAssumeRolePolicy', 'iam:PutRolePolicy', 'iam:DeleteRolePolicy']) {
      expect(change(action, ourRole('container-cost-prod-us-east-1'), cost.ownerKey)).toBe('Allowed');
      expect(change(action, ourRole('container-cost-prod-us-east-1'))).toBe('ImplicitlyDenied');
      expect(change(action, ourRole('container-cost-prod-us-east-1'), 'other-owner')).toBe('ImplicitlyDenied');
      expect(change(action, `arn:aws:iam::${SOURCE_ACCOUNT}:role/admin`, cost.ownerKey)).toBe('ImplicitlyDenied');
      expect(change(action, `arn:aws:iam::${SOURCE_ACCOUNT}:role/container-cost/ffffffffffff/container-cost-prod-us-east-1`, cost.ownerKey)).toBe('ImplicitlyDenied');
      expect(change(action, `arn:aws:iam::${SOURCE_ACCOUNT}:role/container-cost-lookalike`, cost.ownerKey)).toBe('ImplicitlyDenied');
    }
    for (const action of ['iam:AttachRolePolicy', 'iam:PassRole', 'iam:CreatePolicy', 'iam:CreateUser', 'iam:UpdateRole', 'eks:DeleteCluster', 's3:PutObject']) {
      expect(change(action, ourRole('x'), cost.ownerKey)).toBe('ImplicitlyDenied');
    }
  });

  test('it may read what it needs', () => {
    const can = (action: string, resource: string) => isAllowed({ policies, principal, action, resource });
    expect(can('iam:GetRole', ourRole('x'))).toBe('Allowed');
    expect(can('iam:GetRole', `arn:aws:iam::${SOURCE_ACCOUNT}:role/admin`)).toBe('ImplicitlyDenied');
    expect(can('iam:ListRoles', '*')).toBe('Allowed');
    expect(can('eks:ListClusters', '*')).toBe('Allowed');
    expect(can('eks:DescribeCluster', `arn:aws:eks:eu-west-1:${SOURCE_ACCOUNT}:cluster/prod`)).toBe('Allowed');
    expect(can('eks:DescribeCluster', `arn:aws:eks:eu-west-1:${OTHER_ACCOUNT}:cluster/prod`)).toBe('ImplicitlyDenied');
  });
});

test('agent role names and ARNs follow the one rule', () => {
  const { cost } = build();
  expect(ContainerCostBucket.agentRoleName('prod', 'us-east-1')).toBe('container-cost-prod-us-east-1');
  expect(cost.agentRoleArn('prod', 'us-east-1')).toBe(`arn:aws:iam::${SOURCE_ACCOUNT}:role/container-cost/${cost.ownerKey}/container-cost-prod-us-east-1`);
  const long = ContainerCostBucket.agentRoleName('c'.repeat(70), 'ap-southeast-1');
  expect(long).toHaveLength(64);
});

test('the owner key differs between stacks of different regions, and is stable', () => {
  const a = build({}, new Stack(new App(), 'Cost', { env: { account: SOURCE_ACCOUNT, region: 'us-east-1' } })).cost.ownerKey;
  const b = build({}, new Stack(new App(), 'Cost', { env: { account: SOURCE_ACCOUNT, region: 'eu-west-1' } })).cost.ownerKey;
  const again = build({}, new Stack(new App(), 'Cost', { env: { account: SOURCE_ACCOUNT, region: 'us-east-1' } })).cost.ownerKey;
  expect(a).not.toBe(b);
  expect(a).toBe(again);
});

describe('cdk-nag', () => {
  test('default', () => expectNagClean(build().stack));
  test('every option', () => expectNagClean(build({ readerRoleName: 'reader', createIamUser: true, encryption: ContainerCostEncryption.KMS, versioned: true }).stack));
});

describe('bad input', () => {
  test.each([
    ['region', { includeRegions: ['us-east-1', 'mars'] }, /includeRegions\[1\]: got "mars"/],
    ['duplicate region', { includeRegions: ['us-east-1', 'us-east-1'] }, /includeRegions: lists a region twice/],
    ['reader role name', { readerRoleName: 'arn:aws:iam::222222222222:role/reader' }, /readerRoleName: .*IAM role name/],
    ['namespace', { agentServiceAccount: { namespace: 'Cost', name: 'agent' } }, /agentServiceAccount\.namespace/],
    ['bucket prefix', { bucketNamePrefix: 'Container_Cost' }, /bucketNamePrefix: got "Container_Cost"/],
    ['owner id', { ownerId: 'A B' }, /ownerId: got "A B"/],
    ['key without KMS', { encryptionKey: {} as any }, /encryptionKey: only applies with encryption KMS/],
    ['expiration under a day', { expiration: Duration.hours(3) }, /expiration: must be at least one day/],
  ])('%s', (_name, props, message) => {
    expect(() => build(props as ContainerCostBucketProps)).toThrow(message);
  });

  test('an environment-agnostic stack needs an owner ID and regions', () => {
    expect(() => build({}, new Stack(new App(), 'Agnostic'))).toThrow(/includeRegions: is required[\s\S]*ownerId: is required/);
    expect(() => build({ ownerId: 'cost-prod', includeRegions: ['us-east-1'] }, new Stack(new App(), 'Agnostic'))).not.toThrow();
  });
});

test('snapshot', () => {
  expect(templateForSnapshot(build({ readerRoleName: 'cost-platform-onboarding' }).stack)).toMatchSnapshot();
});

import { App, CfnParameter, Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { ContainerCostAgentIdentity, ContainerCostBucket, ContainerCostBucketProps, ContainerCostEncryption, ReconcilerDriftReads } from '../../src';
import { OWNER_TAG, PREFIX_TAG } from '../../src/container-cost/role-sync/naming';
import { policySize } from '../../src/core/policy-size';
import { OTHER_ACCOUNT, REGION, SOURCE_ACCOUNT, stackIn } from '../fixtures';
import { evaluate } from '../harness/cfn-eval';
import { identityPoliciesOf, isAllowed, isAllowedWithinBoundary, logicalIdsOfType } from '../harness/iam-proof';
import { acknowledgements, expectNagClean } from '../harness/nag';
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
  const clusters = [{ clusterName: 'legacy', region: 'us-east-1' }, { clusterName: 'edge', region: 'us-east-1' }];
  const { template, json, cost } = build({
    agentIdentity: ContainerCostAgentIdentity.IAM_USER, iamUserClusters: clusters, encryption: ContainerCostEncryption.KMS,
  });
  const keyId = logicalIdsOfType(json, 'AWS::KMS::Key')[0];
  const keyArn = `arn:aws:kms:${REGION}:${SOURCE_ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
  const KENV = { ...ENV, attributes: { [keyId]: { Arn: keyArn } } };
  const userPolicy = (userName: string) => {
    const userId = Object.entries<any>(json.Resources).find(([, r]) => r.Type === 'AWS::IAM::User' && r.Properties.UserName === userName)![0];
    return evaluate(Object.values<any>(json.Resources).find((r) => r.Type === 'AWS::IAM::Policy' && r.Properties.Users?.some((u: any) => u.Ref === userId)).Properties.PolicyDocument, json, KENV);
  };

  test('user mode deploys no reconciler, no schedule and no boundary', () => {
    expect(cost.reconciler).toBeUndefined();
    template.resourceCountIs('AWS::Lambda::Function', 0);
    template.resourceCountIs('AWS::Events::Rule', 0);
    template.resourceCountIs('AWS::IAM::ManagedPolicy', 0);
  });

  test('one user per cluster, each writing only its own cluster\'s prefix; keys in Secrets Manager, never in an output', () => {
    expect(cost.users).toHaveLength(2);
    template.resourceCountIs('AWS::IAM::User', 2);
    template.resourceCountIs('AWS::IAM::AccessKey', 2);
    template.hasResourceProperties('AWS::SecretsManager::Secret', { Name: `container-cost/${cost.ownerKey}/container-cost-legacy-us-east-1`, SecretString: Match.anyValue() });
    expect(cost.userCredentialsSecretName('legacy', 'us-east-1')).toBe(`container-cost/${cost.ownerKey}/container-cost-legacy-us-east-1`);
    expect(JSON.stringify(json.Outputs)).not.toMatch(/SecretAccessKey/);
    const policy = userPolicy('container-cost-legacy-us-east-1');
    const principal = `arn:aws:iam::${SOURCE_ACCOUNT}:user${cost.rolePath}container-cost-legacy-us-east-1`;
    const can = (action: string, resource: string, context: Record<string, string> = {}) =>
      isAllowed({ policies: [policy], principal, action, resource, context });
    expect(can('s3:PutObject', `arn:aws:s3:::${BUCKET}/iam-user/us-east-1/legacy/x.parquet`)).toBe('Allowed');
    expect(can('s3:PutObject', `arn:aws:s3:::${BUCKET}/iam-user/us-east-1/edge/x.parquet`)).toBe('ImplicitlyDenied');
    expect(can('s3:PutObject', `arn:aws:s3:::${BUCKET}/us-east-1/prod/x.parquet`)).toBe('ImplicitlyDenied');
    expect(can('s3:GetObject', `arn:aws:s3:::${BUCKET}/iam-user/us-east-1/legacy/x`)).toBe('ImplicitlyDenied');
    expect(can('s3:ListBucket', `arn:aws:s3:::${BUCKET}`, { 's3:prefix': 'iam-user/us-east-1/legacy/' })).toBe('Allowed');
    expect(can('s3:ListBucket', `arn:aws:s3:::${BUCKET}`, { 's3:prefix': 'iam-user/us-east-1/edge/' })).toBe('ImplicitlyDenied');
  });

  test('with SSE-KMS the user may do a multipart upload: kms:GenerateDataKey and kms:Decrypt on the bucket key, no more', () => {
    const policy = userPolicy('container-cost-legacy-us-east-1');
    // KMS needs the key policy to delegate to IAM, as the key's default policy (from the template) does.
    const keyPolicy = evaluate(json.Resources[keyId].Properties.KeyPolicy, json, KENV);
    const can = (action: string) => isAllowed({ policies: [policy], principal: `arn:aws:iam::${SOURCE_ACCOUNT}:user/x`, action, resource: keyArn, resourcePolicy: keyPolicy });
    expect(can('kms:GenerateDataKey')).toBe('Allowed');
    expect(can('kms:Decrypt')).toBe('Allowed');
    expect(can('kms:Encrypt')).toBe('ImplicitlyDenied');
  });

  test('both modes: roles and users side by side; the old createIamUser flag means both', () => {
    const both = build({ createIamUser: true, iamUserClusters: [clusters[0]] });
    expect(both.cost.agentIdentity).toBe(ContainerCostAgentIdentity.ROLES_AND_IAM_USER);
    expect(both.cost.reconciler).toBeDefined();
    both.template.resourceCountIs('AWS::IAM::User', 1);
  });
});

describe('the reconciler', () => {
  const { template, json, cost } = build({ includeRegions: ['us-east-1', 'eu-west-1'], schedule: events.Schedule.rate(Duration.hours(2)) });
  const roleId = logicalIdsOfType(json, 'AWS::IAM::Role').find((id) => id.startsWith('CostReconcilerRole'))!;
  const reconcilerRoleArn = `arn:aws:iam::${SOURCE_ACCOUNT}:role/Stack-CostReconcilerRole`;
  const RENV = { ...ENV, attributes: { [roleId]: { Ref: 'Stack-CostReconcilerRole', Arn: reconcilerRoleArn } } };
  const policies = identityPoliciesOf(json, roleId, RENV);
  const principal = reconcilerRoleArn;
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

  const boundaryArn = `arn:aws:iam::${SOURCE_ACCOUNT}:policy${cost.rolePath}container-cost-agent-boundary-${cost.ownerKey}`;
  const TAGS = [OWNER_TAG, 'container-cost:cluster-arn', 'container-cost:managed-by', PREFIX_TAG];
  const createContext = (over: Record<string, string | string[]> = {}) => ({
    'iam:PermissionsBoundary': boundaryArn, [`aws:RequestTag/${OWNER_TAG}`]: cost.ownerKey, [`aws:RequestTag/${PREFIX_TAG}`]: 'us-east-1/prod/', 'aws:TagKeys': TAGS, ...over,
  });
  const ask = (action: string, resource: string, context: Record<string, string | string[]> = {}) =>
    isAllowed({ policies, principal, action, resource, context });

  test('it may create roles at exactly its path, only with this stack\'s boundary, owner tag and a prefix tag', () => {
    const create = (resource: string, context: Record<string, string | string[]>) => ask('iam:CreateRole', resource, context);
    expect(create(ourRole('container-cost-prod-us-east-1'), createContext())).toBe('Allowed');
    expect(ask('iam:TagRole', ourRole('container-cost-prod-us-east-1'), createContext())).toBe('Allowed');
    // Attack: a role without a boundary, or with another one (say AdministratorAccess), trusting anyone.
    const { ['iam:PermissionsBoundary']: _omit, ...noBoundary } = createContext();
    expect(create(ourRole('evil'), noBoundary)).toBe('ExplicitlyDenied');
    expect(create(ourRole('evil'), createContext({ 'iam:PermissionsBoundary': 'arn:aws:iam::aws:policy/AdministratorAccess' }))).toBe('ExplicitlyDenied');
    expect(create(ourRole('evil'), createContext({ [`aws:RequestTag/${OWNER_TAG}`]: 'other-owner' }))).toBe('ImplicitlyDenied');
    expect(create(ourRole('evil'), createContext({ [`aws:RequestTag/${PREFIX_TAG}`]: '' }))).toBe('ImplicitlyDenied');
    expect(create(ourRole('evil'), createContext({ 'aws:TagKeys': [...TAGS, 'extra'] }))).toBe('ImplicitlyDenied');
    // Attack: one path segment deeper, where no listing would ever find it; or any other path.
    expect(create(`arn:aws:iam::${SOURCE_ACCOUNT}:role${cost.rolePath}hidden/evil`, createContext())).toBe('ExplicitlyDenied');
    expect(create(`arn:aws:iam::${SOURCE_ACCOUNT}:role/container-cost-prod-us-east-1`, createContext())).toBe('ImplicitlyDenied');
    expect(create(`arn:aws:iam::${SOURCE_ACCOUNT}:role/container-cost/ffffffffffff/x`, createContext())).toBe('ImplicitlyDenied');
  });

  test('the prefix tag a role gets is a cluster prefix of an included region: never a fallback user\'s, never deeper', () => {
    const create = (prefix: string) => ask('iam:CreateRole', ourRole('evil'), createContext({ [`aws:RequestTag/${PREFIX_TAG}`]: prefix }));
    expect(create('eu-west-1/prod/')).toBe('Allowed');
    expect(create('iam-user/us-east-1/')).not.toBe('Allowed');
    expect(create('iam-user/us-east-1/legacy/')).not.toBe('Allowed');
    expect(create('us-east-1/a/b/')).not.toBe('Allowed');
    expect(create('ap-south-1/prod/')).not.toBe('Allowed');
  });

  test('it may change only bounded roles it owns at exactly its path, and never remove, put or swap a boundary', () => {
    const owned = { 'iam:PermissionsBoundary': boundaryArn, [`iam:ResourceTag/${OWNER_TAG}`]: cost.ownerKey };
    for (const action of ['iam:DeleteRole', 'iam:UpdateAssumeRolePolicy', 'iam:PutRolePolicy', 'iam:DeleteRolePolicy', 'iam:DetachRolePolicy']) {
      expect(ask(action, ourRole('container-cost-prod-us-east-1'), owned)).toBe('Allowed');
      // Attack: an untagged role under the path, adopted by tagging it, still lacks the boundary.
      expect(ask(action, ourRole('adopted'), { [`iam:ResourceTag/${OWNER_TAG}`]: cost.ownerKey })).toBe('ExplicitlyDenied');
      expect(ask(action, ourRole('x'), { ...owned, 'iam:PermissionsBoundary': 'arn:aws:iam::aws:policy/AdministratorAccess' })).toBe('ExplicitlyDenied');
      expect(ask(action, ourRole('x'), { 'iam:PermissionsBoundary': boundaryArn })).toBe('ImplicitlyDenied');
      expect(ask(action, ourRole('x'), { ...owned, [`iam:ResourceTag/${OWNER_TAG}`]: 'other-owner' })).toBe('ImplicitlyDenied');
      expect(ask(action, `arn:aws:iam::${SOURCE_ACCOUNT}:role/admin`, owned)).toBe('ImplicitlyDenied');
      expect(ask(action, `arn:aws:iam::${SOURCE_ACCOUNT}:role${cost.rolePath}hidden/x`, owned)).toBe('ExplicitlyDenied');
      expect(ask(action, `arn:aws:iam::${SOURCE_ACCOUNT}:role/container-cost/ffffffffffff/container-cost-prod-us-east-1`, owned)).toBe('ImplicitlyDenied');
    }
    // Nor put one: a role it tagged, someone else's, would then be its own (issue 21, item 10).
    for (const action of ['iam:DeleteRolePermissionsBoundary', 'iam:PutRolePermissionsBoundary', 'iam:AttachRolePolicy', 'iam:PassRole', 'iam:UpdateRole', 'iam:CreateUser']) {
      expect(ask(action, ourRole('x'), owned)).toBe('ExplicitlyDenied');
    }
    // Retagging an owned role (moving it to another prefix) is denied; tags are for creation only.
    expect(ask('iam:TagRole', ourRole('x'), { ...createContext(), [`aws:ResourceTag/${OWNER_TAG}`]: cost.ownerKey })).toBe('ExplicitlyDenied');
    expect(ask('iam:UntagRole', ourRole('x'), { [`aws:ResourceTag/${OWNER_TAG}`]: cost.ownerKey, 'aws:TagKeys': [PREFIX_TAG] })).toBe('ExplicitlyDenied');
    for (const action of ['eks:DeleteCluster', 's3:PutObject', 'iam:CreatePolicy']) expect(ask(action, ourRole('x'), owned)).not.toBe('Allowed');
    // Attack: a role created to trust the reconciler itself, then assumed (same account: the trust alone would allow it).
    const trustsReconciler = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: reconcilerRoleArn }, Action: 'sts:AssumeRole' }] };
    expect(isAllowed({ policies, principal, action: 'sts:AssumeRole', resource: ourRole('x'), resourcePolicy: trustsReconciler })).toBe('ExplicitlyDenied');
  });

  test('it cannot edit, replace or delete the boundary policy itself', () => {
    for (const action of ['iam:CreatePolicyVersion', 'iam:SetDefaultPolicyVersion', 'iam:DeletePolicy', 'iam:DeletePolicyVersion']) {
      expect(ask(action, boundaryArn)).toBe('ExplicitlyDenied');
    }
  });

  test('whatever policy a role gets, the boundary caps it at writing the prefix its own tag names (iam-simulate)', () => {
    const boundary = evaluate(Object.values<any>(json.Resources).find((r) => r.Type === 'AWS::IAM::ManagedPolicy').Properties.PolicyDocument, json, ENV);
    const admin = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };
    const agent = ourRole('container-cost-prod-us-east-1');
    const can = (action: string, resource: string, context: Record<string, string> = {}) => isAllowedWithinBoundary({
      policies: [admin], boundaries: [boundary], principal: agent, action, resource, context: { [`aws:PrincipalTag/${PREFIX_TAG}`]: 'us-east-1/prod/', ...context },
    });
    expect(can('s3:PutObject', `arn:aws:s3:::${BUCKET}/us-east-1/prod/x.parquet`)).toBe('Allowed');
    expect(can('s3:PutObject', `arn:aws:s3:::${BUCKET}/us-east-1/batch/x.parquet`)).not.toBe('Allowed');
    expect(can('s3:GetObject', `arn:aws:s3:::${BUCKET}/us-east-1/prod/x.parquet`)).not.toBe('Allowed');
    expect(can('s3:PutObject', 'arn:aws:s3:::other-bucket/us-east-1/prod/x')).not.toBe('Allowed');
    expect(can('iam:CreateRole', ourRole('y'))).not.toBe('Allowed');
    expect(can('sts:AssumeRole', `arn:aws:iam::${SOURCE_ACCOUNT}:role/admin`)).not.toBe('Allowed');
    expect(can('s3:ListBucket', `arn:aws:s3:::${BUCKET}`, { 's3:prefix': 'us-east-1/prod/' })).toBe('Allowed');
    expect(can('s3:ListBucket', `arn:aws:s3:::${BUCKET}`, { 's3:prefix': 'us-east-1/' })).not.toBe('Allowed');
    // A session tag overrides the role's prefix tag: it can never reach the fallback users' prefixes.
    expect(can('s3:PutObject', `arn:aws:s3:::${BUCKET}/iam-user/us-east-1/legacy/x`, { [`aws:PrincipalTag/${PREFIX_TAG}`]: 'iam-user/' })).toBe('ExplicitlyDenied');
    expect(can('s3:PutObject', `arn:aws:s3:::${BUCKET}/iam-user/us-east-1/legacy/x`, { [`aws:PrincipalTag/${PREFIX_TAG}`]: 'iam-user/us-east-1/legacy/' })).toBe('ExplicitlyDenied');
    expect(can('s3:PutObject', `arn:aws:s3:::${BUCKET}/us-east-1/prod/a/x`, { [`aws:PrincipalTag/${PREFIX_TAG}`]: 'us-east-1/prod/a/' })).toBe('ExplicitlyDenied');
  });

  // Issue 21, item 8: the boundary allows `<tag>*`, so a tag that is only the start of `iam-user/`
  // (or empty) reaches the fallback users' prefixes unless the tag's shape is enforced.
  test.each(['iam-user', 'iam', 'i', '', 'iam-user-', 'us-east-1', 'us-east-1/', '/', '//', 'us-east-1//'])(
    'a session tag %j for the prefix reaches nothing: no fallback user\'s data, no other cluster\'s (iam-simulate)', (tag) => {
      const boundary = evaluate(Object.values<any>(json.Resources).find((r) => r.Type === 'AWS::IAM::ManagedPolicy').Properties.PolicyDocument, json, ENV);
      const admin = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };
      const can = (action: string, resource: string, context: Record<string, string> = {}) => isAllowedWithinBoundary({
        policies: [admin],
        boundaries: [boundary],
        principal: ourRole('container-cost-prod-us-east-1'),
        action,
        resource,
        context: { [`aws:PrincipalTag/${PREFIX_TAG}`]: tag, ...context },
      });
      for (const key of ['iam-user/us-east-1/legacy/x.parquet', 'us-east-1/prod/x.parquet', 'us-east-1/batch/x.parquet', 'x']) {
        expect({ tag, key, decision: can('s3:PutObject', `arn:aws:s3:::${BUCKET}/${key}`) }).toEqual({ tag, key, decision: expect.not.stringMatching(/^Allowed$/) });
      }
      for (const prefix of ['iam-user/', 'iam-user/us-east-1/legacy/', 'us-east-1/prod/', '']) {
        expect(can('s3:ListBucket', `arn:aws:s3:::${BUCKET}`, { 's3:prefix': prefix })).not.toBe('Allowed');
      }
    });

  // Issue 21, item 10: an untagged role someone else put at the path, tagged as its own, stays out of reach.
  test('it cannot adopt an untagged role someone else put at its path: after tagging it, no boundary can be put and nothing changed', () => {
    const tagged = { [`iam:ResourceTag/${OWNER_TAG}`]: cost.ownerKey, [`aws:ResourceTag/${OWNER_TAG}`]: cost.ownerKey };
    expect(ask('iam:PutRolePermissionsBoundary', ourRole('someone-elses-role'), { ...tagged, 'iam:PermissionsBoundary': boundaryArn })).not.toBe('Allowed');
    for (const action of ['iam:UpdateAssumeRolePolicy', 'iam:PutRolePolicy']) expect(ask(action, ourRole('someone-elses-role'), tagged)).not.toBe('Allowed');
  });

  test('it may read and remove only the deletion marker tag of its own role', () => {
    const markerKey = `container-cost:accepting-roles/${cost.ownerKey}`;
    expect(json.Resources[roleId].Properties.Tags).toEqual(expect.arrayContaining([{ Key: markerKey, Value: 'true' }]));
    expect(ask('iam:GetRole', reconcilerRoleArn)).toBe('Allowed');
    expect(ask('iam:UntagRole', reconcilerRoleArn, { 'aws:TagKeys': [markerKey] })).toBe('Allowed');
    expect(ask('iam:UntagRole', reconcilerRoleArn, { 'aws:TagKeys': ['other'] })).toBe('ImplicitlyDenied');
    expect(ask('iam:TagRole', reconcilerRoleArn, { 'aws:TagKeys': [markerKey] })).toBe('ImplicitlyDenied');
  });

  test('its policies stay inside IAM\'s quotas (inline policies of a role: 10,240 characters; a managed policy: 6,144)', () => {
    // Its inline policy and the AWS::IAM::Policy CDK adds are both inline policies of the role: they share the quota.
    expect(policies.reduce((n: number, d: any) => n + policySize(d), 0)).toBeLessThan(10_240);
    const boundary = evaluate(Object.values<any>(json.Resources).find((r) => r.Type === 'AWS::IAM::ManagedPolicy').Properties.PolicyDocument, json, ENV);
    expect(policySize(boundary)).toBeLessThan(6_144);
  });

  test('it may read what it needs', () => {
    const can = (action: string, resource: string) => isAllowed({ policies, principal, action, resource });
    expect(can('iam:GetRole', ourRole('x'))).toBe('Allowed');
    expect(can('iam:GetRole', `arn:aws:iam::${SOURCE_ACCOUNT}:role/admin`)).toBe('ImplicitlyDenied');
    // The default drift read is per role (see 'drift reads' below): no read of the whole account.
    expect(can('iam:ListRoles', '*')).toBe('Allowed');
    expect(can('iam:GetAccountAuthorizationDetails', '*')).toBe('ImplicitlyDenied');
    expect(can('eks:ListClusters', '*')).toBe('Allowed');
    expect(can('eks:DescribeCluster', `arn:aws:eks:eu-west-1:${SOURCE_ACCOUNT}:cluster/prod`)).toBe('Allowed');
    expect(can('eks:DescribeCluster', `arn:aws:eks:eu-west-1:${OTHER_ACCOUNT}:cluster/prod`)).toBe('ImplicitlyDenied');
  });
});

describe.each([
  [ReconcilerDriftReads.PER_ROLE, undefined],
  [ReconcilerDriftReads.PER_ROLE, ReconcilerDriftReads.PER_ROLE],
  [ReconcilerDriftReads.ACCOUNT_AUTHORIZATION_DETAILS, ReconcilerDriftReads.ACCOUNT_AUTHORIZATION_DETAILS],
])('drift reads %s (driftReads: %s)', (mode, driftReads) => {
  const perRole = mode === ReconcilerDriftReads.PER_ROLE;
  const { template, json, cost, stack } = build({ includeRegions: ['us-east-1'], ...(driftReads ? { driftReads } : {}) });
  const roleId = logicalIdsOfType(json, 'AWS::IAM::Role').find((id) => id.startsWith('CostReconcilerRole'))!;
  const principal = `arn:aws:iam::${SOURCE_ACCOUNT}:role/Stack-CostReconcilerRole`;
  const policies = identityPoliciesOf(json, roleId, { ...ENV, attributes: { [roleId]: { Ref: 'Stack-CostReconcilerRole', Arn: principal } } });
  const can = (action: string, resource: string) => isAllowed({ policies, principal, action, resource });
  const ourRole = `arn:aws:iam::${SOURCE_ACCOUNT}:role${cost.rolePath}container-cost-prod-us-east-1`;
  const actions = JSON.stringify(policies);

  test('the handler is told the mode', () => {
    expect(cost.driftReads).toBe(mode);
    template.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: Match.objectLike({ DRIFT_READS: mode }) } });
  });

  test('its role grants this mode\'s listing and not the other\'s', () => {
    expect(actions.includes('iam:ListRoles')).toBe(perRole);
    expect(actions.includes('iam:GetAccountAuthorizationDetails')).toBe(!perRole);
    expect(can('iam:ListRoles', '*')).toBe(perRole ? 'Allowed' : 'ImplicitlyDenied');
    expect(can('iam:GetAccountAuthorizationDetails', '*')).toBe(perRole ? 'ImplicitlyDenied' : 'Allowed');
  });

  test('the per-role reads reach only roles at its path (iam-simulate)', () => {
    for (const read of ['iam:GetRole', 'iam:ListRolePolicies', 'iam:GetRolePolicy', 'iam:ListAttachedRolePolicies']) {
      expect(can(read, ourRole)).toBe('Allowed');
      expect(can(read, `arn:aws:iam::${SOURCE_ACCOUNT}:role/admin`)).toBe('ImplicitlyDenied');
      expect(can(read, `arn:aws:iam::${SOURCE_ACCOUNT}:role/container-cost/other0wner00/container-cost-prod-us-east-1`)).toBe('ImplicitlyDenied');
      expect(can(read, `arn:aws:iam::${SOURCE_ACCOUNT}:role${cost.rolePath}deeper/x`)).toBe('ExplicitlyDenied');
      expect(can(read, `arn:aws:iam::${OTHER_ACCOUNT}:role${cost.rolePath}container-cost-prod-us-east-1`)).toBe('ImplicitlyDenied');
    }
    // Nor users, groups or managed policies (the bulk read's reach).
    expect(can('iam:GetUserPolicy', `arn:aws:iam::${SOURCE_ACCOUNT}:user/alice`)).toBe('ImplicitlyDenied');
    expect(can('iam:GetPolicyVersion', `arn:aws:iam::${SOURCE_ACCOUNT}:policy/anything`)).toBe('ImplicitlyDenied');
  });

  test('cdk-nag: clean, and the acknowledgement of * names this mode\'s listing', () => {
    expectNagClean(stack);
    const reasons = acknowledgements(stack).filter((a) => a.id === 'AwsSolutions-IAM5[Resource::*]' && a.path.includes('ReconcilerRole')).map((a) => a.reason).join('\n');
    expect(reasons).toContain(`${perRole ? 'iam:ListRoles' : 'iam:GetAccountAuthorizationDetails'} (read-only: the drift check)`);
    expect(reasons.includes('GetAccountAuthorizationDetails')).toBe(!perRole);
    expect(reasons.includes('ListRoles')).toBe(perRole);
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
  test('user mode', () => expectNagClean(build({ agentIdentity: ContainerCostAgentIdentity.IAM_USER, iamUserClusters: [{ clusterName: 'legacy', region: 'us-east-1' }] }).stack));
  test('every option', () => expectNagClean(build({ readerRoleName: 'reader', agentIdentity: ContainerCostAgentIdentity.ROLES_AND_IAM_USER, iamUserClusters: [{ clusterName: 'legacy', region: 'us-east-1' }], encryption: ContainerCostEncryption.KMS, versioned: true }).stack));
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
    ['drift reads', { driftReads: 'BULK' }, /driftReads: got string "BULK"; expected one of PER_ROLE, ACCOUNT_AUTHORIZATION_DETAILS/],
    ['drift reads without a reconciler', { driftReads: 'PER_ROLE', agentIdentity: 'IAM_USER', iamUserClusters: [{ clusterName: 'legacy', region: 'us-east-1' }] }, /driftReads: only applies with agentIdentity ROLES or ROLES_AND_IAM_USER/],
  ])('%s', (_name, props, message) => {
    expect(() => build(props as ContainerCostBucketProps)).toThrow(message);
  });

  test.each([
    ['null props', null, /./, 0],
    ['null everywhere', { includeRegions: null, agentServiceAccount: null, ownerId: null, bucketNamePrefix: null, schedule: null }, /./, 0],
    ['wrong types', { includeRegions: 'us-east-1', readerRoleName: 42, versioned: 'yes', expiration: 30, schedule: 'rate(1 hour)', agentIdentity: 'OIDC' },
      /includeRegions: got string[\s\S]*readerRoleName: got number 42[\s\S]*expiration: got number 30[\s\S]*schedule: got string[\s\S]*versioned: got string[\s\S]*agentIdentity: got string "OIDC"; expected one of ROLES, IAM_USER, ROLES_AND_IAM_USER/, 6],
    ['partial service account', { agentServiceAccount: { namespace: 'container-cost' } }, /agentServiceAccount: got an object; expected \{ namespace, name \}/, 1],
    ['a region of another partition', { includeRegions: ['us-east-1', 'cn-north-1'] }, /includeRegions\[1\]: got "cn-north-1" in partition aws-cn; expected a region of the stack's partition aws/, 1],
    ['S3-reserved prefix xn--', { bucketNamePrefix: 'xn--cost' }, /bucketNamePrefix: got "xn--cost"; S3 reserves bucket names that start with "xn--"/, 1],
    ['S3-reserved prefix sthree-', { bucketNamePrefix: 'sthree-cost' }, /S3 reserves bucket names that start with "sthree-"/, 1],
    ['adjacent periods', { bucketNamePrefix: 'cost..data' }, /bucketNamePrefix: got "cost..data"/, 1],
    ['user mode without clusters', { agentIdentity: 'IAM_USER' }, /iamUserClusters: is required with agentIdentity IAM_USER/, 1],
    ['user clusters with roles only', { iamUserClusters: [{ clusterName: 'a', region: 'us-east-1' }] }, /iamUserClusters: only applies with agentIdentity IAM_USER or ROLES_AND_IAM_USER/, 1],
    ['bad user cluster', { agentIdentity: 'IAM_USER', iamUserClusters: [null, { clusterName: 'a', region: 'cn-north-1' }, { clusterName: '-a', region: 'us-east-1' }] },
      /iamUserClusters\[0\]: got null[\s\S]*iamUserClusters\[1\]\.region: got "cn-north-1" in partition aws-cn[\s\S]*iamUserClusters\[2\]\.clusterName/, 3],
    ['createIamUser against agentIdentity', { createIamUser: true, agentIdentity: 'ROLES', iamUserClusters: [{ clusterName: 'a', region: 'us-east-1' }] }, /createIamUser: contradicts agentIdentity ROLES/, 1],
  ])('%s: one error naming every problem, never a TypeError', (_name, props, message, count) => {
    let error: any;
    try {
      build(props as any);
    } catch (e) {
      error = e;
    }
    if (count === 0) {
      expect(error).toBeUndefined(); // null means "not given": the defaults
      return;
    }
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(TypeError);
    expect(error.message).toMatch(message);
    expect(error.message).toContain(count === 1 ? '(1 problem)' : `(${count} problems)`);
  });

  test('ownerId as a CDK token is refused by name; bucketNamePrefix as a token works end to end', () => {
    const stack = stackIn(SOURCE_ACCOUNT);
    expect(() => new ContainerCostBucket(stack, 'Cost', { ownerId: Token.asString({ Ref: 'Owner' }) })).toThrow(/ownerId: is a CDK token; pass a literal/);
    const withParameter = stackIn(SOURCE_ACCOUNT);
    const prefix = new CfnParameter(withParameter, 'Prefix').valueAsString;
    const { template } = build({ bucketNamePrefix: prefix }, withParameter);
    template.hasResourceProperties('AWS::S3::Bucket', { BucketName: { 'Fn::Join': ['', [{ Ref: 'Prefix' }, `-${SOURCE_ACCOUNT}`]] } });
    template.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: Match.objectLike({ BUCKET_NAME: { Ref: Match.stringLikeRegexp('^CostBucket') } }) } });
  });

  test('two buckets of one name in the app (one stack per region, same account) fail at synth, naming both', () => {
    const app = new App();
    const east = new Stack(app, 'CostEast', { env: { account: SOURCE_ACCOUNT, region: 'us-east-1' } });
    const west = new Stack(app, 'CostWest', { env: { account: SOURCE_ACCOUNT, region: 'eu-west-1' } });
    new ContainerCostBucket(east, 'Cost');
    new ContainerCostBucket(west, 'Cost');
    expect(() => app.synth()).toThrow(/Bucket name "container-cost-222222222222" is also used by CostWest\/Cost\/Bucket[\s\S]*bucketNamePrefix/);
    const ok = new App();
    new ContainerCostBucket(new Stack(ok, 'CostEast', { env: { account: SOURCE_ACCOUNT, region: 'us-east-1' } }), 'Cost');
    new ContainerCostBucket(new Stack(ok, 'CostWest', { env: { account: SOURCE_ACCOUNT, region: 'eu-west-1' } }), 'Cost', { bucketNamePrefix: 'container-cost-eu' });
    expect(() => ok.synth()).not.toThrow();
  });

  test('an environment-agnostic stack needs an owner ID and regions', () => {
    expect(() => build({}, new Stack(new App(), 'Agnostic'))).toThrow(/includeRegions: is required[\s\S]*ownerId: is required/);
    expect(() => build({ ownerId: 'cost-prod', includeRegions: ['us-east-1'] }, new Stack(new App(), 'Agnostic'))).not.toThrow();
  });
});

test('snapshot', () => {
  expect(templateForSnapshot(build({ readerRoleName: 'cost-platform-onboarding' }).stack)).toMatchSnapshot();
});

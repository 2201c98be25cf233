import { CloudFormationClient, DescribeStackResourceCommand, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { EKSClient } from '@aws-sdk/client-eks';
import { EntityAlreadyExistsException, GetAccountAuthorizationDetailsCommand, IAMClient } from '@aws-sdk/client-iam';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { ReconcilerDriftReads } from '../../src/container-cost/drift-reads';
import { ENV } from '../../src/container-cost/role-sync/config';
import { agentRoleName, agentRolePath, CLUSTER_TAG, OWNER_TAG, WRITE_POLICY_NAME } from '../../src/container-cost/role-sync/naming';
import { Dependencies, onEvent } from '../../src/container-cost/role-sync.lambda';
import { hostPath, issuer, OTHER_ACCOUNT, SOURCE_ACCOUNT } from '../fixtures';
import { eksAccessDenied, eksClusterNotFound, eksThrottling, FakeEks } from '../harness/fake-eks';
import { accessDenied, FakeIam, FakeRole, noSuchEntity, throttling } from '../harness/fake-iam';
import { canAssume, isAllowed } from '../harness/iam-proof';

const OWNER = 'a1b2c3d4e5f6';
const PATH = agentRolePath(OWNER);
const BUCKET = `container-cost-${SOURCE_ACCOUNT}`;
const BOUNDARY = `arn:aws:iam::${SOURCE_ACCOUNT}:policy/CostAgentBoundary`;
const RECONCILER = 'Stack-CostReconcilerRole';
/** The tag on the reconciler's own role that lets runs create roles (spelled out: it is a contract with the construct). */
const MARKER = `container-cost:accepting-roles/${OWNER}`;
const STACK_ID = `arn:aws:cloudformation:us-east-1:${SOURCE_ACCOUNT}:stack/Cost/0a1b2c3d-4e5f-6789-abcd-ef0123456789`;
const env = {
  [ENV.PARTITION]: 'aws',
  [ENV.ACCOUNT]: SOURCE_ACCOUNT,
  [ENV.BUCKET_NAME]: BUCKET,
  [ENV.REGIONS]: 'us-east-1,eu-west-1',
  [ENV.OWNER_KEY]: OWNER,
  [ENV.SA_NAMESPACE]: 'container-cost',
  [ENV.SA_NAME]: 'container-cost-agent',
  [ENV.BOUNDARY_ARN]: BOUNDARY,
  [ENV.RECONCILER_ROLE]: RECONCILER,
  [ENV.STACK_ID]: STACK_ID,
  [ENV.LOGICAL_ID]: 'Roles',
  // The tests outside the modes loop below attack the bulk read; the loop sets each mode.
  [ENV.DRIFT_READS]: ReconcilerDriftReads.ACCOUNT_AUTHORIZATION_DETAILS,
};

let iam: FakeIam;
let eks: FakeEks;
let logs: Array<Record<string, any>>;
let sleeps: number[];
let deps: Dependencies;
let cfn: ReturnType<typeof mockClient>;
let stackStatus: string;
/** The custom resource as CloudFormation reports it (DescribeStackResource). */
let stackResource: { status: string; physicalId: string };
/** The stack's other resources as CloudFormation reports them (an update may be replacing or removing them). */
let otherResources: Record<string, { status: string; physicalId: string }>;

beforeEach(() => {
  iam = new FakeIam(SOURCE_ACCOUNT);
  eks = new FakeEks(SOURCE_ACCOUNT);
  logs = [];
  sleeps = [];
  deps = {
    clients: { iam: new IAMClient({ region: 'us-east-1' }), eks: (region) => new EKSClient({ region }), cfn: new CloudFormationClient({ region: 'us-east-1' }) },
    retry: { maxAttempts: 5, baseDelayMs: 100, maxDelayMs: 1_000, sleep: async (ms) => { sleeps.push(ms); }, random: () => 1 },
    env,
    log: (entry) => logs.push(entry),
  };
  // CloudFormation, as the Delete handler asks it: the stack being deleted, unless a test says otherwise.
  stackStatus = 'DELETE_IN_PROGRESS';
  cfn = mockClient(CloudFormationClient);
  cfn.on(DescribeStacksCommand, { StackName: STACK_ID }).callsFake(async () => ({ Stacks: [{ StackName: 'Cost', StackId: STACK_ID, StackStatus: stackStatus, CreationTime: new Date() }] }));
  stackResource = { status: 'DELETE_IN_PROGRESS', physicalId: `container-cost-roles/${OWNER}` };
  otherResources = {};
  cfn.on(DescribeStackResourceCommand, { StackName: STACK_ID }).callsFake(async (input: any) => {
    const resource = input.LogicalResourceId === 'Roles' ? stackResource : otherResources[input.LogicalResourceId];
    if (!resource) throw Object.assign(new Error(`Resource ${input.LogicalResourceId} does not exist for stack ${STACK_ID}`), { name: 'ValidationError' });
    return {
      StackResourceDetail: { LogicalResourceId: input.LogicalResourceId, PhysicalResourceId: resource.physicalId, ResourceStatus: resource.status, ResourceType: 'Custom::ContainerCostAgentRoles', LastUpdatedTimestamp: new Date() },
    };
  });
  // The reconciler's own role, carrying the tag that lets runs create roles.
  iam.seedRole(RECONCILER, {}, { tags: { [MARKER]: 'true' } });
  // Two clusters in us-east-1, one in eu-west-1, all with registered providers.
  for (const [region, name, n] of [['us-east-1', 'prod', 1], ['us-east-1', 'batch', 2], ['eu-west-1', 'prod', 3]] as const) {
    eks.addCluster(region, { name, issuer: issuer(n, region) });
    iam.addProvider(issuer(n, region));
  }
});
afterEach(() => {
  iam.restore();
  eks.restore();
  cfn.restore();
});

const scheduled = () => onEvent({ 'source': 'aws.events', 'detail-type': 'Scheduled Event' }, deps);
const customResource = (RequestType: 'Create' | 'Update' | 'Delete', ownerKey = OWNER) => onEvent({
  RequestType,
  ServiceToken: 'x',
  ResponseURL: 'x',
  StackId: STACK_ID,
  RequestId: 'x',
  LogicalResourceId: 'Roles',
  ResourceType: 'Custom::ContainerCostRoles',
  ResourceProperties: { ServiceToken: 'x', OwnerKey: ownerKey, BoundaryArn: BOUNDARY, ReconcilerRoleName: RECONCILER },
  ...(RequestType === 'Create' ? {} : { PhysicalResourceId: `container-cost-roles/${ownerKey}`, OldResourceProperties: {} }),
} as CloudFormationCustomResourceEvent, deps);
const role = (cluster: string, region: string) => iam.roles.get(agentRoleName(cluster, region).toLowerCase());
const agentRoles = () => [...iam.roles.values()].filter((r) => r.roleName !== RECONCILER);
const summaryLog = () => logs.filter((l) => l.action === 'summary').pop();

// Both drift-read modes (ReconcilerDriftReads) must find the same drift and make the same changes:
// every test of a run, a Delete and the review's faults runs in each, against the same stateful fake IAM.
describe.each(Object.values(ReconcilerDriftReads))('drift reads %s', (driftReads) => {
  const perRole = driftReads === ReconcilerDriftReads.PER_ROLE;
  beforeEach(() => { deps = { ...deps, env: { ...env, [ENV.DRIFT_READS]: driftReads } }; });

  describe('first run', () => {
    test('creates one role per cluster under the stack path, with owner and cluster tags, IRSA trust and the write policy', async () => {
      const response = await customResource('Create');
      expect(response).toEqual({ PhysicalResourceId: `container-cost-roles/${OWNER}`, Data: { Created: '3', Updated: '0', Deleted: '0' } });
      expect(agentRoles().map((r) => `${r.path}${r.roleName}`).sort()).toEqual([
        `${PATH}container-cost-batch-us-east-1`, `${PATH}container-cost-prod-eu-west-1`, `${PATH}container-cost-prod-us-east-1`,
      ]);
      const prod = role('prod', 'us-east-1')!;
      expect(Object.fromEntries(prod.tags)).toEqual({
        [OWNER_TAG]: OWNER,
        [CLUSTER_TAG]: `arn:aws:eks:us-east-1:${SOURCE_ACCOUNT}:cluster/prod`,
        'container-cost:managed-by': 'cdk-eks-cross-account-observability',
        'container-cost:prefix': 'us-east-1/prod/',
      });
      expect(prod.boundary).toBe(BOUNDARY);
      expect([...prod.policies.keys()]).toEqual([WRITE_POLICY_NAME]);
      expect(summaryLog()).toMatchObject({ created: 3, updated: 0, deleted: 0, skipped: 0, errors: 0, clusters: 3 });
      expect(logs.filter((l) => l.action === 'create').map((l) => l.role).sort()).toEqual(['container-cost-batch-us-east-1', 'container-cost-prod-eu-west-1', 'container-cost-prod-us-east-1']);
    });

    test('the trust it writes admits the agent service account of that cluster only, with the right audience (iam-simulate)', async () => {
      await scheduled();
      const prod = role('prod', 'us-east-1')!;
      const trustPolicy = JSON.parse(prod.trust);
      const hp = hostPath(issuer(1));
      const ask = (sub: string, aud = 'sts.amazonaws.com', iss = issuer(1)) => canAssume({
        trustPolicy,
        roleArn: prod.arn,
        action: 'sts:AssumeRoleWithWebIdentity',
        principal: `arn:aws:iam::${SOURCE_ACCOUNT}:oidc-provider/${hostPath(iss)}`,
        context: { [`${hostPath(iss)}:aud`]: aud, [`${hostPath(iss)}:sub`]: sub },
      });
      expect(trustPolicy.Statement[0].Condition.StringEquals[`${hp}:aud`]).toBe('sts.amazonaws.com');
      expect(ask('system:serviceaccount:container-cost:container-cost-agent')).toBe('Allowed');
      expect(ask('system:serviceaccount:container-cost:other')).not.toBe('Allowed');
      expect(ask('system:serviceaccount:default:container-cost-agent')).not.toBe('Allowed');
      expect(ask('system:serviceaccount:container-cost:container-cost-agent', 'other-audience')).not.toBe('Allowed');
      expect(ask('system:serviceaccount:container-cost:container-cost-agent', 'sts.amazonaws.com', issuer(2))).not.toBe('Allowed');
    });

    test('the policy it writes lets the agent write its own cluster\'s prefix and nothing else (iam-simulate)', async () => {
      await scheduled();
      const prod = role('prod', 'us-east-1')!;
      const policies = [JSON.parse(prod.policies.get(WRITE_POLICY_NAME)!)];
      const can = (action: string, resource: string, context: Record<string, string> = {}) =>
        isAllowed({ policies, principal: prod.arn, action, resource, context });
      expect(can('s3:PutObject', `arn:aws:s3:::${BUCKET}/us-east-1/prod/2026/11/23/costs.parquet`)).toBe('Allowed');
      expect(can('s3:PutObject', `arn:aws:s3:::${BUCKET}/us-east-1/batch/costs.parquet`)).toBe('ImplicitlyDenied');
      expect(can('s3:PutObject', `arn:aws:s3:::${BUCKET}/eu-west-1/prod/costs.parquet`)).toBe('ImplicitlyDenied');
      expect(can('s3:PutObject', 'arn:aws:s3:::other-bucket/us-east-1/prod/costs.parquet')).toBe('ImplicitlyDenied');
      expect(can('s3:GetObject', `arn:aws:s3:::${BUCKET}/us-east-1/prod/costs.parquet`)).toBe('ImplicitlyDenied');
      expect(can('s3:DeleteObject', `arn:aws:s3:::${BUCKET}/us-east-1/prod/costs.parquet`)).toBe('ImplicitlyDenied');
      expect(can('s3:ListBucket', `arn:aws:s3:::${BUCKET}`, { 's3:prefix': 'us-east-1/prod/2026/' })).toBe('Allowed');
      expect(can('s3:ListBucket', `arn:aws:s3:::${BUCKET}`, { 's3:prefix': 'us-east-1/batch/' })).toBe('ImplicitlyDenied');
    });
  });

  test('a second run makes zero writes', async () => {
    await scheduled();
    iam.calls.length = 0;
    logs.length = 0;
    await scheduled();
    expect(iam.writes()).toEqual([]);
    expect(summaryLog()).toMatchObject({ created: 0, updated: 0, deleted: 0, skipped: 0, errors: 0 });
  });

  test('drifted trust and policy are repaired, and extra inline policies removed', async () => {
    await scheduled();
    const prod = role('prod', 'us-east-1')!;
    const goodTrust = prod.trust;
    const goodPolicy = prod.policies.get(WRITE_POLICY_NAME);
    prod.trust = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${OTHER_ACCOUNT}:root` }, Action: 'sts:AssumeRole' }] });
    prod.policies.set(WRITE_POLICY_NAME, JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }] }));
    prod.policies.set('added-by-hand', JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'iam:*', Resource: '*' }] }));
    iam.calls.length = 0;
    logs.length = 0;
    await scheduled();
    expect(prod.trust).toBe(goodTrust);
    expect(prod.policies.get(WRITE_POLICY_NAME)).toBe(goodPolicy);
    expect([...prod.policies.keys()]).toEqual([WRITE_POLICY_NAME]);
    expect(iam.writes().sort()).toEqual([
      'DeleteRolePolicy(container-cost-prod-us-east-1)', 'PutRolePolicy(container-cost-prod-us-east-1)', 'UpdateAssumeRolePolicy(container-cost-prod-us-east-1)',
    ]);
    expect(summaryLog()).toMatchObject({ updated: 1, created: 0, deleted: 0 });
  });

  test('tampered tags replace the role: the reconciler never retags (tags are set only at creation)', async () => {
    await scheduled();
    role('prod', 'us-east-1')!.tags.set(CLUSTER_TAG, 'tampered');
    iam.calls.length = 0;
    await scheduled();
    expect(role('prod', 'us-east-1')!.tags.get(CLUSTER_TAG)).toBe(`arn:aws:eks:us-east-1:${SOURCE_ACCOUNT}:cluster/prod`);
    expect(iam.writes()).toEqual([
      'DeleteRolePolicy(container-cost-prod-us-east-1)', 'DeleteRole(container-cost-prod-us-east-1)',
      'CreateRole(container-cost-prod-us-east-1)', 'PutRolePolicy(container-cost-prod-us-east-1)',
    ]);
    expect(iam.writes().filter((w) => w.startsWith('TagRole'))).toEqual([]);
  });

  test('a removed cluster\'s role is deleted (its policies first)', async () => {
    await scheduled();
    eks.removeCluster('us-east-1', 'batch');
    iam.calls.length = 0;
    await scheduled();
    expect(role('batch', 'us-east-1')).toBeUndefined();
    expect(iam.writes()).toEqual(['DeleteRolePolicy(container-cost-batch-us-east-1)', 'DeleteRole(container-cost-batch-us-east-1)']);
    expect(logs).toContainEqual(expect.objectContaining({ action: 'delete', role: 'container-cost-batch-us-east-1' }));
  });

  test('a region whose scan fails means nothing is deleted anywhere, and the run fails after doing the rest', async () => {
    await scheduled();
    eks.removeCluster('us-east-1', 'batch'); // an orphan in the region that still scans
    eks.addCluster('us-east-1', { name: 'new', issuer: issuer(4) });
    iam.addProvider(issuer(4));
    eks.failNext('ListClusters', 'eu-west-1', eksAccessDenied);
    iam.calls.length = 0;
    await expect(scheduled()).rejects.toThrow(/1 error\(s\): scan of eu-west-1 failed: AccessDeniedException/);
    expect(role('batch', 'us-east-1')).toBeDefined();
    expect(role('prod', 'eu-west-1')).toBeDefined();
    expect(role('new', 'us-east-1')).toBeDefined();
    expect(iam.writes().filter((w) => w.startsWith('Delete'))).toEqual([]);
    expect(logs).toContainEqual(expect.objectContaining({ action: 'skip', role: 'container-cost-batch-us-east-1', reason: expect.stringMatching(/a region scan failed/) }));
  });

  test('roles of another stack, and roles that are not ours, are never touched', async () => {
    const trust = { Version: '2012-10-17', Statement: [] };
    const otherStack = iam.seedRole('container-cost-old-us-east-1', trust, { path: agentRolePath('ffffffffffff'), tags: { [OWNER_TAG]: 'ffffffffffff' } });
    const untaggedInOurPath = iam.seedRole('container-cost-stray-us-east-1', trust, { path: PATH });
    const wrongOwnerInOurPath = iam.seedRole('container-cost-impostor-us-east-1', trust, { path: PATH, tags: { [OWNER_TAG]: 'someone-else' } });
    const sameNameElsewhere = iam.seedRole(agentRoleName('batch', 'us-east-1'), trust, { path: '/', policies: { keep: { Version: '2012-10-17', Statement: [] } } });
    const unrelated = iam.seedRole('container-cost-prefix-lookalike', trust, { path: '/' });
    const seeded = [otherStack, untaggedInOurPath, wrongOwnerInOurPath, sameNameElsewhere, unrelated];
    const snapshot = () => JSON.stringify(seeded, (_k, v) => (v instanceof Map ? [...v] : v));
    const before = snapshot();
    await scheduled();
    expect(snapshot()).toBe(before);
    for (const name of ['container-cost-old-us-east-1', 'container-cost-stray-us-east-1', 'container-cost-impostor-us-east-1', 'container-cost-prefix-lookalike']) {
      expect(iam.writes().filter((w) => w.includes(`(${name})`))).toEqual([]);
    }
    expect(iam.writes().filter((w) => w.includes(`(${agentRoleName('batch', 'us-east-1')})`))).toEqual([`CreateRole(${agentRoleName('batch', 'us-east-1')})`]);
    expect(logs).toContainEqual(expect.objectContaining({ action: 'skip', role: 'container-cost-batch-us-east-1', reason: expect.stringMatching(/exists and is not this stack's/) }));
    expect(summaryLog()).toMatchObject({ created: 2, skipped: 1, deleted: 0 });
  });

  test('overlapping runs: a role another run created first is no conflict, one it deleted first is no error', async () => {
    await scheduled();
    // Another run of this stack creates prod in eu-west-1 between our read and our CreateRole.
    const prodEu = iam.roles.get('container-cost-prod-eu-west-1')!;
    iam.roles.delete('container-cost-prod-eu-west-1');
    iam.failNext('CreateRole', () => { iam.roles.set('container-cost-prod-eu-west-1', prodEu); return new EntityAlreadyExistsException({ message: 'exists', $metadata: {} }); }, 1, 'container-cost-prod-eu-west-1');
    // And deletes batch's policy and role while we are about to.
    eks.removeCluster('us-east-1', 'batch');
    iam.failNext('DeleteRolePolicy', () => noSuchEntity('gone'), 1, 'container-cost-batch-us-east-1');
    iam.failNext('DeleteRole', () => { iam.roles.delete('container-cost-batch-us-east-1'); return noSuchEntity('gone'); }, 1, 'container-cost-batch-us-east-1');
    logs.length = 0;
    await expect(scheduled()).resolves.toBeDefined();
    expect(logs).toContainEqual(expect.objectContaining({ action: 'skip', role: 'container-cost-prod-eu-west-1', reason: 'created by a concurrent run of this stack' }));
    expect(summaryLog()).toMatchObject({ errors: 0, deleted: 1 });
    expect(iam.roles.has('container-cost-batch-us-east-1')).toBe(false);
  });

  test('Delete removes exactly the stack\'s own roles', async () => {
    await scheduled();
    const trust = { Version: '2012-10-17', Statement: [] };
    iam.seedRole('container-cost-stray-us-east-1', trust, { path: PATH });
    iam.seedRole('container-cost-other-us-east-1', trust, { path: agentRolePath('ffffffffffff'), tags: { [OWNER_TAG]: 'ffffffffffff' } });
    await customResource('Delete');
    expect(agentRoles().map((r) => r.roleName).sort()).toEqual(['container-cost-other-us-east-1', 'container-cost-stray-us-east-1']);
  });

  test('Delete uses the deleted resource\'s owner key, not the environment\'s', async () => {
    await scheduled();
    iam.seedRole('container-cost-x-us-east-1', { Version: '2012-10-17', Statement: [] }, { path: agentRolePath('0123456789ab'), tags: { [OWNER_TAG]: '0123456789ab' }, boundary: BOUNDARY });
    // CloudFormation reports the resource it is deleting: the one made with that owner key.
    stackResource = { status: 'DELETE_IN_PROGRESS', physicalId: 'container-cost-roles/0123456789ab' };
    await customResource('Delete', '0123456789ab');
    expect(iam.roles.has('container-cost-x-us-east-1')).toBe(false);
    expect(agentRoles()).toHaveLength(3);
  });

  test('Delete never fails the stack, even when IAM refuses, and logs what was refused', async () => {
    await scheduled();
    iam.failNext(perRole ? 'ListRoles' : 'GetAccountAuthorizationDetails', accessDenied);
    await expect(customResource('Delete')).resolves.toEqual({ PhysicalResourceId: `container-cost-roles/${OWNER}` });
    expect(logs).toContainEqual(expect.objectContaining({ action: 'error', mode: 'delete', error: expect.stringMatching(/AccessDenied|not authorized/) }));
    expect(summaryLog()).toMatchObject({ mode: 'delete', errors: 1 });
  });

  test('long cluster names give role names of at most 64 characters, stable from run to run', async () => {
    const longName = `analytics-${'x'.repeat(80)}`;
    eks.addCluster('eu-west-1', { name: longName, issuer: issuer(9, 'eu-west-1') });
    iam.addProvider(issuer(9, 'eu-west-1'));
    await scheduled();
    const name = agentRoleName(longName, 'eu-west-1');
    expect(name).toHaveLength(64);
    expect(iam.roles.has(name.toLowerCase())).toBe(true);
    iam.calls.length = 0;
    await scheduled();
    expect(iam.writes()).toEqual([]);
  });

  test('a cluster whose OIDC provider is not registered (or that has no issuer) is reported and skipped, not failed', async () => {
    eks.addCluster('us-east-1', { name: 'no-provider', issuer: issuer(7) });
    eks.addCluster('us-east-1', { name: 'no-issuer' });
    await expect(scheduled()).resolves.toBeDefined();
    expect(role('no-provider', 'us-east-1')).toBeUndefined();
    expect(logs).toContainEqual(expect.objectContaining({ action: 'skip-cluster', cluster: expect.stringMatching(/cluster\/no-provider$/), reason: expect.stringMatching(/not registered in IAM/) }));
    expect(logs).toContainEqual(expect.objectContaining({ action: 'skip-cluster', cluster: expect.stringMatching(/cluster\/no-issuer$/), reason: 'the cluster has no OIDC issuer' }));
    expect(summaryLog()).toMatchObject({ created: 3, skipped: 2, errors: 0 });
  });

  test('pagination: every page of clusters and roles is read', async () => {
    for (let n = 10; n < 22; n++) {
      eks.addCluster('eu-west-1', { name: `c${n}`, issuer: issuer(n, 'eu-west-1') });
      iam.addProvider(issuer(n, 'eu-west-1'));
    }
    await scheduled();
    expect(agentRoles()).toHaveLength(15);
    expect(eks.calls.filter((c) => c === 'ListClusters(eu-west-1)')).toHaveLength(5); // 13 clusters, 3 per page
    iam.calls.length = 0;
    await scheduled();
    if (perRole) {
      // The 15 agent roles at the path, 2 per ListRoles page, then each one read.
      expect(iam.calls.filter((c) => c.startsWith('ListRoles'))).toHaveLength(8);
      expect(iam.calls.filter((c) => c.startsWith('GetRole('))).toHaveLength(15);
    } else {
      // Every role of the account (15 agent roles and the reconciler's), 2 per page, as IAM pages it.
      expect(iam.calls.filter((c) => c.startsWith('GetAccountAuthorizationDetails'))).toHaveLength(Math.ceil(iam.roles.size / 2));
    }
    expect(iam.writes()).toEqual([]);
  });

  // PER_ROLE reads four IAM calls per role (GetRole, ListRolePolicies, GetRolePolicy,
  // ListAttachedRolePolicies); GetAccountAuthorizationDetails pages carry the same facts for up to
  // 1,000 roles each (issue 24 item 6), so the drift tests above (trust, inline policy, extra inline
  // policy, attached policy, tags, boundary) hold in either mode, each with only its own reads.
  // Only the chosen mode's reads: its role grants no other (see container-cost-bucket.test.ts).
  describe('drift check with only this mode\'s reads', () => {
    const PER_ROLE_READS = /^(GetRole|ListRolePolicies|GetRolePolicy|ListAttachedRolePolicies|ListRoles)\(/;
    const BULK_READS = /^GetAccountAuthorizationDetails/;
    const otherModesReads = () => iam.calls.filter((c) => (perRole ? BULK_READS : PER_ROLE_READS).test(c));

    test('a steady run reads the roles only this mode\'s way, and changes nothing', async () => {
      await scheduled();
      iam.calls.length = 0;
      await scheduled();
      expect(otherModesReads()).toEqual([]);
      if (perRole) {
        // ListRoles at the path (3 roles, 2 a page), then GetRole, ListRolePolicies, GetRolePolicy, ListAttachedRolePolicies each.
        expect(iam.calls.filter((c) => c.startsWith('ListRoles'))).toHaveLength(2);
        for (const read of ['GetRole', 'ListRolePolicies', 'GetRolePolicy', 'ListAttachedRolePolicies']) {
          expect(iam.calls.filter((c) => c.startsWith(`${read}(`))).toHaveLength(3);
        }
      } else {
        expect(iam.calls.filter((c) => BULK_READS.test(c))).toHaveLength(Math.ceil(iam.roles.size / 2));
      }
      expect(iam.writes()).toEqual([]);
    });

    test.each([
      ['trust edited by hand', (r: FakeRole) => { r.trust = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${OTHER_ACCOUNT}:root` }, Action: 'sts:AssumeRole' }] }); }, 'UpdateAssumeRolePolicy'],
      ['inline policy edited by hand', (r: FakeRole) => { r.policies.set(WRITE_POLICY_NAME, JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }] })); }, 'PutRolePolicy'],
      ['an inline policy added by hand', (r: FakeRole) => { r.policies.set('added-by-hand', JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'iam:*', Resource: '*' }] })); }, 'DeleteRolePolicy'],
      ['a managed policy attached by hand', (r: FakeRole) => { (r.attached ??= new Set()).add('arn:aws:iam::aws:policy/AdministratorAccess'); }, 'DetachRolePolicy'],
    ])('%s (no tag changes) is found and repaired', async (_, edit, repair) => {
      await scheduled();
      edit(role('prod', 'us-east-1')!);
      iam.calls.length = 0;
      await scheduled();
      expect(otherModesReads()).toEqual([]);
      expect(iam.writes()).toEqual([`${repair}(${agentRoleName('prod', 'us-east-1')})`]);
    });
  });

  test('throttling is retried with capped exponential backoff', async () => {
    iam.failNext('CreateRole', throttling, 4, 'container-cost-prod-us-east-1');
    eks.failNext('DescribeCluster', 'eu-west-1', eksThrottling, 2);
    await scheduled();
    expect(agentRoles()).toHaveLength(3);
    // random() is 1 here, so each wait is the full cap of its attempt: 100, 200, 400, 800, then capped at 1000.
    expect(sleeps.sort((a, b) => a - b)).toEqual([100, 100, 200, 200, 400, 800]);
    expect(logs.filter((l) => l.action === 'retry')).toHaveLength(6);
    expect(summaryLog()).toMatchObject({ created: 3, errors: 0 });
  });

  test('a call still throttled after every attempt is an error, and the others go on', async () => {
    iam.failNext('CreateRole', throttling, 5, 'container-cost-batch-us-east-1');
    await expect(scheduled()).rejects.toThrow(/create container-cost-batch-us-east-1: Throttling: Rate exceeded/);
    expect(agentRoles()).toHaveLength(2);
  });

  test('an unknown request type is an error', async () => {
    await expect(onEvent({ RequestType: 'Replace', ResourceProperties: { OwnerKey: OWNER } }, deps)).rejects.toThrow(/unknown request type Replace/);
  });

  test('missing configuration is an error that names the variable', async () => {
    deps = { ...deps, env: { ...env, [ENV.BUCKET_NAME]: undefined } };
    await expect(scheduled()).rejects.toThrow(/environment variable BUCKET_NAME is not set/);
  });

  describe('faults found in review (each reproduced against the fakes)', () => {
    test('clusters Prod and prod get one role each, and a second run changes nothing (no role handed back and forth)', async () => {
      eks.addCluster('us-east-1', { name: 'Prod', issuer: issuer(5) });
      iam.addProvider(issuer(5));
      await expect(scheduled()).resolves.toBeDefined();
      const lower = role('prod', 'us-east-1')!;
      const upper = role('Prod', 'us-east-1')!;
      expect(upper).toBeDefined();
      expect(upper).not.toBe(lower);
      expect(JSON.stringify(upper.trust)).toContain(hostPath(issuer(5)).split('/').pop());
      expect(JSON.stringify(lower.trust)).toContain(hostPath(issuer(1)).split('/').pop());
      expect(logs).not.toContainEqual(expect.objectContaining({ reason: 'created by a concurrent run of this stack' }));
      iam.calls.length = 0;
      await scheduled();
      expect(iam.writes()).toEqual([]);
    });

    test('a role deleted between GetRole and ListRolePolicies (a concurrent run removing an orphan) is treated as gone', async () => {
      await scheduled();
      eks.removeCluster('us-east-1', 'batch');
      iam.beforeNext('ListRolePolicies', () => {
        const batch = role('batch', 'us-east-1')!;
        batch.policies.clear();
        iam.roles.delete(batch.roleName.toLowerCase());
      }, agentRoleName('batch', 'us-east-1'));
      logs.length = 0;
      await expect(scheduled()).resolves.toBeDefined();
      expect(summaryLog()).toMatchObject({ errors: 0 });
      expect(role('batch', 'us-east-1')).toBeUndefined();
    });

    test('a cluster deleted between ListClusters and DescribeCluster is not a failed scan: the region still creates and deletes', async () => {
      await scheduled();
      eks.addCluster('us-east-1', { name: 'new', issuer: issuer(4) });
      iam.addProvider(issuer(4));
      // 'batch' is listed, then gone when described; eu-west-1 lost its cluster.
      eks.failNext('DescribeCluster', 'us-east-1', () => eksClusterNotFound('batch'));
      eks.removeCluster('eu-west-1', 'prod');
      logs.length = 0;
      await expect(scheduled()).resolves.toBeDefined();
      expect(logs.filter((l) => l.action === 'scan-failed')).toEqual([]);
      expect(role('new', 'us-east-1')).toBeDefined();
      expect(role('prod', 'eu-west-1')).toBeUndefined();
      expect(role('batch', 'us-east-1')).toBeUndefined();
    });

    test('a managed policy attached by hand is drift: detached on the next run, and Delete still removes the role', async () => {
      await scheduled();
      const admin = 'arn:aws:iam::aws:policy/AdministratorAccess';
      role('prod', 'us-east-1')!.attached!.add(admin);
      iam.calls.length = 0;
      await scheduled();
      expect([...role('prod', 'us-east-1')!.attached!]).toEqual([]);
      expect(iam.writes()).toEqual([`DetachRolePolicy(${agentRoleName('prod', 'us-east-1')})`]);
      role('batch', 'us-east-1')!.attached!.add(admin);
      await customResource('Delete');
      expect(agentRoles()).toEqual([]);
      expect(summaryLog()).toMatchObject({ mode: 'delete', errors: 0, deleted: 3 });
    });

    // Issue 21, item 10: the boundary is the one mark of a role this stack made (tags are anyone's to
    // write who may create a role); a role without it is never adopted, repaired or deleted.
    test('every role it creates carries the stack\'s boundary; an owned-looking role without it is reported and left alone, never adopted', async () => {
      await scheduled();
      expect(agentRoles().map((r) => r.boundary)).toEqual([BOUNDARY, BOUNDARY, BOUNDARY]);
      const prod = role('prod', 'us-east-1')!;
      prod.boundary = undefined;
      prod.trust = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: '*' }, Action: 'sts:AssumeRole' }] });
      const before = JSON.stringify(prod, (_k, v) => (v instanceof Map || v instanceof Set ? [...v] : v));
      iam.calls.length = 0;
      await expect(scheduled()).rejects.toThrow(/carries this stack's owner tag but not its permissions boundary \(it has none\)/);
      expect(iam.writes()).toEqual([]);
      expect(JSON.stringify(prod, (_k, v) => (v instanceof Map || v instanceof Set ? [...v] : v))).toBe(before);
      // Nor on Delete: it is not this stack's to remove.
      await customResource('Delete');
      expect(agentRoles().map((r) => r.roleName)).toEqual([prod.roleName]);
      expect(logs).toContainEqual(expect.objectContaining({ action: 'conflict', role: prod.roleName, error: expect.stringMatching(/not adopted, repaired or deleted/) }));
    });

    test('someone else\'s role at the path with the owner tag but another boundary (or none) is left alone; once removed, the next run creates this stack\'s own', async () => {
      const name = agentRoleName('prod', 'us-east-1');
      const fake = iam.seedRole(name, { Version: '2012-10-17', Statement: [] }, {
        path: PATH, tags: { [OWNER_TAG]: OWNER, 'container-cost:prefix': 'us-east-1/prod/' }, boundary: `arn:aws:iam::${SOURCE_ACCOUNT}:policy/permissive`,
      });
      iam.calls.length = 0;
      await expect(scheduled()).rejects.toThrow(/1 error/);
      expect(iam.writes().filter((w) => w.includes(`(${name})`))).toEqual([]);
      expect(iam.roles.get(name.toLowerCase())).toBe(fake);
      iam.roles.delete(name.toLowerCase());
      iam.calls.length = 0;
      await scheduled();
      expect(role('prod', 'us-east-1')).toMatchObject({ boundary: BOUNDARY });
      expect(iam.writes()).toEqual([`CreateRole(${name})`, `PutRolePolicy(${name})`]);
    });

    test('a role planted one path segment deeper is reported as an error, not silently kept', async () => {
      iam.seedRole('planted', { Version: '2012-10-17', Statement: [] }, { path: `${PATH}hidden/`, tags: { [OWNER_TAG]: OWNER } });
      await expect(scheduled()).rejects.toThrow(new RegExp(`role ${PATH}hidden/planted is nested below ${PATH}`));
    });

    test('with SSE-KMS the agent may do a multipart upload: kms:GenerateDataKey and kms:Decrypt on the bucket key (iam-simulate)', async () => {
      const keyArn = `arn:aws:kms:us-east-1:${SOURCE_ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
      deps = { ...deps, env: { ...env, [ENV.KMS_KEY_ARN]: keyArn } };
      await scheduled();
      const prod = role('prod', 'us-east-1')!;
      const keyPolicy = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${SOURCE_ACCOUNT}:root` }, Action: 'kms:*', Resource: '*' }] };
      const policies = [JSON.parse(prod.policies.get(WRITE_POLICY_NAME)!)];
      const can = (action: string) => isAllowed({ policies, principal: prod.arn, action, resource: keyArn, resourcePolicy: keyPolicy });
      expect(can('kms:GenerateDataKey')).toBe('Allowed');
      expect(can('kms:Decrypt')).toBe('Allowed');
    });
  });
});

test.each([['an unknown', 'LIST_ROLES'], ['a lower-case', 'per_role'], ['an empty', '']])('%s drift-read mode fails the run (and a Delete) before any IAM call, naming the variable and the modes', async (_, value) => {
  deps = { ...deps, env: { ...env, [ENV.DRIFT_READS]: value } };
  const expected = value ? /DRIFT_READS is ".*"; expected one of PER_ROLE, ACCOUNT_AUTHORIZATION_DETAILS/ : /environment variable DRIFT_READS is not set/;
  await expect(scheduled()).rejects.toThrow(expected);
  await expect(customResource('Delete')).rejects.toThrow(expected);
  expect(iam.calls).toEqual([]);
});

describe('stack deletion while a scheduled run is in flight', () => {
  test('a run that cannot read the marker creates nothing and fails (fail closed)', async () => {
    iam.failNext('GetRole', accessDenied, 1, RECONCILER);
    await expect(scheduled()).rejects.toThrow(/check whether the stack accepts new roles: AccessDenied/);
    expect(agentRoles()).toEqual([]);
  });

  test('a run that finds deletion begun creates nothing', async () => {
    await customResource('Delete');
    iam.calls.length = 0;
    await scheduled();
    expect(agentRoles()).toEqual([]);
    expect(iam.writes().filter((w) => w.startsWith('CreateRole'))).toEqual([]);
  });

  test('a run whose create races the Delete handler deletes its role again: nothing survives the stack', async () => {
    // Just before our run creates batch, the Delete handler runs: it removes the marker, then
    // deletes every role it lists (batch does not exist yet). Our CreateRole then goes through.
    iam.beforeNext('CreateRole', () => {
      iam.roles.get(RECONCILER.toLowerCase())!.tags.delete(MARKER);
      for (const r of agentRoles()) iam.roles.delete(r.roleName.toLowerCase());
    }, agentRoleName('batch', 'us-east-1'));
    await scheduled().catch(() => undefined);
    expect(agentRoles()).toEqual([]);
    expect(logs).toContainEqual(expect.objectContaining({ action: 'skip', role: agentRoleName('batch', 'us-east-1'), reason: expect.stringMatching(/began deletion during the create/) }));
  });

  test('Delete removes the marker before anything else', async () => {
    await scheduled();
    iam.calls.length = 0;
    await customResource('Delete');
    expect(iam.writes()[0]).toBe(`UntagRole(${RECONCILER})`);
    expect(iam.roles.get(RECONCILER.toLowerCase())!.tags.has(MARKER)).toBe(false);
  });
});

describe('a hand-made Delete (anyone allowed to invoke the function) removes nothing', () => {
  const forgedDelete = (StackId: string, LogicalResourceId = 'Roles', PhysicalResourceId = `container-cost-roles/${OWNER}`, OwnerKey = OWNER) => onEvent({
    RequestType: 'Delete',
    ServiceToken: 'x',
    ResponseURL: 'x',
    StackId,
    RequestId: 'x',
    LogicalResourceId,
    ResourceType: 'Custom::ContainerCostRoles',
    PhysicalResourceId,
    ResourceProperties: { ServiceToken: 'x', OwnerKey, BoundaryArn: BOUNDARY, ReconcilerRoleName: RECONCILER },
  } as CloudFormationCustomResourceEvent, deps);

  // Issue 21, item 5: an update replacing or removing any other resource has it DELETE_IN_PROGRESS;
  // the event's logical and physical IDs are the forger's to write.
  test('naming another resource the update is deleting (DELETE_IN_PROGRESS with that physical ID): refused, nothing removed', async () => {
    await scheduled();
    const before = agentRoles().map((r) => r.roleName).sort();
    stackStatus = 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS';
    stackResource = { status: 'UPDATE_COMPLETE', physicalId: `container-cost-roles/${OWNER}` };
    otherResources = { OldBucketPolicy: { status: 'DELETE_IN_PROGRESS', physicalId: 'Cost-OldBucketPolicy-1A2B' } };
    await expect(forgedDelete(STACK_ID, 'OldBucketPolicy', 'Cost-OldBucketPolicy-1A2B'))
      .rejects.toThrow(/^refused Delete: the event names resource "OldBucketPolicy", not this function's custom resource Roles$/);
    expect(agentRoles().map((r) => r.roleName).sort()).toEqual(before);
    expect(iam.roles.get(RECONCILER.toLowerCase())!.tags.get(MARKER)).toBe('true');
  });

  test('this resource, but properties naming another owner: refused, nothing removed', async () => {
    await scheduled();
    const count = agentRoles().length;
    await expect(forgedDelete(STACK_ID, 'Roles', `container-cost-roles/${OWNER}`, 'someone-else'))
      .rejects.toThrow(/^refused Delete: the event's OwnerKey "someone-else" is not the owner of its physical ID/);
    expect(agentRoles()).toHaveLength(count);
  });

  test('while the stack is not being deleted: refused, every role and the creation marker kept', async () => {
    await scheduled();
    const before = agentRoles().map((r) => r.roleName).sort();
    expect(before.length).toBeGreaterThan(0);
    stackStatus = 'UPDATE_COMPLETE';
    await expect(forgedDelete(STACK_ID)).rejects.toThrow(/refused Delete: the stack is UPDATE_COMPLETE, a state in which CloudFormation sends no Delete/);
    expect(agentRoles().map((r) => r.roleName).sort()).toEqual(before);
    expect(iam.roles.get(RECONCILER.toLowerCase())!.tags.get(MARKER)).toBe('true');
    expect(iam.writes()).not.toContainEqual(expect.stringMatching(/^(DeleteRole|UntagRole)/));
  });

  test('naming another stack: refused, nothing removed', async () => {
    await scheduled();
    const count = agentRoles().length;
    await expect(forgedDelete(STACK_ID.replace('Cost/', 'Other/'))).rejects.toThrow(/names stack .* not this function's stack/);
    expect(agentRoles()).toHaveLength(count);
  });

  test('if CloudFormation cannot be asked, a Delete keeps the roles and says so, without failing the stack', async () => {
    await scheduled();
    const count = agentRoles().length;
    cfn.on(DescribeStacksCommand).rejects(Object.assign(new Error('denied'), { name: 'AccessDenied' }));
    await expect(customResource('Delete')).resolves.toEqual({ PhysicalResourceId: `container-cost-roles/${OWNER}` });
    expect(agentRoles()).toHaveLength(count);
    expect(logs).toContainEqual(expect.objectContaining({ action: 'error', error: expect.stringMatching(/cannot confirm the Delete with CloudFormation/) }));
  });

  test.each(['DELETE_IN_PROGRESS', 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS', 'ROLLBACK_IN_PROGRESS'])('a genuine Delete while the stack is %s removes the roles', async (status) => {
    await scheduled();
    stackStatus = status;
    await customResource('Delete');
    expect(agentRoles()).toEqual([]);
  });

  test('forged during an ordinary update\'s cleanup (the resource itself is not being deleted): nothing removed, the marker kept, no failure', async () => {
    await scheduled();
    const before = agentRoles().map((r) => r.roleName).sort();
    stackStatus = 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS';
    stackResource = { status: 'UPDATE_COMPLETE', physicalId: `container-cost-roles/${OWNER}` };
    await expect(forgedDelete(STACK_ID)).resolves.toEqual({ PhysicalResourceId: `container-cost-roles/${OWNER}` });
    expect(agentRoles().map((r) => r.roleName).sort()).toEqual(before);
    expect(iam.roles.get(RECONCILER.toLowerCase())!.tags.get(MARKER)).toBe('true');
    expect(logs).toContainEqual(expect.objectContaining({ action: 'kept-delete' }));
  });

  test('a replaced resource\'s Delete (CloudFormation reports another physical ID now): nothing removed', async () => {
    await scheduled();
    const count = agentRoles().length;
    stackStatus = 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS';
    stackResource = { status: 'UPDATE_COMPLETE', physicalId: 'container-cost-roles/new-owner-key' };
    await customResource('Delete');
    expect(agentRoles()).toHaveLength(count);
  });
});

describe('the bulk drift check against IAM\'s documented GetAccountAuthorizationDetails answer (attack on issue 24 item 6)', () => {
  /** RFC 3986 percent-encoding, as IAM documents its policy documents (stricter than encodeURIComponent: !'()* too). */
  const rfc3986 = (text: string) => encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

  test('a page in the documented RoleDetail shape (every field, documents RFC 3986-encoded) is read as the roles are: a steady run changes nothing', async () => {
    await scheduled();
    // https://docs.aws.amazon.com/IAM/latest/APIReference/API_RoleDetail.html: Path, RoleName, RoleId, Arn, CreateDate,
    // AssumeRolePolicyDocument (URL-encoded), InstanceProfileList, RolePolicyList (PolicyDocument URL-encoded),
    // AttachedManagedPolicies, PermissionsBoundary, Tags, RoleLastUsed.
    iam.stub.on(GetAccountAuthorizationDetailsCommand).callsFake(async (input: any) => {
      expect(input.Filter).toEqual(['Role']);
      return {
        RoleDetailList: [...iam.roles.values()].map((r) => ({
          Path: r.path,
          RoleName: r.roleName,
          RoleId: 'AROAEXAMPLE',
          Arn: r.arn,
          CreateDate: new Date(0),
          AssumeRolePolicyDocument: rfc3986(r.trust),
          InstanceProfileList: [],
          RolePolicyList: [...r.policies].map(([PolicyName, document]) => ({ PolicyName, PolicyDocument: rfc3986(document) })),
          AttachedManagedPolicies: [...(r.attached ?? [])].map((PolicyArn) => ({ PolicyArn, PolicyName: PolicyArn.split('/').pop() })),
          ...(r.boundary ? { PermissionsBoundary: { PermissionsBoundaryType: 'Policy', PermissionsBoundaryArn: r.boundary } } : {}),
          Tags: [...r.tags].map(([Key, Value]) => ({ Key, Value })),
          RoleLastUsed: { LastUsedDate: new Date(0), Region: 'us-east-1' },
        })),
        GroupDetailList: [],
        UserDetailList: [],
        Policies: [],
        IsTruncated: false,
      };
    });
    const writesBefore = iam.writes().length;
    await scheduled();
    expect(iam.writes().slice(writesBefore)).toEqual([]);
    expect(summaryLog()).toMatchObject({ created: 0, updated: 0, deleted: 0, errors: 0 });
  });

  test('a role with this stack\'s owner tag outside its path, and one inside without it: neither is planned, repaired or deleted, on a run or on Delete', async () => {
    const trust = { Version: '2012-10-17', Statement: [] };
    const taggedOutside = iam.seedRole('container-cost-copied-us-east-1', trust, {
      path: '/',
      tags: { [OWNER_TAG]: OWNER, [CLUSTER_TAG]: `arn:aws:eks:us-east-1:${SOURCE_ACCOUNT}:cluster/gone` },
      boundary: BOUNDARY,
      policies: { [WRITE_POLICY_NAME]: { Version: '2012-10-17', Statement: [] } },
    });
    const lookalikePath = iam.seedRole('container-cost-lookalike-us-east-1', trust, { path: `/container-cost/${OWNER}x/`, tags: { [OWNER_TAG]: OWNER }, boundary: BOUNDARY });
    const untaggedInside = iam.seedRole('container-cost-untagged-us-east-1', trust, { path: PATH, boundary: BOUNDARY });
    const names = [taggedOutside, lookalikePath, untaggedInside].map((r) => r.roleName);
    await scheduled();
    await scheduled();
    await customResource('Delete');
    for (const name of names) {
      expect(iam.roles.has(name.toLowerCase())).toBe(true);
      expect(iam.writes().filter((w) => w.includes(`(${name})`))).toEqual([]);
    }
    // The listing did return them (the account-wide call has no path filter): they were skipped by path and owner tag.
    expect(iam.calls.filter((c) => c.startsWith('GetAccountAuthorizationDetails')).length).toBeGreaterThan(0);
  });

  test('a role created between two pages (the next page repeats one already read) is planned once: one delete, counted once', async () => {
    await scheduled();
    eks.removeCluster('eu-west-1', 'prod');
    const orphan = agentRoleName('prod', 'eu-west-1');
    // Someone creates a role that sorts first while the reconciler reads the pages: every later role moves one place on.
    iam.beforeNext('GetAccountAuthorizationDetails', () => {
      iam.beforeNext('GetAccountAuthorizationDetails', () => { iam.seedRole('aaa-created-meanwhile', {}, { path: '/' }); });
    });
    iam.calls.length = 0;
    await scheduled();
    expect(iam.roles.has(orphan.toLowerCase())).toBe(false);
    expect(iam.writes().filter((w) => w === `DeleteRole(${orphan})`)).toHaveLength(1);
    expect(summaryLog()).toMatchObject({ deleted: 1, errors: 0 });
  });
});

describe('the bulk read under throttling (attack on issue 24 item 6)', () => {
  test('a throttled account-details page is retried, and the run reads every page', async () => {
    await scheduled();
    iam.failNext('GetAccountAuthorizationDetails', throttling, 2);
    iam.calls.length = 0;
    await scheduled();
    expect(iam.writes()).toEqual([]);
    expect(summaryLog()).toMatchObject({ created: 0, deleted: 0, errors: 0 });
  });

  test('a page still throttled after every attempt fails the run before any write: no role is created or deleted on a partial listing', async () => {
    await scheduled();
    eks.removeCluster('eu-west-1', 'prod');
    eks.addCluster('us-east-1', { name: 'new', issuer: issuer(4, 'us-east-1') });
    iam.addProvider(issuer(4, 'us-east-1'));
    // The first page answers; every attempt at the second is throttled.
    iam.beforeNext('GetAccountAuthorizationDetails', () => iam.failNext('GetAccountAuthorizationDetails', throttling, 5));
    const writesBefore = iam.writes().length;
    await expect(scheduled()).rejects.toThrow(/Rate exceeded/);
    expect(iam.writes().slice(writesBefore)).toEqual([]);
    expect(role('prod', 'eu-west-1')).toBeDefined();
  });
});

/**
 * The fleet's member reconciler (fleet-sync.handler.ts) against the stateful IAM and EKS fakes: what
 * it keeps per cluster and flow (Pod Identity associations where the agent runs, IRSA roles where the
 * OIDC provider is registered, nothing otherwise), that it leaves everyone else's identities alone,
 * fails closed, and answers CloudFormation itself only for CloudFormation's own events.
 */
import { CloudFormationClient, DescribeStackResourceCommand, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import {
  CreatePodIdentityAssociationCommand, DeletePodIdentityAssociationCommand, DescribePodIdentityAssociationCommand, EKSClient, ListAddonsCommand,
  ListPodIdentityAssociationsCommand, ResourceInUseException, ResourceNotFoundException,
} from '@aws-sdk/client-eks';
import { IAMClient } from '@aws-sdk/client-iam';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { CfnResponseBody } from '../../src/core/cfn-response';
import { FleetNames } from '../../src/organization/fleet-names';
import { FLEET_ENV } from '../../src/organization/fleet-sync/config';
import { FleetDependencies, onFleetEvent } from '../../src/organization/fleet-sync.handler';
import { hostPath, issuer, OTHER_ACCOUNT, SOURCE_ACCOUNT, TARGET_ACCOUNT } from '../fixtures';
import { eksAccessDenied, eksThrottling, FakeAssociation, FakeEks } from '../harness/fake-eks';
import { FakeIam, FakeRole } from '../harness/fake-iam';
import { canAssume, isAllowed } from '../harness/iam-proof';

// The contract with the member template (fleet-member-stack.ts), spelled out.
const REGION = 'us-east-1';
const OTHER_REGION = 'eu-west-1';
const OWNER = 'xacct-fleet.us-east-1';
const OTHER_REGION_OWNER = 'xacct-fleet.eu-west-1';
const FENCE = 'xacct-observability:accepting/xacct-fleet.us-east-1';
const OWNER_TAG = 'xacct-observability:owner';
const CLUSTER_TAG = 'xacct-observability:cluster-arn';
const MANAGED_BY_TAG = 'xacct-observability:managed-by';
const POLICY_NAME = 'assume-central-role';
const AGENT = 'eks-pod-identity-agent';
const BOUNDARY = `arn:aws:iam::${SOURCE_ACCOUNT}:policy/xacct-observability/xacct-observability-boundary-us-east-1`;
const RECONCILER = 'StackSet-xacct-fleet-0a1b2c-ReconcilerRole-1A2B3C4D5E6F';
const STACK_ID = `arn:aws:cloudformation:us-east-1:${SOURCE_ACCOUNT}:stack/StackSet-xacct-fleet-0a1b2c/0a1b2c3d-4e5f-6789-abcd-ef0123456789`;
const FUNCTION_ARN = `arn:aws:lambda:us-east-1:${SOURCE_ACCOUNT}:function:StackSet-xacct-fleet-Reconciler`;
const RESPONSE_URL = 'https://cloudformation-custom-resource-response-useast1.s3.amazonaws.com/arn%3Aaws%3Acloudformation/req-1?X-Amz-Signature=abc';
const PHYSICAL_ID = `xacct-observability-fleet/${OWNER}`;
const RW = FleetNames.REMOTE_WRITE;
const CI = FleetNames.CONTAINER_INSIGHTS;
const RW_TARGET = `arn:aws:iam::${TARGET_ACCOUNT}:role/xacct-observability-remote-write`;
const CI_TARGET = `arn:aws:iam::${TARGET_ACCOUNT}:role/xacct-observability-container-insights`;
const FLOWS = [
  { key: RW, namespace: 'prometheus', serviceAccount: 'prometheus-server', targetRoleArn: RW_TARGET },
  { key: CI, namespace: 'amazon-cloudwatch', serviceAccount: 'cloudwatch-agent', targetRoleArn: CI_TARGET },
];
const env = {
  [FLEET_ENV.PARTITION]: 'aws',
  [FLEET_ENV.ACCOUNT]: SOURCE_ACCOUNT,
  [FLEET_ENV.REGION]: REGION,
  [FLEET_ENV.OWNER_KEY]: OWNER,
  [FLEET_ENV.BOUNDARY_ARN]: BOUNDARY,
  [FLEET_ENV.RECONCILER_ROLE]: RECONCILER,
  [FLEET_ENV.IDENTITY]: 'AUTO',
  [FLEET_ENV.FLOWS]: JSON.stringify(FLOWS),
  [FLEET_ENV.STACK_ID]: STACK_ID,
  [FLEET_ENV.LOGICAL_ID]: 'Identities',
};
/** The custom resource's properties, as the member template sets them. */
const PROPERTIES: Record<string, string> = {
  ServiceToken: FUNCTION_ARN,
  OwnerKey: OWNER,
  BoundaryArn: BOUNDARY,
  ReconcilerRoleName: RECONCILER,
  FlowKeys: `${RW},${CI}`,
  Region: REGION,
  FlowsHash: '0123456789abcdef',
  Identity: 'AUTO',
  CodeHash: '0123456789abcdef',
};

let iam: FakeIam;
let eks: FakeEks;
let cfn: ReturnType<typeof mockClient>;
let stackStatus: string;
/** The custom resource as CloudFormation reports it (DescribeStackResource). */
let stackResource: { status: string; physicalId: string };
/** The stack's other resources as CloudFormation reports them (an update may be replacing or removing them). */
let otherResources: Record<string, { status: string; physicalId: string }>;
let logs: Array<Record<string, any>>;
let responses: Array<{ url: string; body: CfnResponseBody }>;
let deps: FleetDependencies;

/**
 * One member account in us-east-1: the reconciler's role with its fence tag, the Pod Identity roles
 * CloudFormation made (no owner tag), and three clusters (every EKS cluster has an OIDC issuer):
 * - `pi` runs the Pod Identity agent (listed on the second page of its add-ons), and its provider is registered too;
 * - `irsa` does not run the agent, and its provider is registered;
 * - `bare` has neither.
 */
function setup(envOverrides: Record<string, string> = {}): void {
  iam = new FakeIam(SOURCE_ACCOUNT);
  eks = new FakeEks(SOURCE_ACCOUNT);
  logs = [];
  responses = [];
  deps = {
    clients: {
      iam: new IAMClient({ region: REGION }),
      eks: (region) => new EKSClient({ region }),
      cfn: new CloudFormationClient({ region: REGION }),
    },
    retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 1, sleep: async () => undefined, random: () => 1 },
    env: { ...env, ...envOverrides },
    log: (entry) => logs.push(entry),
    respond: async (url, body) => { responses.push({ url, body }); },
  };
  stackStatus = 'DELETE_IN_PROGRESS';
  cfn = mockClient(CloudFormationClient);
  cfn.on(DescribeStacksCommand, { StackName: STACK_ID }).callsFake(async () => ({
    Stacks: [{ StackName: 'StackSet-xacct-fleet-0a1b2c', StackId: STACK_ID, StackStatus: stackStatus, CreationTime: new Date() }],
  }));
  stackResource = { status: 'DELETE_IN_PROGRESS', physicalId: PHYSICAL_ID };
  otherResources = {};
  cfn.on(DescribeStackResourceCommand, { StackName: STACK_ID }).callsFake(async (input: any) => {
    const resource = input.LogicalResourceId === 'Identities' ? stackResource : otherResources[input.LogicalResourceId];
    if (!resource) throw Object.assign(new Error(`Resource ${input.LogicalResourceId} does not exist for stack ${STACK_ID}`), { name: 'ValidationError' });
    return {
      StackResourceDetail: {
        LogicalResourceId: input.LogicalResourceId,
        PhysicalResourceId: resource.physicalId,
        ResourceStatus: resource.status,
        ResourceType: 'Custom::ObservabilityFleetIdentities',
        LastUpdatedTimestamp: new Date(),
      },
    };
  });
  iam.seedRole(RECONCILER, { Version: '2012-10-17', Statement: [] }, { tags: { [FENCE]: 'true' } });
  for (const flow of FLOWS) {
    iam.seedRole(`${flow.key}.pod-identity.${REGION}`, { Version: '2012-10-17', Statement: [] }, {
      path: FleetNames.rolePath(flow.key),
      policies: { [POLICY_NAME]: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: flow.targetRoleArn }] } },
    });
  }
  eks.addCluster(REGION, { name: 'pi', issuer: issuer(1), addons: ['coredns', 'kube-proxy', 'vpc-cni', AGENT] });
  iam.addProvider(issuer(1));
  eks.addCluster(REGION, { name: 'irsa', issuer: issuer(2), addons: ['coredns', 'vpc-cni'] });
  iam.addProvider(issuer(2));
  eks.addCluster(REGION, { name: 'bare', issuer: issuer(3) });
}

function teardown(): void {
  iam.restore();
  eks.restore();
  cfn.restore();
}

beforeEach(() => setup());
afterEach(() => teardown());

const scheduled = () => onFleetEvent({ source: 'xacct-observability-fleet-schedule' }, deps);

interface EventOptions {
  readonly properties?: Record<string, string>;
  readonly StackId?: string;
  readonly LogicalResourceId?: string;
  readonly PhysicalResourceId?: string;
  readonly ResponseURL?: string;
}

function cfnEvent(RequestType: 'Create' | 'Update' | 'Delete', options: EventOptions = {}): CloudFormationCustomResourceEvent {
  return {
    RequestType,
    ServiceToken: FUNCTION_ARN,
    ResponseURL: options.ResponseURL ?? RESPONSE_URL,
    StackId: options.StackId ?? STACK_ID,
    RequestId: `req-${RequestType}`,
    LogicalResourceId: options.LogicalResourceId ?? 'Identities',
    ResourceType: 'Custom::ObservabilityFleetIdentities',
    ResourceProperties: { ...PROPERTIES, ...options.properties },
    ...(RequestType === 'Create' ? {} : { PhysicalResourceId: options.PhysicalResourceId ?? PHYSICAL_ID }),
    ...(RequestType === 'Update' ? { OldResourceProperties: PROPERTIES } : {}),
  } as CloudFormationCustomResourceEvent;
}

const customResource = (RequestType: 'Create' | 'Update' | 'Delete', options?: EventOptions) => onFleetEvent(cfnEvent(RequestType, options), deps);

const clusterArn = (name: string, region = REGION) => `arn:aws:eks:${region}:${SOURCE_ACCOUNT}:cluster/${name}`;
const podIdentityRoleArn = (flowKey: string) => FleetNames.podIdentityRoleArn('aws', SOURCE_ACCOUNT, flowKey, REGION);
const irsaRoleName = (flowKey: string, cluster: string) => FleetNames.irsaRoleArn('aws', SOURCE_ACCOUNT, flowKey, cluster, REGION).split('/').pop()!;
const irsaRole = (flowKey: string, cluster: string): FakeRole | undefined => iam.roles.get(irsaRoleName(flowKey, cluster).toLowerCase());
const ownerTags = (cluster: string, owner = OWNER, region = REGION) => ({
  [OWNER_TAG]: owner, [CLUSTER_TAG]: clusterArn(cluster, region), [MANAGED_BY_TAG]: 'cdk-eks-cross-account-observability',
});
/** Roles carrying this instance's owner tag. */
const ownedRoles = () => [...iam.roles.values()].filter((r) => r.tags.get(OWNER_TAG) === OWNER).map((r) => r.roleName).sort();
/** Associations of the region carrying this instance's owner tag, as "cluster/namespace/sa". */
const ownedAssociations = () => eks.associationsIn(REGION).filter((a) => a.tags[OWNER_TAG] === OWNER)
  .map((a) => `${a.clusterName}/${a.namespace}/${a.serviceAccount}`).sort();
const summaryLog = () => logs.filter((l) => l.action === 'summary').pop();
/** Everything that could have been written: roles under the fleet root (in full), every association of both regions. */
const fleetState = () => JSON.stringify({
  roles: [...iam.roles.values()].filter((r) => r.path.startsWith(FleetNames.PATH_ROOT)).sort((a, b) => a.roleName.localeCompare(b.roleName)),
  associations: [...eks.associationsIn(REGION), ...eks.associationsIn(OTHER_REGION)],
  fence: iam.roles.get(RECONCILER.toLowerCase())!.tags.get(FENCE),
}, (_k, v) => (v instanceof Map ? [...v].sort() : v));
const resetCalls = () => {
  iam.calls.length = 0;
  eks.calls.length = 0;
  logs.length = 0;
};

describe('first run (AUTO)', () => {
  test('a cluster running the Pod Identity agent gets one association per flow: the flow\'s Pod Identity role, the central role as target, owner tags', async () => {
    await scheduled();
    const associations = eks.associations(REGION, 'pi');
    const fields = ({ namespace, serviceAccount, roleArn, targetRoleArn, tags }: FakeAssociation) =>
      ({ namespace, serviceAccount, roleArn, targetRoleArn, tags });
    expect(associations.map(fields)).toEqual([
      {
        namespace: 'prometheus',
        serviceAccount: 'prometheus-server',
        roleArn: `arn:aws:iam::${SOURCE_ACCOUNT}:role/xacct-observability/remote-write/remote-write.pod-identity.us-east-1`,
        targetRoleArn: RW_TARGET,
        tags: ownerTags('pi'),
      },
      {
        namespace: 'amazon-cloudwatch',
        serviceAccount: 'cloudwatch-agent',
        roleArn: `arn:aws:iam::${SOURCE_ACCOUNT}:role/xacct-observability/container-insights/container-insights.pod-identity.us-east-1`,
        targetRoleArn: CI_TARGET,
        tags: ownerTags('pi'),
      },
    ]);
    // The names are the contract FleetNames publishes, and the roles CloudFormation made.
    expect(associations.map((a) => a.roleArn)).toEqual([podIdentityRoleArn(RW), podIdentityRoleArn(CI)]);
    expect(associations.map((a) => a.roleArn)).toEqual(FLOWS.map((f) => iam.roles.get(`${f.key}.pod-identity.${REGION}`)!.arn));
    // Pod Identity is preferred: no IRSA role for it although its provider is registered.
    expect(irsaRole(RW, 'pi')).toBeUndefined();
    expect(irsaRole(CI, 'pi')).toBeUndefined();
    expect(eks.associations(REGION, 'irsa')).toEqual([]);
    expect(eks.associations(REGION, 'bare')).toEqual([]);
  });

  test('a cluster without the agent but with its OIDC provider registered gets one IRSA role per flow: name, path, boundary, tags, one policy', async () => {
    await scheduled();
    expect(ownedRoles()).toEqual(['container-insights-irsa-us-east-1', 'remote-write-irsa-us-east-1']);
    for (const flow of FLOWS) {
      const role = irsaRole(flow.key, 'irsa')!;
      expect(role.arn).toBe(FleetNames.irsaRoleArn('aws', SOURCE_ACCOUNT, flow.key, 'irsa', REGION));
      expect(role.arn).toBe(`arn:aws:iam::${SOURCE_ACCOUNT}:role/xacct-observability/${flow.key}/${flow.key}-irsa-us-east-1`);
      expect(role.path).toBe(`/xacct-observability/${flow.key}/`);
      expect(role.boundary).toBe(BOUNDARY);
      expect(Object.fromEntries(role.tags)).toEqual(ownerTags('irsa'));
      expect([...role.policies.keys()]).toEqual([POLICY_NAME]);
      expect([...role.attached!]).toEqual([]);
    }
  });

  test('the IRSA trust admits that flow\'s service account of that cluster only (iam-simulate)', async () => {
    await scheduled();
    const role = irsaRole(RW, 'irsa')!;
    const trustPolicy = JSON.parse(role.trust);
    const ask = (sub: string, iss = issuer(2), aud = 'sts.amazonaws.com') => canAssume({
      trustPolicy,
      roleArn: role.arn,
      action: 'sts:AssumeRoleWithWebIdentity',
      principal: `arn:aws:iam::${SOURCE_ACCOUNT}:oidc-provider/${hostPath(iss)}`,
      context: { [`${hostPath(iss)}:aud`]: aud, [`${hostPath(iss)}:sub`]: sub },
    });
    expect(ask('system:serviceaccount:prometheus:prometheus-server')).toBe('Allowed');
    expect(ask('system:serviceaccount:prometheus:other')).toBe('ImplicitlyDenied');
    expect(ask('system:serviceaccount:default:prometheus-server')).toBe('ImplicitlyDenied');
    expect(ask('system:serviceaccount:amazon-cloudwatch:cloudwatch-agent')).toBe('ImplicitlyDenied'); // the other flow's
    expect(ask('system:serviceaccount:prometheus:prometheus-server', issuer(1))).toBe('ImplicitlyDenied'); // cluster pi
    expect(ask('system:serviceaccount:prometheus:prometheus-server', issuer(3))).toBe('ImplicitlyDenied'); // cluster bare
    expect(ask('system:serviceaccount:prometheus:prometheus-server', issuer(2), 'other-audience')).toBe('ImplicitlyDenied');
  });

  test('the IRSA role\'s policy allows sts:AssumeRole on exactly the flow\'s central role (iam-simulate)', async () => {
    await scheduled();
    const role = irsaRole(RW, 'irsa')!;
    const policy = JSON.parse(role.policies.get(POLICY_NAME)!);
    expect(policy).toEqual({ Version: '2012-10-17', Statement: [{ Sid: 'AssumeCentralRole', Effect: 'Allow', Action: 'sts:AssumeRole', Resource: RW_TARGET }] });
    const can = (action: string, resource: string) => isAllowed({ policies: [policy], principal: role.arn, action, resource, identityOnly: true });
    expect(can('sts:AssumeRole', RW_TARGET)).toBe('Allowed');
    expect(can('sts:AssumeRole', CI_TARGET)).toBe('ImplicitlyDenied');
    expect(can('sts:AssumeRole', `${RW_TARGET}-other`)).toBe('ImplicitlyDenied');
    expect(can('sts:AssumeRole', `arn:aws:iam::${OTHER_ACCOUNT}:role/xacct-observability-remote-write`)).toBe('ImplicitlyDenied');
    expect(can('sts:TagSession', RW_TARGET)).toBe('ImplicitlyDenied');
    expect(can('iam:PassRole', RW_TARGET)).toBe('ImplicitlyDenied');
  });

  test('a cluster with neither is skipped, with the reason in the log, and the summary counts what was done', async () => {
    await scheduled();
    expect(irsaRole(RW, 'bare')).toBeUndefined();
    expect(logs.filter((l) => l.action === 'skip-cluster')).toEqual([{
      action: 'skip-cluster',
      cluster: clusterArn('bare'),
      reason: `it does not run the eks-pod-identity-agent add-on, and its OIDC provider (${hostPath(issuer(3))}) is not registered in IAM: install the Pod Identity agent add-on or register the provider`,
    }]);
    expect(summaryLog()).toMatchObject({ created: 4, updated: 0, deleted: 0, skipped: 1, errors: 0, clusters: 3, regions: 1 });
    // Every page of add-ons was read (the agent is on the second page of pi's).
    expect(eks.calls.filter((c) => c === 'ListAddons(us-east-1/pi)')).toHaveLength(2);
  });

  test('the Pod Identity roles CloudFormation made (no owner tag, same path) are never touched', async () => {
    const before = FLOWS.map((f) => JSON.stringify(iam.roles.get(`${f.key}.pod-identity.${REGION}`), (_k, v) => (v instanceof Map ? [...v] : v)));
    await scheduled();
    expect(iam.writes().filter((w) => w.includes('.pod-identity.'))).toEqual([]);
    expect(FLOWS.map((f) => JSON.stringify(iam.roles.get(`${f.key}.pod-identity.${REGION}`), (_k, v) => (v instanceof Map ? [...v] : v)))).toEqual(before);
  });
});

test('a second run makes zero writes to IAM and EKS', async () => {
  await scheduled();
  resetCalls();
  await scheduled();
  expect(iam.writes()).toEqual([]);
  expect(eks.writes()).toEqual([]);
  expect(summaryLog()).toMatchObject({ created: 0, updated: 0, deleted: 0, skipped: 1, errors: 0 });
});

describe('drift repair', () => {
  test('an association whose target or role was changed by hand is updated back in place', async () => {
    await scheduled();
    const [rw, ci] = eks.associations(REGION, 'pi');
    const ids = [rw.associationId, ci.associationId];
    rw.targetRoleArn = `arn:aws:iam::${OTHER_ACCOUNT}:role/elsewhere`;
    ci.roleArn = `arn:aws:iam::${SOURCE_ACCOUNT}:role/Admin`;
    resetCalls();
    await scheduled();
    expect(eks.writes()).toEqual(['UpdatePodIdentityAssociation(us-east-1/pi)', 'UpdatePodIdentityAssociation(us-east-1/pi)']);
    expect(iam.writes()).toEqual([]);
    expect(eks.associations(REGION, 'pi').map((a) => [a.associationId, a.roleArn, a.targetRoleArn])).toEqual([
      [ids[0], podIdentityRoleArn(RW), RW_TARGET],
      [ids[1], podIdentityRoleArn(CI), CI_TARGET],
    ]);
    expect(summaryLog()).toMatchObject({ updated: 2, created: 0, deleted: 0, errors: 0 });
  });

  test('an IRSA role whose trust was changed by hand is repaired', async () => {
    await scheduled();
    const role = irsaRole(RW, 'irsa')!;
    const good = role.trust;
    role.trust = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${OTHER_ACCOUNT}:root` }, Action: 'sts:AssumeRole' }] });
    resetCalls();
    await scheduled();
    expect(role.trust).toBe(good);
    expect(iam.writes()).toEqual(['UpdateAssumeRolePolicy(remote-write-irsa-us-east-1)']);
    expect(eks.writes()).toEqual([]);
    expect(summaryLog()).toMatchObject({ updated: 1, created: 0, deleted: 0, errors: 0 });
  });

  // Issue 24 item 6: the roles come from GetAccountAuthorizationDetails pages, with no per-role read,
  // and a hand edit of the inline policy (which changes no tag) is still found.
  test('an IRSA role whose inline policy was changed by hand is repaired, with no per-role IAM read', async () => {
    await scheduled();
    const role = irsaRole(RW, 'irsa')!;
    const good = role.policies.get(POLICY_NAME);
    role.policies.set(POLICY_NAME, JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'aps:*', Resource: '*' }] }));
    resetCalls();
    await scheduled();
    expect(role.policies.get(POLICY_NAME)).toBe(good);
    expect(iam.writes()).toEqual(['PutRolePolicy(remote-write-irsa-us-east-1)']);
    expect(iam.calls.filter((c) => /^(GetRole|ListRolePolicies|GetRolePolicy|ListAttachedRolePolicies|ListRoles)\(/.test(c))).toEqual([]);
    expect(iam.calls.filter((c) => c.startsWith('GetAccountAuthorizationDetails')).length).toBeGreaterThan(0);
  });
});

test('someone else\'s association for a flow\'s service account (no owner tag) is never touched, and the run reports it', async () => {
  const theirs = eks.addAssociation(REGION, 'pi', { namespace: 'prometheus', serviceAccount: 'prometheus-server', roleArn: `arn:aws:iam::${SOURCE_ACCOUNT}:role/team-prometheus` });
  const before = JSON.stringify(theirs);
  await scheduled();
  expect(JSON.stringify(eks.association(REGION, 'pi', 'prometheus', 'prometheus-server'))).toBe(before);
  expect(eks.writes()).toEqual(['CreatePodIdentityAssociation(us-east-1/pi)']);
  expect(ownedAssociations()).toEqual(['pi/amazon-cloudwatch/cloudwatch-agent']);
  expect(logs).toContainEqual({
    action: 'skip',
    association: 'us-east-1/pi/prometheus/prometheus-server',
    reason: `the service account already has association ${theirs.associationId} (role arn:aws:iam::${SOURCE_ACCOUNT}:role/team-prometheus) that is not this stack's; it is left untouched`,
  });
  expect(summaryLog()).toMatchObject({ created: 3, skipped: 2, errors: 0 });
  // And the next runs neither take it over nor delete it.
  resetCalls();
  await scheduled();
  expect(eks.writes()).toEqual([]);
  expect(JSON.stringify(eks.association(REGION, 'pi', 'prometheus', 'prometheus-server'))).toBe(before);
});

test('a cluster that gains the agent moves from IRSA roles (deleted as orphans) to associations, and back when it loses it', async () => {
  await scheduled();
  const initial = fleetState();
  eks.addAddon(REGION, 'irsa', AGENT);
  resetCalls();
  await scheduled();
  expect(ownedAssociations()).toEqual([
    'irsa/amazon-cloudwatch/cloudwatch-agent', 'irsa/prometheus/prometheus-server', 'pi/amazon-cloudwatch/cloudwatch-agent', 'pi/prometheus/prometheus-server',
  ]);
  expect(eks.association(REGION, 'irsa', 'prometheus', 'prometheus-server')).toMatchObject({ roleArn: podIdentityRoleArn(RW), targetRoleArn: RW_TARGET, tags: ownerTags('irsa') });
  expect(ownedRoles()).toEqual([]);
  expect(iam.writes().sort()).toEqual([
    'DeleteRole(container-insights-irsa-us-east-1)', 'DeleteRole(remote-write-irsa-us-east-1)',
    'DeleteRolePolicy(container-insights-irsa-us-east-1)', 'DeleteRolePolicy(remote-write-irsa-us-east-1)',
  ]);
  expect(eks.writes()).toEqual(['CreatePodIdentityAssociation(us-east-1/irsa)', 'CreatePodIdentityAssociation(us-east-1/irsa)']);
  expect(summaryLog()).toMatchObject({ created: 2, deleted: 2, errors: 0 });

  eks.removeAddon(REGION, 'irsa', AGENT);
  resetCalls();
  await scheduled();
  expect(eks.writes()).toEqual(['DeletePodIdentityAssociation(us-east-1/irsa)', 'DeletePodIdentityAssociation(us-east-1/irsa)']);
  expect(iam.writes().sort()).toEqual([
    'CreateRole(container-insights-irsa-us-east-1)', 'CreateRole(remote-write-irsa-us-east-1)',
    'PutRolePolicy(container-insights-irsa-us-east-1)', 'PutRolePolicy(remote-write-irsa-us-east-1)',
  ]);
  // Back where it started, but for the associations' IDs (pi's are the first run's).
  expect(fleetState()).toBe(initial);
});

test('either way, the new identity comes before the old one goes (orphans are removed last)', async () => {
  await scheduled();
  const order = () => logs.filter((l) => ['create', 'create-association', 'delete', 'delete-association'].includes(l.action)).map((l) => l.action);
  eks.addAddon(REGION, 'irsa', AGENT);
  logs.length = 0;
  await scheduled();
  expect(order()).toEqual(['create-association', 'create-association', 'delete', 'delete']);
  eks.removeAddon(REGION, 'irsa', AGENT);
  logs.length = 0;
  await scheduled();
  expect(order()).toEqual(['create', 'create', 'delete-association', 'delete-association']);
});

describe('fail closed', () => {
  test('ListClusters denied in the region: nothing is deleted (roles nor associations), and the run fails after saying why', async () => {
    await scheduled();
    const before = fleetState();
    eks.failNext('ListClusters', REGION, eksAccessDenied);
    resetCalls();
    await expect(scheduled()).rejects.toThrow(/^fleet sync finished with 1 error\(s\): scan of us-east-1 failed: AccessDeniedException: explicit deny in a service control policy$/);
    expect(fleetState()).toBe(before);
    expect(iam.writes()).toEqual([]);
    expect(eks.writes()).toEqual([]);
    expect(logs.filter((l) => l.action === 'skip' && l.role).map((l) => [l.role, l.reason]).sort()).toEqual([
      ['container-insights-irsa-us-east-1', 'looks orphaned, but a region scan failed in this run, so nothing is deleted'],
      ['remote-write-irsa-us-east-1', 'looks orphaned, but a region scan failed in this run, so nothing is deleted'],
    ]);
  });

  test.each(['ListPodIdentityAssociations', 'DescribePodIdentityAssociation'])(
    'one cluster whose associations cannot be read (%s denied) keeps them, and the other clusters proceed', async (command) => {
      eks.addCluster(REGION, { name: 'pi2', issuer: issuer(4), addons: [AGENT] });
      await scheduled();
      // An association of a flow since removed from the configuration, in both clusters: an orphan.
      for (const cluster of ['pi', 'pi2']) {
        eks.addAssociation(REGION, cluster, { namespace: 'old', serviceAccount: 'old-agent', roleArn: podIdentityRoleArn(RW), targetRoleArn: RW_TARGET, tags: ownerTags(cluster) });
      }
      eks.addCluster(REGION, { name: 'pi3', issuer: issuer(5), addons: [AGENT] });
      eks.failNext(command, REGION, eksAccessDenied, 1, 'pi');
      resetCalls();
      await expect(scheduled()).rejects.toThrow(`fleet sync finished with 1 error(s): read the Pod Identity associations of ${clusterArn('pi')}: AccessDeniedException: explicit deny in a service control policy`);
      expect(eks.association(REGION, 'pi', 'old', 'old-agent')).toBeDefined();
      expect(eks.association(REGION, 'pi2', 'old', 'old-agent')).toBeUndefined();
      expect(ownedAssociations().filter((a) => a.startsWith('pi3/'))).toEqual(['pi3/amazon-cloudwatch/cloudwatch-agent', 'pi3/prometheus/prometheus-server']);
      expect(eks.writes().sort()).toEqual([
        'CreatePodIdentityAssociation(us-east-1/pi3)', 'CreatePodIdentityAssociation(us-east-1/pi3)', 'DeletePodIdentityAssociation(us-east-1/pi2)',
      ]);
      expect(eks.writes().filter((w) => w.endsWith('/pi)'))).toEqual([]);
    });
});

test('another region\'s instance (owner xacct-fleet.eu-west-1): its roles at the same paths and its associations are never touched, by runs or by Delete', async () => {
  const theirRoles = FLOWS.map((flow) => iam.seedRole(FleetNames.irsaRoleArn('aws', SOURCE_ACCOUNT, flow.key, 'prod', OTHER_REGION).split('/').pop()!,
    { Version: '2012-10-17', Statement: [] },
    { path: FleetNames.rolePath(flow.key), tags: ownerTags('prod', OTHER_REGION_OWNER, OTHER_REGION), boundary: BOUNDARY.replace(REGION, OTHER_REGION), policies: { [POLICY_NAME]: {} } }));
  eks.addCluster(OTHER_REGION, { name: 'prod', issuer: issuer(6, OTHER_REGION), addons: [AGENT] });
  const theirAssociation = eks.addAssociation(OTHER_REGION, 'prod', {
    namespace: 'prometheus',
    serviceAccount: 'prometheus-server',
    roleArn: FleetNames.podIdentityRoleArn('aws', SOURCE_ACCOUNT, RW, OTHER_REGION),
    targetRoleArn: RW_TARGET,
    tags: ownerTags('prod', OTHER_REGION_OWNER, OTHER_REGION),
  });
  // Even in this region's cluster, an association with the other owner key is not ours.
  const strayInOurRegion = eks.addAssociation(REGION, 'pi', { namespace: 'legacy', serviceAccount: 'agent', roleArn: podIdentityRoleArn(RW), tags: ownerTags('pi', OTHER_REGION_OWNER) });
  const theirs = () => [theirRoles, theirAssociation, strayInOurRegion, eks.associationsIn(OTHER_REGION)];
  const snapshot = () => JSON.stringify(theirs(), (_k, v) => (v instanceof Map ? [...v] : v));
  const before = snapshot();
  await scheduled();
  eks.removeCluster(REGION, 'irsa'); // our roles become orphans: theirs must not
  await scheduled();
  await customResource('Delete');
  expect(snapshot()).toBe(before);
  // Still there (the snapshot holds the objects themselves).
  expect(theirRoles.map((r) => iam.roles.get(r.roleName.toLowerCase()))).toEqual(theirRoles);
  expect(eks.associations(OTHER_REGION, 'prod')).toEqual([theirAssociation]);
  expect(eks.associations(REGION, 'pi')).toEqual([strayInOurRegion]);
  expect(iam.writes().filter((w) => w.includes('-prod-eu-west-1'))).toEqual([]);
  expect(eks.calls.filter((c) => c.includes('(eu-west-1'))).toEqual([]);
  expect(ownedRoles()).toEqual([]);
  expect(ownedAssociations()).toEqual([]);
});

test('a cluster deleted between DescribeCluster and ListAddons is gone, not a failed scan: its roles are deleted as orphans, the rest goes on', async () => {
  await scheduled();
  eks.addCluster(REGION, { name: 'new', issuer: issuer(7), addons: [AGENT] });
  eks.beforeNext('ListAddons', REGION, () => eks.removeCluster(REGION, 'irsa'), 'irsa');
  resetCalls();
  await expect(scheduled()).resolves.toBeDefined();
  expect(logs.filter((l) => l.action === 'scan-failed')).toEqual([]);
  expect(ownedRoles()).toEqual([]);
  expect(ownedAssociations()).toEqual([
    'new/amazon-cloudwatch/cloudwatch-agent', 'new/prometheus/prometheus-server', 'pi/amazon-cloudwatch/cloudwatch-agent', 'pi/prometheus/prometheus-server',
  ]);
  expect(summaryLog()).toMatchObject({ created: 2, deleted: 2, errors: 0, clusters: 3 });
});

test('every page of a cluster\'s associations is read: an owned orphan on the last page is deleted, the others\' are kept', async () => {
  for (let n = 0; n < 5; n++) eks.addAssociation(REGION, 'pi', { namespace: 'team', serviceAccount: `app-${n}`, roleArn: `arn:aws:iam::${SOURCE_ACCOUNT}:role/team-app-${n}` });
  await scheduled();
  const orphan = eks.addAssociation(REGION, 'pi', { namespace: 'old', serviceAccount: 'old-agent', roleArn: podIdentityRoleArn(RW), targetRoleArn: RW_TARGET, tags: ownerTags('pi') });
  expect(eks.associations(REGION, 'pi').indexOf(orphan)).toBe(7); // page 3 of 3 at 3 per page
  resetCalls();
  await scheduled();
  expect(eks.calls.filter((c) => c === 'ListPodIdentityAssociations(us-east-1/pi)')).toHaveLength(3);
  expect(eks.writes()).toEqual(['DeletePodIdentityAssociation(us-east-1/pi)']);
  expect(eks.association(REGION, 'pi', 'old', 'old-agent')).toBeUndefined();
  expect(eks.associations(REGION, 'pi').filter((a) => a.namespace === 'team')).toHaveLength(5);
});

test('a throttled association create is retried, and one still throttled after every attempt is an error while the others go on', async () => {
  eks.failNext('CreatePodIdentityAssociation', REGION, eksThrottling, 2, 'pi');
  eks.addCluster(REGION, { name: 'pi2', issuer: issuer(4), addons: [AGENT] });
  eks.failNext('CreatePodIdentityAssociation', REGION, eksThrottling, 6, 'pi2');
  await expect(scheduled()).rejects.toThrow(/2 error\(s\): create-association .*cluster\/pi2\/.*ThrottlingException: Rate exceeded; create-association .*cluster\/pi2\/.*ThrottlingException/);
  expect(ownedAssociations()).toEqual(['pi/amazon-cloudwatch/cloudwatch-agent', 'pi/prometheus/prometheus-server']);
  expect(logs.filter((l) => l.action === 'retry')).toHaveLength(2 + 4); // pi: 2 retries; pi2: 2 attempts of 3, twice
});

describe('identity modes', () => {
  test('POD_IDENTITY: every cluster gets its associations, without a look at add-ons or OIDC providers', async () => {
    teardown();
    setup({ [FLEET_ENV.IDENTITY]: 'POD_IDENTITY' });
    await scheduled();
    expect(ownedAssociations()).toEqual(['bare', 'irsa', 'pi'].flatMap((c) => [`${c}/amazon-cloudwatch/cloudwatch-agent`, `${c}/prometheus/prometheus-server`]));
    expect(eks.association(REGION, 'bare', 'amazon-cloudwatch', 'cloudwatch-agent')).toMatchObject({ roleArn: podIdentityRoleArn(CI), targetRoleArn: CI_TARGET, tags: ownerTags('bare') });
    expect(ownedRoles()).toEqual([]);
    expect(eks.calls.filter((c) => c.startsWith('ListAddons'))).toEqual([]);
    expect(iam.calls.filter((c) => c.startsWith('ListOpenIDConnectProviders'))).toEqual([]);
    expect(summaryLog()).toMatchObject({ created: 6, skipped: 0, errors: 0 });
  });

  test('IRSA: roles for every cluster with a registered provider; associations only read, to remove its own left from an earlier mode (also on Delete)', async () => {
    teardown();
    setup({ [FLEET_ENV.IDENTITY]: 'IRSA' });
    // Left by this instance when it ran in AUTO mode; someone else's stays.
    eks.addAssociation(REGION, 'pi', { namespace: 'prometheus', serviceAccount: 'prometheus-server', roleArn: podIdentityRoleArn(RW), targetRoleArn: RW_TARGET, tags: ownerTags('pi') });
    eks.addAssociation(REGION, 'pi', { namespace: 'other', serviceAccount: 'app', roleArn: `arn:aws:iam::${SOURCE_ACCOUNT}:role/app` });
    await scheduled();
    expect(ownedRoles()).toEqual(['container-insights-irsa-us-east-1', 'container-insights-pi-us-east-1', 'remote-write-irsa-us-east-1', 'remote-write-pi-us-east-1']);
    expect(logs.filter((l) => l.action === 'skip-cluster').map((l) => l.reason)).toEqual([
      `its OIDC provider (${hostPath(issuer(3))}) is not registered in IAM: install the Pod Identity agent add-on or register the provider`,
    ]);
    expect(eks.associations(REGION, 'pi').map((a) => `${a.namespace}/${a.serviceAccount}`)).toEqual(['other/app']);
    await customResource('Delete', { properties: { Identity: 'IRSA' } });
    expect(ownedRoles()).toEqual([]);
    // An IRSA-only member's reconciler may list and delete its own associations, never create, update or look at add-ons.
    expect(eks.calls.filter((c) => /^(Create|Update)PodIdentityAssociation|^ListAddons/.test(c))).toEqual([]);
    expect(eks.associations(REGION, 'pi').map((a) => `${a.namespace}/${a.serviceAccount}`)).toEqual(['other/app']);
    expect(logs.filter((l) => l.action === 'error')).toEqual([]);
    expect(responses.map((r) => r.body.Status)).toEqual(['SUCCESS']);
  });
});

describe('custom resource', () => {
  test('Create reconciles and responds SUCCESS to the ResponseURL, with the counts in Data', async () => {
    const result = await customResource('Create');
    const body = {
      StackId: STACK_ID,
      RequestId: 'req-Create',
      LogicalResourceId: 'Identities',
      Status: 'SUCCESS',
      PhysicalResourceId: PHYSICAL_ID,
      Data: { Created: '4', Updated: '0', Deleted: '0', Errors: '0' },
    };
    expect(responses).toEqual([{ url: RESPONSE_URL, body }]);
    expect(result).toEqual(body);
    expect(ownedAssociations()).toHaveLength(2);
    expect(ownedRoles()).toHaveLength(2);
  });

  test('a run with an error still responds SUCCESS (one cluster\'s trouble must not fail the StackSet instance) and reports Errors', async () => {
    eks.failNext('ListPodIdentityAssociations', REGION, eksAccessDenied, 1, 'pi');
    await customResource('Update');
    expect(responses).toEqual([{
      url: RESPONSE_URL,
      body: {
        StackId: STACK_ID,
        RequestId: 'req-Update',
        LogicalResourceId: 'Identities',
        Status: 'SUCCESS',
        PhysicalResourceId: PHYSICAL_ID,
        Data: { Created: '2', Updated: '0', Deleted: '0', Errors: '1' },
      },
    }]);
    expect(ownedAssociations()).toEqual([]);
    expect(ownedRoles()).toEqual(['container-insights-irsa-us-east-1', 'remote-write-irsa-us-east-1']);
    expect(logs).toContainEqual({ action: 'associations-unreadable', cluster: clusterArn('pi'), error: 'AccessDeniedException: explicit deny in a service control policy' });
  });

  test('Delete while the stack is DELETE_IN_PROGRESS removes exactly this owner\'s roles and associations, closing the creation fence first', async () => {
    await scheduled();
    const theirs = eks.addAssociation(REGION, 'pi', { namespace: 'team', serviceAccount: 'app', roleArn: `arn:aws:iam::${SOURCE_ACCOUNT}:role/team-app` });
    const stray = iam.seedRole('remote-write-stray-us-east-1', { Version: '2012-10-17', Statement: [] }, { path: FleetNames.rolePath(RW) });
    const fenceAtEachEksDelete: Array<string | undefined> = [];
    for (let i = 0; i < 2; i++) {
      eks.beforeNext('DeletePodIdentityAssociation', REGION, () => { fenceAtEachEksDelete.push(iam.roles.get(RECONCILER.toLowerCase())!.tags.get(FENCE)); });
    }
    resetCalls();
    await customResource('Delete');
    expect(responses).toEqual([{
      url: RESPONSE_URL,
      body: { StackId: STACK_ID, RequestId: 'req-Delete', LogicalResourceId: 'Identities', Status: 'SUCCESS', PhysicalResourceId: PHYSICAL_ID, Data: undefined },
    }]);
    expect(ownedRoles()).toEqual([]);
    expect(ownedAssociations()).toEqual([]);
    expect(eks.associations(REGION, 'pi')).toEqual([theirs]);
    expect(iam.roles.get(stray.roleName.toLowerCase())).toBe(stray);
    expect(FLOWS.map((f) => iam.roles.has(`${f.key}.pod-identity.${REGION}`))).toEqual([true, true]);
    expect(iam.roles.get(RECONCILER.toLowerCase())!.tags.has(FENCE)).toBe(false);
    expect(iam.writes()[0]).toBe(`UntagRole(${RECONCILER})`);
    expect(fenceAtEachEksDelete).toEqual([undefined, undefined]);
    expect(eks.writes()).toEqual(['DeletePodIdentityAssociation(us-east-1/pi)', 'DeletePodIdentityAssociation(us-east-1/pi)']);
    expect(summaryLog()).toMatchObject({ mode: 'delete', deleted: 4, errors: 0 });
    // With the fence closed, a scheduled run still in flight (or the next one) creates nothing.
    resetCalls();
    await scheduled();
    expect(iam.writes()).toEqual([]);
    expect(eks.writes()).toEqual([]);
  });

  test.each([
    ['the stack is UPDATE_COMPLETE', 'UPDATE_COMPLETE', STACK_ID, /^refused Delete: the stack is UPDATE_COMPLETE, a state in which CloudFormation sends no Delete$/],
    ['the event names another stack', 'DELETE_IN_PROGRESS', STACK_ID.replace('StackSet-xacct-fleet-0a1b2c/', 'Other/'), /^refused Delete: the event names stack ".*:stack\/Other\/.*", not this function's stack /],
  ])('a hand-made Delete (%s) is refused: FAILED, nothing removed, the fence kept', async (_label, status, stackId, reason) => {
    await scheduled();
    const before = fleetState();
    stackStatus = status;
    resetCalls();
    await customResource('Delete', { StackId: stackId });
    expect(responses).toHaveLength(1);
    expect(responses[0].url).toBe(RESPONSE_URL);
    expect(responses[0].body).toMatchObject({ Status: 'FAILED', PhysicalResourceId: PHYSICAL_ID, StackId: stackId, RequestId: 'req-Delete' });
    expect(responses[0].body.Reason).toMatch(reason);
    expect(fleetState()).toBe(before);
    expect(iam.writes()).toEqual([]);
    expect(eks.writes()).toEqual([]);
    expect(iam.roles.get(RECONCILER.toLowerCase())!.tags.get(FENCE)).toBe('true');
  });

  test('a Delete forged during an ordinary StackSet update\'s cleanup (this resource is not being deleted): SUCCESS, nothing removed, the fence kept', async () => {
    await scheduled();
    const before = fleetState();
    stackStatus = 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS';
    stackResource = { status: 'UPDATE_COMPLETE', physicalId: PHYSICAL_ID };
    resetCalls();
    await customResource('Delete');
    expect(responses.map((r) => r.body.Status)).toEqual(['SUCCESS']);
    expect(fleetState()).toBe(before);
    expect(iam.writes()).toEqual([]);
    expect(eks.writes()).toEqual([]);
    expect(iam.roles.get(RECONCILER.toLowerCase())!.tags.get(FENCE)).toBe('true');
    // The next run still serves new clusters.
    eks.addCluster(REGION, { name: 'later', issuer: issuer(9) });
    eks.addAddon(REGION, 'later', AGENT);
    await scheduled();
    expect(ownedAssociations()).toContain('later/prometheus/prometheus-server');
  });

  // Issue 21, item 5: during an update that replaces or removes any other resource, CloudFormation
  // reports that resource DELETE_IN_PROGRESS; a Delete naming it (logical and physical ID are the
  // forger's to write) must not pass for this function's own custom resource.
  test('a Delete naming another resource the update is deleting (DELETE_IN_PROGRESS with that physical ID) is refused: FAILED, nothing removed, the fence kept', async () => {
    await scheduled();
    const before = fleetState();
    stackStatus = 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS';
    stackResource = { status: 'UPDATE_COMPLETE', physicalId: PHYSICAL_ID };
    otherResources = { OldLink: { status: 'DELETE_IN_PROGRESS', physicalId: 'arn:aws:oam:us-east-1:111111111111:link/old' } };
    resetCalls();
    await customResource('Delete', { LogicalResourceId: 'OldLink', PhysicalResourceId: 'arn:aws:oam:us-east-1:111111111111:link/old' });
    expect(responses.map((r) => r.body.Status)).toEqual(['FAILED']);
    expect(responses[0].body.Reason).toMatch(/^refused Delete: the event names resource "OldLink", not this function's custom resource Identities$/);
    expect(fleetState()).toBe(before);
    expect(iam.writes()).toEqual([]);
    expect(eks.writes()).toEqual([]);
  });

  test('a Delete of this resource whose properties name another owner (the other region\'s instance) is refused, even while the stack is deleted', async () => {
    await scheduled();
    const before = fleetState();
    resetCalls();
    await customResource('Delete', { properties: { OwnerKey: OTHER_REGION_OWNER } });
    expect(responses.map((r) => r.body.Status)).toEqual(['FAILED']);
    expect(responses[0].body.Reason).toMatch(/^refused Delete: the event's OwnerKey "xacct-fleet.eu-west-1" is not the owner of its physical ID/);
    expect(fleetState()).toBe(before);
  });

  test('while the whole stack is deleted, a Delete is acted on only once CloudFormation reports this resource DELETE_IN_PROGRESS with that physical ID', async () => {
    await scheduled();
    const before = fleetState();
    stackResource = { status: 'CREATE_COMPLETE', physicalId: PHYSICAL_ID };
    await customResource('Delete');
    expect(responses.map((r) => r.body.Status)).toEqual(['SUCCESS']);
    expect(fleetState()).toBe(before);
    expect(logs).toContainEqual(expect.objectContaining({ action: 'kept-delete' }));
  });

  test('the resource removed from the template in an update (CloudFormation reports it DELETE_IN_PROGRESS): its identities go', async () => {
    await scheduled();
    stackStatus = 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS';
    await customResource('Delete');
    expect(ownedRoles()).toEqual([]);
    expect(ownedAssociations()).toEqual([]);
  });

  test.each([
    ['https://evil.example.com/x', 'the ResponseURL is not CloudFormation\'s response bucket of us-east-1 (cloudformation-custom-resource-response-useast1) on Amazon S3 (host evil.example.com)'],
    ['http://cloudformation-custom-resource-response-useast1.s3.amazonaws.com/x', 'the ResponseURL is not https'],
    ['https://s3.amazonaws.com.evil.example.com/x', 'the ResponseURL is not CloudFormation\'s response bucket of us-east-1 (cloudformation-custom-resource-response-useast1) on Amazon S3 (host s3.amazonaws.com.evil.example.com)'],
    ['https://cloudformation-custom-resource-response-useast1.s3.amazonaws.com@evil.example.com/x', 'the ResponseURL has credentials or a port'],
    // The review's finds: any other bucket on S3, path-style or virtual-hosted, access points, another port.
    ['https://attacker-bucket.s3.amazonaws.com/loot', 'the ResponseURL is not CloudFormation\'s response bucket of us-east-1 (cloudformation-custom-resource-response-useast1) on Amazon S3 (host attacker-bucket.s3.amazonaws.com)'],
    ['https://s3.amazonaws.com/attacker-bucket/loot', 'the ResponseURL is not CloudFormation\'s response bucket of us-east-1 (cloudformation-custom-resource-response-useast1) on Amazon S3 (host s3.amazonaws.com)'],
    ['https://x.s3-accesspoint.us-east-1.amazonaws.com/x', 'the ResponseURL is not CloudFormation\'s response bucket of us-east-1 (cloudformation-custom-resource-response-useast1) on Amazon S3 (host x.s3-accesspoint.us-east-1.amazonaws.com)'],
    ['https://cloudformation-custom-resource-response-useast1.s3.amazonaws.com:8443/x', 'the ResponseURL has credentials or a port'],
    // Issue 21, item 9: a bucket that only looks like a region's response bucket, and another region's.
    ['https://cloudformation-custom-resource-response-attacker1.s3.amazonaws.com/x', 'the ResponseURL is not CloudFormation\'s response bucket of us-east-1 (cloudformation-custom-resource-response-useast1) on Amazon S3 (host cloudformation-custom-resource-response-attacker1.s3.amazonaws.com)'],
    ['https://cloudformation-custom-resource-response-euwest1.s3.eu-west-1.amazonaws.com/x', 'the ResponseURL is not CloudFormation\'s response bucket of us-east-1 (cloudformation-custom-resource-response-useast1) on Amazon S3 (host cloudformation-custom-resource-response-euwest1.s3.eu-west-1.amazonaws.com)'],
  ])('an event whose ResponseURL is %s is refused: nothing read, written or sent', async (url, reason) => {
    await scheduled();
    const before = fleetState();
    for (const type of ['Create', 'Update', 'Delete'] as const) {
      resetCalls();
      await expect(customResource(type, { ResponseURL: url })).rejects.toThrow(`refused event: ${reason}`);
      expect(logs).toEqual([{ action: 'refused-event', reason }]);
      expect(iam.calls).toEqual([]);
      expect(eks.calls).toEqual([]);
    }
    expect(responses).toEqual([]);
    expect(fleetState()).toBe(before);
  });

  test('an event cannot change configuration: other Flows, targets, identity and owner in ResourceProperties change nothing written', async () => {
    await customResource('Create');
    const genuine = fleetState();
    expect(genuine).toContain(RW_TARGET);
    teardown();
    setup();
    const attacker = `arn:aws:iam::${OTHER_ACCOUNT}:role/attacker`;
    await customResource('Create', {
      properties: {
        Flows: JSON.stringify([{ key: RW, namespace: 'kube-system', serviceAccount: 'default', targetRoleArn: attacker }]),
        FlowKeys: 'workload-evil',
        Identity: 'POD_IDENTITY',
        BoundaryArn: `arn:aws:iam::${SOURCE_ACCOUNT}:policy/none`,
        Region: OTHER_REGION,
      },
    });
    expect(fleetState()).toBe(genuine);
    expect(fleetState()).not.toContain(attacker);
    expect(fleetState()).not.toContain('kube-system');
    expect(responses.map((r) => r.body.Data)).toEqual([{ Created: '4', Updated: '0', Deleted: '0', Errors: '0' }]);
  });
});

describe('stack deletion racing a run', () => {
  test('deletion begins (fence tag removed) during an association create: the association is deleted again', async () => {
    eks.beforeNext('CreatePodIdentityAssociation', REGION, () => { iam.roles.get(RECONCILER.toLowerCase())!.tags.delete(FENCE); }, 'pi');
    await scheduled();
    expect(eks.associations(REGION, 'pi')).toEqual([]);
    expect(eks.writes().sort()).toEqual([
      'CreatePodIdentityAssociation(us-east-1/pi)', 'CreatePodIdentityAssociation(us-east-1/pi)',
      'DeletePodIdentityAssociation(us-east-1/pi)', 'DeletePodIdentityAssociation(us-east-1/pi)',
    ]);
    expect(logs.filter((l) => l.action === 'skip' && l.association).map((l) => [l.association, l.reason]).sort()).toEqual([
      [`${clusterArn('pi')}/amazon-cloudwatch/cloudwatch-agent`, 'the stack began deletion during the create; the association was deleted again'],
      [`${clusterArn('pi')}/prometheus/prometheus-server`, 'the stack began deletion during the create; the association was deleted again'],
    ]);
  });

  test('the whole Delete handler runs between a run\'s CreatePodIdentityAssociation and its response: nothing of this owner survives', async () => {
    // The Delete handler lists and removes this owner's roles and associations (the run's roles, and
    // none of its associations yet), then the run's create goes through.
    eks.beforeNext('CreatePodIdentityAssociation', REGION, async () => { await customResource('Delete'); }, 'pi');
    await scheduled();
    expect(responses.map((r) => r.body.Status)).toEqual(['SUCCESS']);
    expect(ownedAssociations()).toEqual([]);
    expect(ownedRoles()).toEqual([]);
    expect(iam.roles.get(RECONCILER.toLowerCase())!.tags.has(FENCE)).toBe(false);
  });
});

describe('the EKS fake answers as EKS does (what the tests above rely on)', () => {
  const client = () => new EKSClient({ region: REGION });

  test('ListPodIdentityAssociations pages summaries without roles or tags; Describe has them', async () => {
    await scheduled();
    const [first, second] = eks.associations(REGION, 'pi');
    const page1 = await client().send(new ListPodIdentityAssociationsCommand({ clusterName: 'pi', maxResults: 1 }));
    expect(page1).toMatchObject({ associations: [{ clusterName: 'pi', namespace: 'prometheus', serviceAccount: 'prometheus-server', associationArn: first.associationArn, associationId: first.associationId }], nextToken: '1' });
    expect(Object.keys(page1.associations![0]).sort()).toEqual(['associationArn', 'associationId', 'clusterName', 'namespace', 'serviceAccount']);
    const page2 = await client().send(new ListPodIdentityAssociationsCommand({ clusterName: 'pi', maxResults: 1, nextToken: page1.nextToken }));
    expect(page2.associations!.map((a) => a.associationId)).toEqual([second.associationId]);
    expect(page2.nextToken).toBeUndefined();
    const { association } = await client().send(new DescribePodIdentityAssociationCommand({ clusterName: 'pi', associationId: first.associationId }));
    expect(association).toMatchObject({ roleArn: podIdentityRoleArn(RW), targetRoleArn: RW_TARGET, tags: ownerTags('pi') });
    expect(first.associationArn).toBe(`arn:aws:eks:us-east-1:${SOURCE_ACCOUNT}:podidentityassociation/pi/${first.associationId}`);
  });

  test('a second association for one service account is ResourceInUse; unknown clusters and IDs are ResourceNotFound', async () => {
    await scheduled();
    const create = (clusterName: string) => client().send(new CreatePodIdentityAssociationCommand({ clusterName, namespace: 'prometheus', serviceAccount: 'prometheus-server', roleArn: podIdentityRoleArn(RW) }));
    await expect(create('pi')).rejects.toBeInstanceOf(ResourceInUseException);
    await expect(create('nope')).rejects.toBeInstanceOf(ResourceNotFoundException);
    await expect(client().send(new DescribePodIdentityAssociationCommand({ clusterName: 'pi', associationId: 'a-00000000000000zzz' }))).rejects.toBeInstanceOf(ResourceNotFoundException);
    await expect(client().send(new DeletePodIdentityAssociationCommand({ clusterName: 'pi', associationId: 'a-00000000000000zzz' }))).rejects.toBeInstanceOf(ResourceNotFoundException);
    await expect(client().send(new ListAddonsCommand({ clusterName: 'nope' }))).rejects.toBeInstanceOf(ResourceNotFoundException);
    expect(() => eks.addAssociation(REGION, 'pi', { namespace: 'prometheus', serviceAccount: 'prometheus-server', roleArn: 'x' })).toThrow(ResourceInUseException);
    expect(eks.associations(REGION, 'pi')).toHaveLength(2);
  });
});

describe('overlapping runs', () => {
  test('an association another run of this instance created first is not an error; someone else\'s is left alone', async () => {
    // Just before this run's create, a concurrent run of the same instance makes it...
    eks.beforeNext('CreatePodIdentityAssociation', REGION, () => {
      eks.addAssociation(REGION, 'pi', { namespace: 'prometheus', serviceAccount: 'prometheus-server', roleArn: podIdentityRoleArn(RW), targetRoleArn: RW_TARGET, tags: ownerTags('pi') });
    }, 'pi');
    await scheduled();
    expect(summaryLog()).toMatchObject({ errors: 0 });
    expect(logs.filter((l) => l.action === 'skip' && l.reason === 'created by a concurrent run of this stack')).toHaveLength(1);
    expect(ownedAssociations()).toEqual(['pi/amazon-cloudwatch/cloudwatch-agent', 'pi/prometheus/prometheus-server']);
  });

  test('a person creating the same service account\'s association meanwhile: skipped, untouched, no error', async () => {
    eks.beforeNext('CreatePodIdentityAssociation', REGION, () => {
      eks.addAssociation(REGION, 'pi', { namespace: 'prometheus', serviceAccount: 'prometheus-server', roleArn: `arn:aws:iam::${SOURCE_ACCOUNT}:role/hand-made` });
    }, 'pi');
    await scheduled();
    expect(summaryLog()).toMatchObject({ errors: 0 });
    expect(eks.association(REGION, 'pi', 'prometheus', 'prometheus-server')).toMatchObject({ roleArn: `arn:aws:iam::${SOURCE_ACCOUNT}:role/hand-made` });
    expect(logs.filter((l) => l.action === 'skip' && /someone else's association meanwhile/.test(l.reason))).toHaveLength(1);
  });
});

describe('an update that drops a flow', () => {
  test('removes that flow\'s owned IRSA roles and associations, keeps the rest and the fence; a forged old flow list touches nothing in use', async () => {
    await scheduled();
    const remaining = ownedRoles().filter((name) => !name.startsWith('container-insights-'));
    expect(ownedRoles().some((name) => name.startsWith('container-insights-'))).toBe(true);
    // The instance is updated to remote write only; the event still names the old flows.
    deps = { ...deps, env: { ...deps.env, [FLEET_ENV.FLOWS]: JSON.stringify(FLOWS.filter((f) => f.key === RW)) } };
    await customResource('Update', { properties: { FlowKeys: RW } });
    expect(ownedRoles()).toEqual(remaining);
    expect(ownedAssociations().filter((a) => a.includes('cloudwatch-agent'))).toEqual([]);
    expect(iam.roles.get(RECONCILER.toLowerCase())!.tags.get(FENCE)).toBe('true');
    expect(responses.map((r) => r.body.Status)).toEqual(['SUCCESS']);
    // An Update whose old flow list names the current flow (or a path trick) removes nothing still configured.
    const before = fleetState();
    await onFleetEvent({ ...cfnEvent('Update', { properties: { FlowKeys: RW } }), OldResourceProperties: { ...PROPERTIES, FlowKeys: `${RW},../remote-write,x/y` } } as any, deps);
    expect(fleetState()).toBe(before);
  });
});

describe('a run that would outlast the function', () => {
  test('answers CloudFormation SUCCESS (partial) before the function is stopped, and the run goes on', async () => {
    // ListClusters takes 1.5 s; the function has 60.2 s left, of which 60 s are kept to answer.
    eks.beforeNext('ListClusters', REGION, () => new Promise<void>((resolve) => setTimeout(resolve, 1_500)));
    const started = Date.now();
    await onFleetEvent(cfnEvent('Create'), { ...deps, remainingMs: () => 60_200 });
    expect(Date.now() - started).toBeLessThan(1_400);
    expect(responses.map((r) => [r.body.Status, r.body.Data])).toEqual([['SUCCESS', { Partial: 'true' }]]);
    expect(logs).toContainEqual(expect.objectContaining({ action: 'deadline' }));
    // The run finishes on its own (the schedule would finish it otherwise).
    await new Promise((resolve) => setTimeout(resolve, 1_800));
    expect(ownedAssociations()).toEqual(['pi/amazon-cloudwatch/cloudwatch-agent', 'pi/prometheus/prometheus-server']);
  });
});

describe('the container-cost flow (no central role: the identities write the organization\'s bucket)', () => {
  const COST = FleetNames.CONTAINER_COST;
  const BUCKET = `container-cost-org-${TARGET_ACCOUNT}`;
  const COST_FLOWS = [...FLOWS, { key: COST, namespace: 'container-cost', serviceAccount: 'container-cost-agent', costBucketName: BUCKET }];
  beforeEach(() => {
    teardown();
    setup({ [FLEET_ENV.FLOWS]: JSON.stringify(COST_FLOWS) });
    iam.seedRole(`${COST}.pod-identity.${REGION}`, { Version: '2012-10-17', Statement: [] }, { path: FleetNames.rolePath(COST) });
  });

  test('a Pod Identity cluster gets an association to the account\'s cost role with no target role; an IRSA cluster a role writing exactly its prefix', async () => {
    const summary: any = await scheduled();
    expect(summary.summary.errors).toEqual([]);
    const cost = eks.associations(REGION, 'pi').find((a) => a.namespace === 'container-cost')!;
    expect(cost).toMatchObject({ serviceAccount: 'container-cost-agent', roleArn: podIdentityRoleArn(COST), tags: ownerTags('pi') });
    expect(cost.targetRoleArn).toBeUndefined();
    const role = irsaRole(COST, 'irsa')!;
    expect(role.path).toBe(FleetNames.rolePath(COST));
    expect(role.boundary).toBe(BOUNDARY);
    const policy = JSON.parse(role.policies.get(POLICY_NAME)!);
    const prefix = FleetNames.costPrefix(SOURCE_ACCOUNT, REGION, 'irsa');
    const ask = (action: string, resource: string, context: Record<string, string> = {}) =>
      isAllowed({ principal: role.arn, action, resource, policies: [policy], context, identityOnly: true });
    expect(ask('s3:PutObject', `arn:aws:s3:::${BUCKET}/${prefix}f.csv`)).toBe('Allowed');
    expect(ask('s3:ListBucket', `arn:aws:s3:::${BUCKET}`, { 's3:prefix': prefix })).toBe('Allowed');
    expect(ask('s3:PutObject', `arn:aws:s3:::${BUCKET}/${FleetNames.costPrefix(OTHER_ACCOUNT, REGION, 'irsa')}f.csv`)).not.toBe('Allowed');
    expect(ask('s3:PutObject', `arn:aws:s3:::${BUCKET}/${FleetNames.costPrefix(SOURCE_ACCOUNT, REGION, 'pi')}f.csv`)).not.toBe('Allowed');
    expect(ask('sts:AssumeRole', RW_TARGET)).not.toBe('Allowed');
    // A second run changes nothing.
    resetCalls();
    await scheduled();
    expect(iam.calls.filter((c) => !/^(Get|List)/.test(c))).toEqual([]);
    expect(eks.calls.filter((c) => /^(Create|Update|Delete)/.test(c))).toEqual([]);
  });

  test('a flow with both a central role and a bucket, or neither, is refused from the environment', async () => {
    for (const flows of [[{ ...COST_FLOWS[2], targetRoleArn: RW_TARGET }], [{ key: COST, namespace: 'a', serviceAccount: 'b' }]]) {
      deps = { ...deps, env: { ...deps.env, [FLEET_ENV.FLOWS]: JSON.stringify(flows) } };
      await expect(scheduled()).rejects.toThrow(/one of targetRoleArn, costBucketName/);
    }
  });
});

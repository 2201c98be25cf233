/**
 * Container cost for an organization: one bucket in a central account (`OrganizationContainerCostBucket`)
 * and the fleet's container-cost flow in every member account (`ObservabilityFleetSource.containerCost`).
 * Proven with the IAM engine on the synthesized documents: a member's identities write exactly their
 * cluster's `<account>/<region>/<cluster>/`; account A never writes or lists account B's prefix, even
 * with an identity policy that allows all of S3 (the bucket policy holds it); outsiders, members
 * outside the OUs and other flows' identities are denied.
 */
import { App, Aws, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Testing } from 'cdk8s';
import { ContainerCostAgentChart, ContainerCostAgentChartIdentity, FleetNames, ObservabilityFleetSource, OrganizationContainerCostBucket } from '../../src';
import { FleetMemberStack } from '../../src/organization/fleet-member-stack';
import { fleetDesiredState, FleetSyncConfig } from '../../src/organization/fleet-sync/desired';
import { evaluate } from '../harness/cfn-eval';
import { Decision, identityPoliciesOf, isAllowed, isAllowedWithinBoundary, logicalIdsOfType } from '../harness/iam-proof';
import { objectOf, validChartObjects } from '../harness/manifests';
import { expectNagClean } from '../harness/nag';

const ORG = 'o-a1b2c3d4e5';
const PROD_OU = `${ORG}/r-ab12/ou-ab12-11111111/`;
const DEV_OU = `${ORG}/r-ab12/ou-ab12-22222222/`;
const OTHER_OU = `${ORG}/r-ab12/ou-ab12-99999999/`;
const CENTRAL = '111111111111';
const A = '444444444444';
const B = '555555555555';
const OUTSIDER = '999999999999';
const REGION = 'eu-west-1';
const REMOTE_WRITE = `arn:aws:iam::${CENTRAL}:role/amp-remote-write-ws-1`;

function central() {
  const stack = new Stack(new App(), 'Central', { env: { account: CENTRAL, region: 'us-east-1' } });
  const cost = new OrganizationContainerCostBucket(stack, 'Cost', { organizationSource: { organizationId: ORG, organizationalUnitPaths: [PROD_OU, DEV_OU] } });
  return { stack, cost, template: Template.fromStack(stack).toJSON() };
}

const { cost, template: centralTemplate, stack: centralStack } = central();
const BUCKET = cost.bucketName;
const BUCKET_ARN = `arn:aws:s3:::${BUCKET}`;
const bucketPolicy = evaluate(
  Object.values<any>(centralTemplate.Resources).find((r) => r.Type === 'AWS::S3::BucketPolicy').Properties.PolicyDocument,
  centralTemplate, { account: CENTRAL, region: 'us-east-1' },
);

function memberTemplate() {
  const stack = new Stack(new App(), 'Management', { env: { account: '100000000000', region: 'us-east-1' } });
  const fleet = new ObservabilityFleetSource(stack, 'Fleet', {
    organizationalUnitIds: ['ou-ab12-11111111', 'ou-ab12-22222222'],
    regions: ['us-east-1', REGION],
    remoteWrite: { targetRoleArn: REMOTE_WRITE },
    containerCost: { bucketName: BUCKET },
  });
  return fleet.memberTemplate;
}
const member = memberTemplate();

/** One member account's documents, as CloudFormation would deploy them there. */
function documentsOf(account: string) {
  const env = { account, region: REGION };
  const roleId = (name: string) => logicalIdsOfType(member, 'AWS::IAM::Role')
    .find((id) => evaluate(member.Resources[id].Properties.RoleName, member, env) === name)!;
  const boundaryId = logicalIdsOfType(member, 'AWS::IAM::ManagedPolicy')[0];
  const config: FleetSyncConfig = {
    partition: 'aws',
    account,
    region: REGION,
    ownerKey: `xacct-observability-fleet.${REGION}`,
    boundaryArn: 'arn:aws:iam::x:policy/b',
    reconcilerRoleName: 'r',
    identity: 'AUTO',
    flows: JSON.parse(evaluate(member.Resources[logicalIdsOfType(member, 'AWS::Lambda::Function')[0]].Properties.Environment.Variables.FLOWS, member, env)),
  };
  const issuer = 'https://oidc.eks.eu-west-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF';
  const desired = fleetDesiredState(config, [{ name: 'ledger', region: REGION, arn: `arn:aws:eks:${REGION}:${account}:cluster/ledger`, issuer, addons: [] }],
    new Set([issuer.replace('https://', '')]));
  const irsa = desired.roles.find((r) => r.path === FleetNames.rolePath(FleetNames.CONTAINER_COST))!;
  return {
    podIdentityRole: FleetNames.podIdentityRoleArn('aws', account, FleetNames.CONTAINER_COST, REGION),
    podIdentityPolicies: identityPoliciesOf(member, roleId(`container-cost.pod-identity.${REGION}`), env),
    remoteWritePolicies: identityPoliciesOf(member, roleId(`remote-write.pod-identity.${REGION}`), env),
    irsaRole: `arn:aws:iam::${account}:role${irsa.path}${irsa.roleName}`,
    irsaPolicy: irsa.policy,
    boundary: evaluate(member.Resources[boundaryId].Properties.PolicyDocument, member, env),
  };
}

/** The request context IAM sets for a role of an account: derived from the principal, never chosen by the test. */
function contextOf(roleArn: string, orgPath: string | undefined, tags: Record<string, string> = {}) {
  const account = roleArn.split(':')[4];
  return {
    'aws:PrincipalArn': roleArn,
    'aws:PrincipalAccount': account,
    ...(orgPath ? { 'aws:PrincipalOrgID': orgPath.split('/')[0], 'aws:PrincipalOrgPaths': [`${orgPath}`] } : {}),
    ...Object.fromEntries(Object.entries(tags).map(([k, v]) => [`aws:PrincipalTag/${k}`, v])),
  };
}

interface Writer {
  readonly role: string;
  readonly policies: any[];
  readonly boundaries?: any[];
  readonly orgPath?: string;
  readonly tags?: Record<string, string>;
}

function put(writer: Writer, key: string): Decision {
  return decide(writer, 's3:PutObject', `${BUCKET_ARN}/${key}`, {});
}

function list(writer: Writer, prefix: string): Decision {
  return decide(writer, 's3:ListBucket', BUCKET_ARN, { 's3:prefix': prefix });
}

function decide(writer: Writer, action: string, resource: string, extra: Record<string, string>): Decision {
  const request = {
    principal: writer.role,
    action,
    resource,
    resourceAccount: CENTRAL,
    policies: writer.policies,
    resourcePolicy: bucketPolicy,
    context: { ...contextOf(writer.role, writer.orgPath, writer.tags), ...extra },
  };
  return writer.boundaries ? isAllowedWithinBoundary({ ...request, boundaries: writer.boundaries }) : isAllowed(request);
}

const ALL_OF_S3 = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }] };

describe('OrganizationContainerCostBucket', () => {
  test('the bucket policy: the organization\'s OUs, the fleet\'s container-cost path, and only ${aws:PrincipalAccount}/ (no account list)', () => {
    const writes = bucketPolicy.Statement.find((s: any) => s.Sid === 'MembersWriteOwnAccountPrefix');
    expect(writes).toEqual({
      Sid: 'MembersWriteOwnAccountPrefix',
      Effect: 'Allow',
      Principal: { AWS: '*' },
      Action: ['s3:PutObject', 's3:AbortMultipartUpload'],
      Resource: `${BUCKET_ARN}/\${aws:PrincipalAccount}/*`,
      Condition: {
        'StringEquals': { 'aws:PrincipalOrgID': ORG },
        'ForAnyValue:StringLike': { 'aws:PrincipalOrgPaths': [`${PROD_OU}*`, `${DEV_OU}*`] },
        'ArnLike': { 'aws:PrincipalArn': 'arn:aws:iam::*:role/xacct-observability/container-cost/*' },
        // One path level only (the fleet never makes deeper roles).
        'ArnNotLike': { 'aws:PrincipalArn': 'arn:aws:iam::*:role/xacct-observability/container-cost/*/*' },
      },
    });
    expect(JSON.stringify(bucketPolicy)).not.toContain(A);
    const t = Template.fromStack(centralStack);
    t.hasResourceProperties('AWS::S3::Bucket', {
      BucketName: `container-cost-org-${CENTRAL}`,
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
    });
  });

  test('cdk-nag clean (central side, with a reader; and the member stack with the cost flow)', () => {
    expectNagClean(centralStack);
    const withReader = new Stack(new App(), 'Central', { env: { account: CENTRAL, region: 'us-east-1' } });
    new OrganizationContainerCostBucket(withReader, 'Cost', { organizationSource: { organizationId: ORG }, readerRoleName: 'cost-platform' });
    expectNagClean(withReader);
    expectNagClean(new FleetMemberStack(new App(), 'Member', {
      stackSetName: 'xacct-observability-fleet',
      flows: [{ key: 'container-cost', namespace: 'container-cost', serviceAccount: 'container-cost-agent', costBucketName: BUCKET }],
      identity: 'AUTO',
      schedule: Duration.hours(2),
    }));
  });

  test('bad input: one error naming every problem', () => {
    const stack = new Stack(new App(), 'Central', { env: { account: CENTRAL, region: 'us-east-1' } });
    expect(() => new OrganizationContainerCostBucket(stack, 'C', { organizationSource: { organizationId: 'org-1' }, bucketNamePrefix: 'Bad_Prefix', readerRoleName: 'a b', versioned: 'yes' } as any))
      .toThrow(/4 problems[\s\S]*organizationSource\.organizationId[\s\S]*bucketNamePrefix[\s\S]*readerRoleName[\s\S]*versioned/);
    expect(() => new OrganizationContainerCostBucket(stack, 'D', null as any)).toThrow(/organizationSource: is required/);
    const agnostic = new OrganizationContainerCostBucket(new Stack(new App(), 'X'), 'C', { organizationSource: { organizationId: ORG } });
    expect(() => agnostic.bucketName).toThrow(/literal account/);
  });
});

describe('the fleet\'s container-cost flow, proven against the central bucket policy', () => {
  const a = documentsOf(A);
  const b = documentsOf(B);
  const aPodIdentity: Writer = { role: a.podIdentityRole, policies: a.podIdentityPolicies, orgPath: PROD_OU, tags: { 'eks-cluster-name': 'payments' } };
  const aIrsa: Writer = { role: a.irsaRole, policies: [a.irsaPolicy], boundaries: [a.boundary], orgPath: PROD_OU };

  test('a member cluster writes and lists exactly <its account>/<region>/<cluster>/ (Pod Identity role and per-cluster IRSA role)', () => {
    expect(put(aPodIdentity, `${A}/${REGION}/payments/2026/12/03/cost.csv.gz`)).toBe('Allowed');
    expect(list(aPodIdentity, `${A}/${REGION}/payments/`)).toBe('Allowed');
    expect(put(aIrsa, `${A}/${REGION}/ledger/cost.csv.gz`)).toBe('Allowed');
    expect(list(aIrsa, `${A}/${REGION}/ledger/`)).toBe('Allowed');
    expect(FleetNames.costPrefix(A, REGION, 'ledger')).toBe(`${A}/${REGION}/ledger/`);
  });

  test('within its account, a cluster\'s identity writes no other cluster\'s or region\'s prefix', () => {
    expect(put(aPodIdentity, `${A}/${REGION}/ledger/x`)).not.toBe('Allowed');
    expect(put(aPodIdentity, `${A}/us-east-1/payments/x`)).not.toBe('Allowed');
    expect(put(aIrsa, `${A}/${REGION}/payments/x`)).not.toBe('Allowed');
    expect(put(aIrsa, `${A}/us-east-1/ledger/x`)).not.toBe('Allowed');
  });

  test('account A never writes or lists account B\'s prefix: not with its fleet identities, not with all of S3 in its own policies, not with a forged cluster tag', () => {
    for (const key of [`${B}/${REGION}/payments/x`, `${B}/x`, 'x', `${CENTRAL}/x`]) {
      expect(put(aPodIdentity, key)).not.toBe('Allowed');
      expect(put(aIrsa, key)).not.toBe('Allowed');
      // A member admin may give its own role any policy: the bucket policy still admits only A's prefix.
      expect(put({ ...aIrsa, policies: [ALL_OF_S3], boundaries: undefined }, key)).not.toBe('Allowed');
    }
    expect(put({ ...aPodIdentity, tags: { 'eks-cluster-name': `../${B}/${REGION}/payments` } }, `${B}/${REGION}/payments/x`)).not.toBe('Allowed');
    expect(list({ ...aIrsa, policies: [ALL_OF_S3], boundaries: undefined }, `${B}/`)).not.toBe('Allowed');
    expect(list({ ...aIrsa, policies: [ALL_OF_S3], boundaries: undefined }, '')).not.toBe('Allowed');
    // ... and B is held the same way.
    expect(put({ role: b.irsaRole, policies: [ALL_OF_S3], orgPath: DEV_OU }, `${A}/${REGION}/ledger/x`)).not.toBe('Allowed');
    expect(put({ role: b.irsaRole, policies: [b.irsaPolicy], boundaries: [b.boundary], orgPath: DEV_OU }, `${B}/${REGION}/ledger/x`)).toBe('Allowed');
  });

  test('denied: outsiders, members outside the OUs, other flows\' identities and other paths of a member', () => {
    const outsider = FleetNames.podIdentityRoleArn('aws', OUTSIDER, FleetNames.CONTAINER_COST, REGION);
    expect(put({ role: outsider, policies: [ALL_OF_S3], orgPath: 'o-zzzzzzzzzz/r-zz99/ou-zz99-33333333/' }, `${OUTSIDER}/${REGION}/c/x`)).not.toBe('Allowed');
    expect(put({ role: outsider, policies: [ALL_OF_S3] }, `${OUTSIDER}/${REGION}/c/x`)).not.toBe('Allowed');
    expect(put({ ...aIrsa, orgPath: OTHER_OU }, `${A}/${REGION}/ledger/x`)).not.toBe('Allowed');
    const remoteWrite = FleetNames.podIdentityRoleArn('aws', A, FleetNames.REMOTE_WRITE, REGION);
    expect(put({ role: remoteWrite, policies: [ALL_OF_S3], orgPath: PROD_OU }, `${A}/${REGION}/payments/x`)).not.toBe('Allowed');
    expect(put({ role: `arn:aws:iam::${A}:role/admin`, policies: [ALL_OF_S3], orgPath: PROD_OU }, `${A}/x`)).not.toBe('Allowed');
    // The remote-write identity of the same member has no S3 at all (its own flow reaches only its central role).
    expect(put({ role: remoteWrite, policies: a.remoteWritePolicies, orgPath: PROD_OU }, `${A}/${REGION}/payments/x`)).not.toBe('Allowed');
  });

  test('the boundary caps what a replaced reconciler could make: this account\'s prefix of this region, nothing else', () => {
    const wide: Writer = { role: a.irsaRole, policies: [ALL_OF_S3], boundaries: [a.boundary], orgPath: PROD_OU };
    expect(put(wide, `${A}/${REGION}/any-cluster/x`)).toBe('Allowed');
    expect(put(wide, `${A}/us-east-1/any-cluster/x`)).not.toBe('Allowed');
    expect(isAllowedWithinBoundary({ principal: a.irsaRole, action: 's3:GetObject', resource: `${BUCKET_ARN}/${A}/${REGION}/c/x`, resourceAccount: CENTRAL, policies: [ALL_OF_S3], boundaries: [a.boundary], resourcePolicy: bucketPolicy, context: contextOf(a.irsaRole, PROD_OU) })).not.toBe('Allowed');
  });

  test('the member template: the cost flow\'s Pod Identity role, its path in the reconciler\'s fences, no central role for it', () => {
    const env = { account: A, region: REGION };
    const flows = JSON.parse(evaluate(member.Resources[logicalIdsOfType(member, 'AWS::Lambda::Function')[0]].Properties.Environment.Variables.FLOWS, member, env));
    expect(flows).toContainEqual({ key: 'container-cost', namespace: 'container-cost', serviceAccount: 'container-cost-agent', costBucketName: BUCKET });
    expect(a.podIdentityPolicies[0].Statement[0]).toEqual({
      Sid: 'WriteCostPrefix', Effect: 'Allow', Action: ['s3:PutObject', 's3:AbortMultipartUpload'], Resource: `${BUCKET_ARN}/${A}/${REGION}/\${aws:PrincipalTag/eks-cluster-name}/*`,
    });
  });
});

describe('ObservabilityFleetSource containerCost: bad input', () => {
  const make = (containerCost: unknown) => () => new ObservabilityFleetSource(new Stack(new App(), 'M', { env: { account: '100000000000', region: 'us-east-1' } }), 'F', {
    organizationalUnitIds: ['ou-ab12-11111111'], regions: [REGION], containerCost: containerCost as any,
  });
  test.each([
    ['not an object', 'bucket', /containerCost: is not an object/],
    ['no bucket', {}, /containerCost\.bucketName: is required/],
    ['not a bucket name', { bucketName: 'Bad_Bucket' }, /containerCost\.bucketName: .*S3 bucket name/],
    ['a token', { bucketName: Aws.ACCOUNT_ID }, /containerCost\.bucketName: is a deploy-time value/],
    ['a bad service account', { bucketName: 'b-123', serviceAccount: { namespace: 'Bad' } }, /containerCost\.serviceAccount/],
    ['the service account of another flow', { bucketName: 'b-123', serviceAccount: { namespace: 'monitoring', name: 'prometheus' } }, /containerCost: the container-cost flow uses service account monitoring\/prometheus/],
  ])('%s', (_name, given, message) => {
    const build = _name === 'the service account of another flow'
      ? () => new ObservabilityFleetSource(new Stack(new App(), 'M', { env: { account: '100000000000', region: 'us-east-1' } }), 'F', {
        organizationalUnitIds: ['ou-ab12-11111111'], regions: [REGION], remoteWrite: { targetRoleArn: REMOTE_WRITE }, containerCost: given as any,
      })
      : make(given);
    expect(build).toThrow(message);
  });
  test('alone, it is a flow (no other flow needed)', () => {
    expect(make({ bucketName: BUCKET })).not.toThrow();
  });
});

describe('ContainerCostAgentChart fleet identities (the cluster side)', () => {
  test('FLEET_POD_IDENTITY: no annotation, the organization prefix; FLEET_IRSA: the fleet\'s per-cluster role', () => {
    const pod = new ContainerCostAgentChart(Testing.app(), 'cost', { account: A, region: REGION, clusterName: 'payments', identity: ContainerCostAgentChartIdentity.FLEET_POD_IDENTITY });
    expect(pod.bucketPrefix).toBe(`${A}/${REGION}/payments/`);
    expect(objectOf(validChartObjects(pod), 'ServiceAccount').metadata.annotations).toBeUndefined();
    const irsa = new ContainerCostAgentChart(Testing.app(), 'cost', { account: A, region: REGION, clusterName: 'ledger', identity: ContainerCostAgentChartIdentity.FLEET_IRSA });
    expect(irsa.roleArn).toBe(documentsOf(A).irsaRole);
    expect(objectOf(validChartObjects(irsa), 'ServiceAccount').metadata.annotations).toEqual({ 'eks.amazonaws.com/role-arn': irsa.roleArn });
    expect(() => new ContainerCostAgentChart(Testing.app(), 'x', { account: A, region: REGION, clusterName: 'c', ownerKey: 'abcd1234', identity: ContainerCostAgentChartIdentity.FLEET_IRSA }))
      .toThrow(/ownerKey: is given with identity FLEET_IRSA/);
  });
});

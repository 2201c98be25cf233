/**
 * Organization-scoped trust on the four target-side constructs (`organizationSource`): each trusts the
 * fleet's identities of its own flow in any account of an organization (or of listed OUs), proven with
 * the IAM engine; the near misses (outsiders, other OUs, other flows, other paths, nested-path tricks,
 * wrong external IDs) are denied; the trust's size does not depend on the number of accounts.
 */
import { App, Aws, Lazy, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import {
  AmpScraperTargetRole, ContainerInsightsPermissionMode, CrossAccountContainerInsights, CrossAccountWorkloadRole, FleetNames,
  IrsaRemoteWriteRole, OrganizationSourceTrust,
} from '../../src';
import { SOURCE_PRINCIPAL_PATTERN } from '../../src/core/organization-trust';
import { evaluate } from '../harness/cfn-eval';
import { canAssume, identityPoliciesOf, logicalIdsOfType, trustPolicyOf } from '../harness/iam-proof';
import { expectNagClean } from '../harness/nag';

const ORG = 'o-a1b2c3d4e5';
const OTHER_ORG = 'o-zzzzzzzzzz';
const PROD_OU = `${ORG}/r-ab12/ou-ab12-11111111/`;
const DEV_OU = `${ORG}/r-ab12/ou-ab12-22222222/`;
const OUTSIDE_PATHS = [`${OTHER_ORG}/r-zz99/ou-zz99-33333333/`];
const MONITORING = '111111111111';
const MEMBER = '444444444444';
const OUTSIDER = '999999999999';
const REGION = 'us-east-1';
const ENV = { account: MONITORING, region: REGION };
const WORKSPACE_ID = 'ws-0123abcd-4567-89ef-0123-456789abcdef';
const WORKSPACE = `arn:aws:aps:${REGION}:${MONITORING}:workspace/${WORKSPACE_ID}`;
const WORKLOAD = 'ci-deployer';

const stack = (env: { account?: string; region?: string } | undefined = ENV) => new Stack(new App(), 'Monitoring', { env });

interface Flow {
  readonly name: string;
  readonly flowKey: string;
  /** Whether the trust allows sts:TagSession (Pod Identity chains). */
  readonly tagSession: boolean;
  readonly build: (s: Stack, organizationSource: OrganizationSourceTrust | undefined, extra?: Record<string, unknown>) => { roleArn: string };
  /** The fleet identities of this flow in an account. */
  readonly identities: (account: string) => string[];
  /** The external ID its callers send (the scraper ARN), if any. */
  readonly externalId?: (account: string) => string;
  readonly roleName: string;
}

const FLOWS: Flow[] = [
  {
    name: 'IrsaRemoteWriteRole',
    flowKey: FleetNames.REMOTE_WRITE,
    tagSession: true,
    build: (s, organizationSource, extra) => new IrsaRemoteWriteRole(s, 'RemoteWrite', { workspaceArn: WORKSPACE, organizationSource, ...extra } as any),
    identities: (account) => [
      FleetNames.podIdentityRoleArn('aws', account, FleetNames.REMOTE_WRITE, REGION),
      FleetNames.irsaRoleArn('aws', account, FleetNames.REMOTE_WRITE, 'prod', REGION),
    ],
    roleName: `amp-remote-write-${WORKSPACE_ID}`,
  },
  {
    name: 'CrossAccountContainerInsights',
    flowKey: FleetNames.CONTAINER_INSIGHTS,
    tagSession: true,
    build: (s, organizationSource, extra) => new CrossAccountContainerInsights(s, 'ContainerInsights', { customerName: 'platform', organizationSource, ...extra } as any),
    identities: (account) => [
      FleetNames.podIdentityRoleArn('aws', account, FleetNames.CONTAINER_INSIGHTS, REGION),
      FleetNames.irsaRoleArn('aws', account, FleetNames.CONTAINER_INSIGHTS, 'Prod-Cluster', REGION),
    ],
    roleName: 'containerinsights-platform',
  },
  {
    name: 'AmpScraperTargetRole',
    flowKey: FleetNames.AMP_SCRAPER,
    tagSession: false,
    build: (s, organizationSource, extra) => new AmpScraperTargetRole(s, 'ScraperTarget', { workspaceArn: WORKSPACE, organizationSource, ...extra } as any),
    identities: (account) => [FleetNames.scraperSourceRoleArn('aws', account, REGION)],
    externalId: (account) => `arn:aws:aps:${REGION}:${account}:scraper/s-0123abcd-4567-89ef-0123-456789abcdef`,
    roleName: `amp-scraper-target-${WORKSPACE_ID}`,
  },
  {
    name: 'CrossAccountWorkloadRole',
    flowKey: FleetNames.workloadFlowKey(WORKLOAD),
    tagSession: true,
    build: (s, organizationSource, extra) => new CrossAccountWorkloadRole(s, 'Workload', { organizationSource, workloadName: WORKLOAD, ...extra } as any),
    identities: (account) => [
      FleetNames.podIdentityRoleArn('aws', account, FleetNames.workloadFlowKey(WORKLOAD), REGION),
      FleetNames.irsaRoleArn('aws', account, FleetNames.workloadFlowKey(WORKLOAD), 'prod', REGION),
    ],
    roleName: `xacct-workload-${WORKLOAD}`,
  },
];

interface Caller {
  readonly orgId?: string;
  readonly orgPaths?: string[];
  readonly externalId?: string;
  readonly action?: string;
  /** Session tags in the request (aws:RequestTag/<key>). */
  readonly requestTags?: Record<string, string>;
  /** Tags of the calling session or role (aws:PrincipalTag/<key>), such as incoming transitive session tags. */
  readonly principalTags?: Record<string, string>;
}

function synth(flow: Flow, organizationSource: OrganizationSourceTrust | undefined, extra?: Record<string, unknown>) {
  const s = stack();
  const construct = flow.build(s, organizationSource, extra);
  const json = Template.fromStack(s).toJSON();
  const roleIds = logicalIdsOfType(json, 'AWS::IAM::Role');
  return { stack: s, construct, json, roleIds, trust: trustPolicyOf(json, roleIds[0], ENV) };
}

/** Whether `principal` (a role of the account in its ARN) may call `action` on the target role. */
function ask(trust: unknown, roleArn: string, principal: string, caller: Caller = {}): string {
  const account = principal.split(':')[4];
  const action = caller.action ?? 'sts:AssumeRole';
  return canAssume({
    trustPolicy: trust,
    roleArn,
    principal,
    action,
    callerPolicies: [{ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: action, Resource: roleArn }] }],
    context: {
      'aws:PrincipalArn': principal,
      'aws:PrincipalAccount': account,
      ...(caller.orgId === undefined ? { 'aws:PrincipalOrgID': ORG } : caller.orgId === '' ? {} : { 'aws:PrincipalOrgID': caller.orgId }),
      'aws:PrincipalOrgPaths': caller.orgPaths ?? [PROD_OU],
      ...(caller.externalId ? { 'sts:ExternalId': caller.externalId } : {}),
      ...Object.fromEntries(Object.entries(caller.requestTags ?? {}).map(([k, v]) => [`aws:RequestTag/${k}`, v])),
      ...(caller.requestTags ? { 'aws:TagKeys': Object.keys(caller.requestTags) } : {}),
      ...Object.fromEntries(Object.entries(caller.principalTags ?? {}).map(([k, v]) => [`aws:PrincipalTag/${k}`, v])),
    },
  });
}

/** The session tags EKS Pod Identity sets for a pod of a cluster (EKS user guide, "Enable or disable session tags"). */
const podIdentityTags = (account: string, cluster = 'prod', namespace = 'prometheus', serviceAccount = 'prometheus-server') => ({
  'eks-cluster-arn': `arn:aws:eks:${REGION}:${account}:cluster/${cluster}`,
  'eks-cluster-name': cluster,
  'kubernetes-namespace': namespace,
  'kubernetes-service-account': serviceAccount,
  'kubernetes-pod-name': `${serviceAccount}-0`,
  'kubernetes-pod-uid': '0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0',
});

const size = (doc: unknown) => JSON.stringify(doc).replace(/\s/g, '').length;

describe.each(FLOWS.map((flow) => [flow.name, flow] as const))('%s with organizationSource', (_name, flow) => {
  const withOus = synth(flow, { organizationId: ORG, organizationalUnitPaths: [PROD_OU] });
  const wholeOrg = synth(flow, { organizationId: ORG });
  const roleArn = `arn:aws:iam::${MONITORING}:role/${flow.roleName}`;
  const ext = (account: string) => (flow.externalId ? { externalId: flow.externalId(account) } : {});
  const pattern = `arn:aws:iam::*:role/xacct-observability/${flow.flowKey}/*`;

  test('one role of the default name; the trust is { AWS: * } held by the organization, the OUs and the flow\'s path; no OIDC provider, no account root', () => {
    expect(withOus.roleIds).toHaveLength(1);
    expect(withOus.construct.roleArn).toBe(roleArn);
    const flowConditions = flow.externalId ? { StringLike: { 'sts:ExternalId': `arn:aws:aps:${REGION}:\${aws:PrincipalAccount}:scraper/*` } } : {};
    expect(withOus.trust.Statement).toEqual([{
      Effect: 'Allow',
      Principal: { AWS: '*' },
      Action: flow.tagSession ? ['sts:AssumeRole', 'sts:TagSession'] : 'sts:AssumeRole',
      Condition: {
        'StringEquals': { 'aws:PrincipalOrgID': ORG },
        'ForAnyValue:StringLike': { 'aws:PrincipalOrgPaths': [`${PROD_OU}*`] },
        'ArnLike': { 'aws:PrincipalArn': pattern },
        'ArnNotLike': { 'aws:PrincipalArn': `arn:aws:iam::*:role/xacct-observability/${flow.flowKey}/*/*` },
        ...(flow.tagSession ? {
          StringLikeIfExists: {
            'aws:RequestTag/eks-cluster-arn': 'arn:aws:eks:*:${aws:PrincipalAccount}:cluster/*',
            'aws:PrincipalTag/eks-cluster-arn': 'arn:aws:eks:*:${aws:PrincipalAccount}:cluster/*',
          },
          StringNotLikeIfExists: { 'aws:RequestTag/eks-cluster-arn': '*:*:*:*:*:*:*', 'aws:PrincipalTag/eks-cluster-arn': '*:*:*:*:*:*:*' },
        } : {}),
        ...flowConditions,
      },
    }]);
    expect(wholeOrg.trust.Statement[0].Condition['ForAnyValue:StringLike']).toBeUndefined();
    for (const { json } of [withOus, wholeOrg]) {
      const text = JSON.stringify(json);
      expect(logicalIdsOfType(json, 'AWS::IAM::OIDCProvider')).toEqual([]);
      expect(logicalIdsOfType(json, 'Custom::AWSCDKOpenIdConnectProvider')).toEqual([]);
      expect(text).not.toMatch(/:root"|oidc-provider|AssumeRoleWithWebIdentity/);
    }
  });

  test('a member account\'s fleet identities of this flow are allowed (Pod Identity and per-cluster IRSA roles; deeper OUs too)', () => {
    for (const identity of flow.identities(MEMBER)) {
      expect(ask(withOus.trust, roleArn, identity, ext(MEMBER))).toBe('Allowed');
      expect(ask(withOus.trust, roleArn, identity, { ...ext(MEMBER), orgPaths: [`${PROD_OU}ou-ab12-99999999/`] })).toBe('Allowed');
      expect(ask(wholeOrg.trust, roleArn, identity, { ...ext(MEMBER), orgPaths: [DEV_OU] })).toBe('Allowed');
      // A Pod Identity target role is assumed with the source session's transitive tags.
      expect(ask(withOus.trust, roleArn, identity, { ...ext(MEMBER), action: 'sts:TagSession' })).toBe(flow.tagSession ? 'Allowed' : 'ImplicitlyDenied');
    }
  });

  test('denied: the same identity outside the organization, a member outside the OUs, no organization at all', () => {
    for (const identity of flow.identities(OUTSIDER)) {
      expect(ask(withOus.trust, roleArn, identity, { ...ext(OUTSIDER), orgId: OTHER_ORG, orgPaths: OUTSIDE_PATHS })).not.toBe('Allowed');
      expect(ask(wholeOrg.trust, roleArn, identity, { ...ext(OUTSIDER), orgId: OTHER_ORG, orgPaths: OUTSIDE_PATHS })).not.toBe('Allowed');
      expect(ask(wholeOrg.trust, roleArn, identity, { ...ext(OUTSIDER), orgId: '', orgPaths: [] })).not.toBe('Allowed');
    }
    for (const identity of flow.identities(MEMBER)) {
      expect(ask(withOus.trust, roleArn, identity, { ...ext(MEMBER), orgPaths: [DEV_OU] })).not.toBe('Allowed');
      expect(ask(withOus.trust, roleArn, identity, { ...ext(MEMBER), orgPaths: [] })).not.toBe('Allowed');
      // An OU whose ID only starts like the listed one.
      expect(ask(withOus.trust, roleArn, identity, { ...ext(MEMBER), orgPaths: [`${ORG}/r-ab12/ou-ab12-111111112/`] })).not.toBe('Allowed');
    }
  });

  test('denied: another flow\'s identities of a member account, a member\'s roles at other paths, nested-path and case tricks', () => {
    const others = FLOWS.filter((other) => other.flowKey !== flow.flowKey).flatMap((other) => other.identities(MEMBER));
    const m = `arn:aws:iam::${MEMBER}:role`;
    const tricks = [
      ...others,
      FleetNames.podIdentityRoleArn('aws', MEMBER, FleetNames.workloadFlowKey('other'), REGION),
      `${m}/admin`,
      `${m}/OrganizationAccountAccessRole`,
      `${m}/${flow.identities(MEMBER)[0].split('/').pop()}`,
      `${m}/other/${flow.identities(MEMBER)[0].split('/').pop()}`,
      `${m}/xacct-observability/${flow.flowKey}-evil/x`,
      `${m}/xacct-observability/${flow.flowKey}evil/x`,
      `${m}/xacct-observability/${flow.flowKey}`,
      `${m}/xacct-observability/x/${flow.flowKey}/x`,
      `${m}/evil/xacct-observability/${flow.flowKey}/x`,
      `${m}/XACCT-OBSERVABILITY/${flow.flowKey.toUpperCase()}/x`,
      `arn:aws:iam::${MEMBER}:user/xacct-observability/${flow.flowKey}/x`,
      `arn:aws:sts::${MEMBER}:assumed-role/xacct-observability/${flow.flowKey}/x`,
      `arn:aws:iam::${MEMBER}:root`,
    ];
    for (const principal of tricks) {
      expect({ principal, decision: ask(wholeOrg.trust, roleArn, principal, ext(MEMBER)) }).toEqual({ principal, decision: expect.not.stringMatching(/^Allowed$/) });
    }
  });

  // Issue 21, item 6: `ArnLike .../<flow>/*` alone also admits roles at deeper paths, which the fleet never creates.
  test('exactly one path level: a member role nested below the flow\'s path is denied, by the default pattern and by a wildcard pattern of the caller\'s own', () => {
    const m = `arn:aws:iam::${MEMBER}:role`;
    for (const nested of [`${m}/xacct-observability/${flow.flowKey}/sub/x`, `${m}/xacct-observability/${flow.flowKey}/a/b/c`]) {
      expect({ nested, decision: ask(wholeOrg.trust, roleArn, nested, ext(MEMBER)) }).toEqual({ nested, decision: expect.not.stringMatching(/^Allowed$/) });
    }
    const custom = synth(flow, { organizationId: ORG, sourcePrincipalPattern: 'arn:aws:iam::*:role/platform/obs-*' });
    expect(ask(custom.trust, roleArn, `${m}/platform/obs-source`, ext(MEMBER))).toBe('Allowed');
    expect(ask(custom.trust, roleArn, `${m}/platform/obs-x/source`, ext(MEMBER))).not.toBe('Allowed');
    // An exact name needs nothing more.
    const exact = synth(flow, { organizationId: ORG, sourcePrincipalPattern: 'arn:aws:iam::*:role/platform/observability-source' });
    expect(exact.trust.Statement[0].Condition.ArnNotLike).toBeUndefined();
  });

  if (flow.tagSession) {
    // Issue 21, item 7: session tags name the pod's cluster; a member must not claim another member's cluster.
    test('session tags are the caller\'s own account\'s cluster: account 333 cannot tag as account 222\'s cluster (request or transitive tags); its own tags and no tags pass', () => {
      const attacker = flow.identities('333333333333')[0];
      const victimTags = podIdentityTags('222222222222');
      for (const action of ['sts:TagSession', 'sts:AssumeRole']) {
        expect(ask(withOus.trust, roleArn, attacker, { ...ext('333333333333'), action, requestTags: podIdentityTags('333333333333') })).toBe('Allowed');
        expect(ask(withOus.trust, roleArn, attacker, { ...ext('333333333333'), action })).toBe('Allowed');
        expect(ask(withOus.trust, roleArn, attacker, { ...ext('333333333333'), action, requestTags: victimTags })).not.toBe('Allowed');
        expect(ask(withOus.trust, roleArn, attacker, { ...ext('333333333333'), action, principalTags: victimTags })).not.toBe('Allowed');
        expect(ask(withOus.trust, roleArn, attacker, { ...ext('333333333333'), action, principalTags: podIdentityTags('333333333333') })).toBe('Allowed');
        // A value that only ends like the caller's own (StringLike's * also matches ":").
        const smuggled = { ...podIdentityTags('333333333333'), 'eks-cluster-arn': `arn:aws:eks:${REGION}:222222222222:cluster/prod:333333333333:cluster/x` };
        expect(ask(withOus.trust, roleArn, attacker, { ...ext('333333333333'), action, requestTags: smuggled })).not.toBe('Allowed');
      }
    });
  }

  test('its size is the same for any number of accounts: 200 member accounts all get in through one document, well under 2,048', () => {
    const accounts = Array.from({ length: 200 }, (_, i) => String(100000000000 + i * 7919));
    for (const account of accounts) expect(ask(wholeOrg.trust, roleArn, flow.identities(account)[0], ext(account))).toBe('Allowed');
    const raw = JSON.stringify(wholeOrg.json.Resources[wholeOrg.roleIds[0]].Properties.AssumeRolePolicyDocument);
    expect(size(JSON.parse(raw))).toBeLessThan(flow.tagSession ? 1_000 : 700);
    expect(size(withOus.trust)).toBeLessThan(flow.tagSession ? 1_100 : 800);
    expect(size(synth(flow, { organizationId: ORG, organizationalUnitPaths: [PROD_OU, DEV_OU] }).trust)).toBe(size(withOus.trust) + `,"${DEV_OU}*"`.length);
  });

  test('cdk-nag clean', () => {
    expectNagClean(synth(flow, { organizationId: ORG, organizationalUnitPaths: [PROD_OU] }).stack);
  });

  test('sourcePrincipalPattern replaces the default; organizationId, the pattern and an OU path may be deploy-time values', () => {
    const custom = synth(flow, { organizationId: ORG, sourcePrincipalPattern: 'arn:aws:iam::*:role/platform/observability-source' });
    expect(custom.trust.Statement[0].Condition.ArnLike).toEqual({ 'aws:PrincipalArn': 'arn:aws:iam::*:role/platform/observability-source' });
    expect(ask(custom.trust, roleArn, `arn:aws:iam::${MEMBER}:role/platform/observability-source`, ext(MEMBER))).toBe('Allowed');
    expect(ask(custom.trust, roleArn, flow.identities(MEMBER)[0], ext(MEMBER))).not.toBe('Allowed');

    const s = stack();
    flow.build(s, {
      organizationId: Lazy.string({ produce: () => ORG }),
      organizationalUnitPaths: [Lazy.string({ produce: () => PROD_OU })],
      sourcePrincipalPattern: Lazy.string({ produce: () => pattern }),
    });
    const json = Template.fromStack(s).toJSON();
    expect(JSON.stringify(json)).not.toMatch(/\$\{Token\[|undefined|\[object Object\]/);
    const trust = trustPolicyOf(json, logicalIdsOfType(json, 'AWS::IAM::Role')[0], ENV);
    expect(ask(trust, roleArn, flow.identities(MEMBER)[0], ext(MEMBER))).toBe('Allowed');
  });

  test('an environment-agnostic stack: the default pattern takes the partition at deploy time', () => {
    const s = new Stack(new App(), 'Agnostic');
    flow.build(s, { organizationId: ORG });
    const json = Template.fromStack(s).toJSON();
    expect(JSON.stringify(json)).not.toMatch(/\$\{Token\[|undefined|\[object Object\]/);
    const trust = trustPolicyOf(json, logicalIdsOfType(json, 'AWS::IAM::Role')[0], { ...ENV, partition: 'aws-cn' });
    expect(trust.Statement[0].Condition.ArnLike['aws:PrincipalArn']).toBe(`arn:aws-cn:iam::*:role/xacct-observability/${flow.flowKey}/*`);
  });

  test('null for organizationSource means not given (the per-account props are then required)', () => {
    expect(() => flow.build(stack(), null as any)).toThrow(/invalid props/);
  });
});

describe('AmpScraperTargetRole with organizationSource: the external ID is a scraper of the caller\'s own account in the workspace region', () => {
  const { trust, stack: s } = synth(FLOWS[2], { organizationId: ORG });
  const roleArn = `arn:aws:iam::${MONITORING}:role/amp-scraper-target-${WORKSPACE_ID}`;
  const source = FleetNames.scraperSourceRoleArn('aws', MEMBER, REGION);

  test('a wrong external ID is denied: none, another region\'s scraper, another account\'s scraper, not a scraper ARN', () => {
    expect(ask(trust, roleArn, source, { externalId: `arn:aws:aps:${REGION}:${MEMBER}:scraper/s-1` })).toBe('Allowed');
    for (const externalId of [
      undefined,
      `arn:aws:aps:eu-west-1:${MEMBER}:scraper/s-1`,
      `arn:aws:aps:${REGION}:${OUTSIDER}:scraper/s-1`,
      `arn:aws:aps:${REGION}:${MEMBER}:workspace/ws-1`,
      `arn:aws-cn:aps:${REGION}:${MEMBER}:scraper/s-1`,
      'scraper/s-1',
    ]) {
      expect({ externalId, decision: ask(trust, roleArn, source, { externalId }) }).toEqual({ externalId, decision: expect.not.stringMatching(/^Allowed$/) });
    }
  });

  test('no phase-1 warning (there is no one scraper to pin); the static name helper agrees; per-cluster props are refused', () => {
    Annotations.fromStack(s).hasNoWarning('*', Match.stringLikeRegexp('scraperTrustNotPinned'));
    expect(AmpScraperTargetRole.organizationRoleNameFor(WORKSPACE)).toBe(`amp-scraper-target-${WORKSPACE_ID}`);
    const long = `arn:aws:aps:${REGION}:${MONITORING}:workspace/ws-${'a'.repeat(60)}`;
    expect(AmpScraperTargetRole.organizationRoleNameFor(long).length).toBe(64);
    expect(() => new AmpScraperTargetRole(stack(), 'T', {
      workspaceArn: WORKSPACE,
      organizationSource: { organizationId: ORG },
      sourceAccountId: MEMBER,
      clusterName: 'prod',
      scraperArn: `arn:aws:aps:${REGION}:${MEMBER}:scraper/s-1`,
      sourceRoleName: 'x',
    })).toThrow(/4 problems[\s\S]*sourceAccountId: must be left out with organizationSource[\s\S]*clusterName: must be left out[\s\S]*scraperArn: must be left out[\s\S]*sourceRoleName: must be left out/);
  });
});

describe('CrossAccountContainerInsights with organizationSource', () => {
  test('the permission modes are unchanged; the account-root warning does not apply, the tenant warning still does', () => {
    const s = stack();
    new CrossAccountContainerInsights(s, 'CI', {
      customerName: 'platform',
      organizationSource: { organizationId: ORG },
      permissionMode: ContainerInsightsPermissionMode.LEAST_PRIVILEGE,
      clusterNames: ['prod'],
    });
    const json = Template.fromStack(s).toJSON();
    const [policy] = identityPoliciesOf(json, logicalIdsOfType(json, 'AWS::IAM::Role')[0], ENV);
    expect(policy.Statement[0].Resource).toContain(`arn:aws:logs:${REGION}:${MONITORING}:log-group:/aws/containerinsights/prod/performance:*`);
    expect(logicalIdsOfType(json, 'AWS::IAM::ManagedPolicy')).toEqual([]);
    const annotations = Annotations.fromStack(s);
    annotations.hasNoWarning('*', Match.stringLikeRegexp('trustOpenToAccount'));
    annotations.hasWarning('*', Match.stringLikeRegexp('tenantsNotIsolated'));
    expectNagClean(s);
  });

  test('sourceAccountId, trustedPrincipalArns and podIdentityTrusts are refused with it, each by name', () => {
    expect(() => new CrossAccountContainerInsights(stack(), 'CI', {
      customerName: 'platform',
      organizationSource: { organizationId: ORG },
      sourceAccountId: MEMBER,
      trustedPrincipalArns: [`arn:aws:iam::${MEMBER}:role/node`],
      podIdentityTrusts: [{ podIdentityRoleArn: `arn:aws:iam::${MEMBER}:role/pi`, clusterArn: `arn:aws:eks:${REGION}:${MEMBER}:cluster/prod` }],
    })).toThrow(/3 problems[\s\S]*sourceAccountId: must be left out with organizationSource[\s\S]*trustedPrincipalArns: must be left out[\s\S]*podIdentityTrusts: must be left out/);
    expect(() => new CrossAccountContainerInsights(stack(), 'CI', { customerName: 'platform' }))
      .toThrow(/sourceAccountId: is required \(or organizationSource/);
  });
});

describe('IrsaRemoteWriteRole with organizationSource', () => {
  test('clusters and serviceAccounts are refused with it; an empty clusters list is fine; roleArnFor says to use roleArn', () => {
    expect(() => new IrsaRemoteWriteRole(stack(), 'R', {
      workspaceArn: WORKSPACE,
      organizationSource: { organizationId: ORG },
      clusters: [{ oidcIssuerUrl: 'https://oidc.eks.us-east-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF' }],
      serviceAccounts: [{ namespace: 'monitoring', name: 'prometheus' }],
    })).toThrow(/2 problems[\s\S]*clusters: must be left out with organizationSource[\s\S]*serviceAccounts: must be left out/);
    const role = new IrsaRemoteWriteRole(stack(), 'R', { workspaceArn: WORKSPACE, organizationSource: { organizationId: ORG }, clusters: [] });
    expect(role.organizationMode).toBe(true);
    expect(role.roleArns).toEqual([`arn:aws:iam::${MONITORING}:role/amp-remote-write-${WORKSPACE_ID}`]);
    expect(role.assignments).toEqual([]);
    expect(() => role.roleArnFor('https://oidc.eks.us-east-1.amazonaws.com/id/X')).toThrow(/use roleArn/);
    expect(() => new IrsaRemoteWriteRole(stack(), 'R', { workspaceArn: WORKSPACE })).toThrow(/clusters: is required \(or organizationSource/);
  });

  test('a custom roleName and rolePath are kept; trustPolicySizeLimit holds the organization trust', () => {
    const s = stack();
    const role = new IrsaRemoteWriteRole(s, 'R', { workspaceArn: WORKSPACE, organizationSource: { organizationId: ORG }, roleName: 'fleet-remote-write', rolePath: '/observability/' });
    expect(role.roleArn).toBe(`arn:aws:iam::${MONITORING}:role/observability/fleet-remote-write`);
    expect(() => new IrsaRemoteWriteRole(stack(), 'R', { workspaceArn: WORKSPACE, organizationSource: { organizationId: ORG, organizationalUnitPaths: [PROD_OU] }, trustPolicySizeLimit: 300 }))
      .toThrow(/organizationSource\.organizationalUnitPaths: make a trust policy of up to \d+ characters, over the trust-policy quota 300/);
  });
});

describe('CrossAccountWorkloadRole with organizationSource', () => {
  const roleArn = `arn:aws:iam::${MONITORING}:role/xacct-workload-${WORKLOAD}`;

  test('an externalId holds sts:AssumeRole only; TagSession gets its own statement without it', () => {
    const { trust } = synth(FLOWS[3], { organizationId: ORG }, { externalId: 'fleet-secret-1' });
    expect(trust.Statement).toHaveLength(2);
    const [identity] = FLOWS[3].identities(MEMBER);
    expect(ask(trust, roleArn, identity, { externalId: 'fleet-secret-1' })).toBe('Allowed');
    expect(ask(trust, roleArn, identity)).not.toBe('Allowed');
    expect(ask(trust, roleArn, identity, { externalId: 'other' })).not.toBe('Allowed');
    expect(ask(trust, roleArn, identity, { action: 'sts:TagSession' })).toBe('Allowed');
    expect(ask(trust, roleArn, `arn:aws:iam::${MEMBER}:role/admin`, { action: 'sts:TagSession' })).not.toBe('Allowed');
    expect(ask(trust, roleArn, identity, { action: 'sts:TagSession', orgId: OTHER_ORG, orgPaths: OUTSIDE_PATHS })).not.toBe('Allowed');
  });

  test('the EKS access entry keeps working', () => {
    const s = stack();
    new CrossAccountWorkloadRole(s, 'W', {
      organizationSource: { organizationId: ORG },
      workloadName: WORKLOAD,
      eksAccess: { clusterName: 'apps', accessPolicy: 'AmazonEKSViewPolicy', namespaces: ['ci'] },
    });
    const json = Template.fromStack(s).toJSON();
    const [entryId] = logicalIdsOfType(json, 'AWS::EKS::AccessEntry');
    expect(evaluate(json.Resources[entryId].Properties, json, ENV)).toEqual({
      ClusterName: 'apps',
      Type: 'STANDARD',
      PrincipalArn: roleArn,
      AccessPolicies: [{ PolicyArn: 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy', AccessScope: { Type: 'namespace', Namespaces: ['ci'] } }],
    });
    expectNagClean(s);
  });

  test.each([
    ['sourceRoleArn with it', { sourceRoleArn: `arn:aws:iam::${MEMBER}:role/ci` }, /sourceRoleArn: must be left out with organizationSource/],
    ['allowSessionTags false', { allowSessionTags: false }, /allowSessionTags: cannot be false with organizationSource/],
    ['no workloadName', { workloadName: undefined }, /workloadName: is required with organizationSource/],
    ['a workloadName with capitals', { workloadName: 'CI' }, /workloadName: got "CI" \(does not match\)/],
    ['a workloadName with a wildcard', { workloadName: 'ci*' }, /workloadName: got "ci\*"/],
    ['a workloadName with a path', { workloadName: 'ci/x' }, /workloadName: got "ci\/x"/],
    ['a workloadName too long', { workloadName: 'a'.repeat(28) }, /workloadName: got "a{28}" \(28 characters, the limit is 27\)/],
    ['a workloadName token', { workloadName: Lazy.string({ produce: () => 'ci' }) }, /workloadName: is a deploy-time value/],
  ])('refused: %s', (_case, extra, message) => {
    expect(() => new CrossAccountWorkloadRole(stack(), 'W', { organizationSource: { organizationId: ORG }, workloadName: WORKLOAD, ...extra } as any)).toThrow(message);
  });

  test('workloadName without organizationSource is refused; sourceRoleArn is required without it', () => {
    expect(() => new CrossAccountWorkloadRole(stack(), 'W', { sourceRoleArn: `arn:aws:iam::${MEMBER}:role/ci`, workloadName: WORKLOAD }))
      .toThrow(/workloadName: applies only with organizationSource/);
    expect(() => new CrossAccountWorkloadRole(stack(), 'W', {})).toThrow(/sourceRoleArn: is required \(or organizationSource with workloadName/);
  });
});

describe('bad organizationSource input: every problem named, on each construct', () => {
  const bad: Array<[string, unknown, RegExp]> = [
    ['a malformed organization ID', { organizationId: 'org-1' }, /organizationSource\.organizationId: got "org-1"; expected an AWS Organizations ID/],
    ['no organization ID', { organizationalUnitPaths: [PROD_OU] }, /organizationSource\.organizationId: is required/],
    ['a number for the organization ID', { organizationId: 42 }, /organizationSource\.organizationId: got number 42/],
    ['an OU path without the trailing "/"', { organizationId: ORG, organizationalUnitPaths: [PROD_OU.slice(0, -1)] }, /organizationSource\.organizationalUnitPaths\[0\]: got .* expected an organizational-unit path/],
    ['an OU ID alone', { organizationId: ORG, organizationalUnitPaths: ['ou-ab12-11111111'] }, /organizationSource\.organizationalUnitPaths\[0\]/],
    ['an OU of another organization', { organizationId: ORG, organizationalUnitPaths: [OUTSIDE_PATHS[0]] }, /organizationSource\.organizationalUnitPaths\[0\]: is in organization o-zzzzzzzzzz/],
    ['an empty OU list', { organizationId: ORG, organizationalUnitPaths: [] }, /organizationSource\.organizationalUnitPaths: is empty/],
    ['an OU list token', { organizationId: ORG, organizationalUnitPaths: Lazy.list({ produce: () => [PROD_OU] }) }, /organizationSource\.organizationalUnitPaths: is a deploy-time value \(token\) as a whole list/],
    ['a string', 'o-a1b2c3d4e5', /organizationSource: got string "o-a1b2c3d4e5"; expected \{ organizationId/],
    ['a list', [{ organizationId: ORG }], /organizationSource: got a list/],
    ['* as the pattern', { organizationId: ORG, sourcePrincipalPattern: '*' }, /organizationSource\.sourcePrincipalPattern: got "\*" \(not an ARN\)/],
    ['role/* (every role)', { organizationId: ORG, sourcePrincipalPattern: 'arn:aws:iam::*:role/*' }, /sourcePrincipalPattern: got .* \(has a wildcard role name at the root path/],
    ['role* (every role)', { organizationId: ORG, sourcePrincipalPattern: 'arn:aws:iam::*:role*' }, /sourcePrincipalPattern: got .* \(resource "role\*" is not role\/<path>\/<name>\)/],
    ['a root wildcard name', { organizationId: ORG, sourcePrincipalPattern: 'arn:aws:iam::*:role/xacct*' }, /sourcePrincipalPattern: got .* \(has a wildcard role name at the root path/],
    ['a wildcard in the path', { organizationId: ORG, sourcePrincipalPattern: 'arn:aws:iam::*:role/*/remote-write/*' }, /sourcePrincipalPattern: got .* \(has a wildcard in its path/],
    ['a user ARN', { organizationId: ORG, sourcePrincipalPattern: 'arn:aws:iam::*:user/x/*' }, /sourcePrincipalPattern: got .* \(resource "user\/x\/\*" is not role/],
    ['an STS ARN', { organizationId: ORG, sourcePrincipalPattern: 'arn:aws:sts::*:assumed-role/x/*' }, /sourcePrincipalPattern: got .* \(service is "sts"/],
    ['a partial account', { organizationId: ORG, sourcePrincipalPattern: 'arn:aws:iam::4444*:role/x/*' }, /sourcePrincipalPattern: got .* \(account "4444\*" is neither/],
    ['a wildcard partition', { organizationId: ORG, sourcePrincipalPattern: 'arn:*:iam::*:role/x/*' }, /sourcePrincipalPattern: got .* \(unknown partition "\*"\)/],
    ['no role name', { organizationId: ORG, sourcePrincipalPattern: 'arn:aws:iam::*:role/x/' }, /sourcePrincipalPattern: got .* \(names no role/],
    ['a region', { organizationId: ORG, sourcePrincipalPattern: 'arn:aws:iam:us-east-1:*:role/x/*' }, /sourcePrincipalPattern: got .* \(IAM ARNs have no region\)/],
    ['another partition', { organizationId: ORG, sourcePrincipalPattern: 'arn:aws-cn:iam::*:role/x/*' }, /sourcePrincipalPattern: is in partition aws-cn, but this stack is in aws/],
    ['a number for the pattern', { organizationId: ORG, sourcePrincipalPattern: 7 }, /sourcePrincipalPattern: got number 7/],
  ];
  describe.each(FLOWS.map((flow) => [flow.name, flow] as const))('%s', (_name, flow) => {
    test.each(bad)('refused: %s', (_case, source, message) => {
      expect(() => flow.build(stack(), source as any)).toThrow(message);
    });

    test('several problems in one error', () => {
      expect(() => flow.build(stack(), { organizationId: 'bad', organizationalUnitPaths: ['bad'], sourcePrincipalPattern: 'arn:aws:iam::*:role/*' }))
        .toThrow(/invalid props \(3 problems\)[\s\S]*organizationId[\s\S]*organizationalUnitPaths\[0\][\s\S]*sourcePrincipalPattern/);
    });
  });

  test('the pattern rule accepts the fleet\'s patterns and exact names in any account', () => {
    for (const ok of [
      FleetNames.sourcePrincipalPattern('aws', FleetNames.REMOTE_WRITE),
      FleetNames.sourcePrincipalPattern('aws-us-gov', FleetNames.workloadFlowKey('ci')),
      'arn:aws:iam::*:role/observability-source',
      'arn:aws:iam::444444444444:role/xacct-observability/remote-write/remote-write.pod-identity.*',
      'arn:aws-cn:iam::*:role/a/b/c?',
    ]) expect({ ok, problem: SOURCE_PRINCIPAL_PATTERN.check(ok) }).toEqual({ ok, problem: undefined });
  });

  test('Aws.PARTITION in a given pattern is a deploy-time value and passes', () => {
    const s = stack();
    new IrsaRemoteWriteRole(s, 'R', { workspaceArn: WORKSPACE, organizationSource: { organizationId: ORG, sourcePrincipalPattern: `arn:${Aws.PARTITION}:iam::*:role/xacct-observability/remote-write/*` } });
    expect(JSON.stringify(Template.fromStack(s).toJSON())).not.toContain('${Token[');
  });
});

test('CrossAccountWorkloadRole: an externalId of another type is refused by name (either mode)', () => {
  for (const props of [{ sourceRoleArn: `arn:aws:iam::${MEMBER}:role/ci` }, { organizationSource: { organizationId: ORG }, workloadName: WORKLOAD }]) {
    expect(() => new CrossAccountWorkloadRole(stack(), 'W', { ...props, externalId: 42 as any })).toThrow(/externalId: got number 42/);
  }
});

test('CrossAccountWorkloadRole: organizationSource with an externalId warns that the fleet\'s Pod Identity associations send none (only IRSA callers get in)', () => {
  const s = stack();
  const role = new CrossAccountWorkloadRole(s, 'W', { organizationSource: { organizationId: ORG }, workloadName: WORKLOAD, externalId: 'ci-2026' });
  const warnings = Annotations.fromStack(s).findWarning('*', Match.stringLikeRegexp('externalIdExcludesPodIdentity'));
  expect(warnings.map((w) => w.id)).toEqual([`/${s.stackName}/W`]);
  // And the engine agrees: a member's Pod Identity chain (no external ID) is refused, an IRSA role sending it is allowed.
  const trust = Template.fromStack(s).toJSON().Resources[s.getLogicalId(role.role.node.defaultChild as any)].Properties.AssumeRolePolicyDocument;
  const assume = (principal: string, externalId?: string) => canAssume({
    trustPolicy: trust,
    roleArn: `arn:aws:iam::${MONITORING}:role/${role.roleName}`,
    principal,
    callerPolicies: [{ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: '*' }] }],
    context: { 'aws:PrincipalArn': principal, 'aws:PrincipalOrgID': ORG, 'aws:PrincipalOrgPaths': [`${ORG}/r-ab12/`], ...(externalId ? { 'sts:ExternalId': externalId } : {}) },
  });
  expect(assume(FleetNames.podIdentityRoleArn('aws', MEMBER, FleetNames.workloadFlowKey(WORKLOAD), REGION))).not.toBe('Allowed');
  expect(assume(FleetNames.irsaRoleArn('aws', MEMBER, FleetNames.workloadFlowKey(WORKLOAD), 'prod', REGION), 'ci-2026')).toBe('Allowed');
});

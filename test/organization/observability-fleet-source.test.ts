/**
 * ObservabilityFleetSource: the StackSet, its self-contained member template, and the member
 * template's IAM proven with the IAM engine (Pod Identity roles, the collector source role, the
 * member reconciler's fences and the boundary of what it creates).
 */
import * as fs from 'fs';
import * as path from 'path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { FleetCallAs, FleetFailureToleranceMode, FleetIdentity, FleetNames, FleetRegionConcurrency, ObservabilityFleetSource, ObservabilityFleetSourceProps } from '../../src';
import { stableHash } from '../../src/core/naming';
import { FleetMemberStack, fleetHandlerBundle, fleetHandlerBundleOf, fleetHandlerCode } from '../../src/organization/fleet-member-stack';
import { evaluate } from '../harness/cfn-eval';
import { canAssume, identityPoliciesOf, isAllowed, isAllowedWithinBoundary, logicalIdsOfType, trustPolicyOf } from '../harness/iam-proof';
import { expectNagClean } from '../harness/nag';

const MANAGEMENT = '100000000000';
const OBSERVABILITY = '111111111111';
const MEMBER = '444444444444';
const REGION = 'eu-west-1';
const REMOTE_WRITE = `arn:aws:iam::${OBSERVABILITY}:role/amp-remote-write-ws-1`;
const INSIGHTS = `arn:aws:iam::${OBSERVABILITY}:role/containerinsights-acme`;
const SCRAPER = `arn:aws:iam::${OBSERVABILITY}:role/amp-scraper-target-ws-1`;
const CI = `arn:aws:iam::${OBSERVABILITY}:role/ci-deployer`;

const baseProps = (): ObservabilityFleetSourceProps => ({
  organizationalUnitIds: ['ou-ab12-11111111', 'ou-ab12-22222222'],
  regions: ['us-east-1', REGION],
  remoteWrite: { targetRoleArn: REMOTE_WRITE },
  containerInsights: { targetRoleArn: INSIGHTS },
  ampScraper: { targetRoleArn: SCRAPER },
  workloads: [{ name: 'ci', targetRoleArn: CI, serviceAccount: { namespace: 'ci', name: 'runner' } }],
  observabilityLinks: { sinkArns: { [REGION]: `arn:aws:oam:${REGION}:${OBSERVABILITY}:sink/a1b2c3d4-0000-1111-2222-333344445555` } },
});

function fleet(props: Partial<ObservabilityFleetSourceProps> = {}) {
  const stack = new Stack(new App(), 'Management', { env: { account: MANAGEMENT, region: 'us-east-1' } });
  const source = new ObservabilityFleetSource(stack, 'Fleet', { ...baseProps(), ...props });
  return { stack, source, template: Template.fromStack(stack) };
}

const member = { account: MEMBER, region: REGION };
const appWorkloads = (n: number) => Array.from({ length: n }, (_, i) => ({ name: `app-${i}`, targetRoleArn: `arn:aws:iam::${OBSERVABILITY}:role/app-${i}`, serviceAccount: { namespace: 'apps', name: `app-${i}` } }));
const only = (type: string, t: any) => {
  const ids = logicalIdsOfType(t, type);
  return ids;
};

describe('the StackSet', () => {
  test('service-managed, auto-deploying to the OUs and regions, with the named-IAM capability and our operation preferences', () => {
    const { template, source } = fleet();
    template.resourceCountIs('AWS::CloudFormation::StackSet', 1);
    template.hasResourceProperties('AWS::CloudFormation::StackSet', {
      StackSetName: 'xacct-observability-fleet',
      PermissionModel: 'SERVICE_MANAGED',
      AutoDeployment: { Enabled: true, RetainStacksOnAccountRemoval: false },
      CallAs: 'SELF',
      Capabilities: ['CAPABILITY_NAMED_IAM'],
      ManagedExecution: { Active: true },
      OperationPreferences: {
        MaxConcurrentPercentage: 25,
        FailureTolerancePercentage: 10,
        RegionConcurrencyType: 'PARALLEL',
        RegionOrder: ['us-east-1', REGION],
        ConcurrencyMode: 'SOFT_FAILURE_TOLERANCE',
      },
      StackInstancesGroup: [{ DeploymentTargets: { OrganizationalUnitIds: ['ou-ab12-11111111', 'ou-ab12-22222222'] }, Regions: ['us-east-1', REGION] }],
      TemplateBody: JSON.stringify(source.memberTemplate),
    });
    expect(source.templateInline).toBe(true);
  });

  test('operation preferences, retention and the delegated administrator are props', () => {
    const { template } = fleet({
      callAs: FleetCallAs.DELEGATED_ADMIN,
      retainStacksOnAccountRemoval: true,
      operationPreferences: {
        maxConcurrentCount: 50,
        failureToleranceCount: 5,
        regionConcurrency: FleetRegionConcurrency.SEQUENTIAL,
        regionOrder: [REGION, 'us-east-1'],
        failureToleranceMode: FleetFailureToleranceMode.STRICT,
      },
    });
    template.hasResourceProperties('AWS::CloudFormation::StackSet', {
      CallAs: 'DELEGATED_ADMIN',
      AutoDeployment: { Enabled: true, RetainStacksOnAccountRemoval: true },
      OperationPreferences: {
        MaxConcurrentCount: 50,
        FailureToleranceCount: 5,
        RegionConcurrencyType: 'SEQUENTIAL',
        RegionOrder: [REGION, 'us-east-1'],
        ConcurrencyMode: 'STRICT_FAILURE_TOLERANCE',
      },
    });
  });

  test('the management stack is cdk-nag clean', () => {
    expectNagClean(fleet().stack);
  });
});

describe('the member template is self-contained (no CDK bootstrap in member accounts)', () => {
  const { source } = fleet();
  const text = JSON.stringify(source.memberTemplate);

  test('no bootstrap bucket, role, version parameter, asset or Provider framework anywhere in it', () => {
    for (const bootstrap of ['cdk-hnb659fds', 'BootstrapVersion', 'AssetParameters', 'S3Bucket', 'S3Key', 'cdk-bootstrap', 'AWS::CDK::Metadata', 'Custom::AWSCDK', 'framework-onEvent', 'CheckBootstrapVersion']) {
      expect(text).not.toContain(bootstrap);
    }
    expect(source.memberTemplate.Parameters).toBeUndefined();
    expect(source.memberTemplate.Rules).toBeUndefined();
    const functions = Object.values<any>(source.memberTemplate.Resources).filter((r) => r.Type === 'AWS::Lambda::Function');
    expect(functions).toHaveLength(1);
    expect(Object.keys(functions[0].Properties.Code)).toEqual(['ZipFile']);
    // The custom resource goes to the function itself, not to a framework function.
    const custom = Object.values<any>(source.memberTemplate.Resources).filter((r) => r.Type.startsWith('Custom::'));
    expect(custom).toEqual([expect.objectContaining({ Type: 'Custom::ObservabilityFleetIdentities' })]);
    expect(custom[0].Properties.ServiceToken).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^Reconciler/), 'Arn'] });
    // CloudFormation stops waiting when the function's 15 minutes are over, not after its default hour.
    expect(custom[0].Properties.ServiceTimeout).toBe('960');
  });

  test('the function knows its own custom resource (stack and logical ID), the only one whose Delete it acts on', () => {
    const resources = Object.entries<any>(source.memberTemplate.Resources);
    const [logicalId] = resources.find(([, r]) => r.Type === 'Custom::ObservabilityFleetIdentities')!;
    const fn = resources.find(([, r]) => r.Type === 'AWS::Lambda::Function')![1];
    expect(fn.Properties.Environment.Variables).toMatchObject({ LOGICAL_ID: logicalId, STACK_ID: { Ref: 'AWS::StackId' } });
  });

  test('account-agnostic: no account ID of the management or observability account but the central roles and sink', () => {
    const withoutTargets = text.split(REMOTE_WRITE).join('').split(INSIGHTS).join('').split(SCRAPER).join('').split(CI).join('')
      .replace(/arn:aws:oam:[^"]+/g, '');
    expect(withoutTargets).not.toMatch(/\d{12}/);
  });

  test('within CreateStackSet\'s inline limit and CloudFormation\'s resource quota', () => {
    expect(source.memberTemplateSize).toBe(Buffer.byteLength(text));
    expect(source.memberTemplateSize).toBeLessThanOrEqual(51_200);
    expect(Object.keys(source.memberTemplate.Resources).length).toBeLessThan(500);
  });

  /** CloudFormation writes ZipFile to index.js; so do we, beside node_modules, load it, and send it a forged event. */
  async function runsAndRefusesForgedResponseUrl(fn: any) {
    expect(fn.Properties.Runtime).toBe('nodejs22.x');
    expect(fn.Properties.Handler).toBe('index.handler');
    const file = path.join(__dirname, `.member-index-${process.pid}.js`);
    fs.writeFileSync(file, fn.Properties.Code.ZipFile);
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const loaded = require(file);
      expect(typeof loaded.handler).toBe('function');
      // The function's region comes from its environment (the template sets INSTANCE_REGION).
      expect(fn.Properties.Environment.Variables.INSTANCE_REGION).toEqual({ Ref: 'AWS::Region' });
      process.env.INSTANCE_REGION = 'us-east-1';
      await expect(loaded.handler({ RequestType: 'Create', ResponseURL: 'https://attacker.example.com/x', ResourceProperties: {} })).rejects.toThrow(/not CloudFormation's response bucket of us-east-1/);
    } finally {
      delete process.env.INSTANCE_REGION;
      fs.rmSync(file, { force: true });
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      delete require.cache[file];
    }
  }
  const reconcilerOf = (t: any) => Object.values<any>(t.Resources).find((r) => r.Type === 'AWS::Lambda::Function');
  const codeHashOf = (t: any) => Object.values<any>(t.Resources).find((r) => r.Type === 'Custom::ObservabilityFleetIdentities').Properties.CodeHash;

  test('where the template fits inline with readable code, the inline code is the bundle itself (what a member account\'s reviewer and scanners read), and it runs', async () => {
    expect(source.handlerCompressed).toBe(false);
    const fn = reconcilerOf(source.memberTemplate);
    expect(fn.Properties.Code.ZipFile).toBe(fleetHandlerBundle());
    expect(fleetHandlerBundleOf(fn.Properties.Code.ZipFile)).toBeUndefined();
    // New code reconciles again: the custom resource's CodeHash is the hash of the code that runs.
    expect(codeHashOf(source.memberTemplate)).toBe(stableHash(fleetHandlerBundle(), 16));
    await runsAndRefusesForgedResponseUrl(fn);
  });

  test('compressed only where that is what keeps the template inline: the loader runs the bundle byte for byte, with the same CodeHash', async () => {
    // Workloads until the readable template no longer fits inline; compressed, it still does.
    let n = 1;
    let big = fleet({ workloads: appWorkloads(n) }).source;
    while (!big.handlerCompressed && big.templateInline) big = fleet({ workloads: appWorkloads(++n) }).source;
    expect(big.templateInline).toBe(true);
    expect(big.memberTemplateSize).toBeLessThanOrEqual(51_200);
    const fn = reconcilerOf(big.memberTemplate);
    expect(fn.Properties.Code.ZipFile).toBe(fleetHandlerCode());
    expect(fleetHandlerBundleOf(fn.Properties.Code.ZipFile)).toBe(fleetHandlerBundle());
    expect(Buffer.byteLength(fn.Properties.Code.ZipFile)).toBeLessThan(Buffer.byteLength(fleetHandlerBundle()) / 2);
    expect(codeHashOf(big.memberTemplate)).toBe(stableHash(fleetHandlerBundle(), 16));
    // One workload fewer: readable again.
    expect(fleet({ workloads: appWorkloads(n - 1) }).source.handlerCompressed).toBe(false);
    await runsAndRefusesForgedResponseUrl(fn);
  });

  test('too large to go inline, it goes through an S3 asset of the management account (TemplateURL), still self-contained', () => {
    const { template, source: big } = fleet({ workloads: appWorkloads(12) });
    expect(big.memberTemplateSize).toBeGreaterThan(51_200);
    expect(big.templateInline).toBe(false);
    const stackSet = Object.values<any>(template.toJSON().Resources).find((r) => r.Type === 'AWS::CloudFormation::StackSet');
    expect(stackSet.Properties.TemplateBody).toBeUndefined();
    expect(JSON.stringify(stackSet.Properties.TemplateURL)).toContain('cdk-hnb659fds-assets');
    expect(JSON.stringify(big.memberTemplate)).not.toContain('cdk-hnb659fds');
  });
});

describe('member template IAM, proven with the IAM engine', () => {
  const { source } = fleet();
  const t = source.memberTemplate;
  const roles = only('AWS::IAM::Role', t);
  const roleId = (prefix: string) => roles.find((id) => id.startsWith(prefix))!;
  const clusterArn = `arn:aws:eks:${REGION}:${MEMBER}:cluster/prod`;
  const podIdentity = (id: string, context: Record<string, string>) => canAssume({
    trustPolicy: trustPolicyOf(t, id, member),
    roleArn: FleetNames.podIdentityRoleArn('aws', MEMBER, FleetNames.REMOTE_WRITE, REGION),
    principal: 'pods.eks.amazonaws.com',
    context: {
      'aws:SourceAccount': MEMBER,
      'aws:RequestTag/eks-cluster-arn': clusterArn,
      'aws:RequestTag/kubernetes-namespace': 'monitoring',
      'aws:RequestTag/kubernetes-service-account': 'prometheus',
      ...context,
    },
  });

  test('each flow\'s Pod Identity role has the fleet\'s deterministic name and path', () => {
    const names = roles.map((id) => evaluate(t.Resources[id].Properties, t, member))
      .filter((p) => p.Path?.startsWith('/xacct-observability/') && p.Path !== FleetNames.RECONCILER_PATH).map((p) => `${p.Path}${p.RoleName}`);
    expect(names.sort()).toEqual([
      `/xacct-observability/amp-scraper/amp-scraper.source.${REGION}`,
      `/xacct-observability/container-insights/container-insights.pod-identity.${REGION}`,
      `/xacct-observability/remote-write/remote-write.pod-identity.${REGION}`,
      `/xacct-observability/workload-ci/workload-ci.pod-identity.${REGION}`,
    ]);
  });

  test('the reconciler role lives at the path the fleet\'s service control policy exempts (its name CloudFormation makes)', () => {
    const reconciler = roles.map((id) => t.Resources[id].Properties).filter((p) => p.Path === FleetNames.RECONCILER_PATH);
    expect(reconciler).toHaveLength(1);
    expect(reconciler[0].RoleName).toBeUndefined();
  });

  test('a Pod Identity role: EKS for the flow\'s service account in this account\'s clusters of this region; near misses denied', () => {
    const id = roleId('PodIdentityremotewrite');
    expect(podIdentity(id, {})).toBe('Allowed');
    expect(podIdentity(id, { 'aws:RequestTag/kubernetes-service-account': 'grafana' })).not.toBe('Allowed');
    expect(podIdentity(id, { 'aws:RequestTag/kubernetes-namespace': 'default' })).not.toBe('Allowed');
    expect(podIdentity(id, { 'aws:RequestTag/eks-cluster-arn': `arn:aws:eks:us-east-1:${MEMBER}:cluster/prod` })).not.toBe('Allowed');
    expect(podIdentity(id, { 'aws:RequestTag/eks-cluster-arn': `arn:aws:eks:${REGION}:555555555555:cluster/prod` })).not.toBe('Allowed');
    expect(podIdentity(id, { 'aws:SourceAccount': '555555555555' })).not.toBe('Allowed');
  });

  // Issue 21, item 12: what EKS documents for pods.eks.amazonaws.com are the session tags it sets
  // (EKS user guide, "Create IAM role with trust policy required by EKS Pod Identity"); it does not
  // document aws:SourceAccount, so the trust must hold without it and pin the account by the tag.
  test('the Pod Identity trust rests on what EKS documents: its session tags (the cluster ARN pins the account); aws:SourceAccount, when sent, must match', () => {
    const id = roleId('PodIdentityremotewrite');
    const trust = trustPolicyOf(t, id, member);
    const ask = (context: Record<string, string>) => canAssume({
      trustPolicy: trust, roleArn: FleetNames.podIdentityRoleArn('aws', MEMBER, FleetNames.REMOTE_WRITE, REGION), principal: 'pods.eks.amazonaws.com', context,
    });
    const tags = { 'aws:RequestTag/eks-cluster-arn': clusterArn, 'aws:RequestTag/kubernetes-namespace': 'monitoring', 'aws:RequestTag/kubernetes-service-account': 'prometheus' };
    expect(ask(tags)).toBe('Allowed');
    expect(ask({ ...tags, 'aws:SourceAccount': MEMBER })).toBe('Allowed');
    expect(ask({ ...tags, 'aws:SourceAccount': '555555555555' })).not.toBe('Allowed');
    expect(ask({ ...tags, 'aws:RequestTag/eks-cluster-arn': `arn:aws:eks:${REGION}:555555555555:cluster/prod` })).not.toBe('Allowed');
    // An association with session tags disabled sends none: nothing pins it, so it is refused.
    expect(ask({ 'aws:SourceAccount': MEMBER })).not.toBe('Allowed');
  });

  test('a Pod Identity role may assume (and tag a session for) its own flow\'s central role only', () => {
    const id = roleId('PodIdentityremotewrite');
    const policies = identityPoliciesOf(t, id, member);
    const principal = FleetNames.podIdentityRoleArn('aws', MEMBER, FleetNames.REMOTE_WRITE, REGION);
    for (const action of ['sts:AssumeRole', 'sts:TagSession']) {
      expect(isAllowed({ policies, principal, action, resource: REMOTE_WRITE, identityOnly: true })).toBe('Allowed');
    }
    expect(isAllowed({ policies, principal, action: 'sts:AssumeRole', resource: INSIGHTS, identityOnly: true })).not.toBe('Allowed');
  });

  test('the collector source role: this account\'s collectors in this region only, and only into the scraper target', () => {
    const id = roleId('ScraperSource');
    const trust = trustPolicyOf(t, id, member);
    const ask = (sourceArn: string, sourceAccount = MEMBER) => canAssume({
      trustPolicy: trust,
      roleArn: FleetNames.scraperSourceRoleArn('aws', MEMBER, REGION),
      principal: 'scraper.aps.amazonaws.com',
      context: { 'aws:SourceArn': sourceArn, 'aws:SourceAccount': sourceAccount },
    });
    expect(ask(`arn:aws:aps:${REGION}:${MEMBER}:scraper/s-1`)).toBe('Allowed');
    expect(ask(`arn:aws:aps:us-east-1:${MEMBER}:scraper/s-1`)).not.toBe('Allowed');
    expect(ask(`arn:aws:aps:${REGION}:555555555555:scraper/s-1`, '555555555555')).not.toBe('Allowed');
    const policies = identityPoliciesOf(t, id, member);
    const principal = FleetNames.scraperSourceRoleArn('aws', MEMBER, REGION);
    expect(isAllowed({ policies, principal, action: 'sts:AssumeRole', resource: SCRAPER, identityOnly: true })).toBe('Allowed');
    expect(isAllowed({ policies, principal, action: 'sts:AssumeRole', resource: REMOTE_WRITE, identityOnly: true })).not.toBe('Allowed');
  });

  describe('the member reconciler cannot exceed its flows', () => {
    const id = roleId('ReconcilerRole');
    const policies = identityPoliciesOf(t, id, member);
    const principal = `arn:aws:iam::${MEMBER}:role/${id}`;
    const ownerKey = `xacct-observability-fleet.${REGION}`;
    const boundary = `arn:aws:iam::${MEMBER}:policy/xacct-observability/xacct-observability-fleet-boundary-${REGION}`;
    const rolePath = (flow: string, name: string) => `arn:aws:iam::${MEMBER}:role/xacct-observability/${flow}/${name}`;
    const create = (resource: string, context: Record<string, string | string[]>) => isAllowed({ policies, principal, action: 'iam:CreateRole', resource, identityOnly: true, context });
    const tags = { 'aws:RequestTag/xacct-observability:owner': ownerKey, 'aws:TagKeys': ['xacct-observability:owner', 'xacct-observability:cluster-arn', 'xacct-observability:managed-by'] };

    test('it may create a role at exactly a flow\'s path, only with this instance\'s boundary and owner tag', () => {
      expect(create(rolePath('remote-write', `remote-write-prod-${REGION}`), { 'iam:PermissionsBoundary': boundary, ...tags })).toBe('Allowed');
      expect(create(rolePath('remote-write', 'x'), { ...tags })).not.toBe('Allowed');
      expect(create(rolePath('remote-write', 'x'), { 'iam:PermissionsBoundary': 'arn:aws:iam::aws:policy/AdministratorAccess', ...tags })).not.toBe('Allowed');
      expect(create(rolePath('remote-write', 'x'), { 'iam:PermissionsBoundary': boundary, ...tags, 'aws:RequestTag/xacct-observability:owner': 'xacct-observability-fleet.us-east-1' })).not.toBe('Allowed');
      expect(create(`arn:aws:iam::${MEMBER}:role/xacct-observability/remote-write/deeper/x`, { 'iam:PermissionsBoundary': boundary, ...tags })).not.toBe('Allowed');
      expect(create(`arn:aws:iam::${MEMBER}:role/admin`, { 'iam:PermissionsBoundary': boundary, ...tags })).not.toBe('Allowed');
      expect(create(rolePath('amp-scraper', 'x'), { 'iam:PermissionsBoundary': boundary, ...tags })).not.toBe('Allowed');
    });

    test('it can never change the Pod Identity roles (not even by tagging one as its own first) or another region\'s roles', () => {
      const piRole = FleetNames.podIdentityRoleArn('aws', MEMBER, FleetNames.REMOTE_WRITE, REGION);
      // The takeover the review found: put the owner tag on the untagged role, then change it as "owned".
      expect(isAllowed({ policies, principal, action: 'iam:TagRole', resource: piRole, identityOnly: true, context: tags })).not.toBe('Allowed');
      for (const action of ['iam:UpdateAssumeRolePolicy', 'iam:PutRolePolicy', 'iam:DeleteRole', 'iam:PutRolePermissionsBoundary', 'iam:UntagRole']) {
        const asIfOwned = { 'iam:PermissionsBoundary': boundary, 'iam:ResourceTag/xacct-observability:owner': ownerKey, 'aws:ResourceTag/xacct-observability:owner': ownerKey };
        expect(isAllowed({ policies, principal, action, resource: piRole, identityOnly: true, context: asIfOwned })).not.toBe('Allowed');
        expect(isAllowed({ policies, principal, action, resource: piRole, identityOnly: true, context: { 'iam:PermissionsBoundary': boundary } })).not.toBe('Allowed');
        expect(isAllowed({
          policies,
          principal,
          action,
          resource: rolePath('remote-write', 'remote-write-prod-us-east-1'),
          identityOnly: true,
          context: { 'iam:PermissionsBoundary': boundary, 'iam:ResourceTag/xacct-observability:owner': 'xacct-observability-fleet.us-east-1' },
        })).not.toBe('Allowed');
      }
      expect(isAllowed({
        policies,
        principal,
        action: 'iam:UpdateAssumeRolePolicy',
        resource: rolePath('remote-write', `remote-write-prod-${REGION}`),
        identityOnly: true,
        context: { 'iam:PermissionsBoundary': boundary, 'iam:ResourceTag/xacct-observability:owner': ownerKey },
      })).toBe('Allowed');
    });

    // Issue 21, item 10: someone else's untagged role at a flow's path, tagged as its own, must stay
    // out of reach: no boundary can be put on it, so nothing of it can be changed.
    test('it cannot adopt an untagged role someone else put at a flow\'s path: after tagging it, no boundary can be put and nothing changed', () => {
      const theirs = rolePath('remote-write', 'someone-elses-role');
      const tagged = { 'iam:ResourceTag/xacct-observability:owner': ownerKey, 'aws:ResourceTag/xacct-observability:owner': ownerKey };
      expect(isAllowed({ policies, principal, action: 'iam:PutRolePermissionsBoundary', resource: theirs, identityOnly: true, context: { ...tagged, 'iam:PermissionsBoundary': boundary } })).not.toBe('Allowed');
      for (const action of ['iam:UpdateAssumeRolePolicy', 'iam:PutRolePolicy', 'iam:PutRolePermissionsBoundary']) {
        expect(isAllowed({ policies, principal, action, resource: theirs, identityOnly: true, context: tagged })).not.toBe('Allowed');
      }
    });

    test('it passes only this region\'s Pod Identity roles, only to EKS Pod Identity', () => {
      const piRole = FleetNames.podIdentityRoleArn('aws', MEMBER, FleetNames.REMOTE_WRITE, REGION);
      const pass = (resource: string, service: string) => isAllowed({ policies, principal, action: 'iam:PassRole', resource, identityOnly: true, context: { 'iam:PassedToService': service } });
      expect(pass(piRole, 'pods.eks.amazonaws.com')).toBe('Allowed');
      expect(pass(piRole, 'lambda.amazonaws.com')).not.toBe('Allowed');
      expect(pass(FleetNames.podIdentityRoleArn('aws', MEMBER, FleetNames.REMOTE_WRITE, 'us-east-1'), 'pods.eks.amazonaws.com')).not.toBe('Allowed');
      expect(pass(`arn:aws:iam::${MEMBER}:role/admin`, 'pods.eks.amazonaws.com')).not.toBe('Allowed');
      expect(pass(principal, 'pods.eks.amazonaws.com')).not.toBe('Allowed');
    });

    test('associations: created only with its owner tag, changed only when they carry it, in this region only', () => {
      const cluster = `arn:aws:eks:${REGION}:${MEMBER}:cluster/prod`;
      const association = `arn:aws:eks:${REGION}:${MEMBER}:podidentityassociation/prod/a-0123456789abcdef0`;
      const eks = (action: string, resource: string, context: Record<string, string | string[]>) =>
        isAllowed({ policies, principal, action, resource, identityOnly: true, context });
      expect(eks('eks:CreatePodIdentityAssociation', cluster, tags)).toBe('Allowed');
      expect(eks('eks:CreatePodIdentityAssociation', cluster, { 'aws:TagKeys': ['other'] })).not.toBe('Allowed');
      expect(eks('eks:CreatePodIdentityAssociation', `arn:aws:eks:us-east-1:${MEMBER}:cluster/prod`, tags)).not.toBe('Allowed');
      expect(eks('eks:DeletePodIdentityAssociation', association, { 'aws:ResourceTag/xacct-observability:owner': ownerKey })).toBe('Allowed');
      expect(eks('eks:DeletePodIdentityAssociation', association, { 'aws:ResourceTag/xacct-observability:owner': 'someone-else' })).not.toBe('Allowed');
      expect(eks('eks:UpdatePodIdentityAssociation', association, {})).not.toBe('Allowed');
      // Tagging someone else's association with its owner tag (then changing it as "owned") is not open to it.
      expect(eks('eks:TagResource', association, tags)).not.toBe('Allowed');
    });

    test('no managed policy, boundary removal, code replacement or user creation', () => {
      for (const [action, resource] of [
        ['iam:AttachRolePolicy', rolePath('remote-write', 'x')], ['iam:DeleteRolePermissionsBoundary', rolePath('remote-write', 'x')], ['iam:CreatePolicyVersion', boundary],
        ['iam:CreateUser', `arn:aws:iam::${MEMBER}:user/x`], ['lambda:UpdateFunctionCode', `arn:aws:lambda:${REGION}:${MEMBER}:function:x`],
        ['sts:AssumeRole', rolePath('remote-write', 'x')],
      ]) {
        expect(isAllowed({ policies, principal, action, resource, identityOnly: true, context: { 'iam:PermissionsBoundary': boundary, 'iam:ResourceTag/xacct-observability:owner': ownerKey } })).not.toBe('Allowed');
      }
    });

    test('whatever policy a created role gets, the boundary caps it at assuming the central roles', () => {
      const boundaryDoc = evaluate(t.Resources[only('AWS::IAM::ManagedPolicy', t)[0]].Properties.PolicyDocument, t, member);
      const admin = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };
      const created = rolePath('remote-write', 'x');
      // A target that trusts the created role, so that only the role's own side decides.
      const trusting = (resource: string) => ({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: created }, Action: '*', Resource: resource }] });
      const ask = (action: string, resource: string) => isAllowedWithinBoundary({
        policies: [admin], boundaries: [boundaryDoc], principal: created, action, resource, resourcePolicy: trusting(resource),
      });
      expect(ask('sts:AssumeRole', REMOTE_WRITE)).toBe('Allowed');
      expect(ask('sts:AssumeRole', CI)).toBe('Allowed');
      expect(ask('sts:AssumeRole', `arn:aws:iam::${OBSERVABILITY}:role/OrganizationAccountAccessRole`)).not.toBe('Allowed');
      expect(ask('iam:CreateRole', `arn:aws:iam::${MEMBER}:role/x`)).not.toBe('Allowed');
      expect(ask('s3:GetObject', 'arn:aws:s3:::any/x')).not.toBe('Allowed');
    });
  });

  test('the member stack is cdk-nag clean (every acknowledgement with its reason)', () => {
    const stack = new FleetMemberStack(new App(), 'Member', {
      stackSetName: 'xacct-observability-fleet',
      flows: [{ key: 'remote-write', namespace: 'monitoring', serviceAccount: 'prometheus', targetRoleArn: REMOTE_WRITE }],
      scraperTargetRoleArn: SCRAPER,
      identity: 'AUTO',
      sinkArnsByRegion: { [REGION]: `arn:aws:oam:${REGION}:${OBSERVABILITY}:sink/a1b2` },
      schedule: Duration.hours(2),
    });
    expectNagClean(stack);
  });
});

describe('modes', () => {
  test('IRSA only: no Pod Identity roles and no association permissions', () => {
    const { source } = fleet({ identity: FleetIdentity.IRSA });
    const resources = Object.values<any>(source.memberTemplate.Resources).filter((r) => r.Type !== 'AWS::Lambda::Function');
    const text = JSON.stringify(resources);
    expect(text).not.toContain('pod-identity');
    expect(text).not.toContain('eks:CreatePodIdentityAssociation');
    expect(text).not.toContain('iam:PassedToService');
  });

  test('OAM links only: no reconciler, no roles; the link only in regions with a sink', () => {
    const { source } = fleet({ remoteWrite: undefined, containerInsights: undefined, ampScraper: undefined, workloads: undefined });
    const types = Object.values<any>(source.memberTemplate.Resources).map((r) => r.Type);
    expect(types).toEqual(['AWS::Oam::Link']);
    expect(source.memberTemplate.Conditions.HasSink).toEqual({ 'Fn::Equals': [{ Ref: 'AWS::Region' }, REGION] });
    expect(Object.values<any>(source.memberTemplate.Resources)[0].Condition).toBe('HasSink');
  });
});

describe('bad input fails at synth, naming every problem', () => {
  const error = (props: Partial<ObservabilityFleetSourceProps>) => {
    try {
      fleet(props);
    } catch (e) {
      return (e as Error).message;
    }
    return 'no error';
  };

  test('one error lists every problem', () => {
    const message = error({
      organizationalUnitIds: ['ou-bad', 'o-a1b2c3d4e5'],
      regions: ['us-east-1', 'us-east-1', 'cn-north-1'],
      remoteWrite: { targetRoleArn: `arn:aws:iam::${OBSERVABILITY}:role/*` },
      containerInsights: { targetRoleArn: 'not-an-arn', serviceAccount: { namespace: 'Bad_NS', name: 'x' } },
      workloads: [{ name: 'CI!', targetRoleArn: CI, serviceAccount: { namespace: 'ci', name: 'runner' } }, { name: 'a'.repeat(40), targetRoleArn: CI, serviceAccount: { namespace: 'ci', name: 'r' } }],
      observabilityLinks: { sinkArns: { 'ap-south-1': `arn:aws:oam:ap-south-1:${OBSERVABILITY}:sink/x`, [REGION]: `arn:aws:oam:us-east-1:${OBSERVABILITY}:sink/x` } },
      operationPreferences: { maxConcurrentPercentage: 0, maxConcurrentCount: 10, regionOrder: ['ap-south-1'] },
      stackSetName: '1-bad',
      schedule: Duration.minutes(1),
    });
    for (const expected of [
      'organizationalUnitIds[0]', 'organizationalUnitIds[1]', 'regions: names a region twice', 'regions[2]: is in partition aws-cn',
      'remoteWrite.targetRoleArn: has a wildcard', 'containerInsights.targetRoleArn', 'containerInsights.serviceAccount.namespace',
      'workloads[0].name', 'workloads[1].name', 'observabilityLinks.sinkArns.ap-south-1: is for ap-south-1, which is not one of regions',
      `observabilityLinks.sinkArns.${REGION}: is a sink in us-east-1`, 'operationPreferences.maxConcurrentPercentage', 'operationPreferences.maxConcurrentCount: and maxConcurrentPercentage are both set',
      'operationPreferences.regionOrder: names ap-south-1', 'stackSetName', 'schedule: is 1 minute',
    ]) {
      expect(message).toContain(expected);
    }
  });

  test('no flow at all, missing OUs and regions', () => {
    const message = error({
      organizationalUnitIds: [],
      regions: undefined as any,
      remoteWrite: undefined,
      containerInsights: undefined,
      ampScraper: undefined,
      workloads: undefined,
      observabilityLinks: undefined,
    });
    expect(message).toContain('organizationalUnitIds: is required');
    expect(message).toContain('regions: is required');
    expect(message).toContain('no flow is chosen');
  });

  test('a central role of another partition, a duplicated workload, a deploy-time central role', () => {
    const stack = new Stack(new App(), 'M', { env: { account: MANAGEMENT, region: 'us-east-1' } });
    const message = error({
      remoteWrite: { targetRoleArn: 'arn:aws-cn:iam::111111111111:role/x' },
      workloads: [
        { name: 'ci', targetRoleArn: CI, serviceAccount: { namespace: 'ci', name: 'runner' } },
        { name: 'ci', targetRoleArn: CI, serviceAccount: { namespace: 'ci', name: 'runner' } },
      ],
      ampScraper: { targetRoleArn: stack.resolve('x') && (stack as any).stackId },
    });
    expect(message).toContain('remoteWrite.targetRoleArn: is in partition aws-cn');
    expect(message).toContain('workloads[1].name: "ci" is given twice');
    expect(message).toContain('ampScraper.targetRoleArn: is a deploy-time value');
  });

  test('two flows on one service account (the association would flip between them), an OU twice, a region twice in the order', () => {
    const message = error({
      organizationalUnitIds: ['ou-ab12-11111111', 'ou-ab12-11111111'],
      containerInsights: { targetRoleArn: INSIGHTS, serviceAccount: { namespace: 'monitoring', name: 'prometheus' } },
      workloads: [{ name: 'ci', targetRoleArn: CI, serviceAccount: { namespace: 'monitoring', name: 'prometheus' } }],
      operationPreferences: { regionOrder: ['us-east-1', 'us-east-1'] },
    });
    expect(message).toContain('containerInsights: the container-insights flow uses service account monitoring/prometheus, as the remote-write flow does');
    expect(message).toContain('workloads: the workload-ci flow uses service account monitoring/prometheus, as the container-insights flow does');
    expect(message).toContain('organizationalUnitIds: names an OU twice');
    expect(message).toContain('operationPreferences.regionOrder: must name every region once');
  });

  test('too many workloads for the member reconciler\'s environment', () => {
    const workloads = Array.from({ length: 30 }, (_, i) => ({ name: `app-${i}`, targetRoleArn: `arn:aws:iam::${OBSERVABILITY}:role/app-${i}`, serviceAccount: { namespace: 'apps', name: `app-${i}` } }));
    expect(error({ workloads })).toMatch(/workloads: the member reconciler's configuration needs about \d+ bytes of environment, over Lambda's 4096/);
  });
});

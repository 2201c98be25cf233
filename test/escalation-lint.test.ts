/**
 * The IAM escalation lint over every principal the library deploys (the example app, every
 * per-flow app, the constructs' other modes) and over the documents the handlers write at run time.
 * A finding fails the suite unless an acknowledgement below names its fence; an acknowledgement that
 * matches no finding fails too, so none outlives its reason.
 */
import * as fs from 'fs';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Testing } from 'cdk8s';
import { demoSettings } from '../examples/demo-settings';
import { buildExample } from '../examples/example-app';
import {
  AgentIdentityMode, ContainerCostAgentIdentity, ContainerCostBucket, ContainerCostEncryption, ContainerInsightsAgentAccess,
  ContainerInsightsCustomerTemplate, RemoteWriteCustomerTemplate, VendorCustomer, WorkloadIdentityMode,
} from '../src';
import { DeployEnv } from './harness/cfn-eval';
import { EscalationFinding, escalationFindings } from './harness/escalation-lint';
import { pinnedTrust } from '../src/amp-scraper/pin-request';
import { desiredRole } from '../src/container-cost/role-sync/desired';
import { fleetDesiredState } from '../src/organization/fleet-sync/desired';

interface Acknowledgement {
  readonly principal: RegExp;
  readonly probe: string;
  /** The fence that makes the move harmless: must say what limits it. */
  readonly fence: string;
}

/** None today: every IAM-writing principal is fenced so that the engine denies each probe. */
const ACKNOWLEDGEMENTS: Acknowledgement[] = [];

function stacksOf(app: App): Array<[string, any, { account: string; region: string }]> {
  return app.synth().stacks.map((s) => [s.stackName, s.template, { account: s.environment.account, region: s.environment.region }]);
}

function allTemplates(): Array<[string, any, DeployEnv]> {
  const templates: Array<[string, any, DeployEnv]> = [];
  const example = new App();
  const built = buildExample(example, Testing.app(), demoSettings(example));
  templates.push(...stacksOf(example));
  // The fleet's member template, as a StackSet deploys it into a member account.
  templates.push(['fleet-member', built.organization.fleet.memberTemplate, { account: '444444444444', region: 'eu-west-1' }]);

  const flowsDir = path.join(__dirname, '..', 'examples', 'flows');
  for (const file of fs.readdirSync(flowsDir).filter((f) => f.endsWith('.ts'))) {
    const app = new App();
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require(path.join(flowsDir, file)).build(app, Testing.app());
    templates.push(...stacksOf(app).map(([name, t, env]) => [`${file}:${name}`, t, env] as [string, any, { account: string; region: string }]));
  }

  // Modes the examples do not use: KMS with users and roles; node roles imported (AwsCustomResource).
  const modes = new App();
  const stack = new Stack(modes, 'Modes', { env: { account: '222222222222', region: 'us-east-1' } });
  new ContainerCostBucket(stack, 'CostKms', {
    encryption: ContainerCostEncryption.KMS,
    agentIdentity: ContainerCostAgentIdentity.ROLES_AND_IAM_USER,
    iamUserClusters: [{ clusterName: 'legacy', region: 'us-east-1' }],
    bucketNamePrefix: 'cost-kms',
  });
  new ContainerInsightsAgentAccess(stack, 'NodeRoles', {
    targetRoleArn: 'arn:aws:iam::111111111111:role/containerinsights-acme',
    clusterName: 'prod',
    identityMode: AgentIdentityMode.NODE_ROLES,
    nodeRoles: [iam.Role.fromRoleName(stack, 'Imported', 'eks-node-role')],
  });
  templates.push(...stacksOf(modes));

  // The customer templates (launched without CDK in a customer account) and a vendor's per-customer roles.
  const customers = new App();
  const issuer = 'https://oidc.eks.us-east-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF';
  for (const mode of Object.values(AgentIdentityMode)) {
    new ContainerInsightsCustomerTemplate(customers, `Ci${mode.replace('_', '')}`, { vendorAccountId: '111111111111', identityMode: mode, oidcIssuerUrl: mode === AgentIdentityMode.IRSA ? issuer : undefined });
  }
  for (const mode of Object.values(WorkloadIdentityMode)) {
    new RemoteWriteCustomerTemplate(customers, `Rw${mode.replace('_', '')}`, {
      vendorAccountId: '111111111111', identityMode: mode, serviceAccount: { namespace: 'monitoring', name: 'prometheus' }, oidcIssuerUrl: mode === WorkloadIdentityMode.IRSA ? issuer : undefined,
    });
  }
  // The parameters as a customer fills them in.
  const parameters = { TargetRoleArn: { Ref: 'arn:aws:iam::111111111111:role/vendor' }, ClusterName: { Ref: 'prod' }, NodeRoleNames: { Ref: 'eks-node-role' } };
  templates.push(...customers.synth().stacks.map((t) =>
    [`customer:${t.stackName}`, t.template, { account: '222222222222', region: 'us-east-1', attributes: parameters }] as [string, any, DeployEnv]));
  const vendorApp = new App();
  const vendor = new Stack(vendorApp, 'Vendor', { env: { account: '111111111111', region: 'us-east-1' } });
  const workspaceArn = 'arn:aws:aps:us-east-1:111111111111:workspace/ws-0123abcd-4567-89ef-0123-456789abcdef';
  new VendorCustomer(vendor, 'Acme', {
    customerName: 'acme',
    customerAccountId: '222222222222',
    region: 'us-east-1',
    containerInsights: { templateUrl: 'https://vendor-templates.s3.us-east-1.amazonaws.com/ci.json' },
    remoteWrite: { templateUrl: 'https://vendor-templates.s3.us-east-1.amazonaws.com/rw.json', workspaceArn },
    ampCollector: { workspaceArn, clusterName: 'prod' },
  });
  templates.push(...stacksOf(vendorApp));
  return templates;
}

const unacknowledged = (findings: EscalationFinding[]) =>
  findings.filter((f) => !ACKNOWLEDGEMENTS.some((a) => a.principal.test(f.principal) && a.probe === f.probe));

describe('IAM escalation lint', () => {
  const templates = allTemplates();
  const findings = templates.flatMap(([name, template, env]) => escalationFindings(name, template, env));

  test('it covers every principal the library deploys', () => {
    const principals = templates.flatMap(([, t]) => Object.values<any>(t.Resources).filter((r) => r.Type === 'AWS::IAM::Role' || r.Type === 'AWS::IAM::User'));
    expect(principals.length).toBeGreaterThan(20);
  });

  test('no principal can escalate, unless an acknowledgement names its fence', () => {
    expect(unacknowledged(findings)).toEqual([]);
  });

  test('every acknowledgement names a fence and matches a real finding', () => {
    for (const ack of ACKNOWLEDGEMENTS) {
      expect(ack.fence).toMatch(/boundary|exact|ARN|condition|Deny/i);
      expect(findings.some((f) => ack.principal.test(f.principal) && ack.probe === f.probe)).toBe(true);
    }
  });

  test('the documents the handlers write at run time grant no escalation either', () => {
    // The container-cost reconciler's agent role (identity policy) for the longest plausible names.
    const role = desiredRole({
      partition: 'aws',
      account: '222222222222',
      bucketName: 'container-cost-222222222222',
      kmsKeyArn: 'arn:aws:kms:us-east-1:222222222222:key/1234abcd-12ab-34cd-56ef-1234567890ab',
      regions: ['us-east-1'],
      ownerKey: 'abc123def456',
      serviceAccount: { namespace: 'container-cost', name: 'container-cost-agent' },
      boundaryArn: 'arn:aws:iam::222222222222:policy/container-cost-agent-boundary-abc123def456',
      reconcilerRoleName: 'reconciler',
    }, { name: 'prod', region: 'us-east-1', arn: 'arn:aws:eks:us-east-1:222222222222:cluster/prod', issuer: 'https://oidc.eks.us-east-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF' });
    const asTemplate = { Resources: { AgentRole: { Type: 'AWS::IAM::Role', Properties: { Policies: [{ PolicyName: 'w', PolicyDocument: role.policy }] } } } };
    expect(escalationFindings('reconciler-written', asTemplate, { account: '222222222222', region: 'us-east-1' })).toEqual([]);
    // The fleet's member reconciler: a per-cluster IRSA role that may assume its central role, nothing else.
    const fleet = fleetDesiredState({
      partition: 'aws',
      account: '444444444444',
      region: 'eu-west-1',
      ownerKey: 'xacct-observability-fleet.eu-west-1',
      boundaryArn: 'arn:aws:iam::444444444444:policy/xacct-observability/xacct-observability-boundary-eu-west-1',
      reconcilerRoleName: 'reconciler',
      identity: 'IRSA',
      flows: [
        { key: 'remote-write', namespace: 'monitoring', serviceAccount: 'prometheus', targetRoleArn: 'arn:aws:iam::555555555555:role/amp-remote-write-ws-1' },
        // Container cost: the per-cluster role writes its prefix of the organization's bucket.
        { key: 'container-cost', namespace: 'container-cost', serviceAccount: 'container-cost-agent', costBucketName: 'container-cost-org-555555555555' },
      ],
    }, [{ name: 'prod', region: 'eu-west-1', arn: 'arn:aws:eks:eu-west-1:444444444444:cluster/prod', issuer: 'https://oidc.eks.eu-west-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF' }],
    new Set(['oidc.eks.eu-west-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF']));
    expect(fleet.roles).toHaveLength(2);
    for (const written of fleet.roles) {
      const fleetRole = { Resources: { FleetRole: { Type: 'AWS::IAM::Role', Properties: { Policies: [{ PolicyName: 'a', PolicyDocument: written.policy }] } } } };
      expect(escalationFindings('fleet-reconciler-written', fleetRole, { account: '444444444444', region: 'eu-west-1' })).toEqual([]);
    }
    // The pin handler's trust: only the scraper service, from this account, for one scraper.
    const trust: any = pinnedTrust({ partition: 'aws', account: '222222222222', region: 'us-east-1', scrapers: { r: 'arn:aws:aps:us-east-1:222222222222:scraper/s-1' } }, 'arn:aws:aps:us-east-1:222222222222:scraper/s-1');
    expect(trust.Statement).toEqual([expect.objectContaining({ Principal: { Service: 'scraper.aps.amazonaws.com' }, Condition: expect.objectContaining({ ArnEquals: { 'aws:SourceArn': 'arn:aws:aps:us-east-1:222222222222:scraper/s-1' } }) })]);
  });

  test('the lint catches the escalation it exists for (the container-cost reconciler policy before the boundary fence)', () => {
    // The reconciler's statements as they were (create under the path with a request-tag condition only;
    // put policy and trust on owned roles): an admin-equivalent pair, as the outside review found.
    const before = {
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: ['iam:CreateRole', 'iam:TagRole'], Resource: 'arn:aws:iam::222222222222:role/container-cost/abc123/*', Condition: { StringEquals: { 'aws:RequestTag/container-cost:owner': 'abc123' } } },
        { Effect: 'Allow', Action: ['iam:UpdateAssumeRolePolicy', 'iam:PutRolePolicy', 'iam:DeleteRolePolicy', 'iam:DeleteRole'], Resource: 'arn:aws:iam::222222222222:role/container-cost/abc123/*', Condition: { StringEquals: { 'iam:ResourceTag/container-cost:owner': 'abc123' } } },
      ],
    };
    const asTemplate = { Resources: { Reconciler: { Type: 'AWS::IAM::Role', Properties: { Policies: [{ PolicyName: 'r', PolicyDocument: before }] } } } };
    const probes = escalationFindings('before', asTemplate, { account: '222222222222', region: 'us-east-1' }).map((f) => f.probe);
    expect(probes).toEqual(expect.arrayContaining(['create-role-without-boundary', 'create-role-with-admin-boundary']));
  });

  test('and the obvious ones: a wildcard IAM writer, a code replacer', () => {
    const stack = new Stack(new App(), 'Bad', { env: { account: '222222222222', region: 'us-east-1' } });
    new iam.Role(stack, 'Writer', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      inlinePolicies: { w: new iam.PolicyDocument({ statements: [new iam.PolicyStatement({ actions: ['iam:PutRolePolicy', 'lambda:UpdateFunctionCode'], resources: ['*'] })] }) },
    });
    const probes = escalationFindings('bad', Template.fromStack(stack).toJSON(), { account: '222222222222', region: 'us-east-1' }).map((f) => f.probe);
    expect(probes).toEqual(expect.arrayContaining(['put-role-policy', 'update-function-code']));
  });
});

/**
 * Issue 23, part 1 (the flows the first round left out): the AMP collector's source side and
 * container cost as templates a customer launches without CDK. Each is synthesized, checked
 * self-contained (no bootstrap reference, no asset), linted with the real cfn-lint (no E finding),
 * checked by cdk-nag, and what it deploys is evaluated by the IAM engine together with the vendor's
 * side (`VendorCustomer`) for the values a customer gives: the intended identity is admitted, near
 * misses (another customer, another account's scraper, another cluster's prefix) are refused.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Testing } from 'cdk8s';
import { AgentIdentityMode, AmpCollectorCustomerTemplate, AmpCrossAccountScraper, ContainerCostAgentChart, ContainerCostAgentChartIdentity, ContainerCostCustomerTemplate, ContainerInsightsCustomerTemplate, VendorCustomer } from '../../src';
import { evaluate } from '../harness/cfn-eval';
import { canAssume, identityPoliciesOf, isAllowed, logicalIdsOfType, trustPolicyOf } from '../harness/iam-proof';
import { objectOf, validChartObjects } from '../harness/manifests';
import { nagFindings } from '../harness/nag';
import { cfnLintErrors, freshApp, selfContainedProblems, SynthesizedTemplate, synthTemplate } from '../harness/template-lint';

const VENDOR = '111111111111';
const ACME = '222222222222';
const GLOBEX = '333333333333';
const REGION = 'us-east-1';
const WORKSPACE = `arn:aws:aps:${REGION}:${VENDOR}:workspace/ws-0123abcd-4567-89ef-0123-456789abcdef`;
const BUCKET = 'vendor-container-cost';
const AMP_TEMPLATE = 'https://vendor-templates.s3.us-east-1.amazonaws.com/v1/amp-collector.template.json';
const COST_TEMPLATE = 'https://vendor-templates.s3.us-east-1.amazonaws.com/v1/container-cost.template.json';
const scraperArn = (account: string, region = REGION) => `arn:aws:aps:${region}:${account}:scraper/s-0123abcd-4567-89ef-0123-456789abcdef`;

const TEMPLATES: Record<string, () => Stack> = {
  'AMP collector': () => new AmpCollectorCustomerTemplate(freshApp(), 'AmpCollector', { vendorAccountId: VENDOR, workspaceArn: WORKSPACE }),
  'container cost': () => new ContainerCostCustomerTemplate(freshApp(), 'ContainerCost', { vendorAccountId: VENDOR, bucketName: BUCKET, regions: [REGION, 'eu-west-1'] }),
};
const stacks: Record<string, Stack> = {};
const synthesized: Record<string, SynthesizedTemplate> = {};
beforeAll(() => {
  for (const [name, build] of Object.entries(TEMPLATES)) {
    stacks[name] = build();
    synthesized[name] = synthTemplate(stacks[name]);
  }
});

function vendorStack() {
  const stack = new Stack(new App(), 'Vendor', { env: { account: VENDOR, region: REGION } });
  const bucket = new s3.Bucket(stack, 'CostBucket', { bucketName: BUCKET, enforceSSL: true, blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL });
  const customer = (id: string, customerName: string, customerAccountId: string) => new VendorCustomer(stack, id, {
    customerName,
    customerAccountId,
    region: REGION,
    ampCollector: { workspaceArn: WORKSPACE, clusterName: 'prod', templateUrl: AMP_TEMPLATE },
    containerCost: { templateUrl: COST_TEMPLATE, bucket },
  });
  const customers = { acme: customer('Acme', 'acme', ACME), globex: customer('Globex', 'globex', GLOBEX) };
  return { stack, bucket, customers, template: Template.fromStack(stack).toJSON() };
}

describe('the collector and cost customer templates', () => {
  test.each(Object.keys(TEMPLATES))('%s: no bootstrap reference, no asset, under 51,200 bytes, every Ref resolves', (name) => {
    expect(selfContainedProblems(synthesized[name])).toEqual([]);
    const body = synthesized[name].body;
    for (const bootstrap of ['BootstrapVersion', 'CheckBootstrapVersion', 'cdk-hnb659fds', 'AWS::Lambda::Function']) expect(body).not.toContain(bootstrap);
  });

  test('cfn-lint finds no E-level problem in either', () => {
    expect(cfnLintErrors(Object.values(synthesized).map((t) => t.file))).toEqual([]);
  });

  test.each(Object.keys(TEMPLATES))('%s: cdk-nag finds nothing unacknowledged', (name) => {
    expect(nagFindings(stacks[name])).toEqual([]);
  });

  test('AMP collector: the parameters a customer gives, each constrained; the workspace\'s region only', () => {
    const t = synthesized['AMP collector'].json;
    expect(Object.keys(t.Parameters).sort()).toEqual(['ClusterName', 'SecurityGroupIds', 'SubnetIds', 'TargetRoleArn']);
    expect(t.Parameters.SubnetIds.Type).toBe('List<AWS::EC2::Subnet::Id>');
    expect(new RegExp(t.Parameters.TargetRoleArn.AllowedPattern).test(`arn:aws:iam::${GLOBEX}:role/x`)).toBe(false);
    expect(t.Rules.SupportedRegion.Assertions[0].Assert).toEqual({ 'Fn::Contains': [[REGION], { Ref: 'AWS::Region' }] });
    const scraper = Object.values<any>(t.Resources).find((r) => r.Type === 'AWS::APS::Scraper');
    expect(scraper.Properties.Destination.AmpConfiguration.WorkspaceArn).toBe(WORKSPACE);
    const env = { account: ACME, region: REGION, attributes: { ClusterName: { Ref: 'prod' } } };
    expect(evaluate(scraper.Properties.Source.EksConfiguration.ClusterArn, t, env)).toBe(`arn:aws:eks:${REGION}:${ACME}:cluster/prod`);
    // The scrape configuration is AMP's YAML with the cluster's ARN as external label (resolved by CloudFormation).
    expect(evaluate(scraper.Properties.ScrapeConfiguration.ConfigurationBlob, t, env)).toContain(`clusterArn: arn:aws:eks:${REGION}:${ACME}:cluster/prod`);
  });

  test('AMP collector: the source role\'s name is exactly what the vendor\'s target role trusts, up to the longest cluster name', () => {
    const t = synthesized['AMP collector'].json;
    const role = logicalIdsOfType(t, 'AWS::IAM::Role')[0];
    const longest = 'c'.repeat(t.Parameters.ClusterName.MaxLength);
    for (const cluster of ['prod', 'Prod_eu-1', longest]) {
      const given = { account: ACME, region: REGION, attributes: { ClusterName: { Ref: cluster } } };
      const name = evaluate(t.Resources[role].Properties.RoleName, t, given);
      expect(name).toBe(AmpCrossAccountScraper.sourceRoleNameFor(cluster, WORKSPACE));
      expect(name.length).toBeLessThanOrEqual(64);
    }
    // One character more and the library would shorten the name with a hash, which CloudFormation cannot.
    expect(AmpCrossAccountScraper.sourceRoleNameFor(`${longest}c`, WORKSPACE)).not.toBe(`amp-scraper-source-${longest}c-0123abcd`);
  });

  test('container cost: the bucket is the vendor\'s, baked in; no parameter but the region rule', () => {
    const t = synthesized['container cost'].json;
    expect(t.Parameters).toBeUndefined();
    expect(t.Rules.SupportedRegion.Assertions[0].Assert).toEqual({ 'Fn::Contains': [[REGION, 'eu-west-1'], { Ref: 'AWS::Region' }] });
  });

  test('bad props: one error naming every problem', () => {
    expect(() => new AmpCollectorCustomerTemplate(freshApp(), 'Bad', { vendorAccountId: VENDOR, workspaceArn: WORKSPACE.replace(VENDOR, GLOBEX), regions: ['eu-west-1'], scrapeConfiguration: 'global:\n  scrape_interval: 5s\n' }))
      .toThrow(/invalid props \(5 problems\):[\s\S]*workspaceArn: is in account 333333333333[\s\S]*regions\[0\]: is eu-west-1[\s\S]*scrapeConfiguration/);
    expect(() => new AmpCollectorCustomerTemplate(freshApp(), 'Bad', {} as any)).toThrow(/vendorAccountId: is required[\s\S]*workspaceArn: is required/);
    expect(() => new ContainerCostCustomerTemplate(freshApp(), 'Bad', { vendorAccountId: '1', bucketName: 'Vendor_Bucket', serviceAccount: { namespace: 'A', name: 'b' } }))
      .toThrow(/invalid props \(3 problems\):[\s\S]*vendorAccountId[\s\S]*bucketName[\s\S]*serviceAccount/);
  });
});

describe('what they deploy, with the vendor\'s side, proven with the IAM engine', () => {
  const { stack, customers, template: vendor } = vendorStack();
  const customerEnv = (account: string) => ({ account, region: REGION, attributes: { ClusterName: { Ref: 'prod' }, TargetRoleArn: { Ref: `arn:aws:iam::${VENDOR}:role/${customers.acme.ampCollectorRole!.roleName}` } } });

  test('AMP collector source role: AMP\'s scraper service, for this account\'s scrapers in this region only', () => {
    const t = synthesized['AMP collector'].json;
    const role = logicalIdsOfType(t, 'AWS::IAM::Role')[0];
    const trustPolicy = trustPolicyOf(t, role, customerEnv(ACME));
    const ask = (sourceAccount: string, sourceArn: string) => canAssume({
      trustPolicy,
      roleArn: `arn:aws:iam::${ACME}:role/amp-scraper-source-prod-0123abcd`,
      principal: 'scraper.aps.amazonaws.com',
      context: { 'aws:SourceAccount': sourceAccount, 'aws:SourceArn': sourceArn },
    });
    expect(ask(ACME, scraperArn(ACME))).toBe('Allowed');
    expect(ask(GLOBEX, scraperArn(GLOBEX))).not.toBe('Allowed');
    expect(ask(ACME, scraperArn(GLOBEX))).not.toBe('Allowed');
    expect(ask(ACME, scraperArn(ACME, 'eu-west-1'))).not.toBe('Allowed');
  });

  test('AMP collector: the source role reaches the vendor\'s target role of this customer, with its scraper as external ID; near misses refused', () => {
    const t = synthesized['AMP collector'].json;
    const role = logicalIdsOfType(t, 'AWS::IAM::Role')[0];
    const callerPolicies = identityPoliciesOf(t, role, customerEnv(ACME));
    const targetId = (name: string) => logicalIdsOfType(vendor, 'AWS::IAM::Role').find((id) => vendor.Resources[id].Properties.RoleName === name)!;
    const acmeTarget = customers.acme.ampCollectorRole!.roleName;
    const globexTarget = customers.globex.ampCollectorRole!.roleName;
    const sourceRoleName = evaluate(t.Resources[role].Properties.RoleName, t, customerEnv(ACME));
    const ask = (target: string, sourceAccount: string, scraperAccount: string, sourceName = sourceRoleName) => {
      const principal = `arn:aws:iam::${sourceAccount}:role/${sourceName}`;
      return canAssume({
        trustPolicy: trustPolicyOf(vendor, targetId(target), { account: VENDOR, region: REGION }),
        roleArn: `arn:aws:iam::${VENDOR}:role/${target}`,
        principal,
        context: { 'aws:PrincipalArn': principal, 'sts:ExternalId': scraperArn(scraperAccount) },
        callerPolicies,
      });
    };
    expect(ask(acmeTarget, ACME, ACME)).toBe('Allowed');
    expect(ask(acmeTarget, ACME, GLOBEX)).not.toBe('Allowed');
    expect(ask(acmeTarget, GLOBEX, GLOBEX)).not.toBe('Allowed');
    expect(ask(acmeTarget, ACME, ACME, 'some-other-role')).not.toBe('Allowed');
    // The source role may assume only the target role it was given (not another customer's).
    expect(ask(globexTarget, ACME, ACME)).not.toBe('Allowed');
  });

  test('AMP collector, phase 2: once the vendor pins its target role to the ScraperArn output, only that scraper gets through', () => {
    const t = synthesized['AMP collector'].json;
    const role = logicalIdsOfType(t, 'AWS::IAM::Role')[0];
    const pinnedStack = new Stack(new App(), 'Vendor', { env: { account: VENDOR, region: REGION } });
    const pinned = new VendorCustomer(pinnedStack, 'Acme', {
      customerName: 'acme',
      customerAccountId: ACME,
      region: REGION,
      ampCollector: { workspaceArn: WORKSPACE, clusterName: 'prod', templateUrl: AMP_TEMPLATE, scraperArn: scraperArn(ACME) },
    });
    const vendorPinned = Template.fromStack(pinnedStack).toJSON();
    const targetName = pinned.ampCollectorRole!.roleName;
    const targetId = logicalIdsOfType(vendorPinned, 'AWS::IAM::Role').find((id) => vendorPinned.Resources[id].Properties.RoleName === targetName)!;
    const principal = `arn:aws:iam::${ACME}:role/${evaluate(t.Resources[role].Properties.RoleName, t, customerEnv(ACME))}`;
    const ask = (externalId: string) => canAssume({
      trustPolicy: trustPolicyOf(vendorPinned, targetId, { account: VENDOR, region: REGION }),
      roleArn: `arn:aws:iam::${VENDOR}:role/${targetName}`,
      principal,
      context: { 'aws:PrincipalArn': principal, 'sts:ExternalId': externalId },
      callerPolicies: identityPoliciesOf(t, role, { ...customerEnv(ACME), attributes: { ClusterName: { Ref: 'prod' }, TargetRoleArn: { Ref: `arn:aws:iam::${VENDOR}:role/${targetName}` } } }),
    });
    expect(ask(scraperArn(ACME))).toBe('Allowed');
    expect(ask(scraperArn(ACME).replace('s-0123abcd', 's-99999999'))).not.toBe('Allowed');
  });

  test('container cost role: EKS Pod Identity for the cost agent of this account\'s clusters in this region only', () => {
    const t = synthesized['container cost'].json;
    const role = logicalIdsOfType(t, 'AWS::IAM::Role')[0];
    expect(evaluate(t.Resources[role].Properties.RoleName, t, customerEnv(ACME))).toBe(ContainerCostCustomerTemplate.writerRoleName(VENDOR, REGION));
    const trustPolicy = trustPolicyOf(t, role, customerEnv(ACME));
    const ask = (clusterArn: string, sa: string) => canAssume({
      trustPolicy,
      roleArn: `arn:aws:iam::${ACME}:role/container-cost-writer-${VENDOR}-${REGION}`,
      principal: 'pods.eks.amazonaws.com',
      context: { 'aws:RequestTag/eks-cluster-arn': clusterArn, 'aws:RequestTag/kubernetes-namespace': 'container-cost', 'aws:RequestTag/kubernetes-service-account': sa },
    });
    expect(ask(`arn:aws:eks:${REGION}:${ACME}:cluster/prod`, 'container-cost-agent')).toBe('Allowed');
    expect(ask(`arn:aws:eks:${REGION}:${ACME}:cluster/prod`, 'default')).not.toBe('Allowed');
    expect(ask(`arn:aws:eks:${REGION}:${GLOBEX}:cluster/prod`, 'container-cost-agent')).not.toBe('Allowed');
    expect(ask(`arn:aws:eks:eu-west-1:${ACME}:cluster/prod`, 'container-cost-agent')).not.toBe('Allowed');
  });

  test('container cost: the role\'s policy and the vendor\'s bucket policy together admit the own cluster\'s prefix only', () => {
    const t = synthesized['container cost'].json;
    const bucketId = logicalIdsOfType(vendor, 'AWS::S3::BucketPolicy')[0];
    const bucketPolicy = evaluate(vendor.Resources[bucketId].Properties.PolicyDocument, vendor, {
      account: VENDOR, region: REGION, attributes: { [vendor.Resources[bucketId].Properties.Bucket.Ref]: { Ref: BUCKET, Arn: `arn:aws:s3:::${BUCKET}` } },
    });
    const put = (account: string, key: string, opts: { cluster?: string; roleName?: string; bucketOwner?: string } = {}) => {
      const role = logicalIdsOfType(t, 'AWS::IAM::Role')[0];
      const principal = `arn:aws:iam::${account}:role/${opts.roleName ?? `container-cost-writer-${VENDOR}-${REGION}`}`;
      return isAllowed({
        policies: identityPoliciesOf(t, role, customerEnv(account)),
        principal,
        action: 's3:PutObject',
        resource: `arn:aws:s3:::${BUCKET}/${key}`,
        resourceAccount: VENDOR,
        resourcePolicy: bucketPolicy,
        context: {
          'aws:PrincipalArn': principal,
          'aws:PrincipalAccount': account,
          'aws:PrincipalTag/eks-cluster-name': opts.cluster ?? 'prod',
          'aws:SecureTransport': 'true',
          's3:ResourceAccount': opts.bucketOwner ?? VENDOR,
        },
      });
    };
    expect(put(ACME, `${ACME}/${REGION}/prod/2026/12/03/cost.csv`)).toBe('Allowed');
    expect(put(GLOBEX, `${GLOBEX}/${REGION}/prod/cost.csv`)).toBe('Allowed');
    expect(put(ACME, `${ACME}/${REGION}/staging/cost.csv`)).not.toBe('Allowed');
    expect(put(ACME, `${GLOBEX}/${REGION}/prod/cost.csv`, {})).not.toBe('Allowed');
    expect(put(ACME, `${ACME}/${REGION}/prod/cost.csv`, { roleName: 'some-other-role' })).not.toBe('Allowed');
    expect(put(ACME, `${ACME}/${REGION}/prod/cost.csv`, { bucketOwner: GLOBEX })).not.toBe('Allowed');
  });

  test('the links: one per template, each param_ a parameter of its template matching its pattern, none NoEcho', () => {
    const amp = synthesized['AMP collector'].json;
    const params = new URLSearchParams(customers.acme.ampCollectorQuickCreateUrl!.split('#')[1].split('?')[1]);
    expect([...params.keys()]).toEqual(['templateURL', 'stackName', 'param_TargetRoleArn', 'param_ClusterName']);
    for (const name of ['TargetRoleArn', 'ClusterName']) {
      expect(amp.Parameters[name].NoEcho).toBeUndefined();
      expect(new RegExp(amp.Parameters[name].AllowedPattern).test(params.get(`param_${name}`)!)).toBe(true);
    }
    expect(params.get('param_TargetRoleArn')).toBe(`arn:aws:iam::${VENDOR}:role/${customers.acme.ampCollectorRole!.roleName}`);
    const cost = new URLSearchParams(customers.acme.containerCostQuickCreateUrl!.split('#')[1].split('?')[1]);
    expect([...cost.keys()]).toEqual(['templateURL', 'stackName']);
    expect(Object.keys(vendor.Outputs).filter((k) => /QuickCreateUrl/.test(k))).toHaveLength(4);
  });

  test('cdk-nag finds nothing unacknowledged in what VendorCustomer adds (the bucket itself is this test\'s)', () => {
    expect(nagFindings(stack).filter((f) => !f.includes('Vendor/CostBucket/Resource:'))).toEqual([]);
  });

  test('bad input: an imported or KMS bucket, a link in another region than the workspace\'s', () => {
    const s = new Stack(new App(), 'V', { env: { account: VENDOR, region: 'eu-west-1' } });
    const kmsBucket = new s3.Bucket(s, 'Kms', { encryptionKey: new kms.Key(s, 'Key', { enableKeyRotation: true }) });
    expect(() => new VendorCustomer(s, 'A', {
      customerName: 'acme',
      customerAccountId: ACME,
      region: 'eu-west-1',
      ampCollector: { workspaceArn: WORKSPACE, clusterName: 'prod', templateUrl: AMP_TEMPLATE },
      containerCost: { templateUrl: COST_TEMPLATE, bucket: kmsBucket },
    })).toThrow(/invalid props \(2 problems\)[\s\S]*ampCollector\.templateUrl: opens the console in eu-west-1[\s\S]*containerCost\.bucket: is encrypted with a KMS key/);
    expect(() => new VendorCustomer(s, 'B', {
      customerName: 'acme',
      customerAccountId: ACME,
      region: 'eu-west-1',
      containerCost: { templateUrl: COST_TEMPLATE, bucket: s3.Bucket.fromBucketName(s, 'Imported', BUCKET) },
    })).toThrow(/containerCost\.bucket: is not an s3\.Bucket of this stack/);
  });
});

describe('Container Insights in NODE_ROLES mode (issue 23, item 3: is the template honest?)', () => {
  // The vendor's side of one customer, trusting that customer's node roles exactly once reported.
  const nodeRole = `arn:aws:iam::${ACME}:role/eks-node-group-role`;
  const vendorStackOf = (trustedPrincipalArns?: string[]) => {
    const stack = new Stack(new App(), 'Vendor', { env: { account: VENDOR, region: REGION } });
    const acme = new VendorCustomer(stack, 'Acme', {
      customerName: 'acme',
      customerAccountId: ACME,
      region: REGION,
      containerInsights: { templateUrl: 'https://vendor-templates.s3.us-east-1.amazonaws.com/v1/ci-node-roles.template.json', trustedPrincipalArns },
    });
    return { acme, template: Template.fromStack(stack).toJSON() };
  };
  const customer = synthTemplate(new ContainerInsightsCustomerTemplate(freshApp(), 'CiNodeRoles', { vendorAccountId: VENDOR, identityMode: AgentIdentityMode.NODE_ROLES })).json;

  test('the node roles get sts:AssumeRole on the vendor\'s role and the EC2 lookups, nothing else; no managed policy is attached', () => {
    const [policyId] = logicalIdsOfType(customer, 'AWS::IAM::Policy');
    expect(customer.Resources[policyId].Properties.Roles).toEqual({ Ref: 'NodeRoleNames' });
    expect(customer.Resources[policyId].Properties.PolicyDocument.Statement.map((st: any) => [st.Action, st.Resource])).toEqual([
      ['sts:AssumeRole', { Ref: 'TargetRoleArn' }],
      [['ec2:DescribeTags', 'ec2:DescribeVolumes'], '*'],
    ]);
    expect(logicalIdsOfType(customer, 'AWS::IAM::ManagedPolicy')).toEqual([]);
    expect(JSON.stringify(customer)).not.toContain('CloudWatchAgentServerPolicy');
  });

  test.each([
    ['the account (the seed\'s default trust)', undefined],
    ['the node role exactly (trustedPrincipalArns)', [nodeRole]],
  ])('the agent on a node (node role credentials) can assume the vendor\'s role when it trusts %s; near misses refused', (_title, trusted) => {
    const { acme, template } = vendorStackOf(trusted);
    const roleName = acme.containerInsights!.roleName;
    const roleArn = `arn:aws:iam::${VENDOR}:role/${roleName}`;
    const [policyId] = logicalIdsOfType(customer, 'AWS::IAM::Policy');
    const given = { account: ACME, region: REGION, attributes: { TargetRoleArn: { Ref: roleArn } } };
    const nodePolicy = evaluate(customer.Resources[policyId].Properties.PolicyDocument, customer, given);
    const vendorRole = logicalIdsOfType(template, 'AWS::IAM::Role').find((id) => template.Resources[id].Properties.RoleName === roleName)!;
    const trustPolicy = trustPolicyOf(template, vendorRole, { account: VENDOR, region: REGION });
    const ask = (principal: string, callerPolicies: any[]) => canAssume({
      trustPolicy, roleArn, principal, context: { 'aws:PrincipalArn': principal }, callerPolicies,
    });
    expect(ask(nodeRole, [nodePolicy])).toBe('Allowed');
    // Without the template's policy the node role cannot (cross-account: both sides must allow).
    expect(ask(nodeRole, [])).not.toBe('Allowed');
    expect(ask(`arn:aws:iam::${GLOBEX}:role/eks-node-group-role`, [nodePolicy])).not.toBe('Allowed');
    // The node policy names the one role it was given.
    expect(isAllowed({ policies: [nodePolicy], principal: nodeRole, action: 'sts:AssumeRole', resource: `arn:aws:iam::${VENDOR}:role/containerinsights-globex`, identityOnly: true })).not.toBe('Allowed');
  });
});

describe('attack: the vendor\'s cost bucket must own what customers write', () => {
  // S3 user guide, "Controlling ownership of objects and disabling ACLs for your bucket": with Object
  // writer (or Bucket owner preferred and no bucket-owner-full-control ACL, which the customer's role
  // never sends) the uploading account owns the object, and the vendor cannot read its customers' cost data.
  test.each([
    ['OBJECT_WRITER', s3.ObjectOwnership.OBJECT_WRITER],
    ['BUCKET_OWNER_PREFERRED', s3.ObjectOwnership.BUCKET_OWNER_PREFERRED],
  ])('a bucket with object ownership %s is refused by name', (_title, objectOwnership) => {
    const s = new Stack(new App(), 'V', { env: { account: VENDOR, region: REGION } });
    const bucket = new s3.Bucket(s, 'Cost', { objectOwnership });
    expect(() => new VendorCustomer(s, 'A', { customerName: 'acme', customerAccountId: ACME, region: REGION, containerCost: { templateUrl: COST_TEMPLATE, bucket } }))
      .toThrow(/containerCost\.bucket: has object ownership (ObjectWriter|BucketOwnerPreferred)[^\n]*BucketOwnerEnforced/);
  });

  test('the default (no OwnershipControls: S3 enforces bucket owner for new buckets) and BUCKET_OWNER_ENFORCED are accepted', () => {
    const s = new Stack(new App(), 'V', { env: { account: VENDOR, region: REGION } });
    for (const [id, props] of [['D', {}], ['E', { objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED }]] as const) {
      const bucket = new s3.Bucket(s, `Cost${id}`, props);
      expect(() => new VendorCustomer(s, id, { customerName: `acme-${id.toLowerCase()}`, customerAccountId: ACME, region: REGION, containerCost: { templateUrl: COST_TEMPLATE, bucket } })).not.toThrow();
    }
  });
});

describe('attack: a prefilled ClusterName the customer template\'s parameter would refuse', () => {
  // The templates' ClusterName has a MaxLength that keeps <prefix>-<cluster>[-<key>] within 64 characters
  // (CloudFormation cannot hash); a longer name is one the vendor's role names by a hashed source-role
  // name the template can never create, and the console refuses the link's own value.
  const RW_TEMPLATE = 'https://vendor-templates.s3.us-east-1.amazonaws.com/v1/remote-write.template.json';
  const vendorWith = (props: Record<string, unknown>) => () => new VendorCustomer(new Stack(new App(), 'V', { env: { account: VENDOR, region: REGION } }), 'A', {
    customerName: 'acme', customerAccountId: ACME, region: REGION, ...props,
  } as any);

  test('ampCollector.clusterName longer than the AMP collector template\'s MaxLength is refused by name', () => {
    const max = synthesized['AMP collector'].json.Parameters.ClusterName.MaxLength;
    expect(max).toBe(36);
    expect(vendorWith({ ampCollector: { workspaceArn: WORKSPACE, clusterName: 'c'.repeat(max), templateUrl: AMP_TEMPLATE } })).not.toThrow();
    expect(vendorWith({ ampCollector: { workspaceArn: WORKSPACE, clusterName: 'c'.repeat(max + 1), templateUrl: AMP_TEMPLATE } }))
      .toThrow(/ampCollector\.clusterName: is 37 characters; AmpCollectorCustomerTemplate's ClusterName takes at most 36/);
  });

  test('remoteWrite.clusterName longer than the remote-write template\'s MaxLength is refused by name', () => {
    const remoteWrite = (clusterName: string) => ({ remoteWrite: { templateUrl: RW_TEMPLATE, workspaceArn: WORKSPACE, clusterName } });
    expect(vendorWith(remoteWrite('c'.repeat(51)))).not.toThrow();
    expect(vendorWith(remoteWrite('c'.repeat(52)))).toThrow(/remoteWrite\.clusterName: is 52 characters; RemoteWriteCustomerTemplate's ClusterName takes at most 51/);
  });
});

describe('follow the cost signal: the cluster side a customer deploys writes where both policies allow', () => {
  test('ContainerCostAgentChart (FLEET_POD_IDENTITY) in a customer cluster: its service account is the one the role trusts, its prefix the one both policies open', () => {
    const chart = new ContainerCostAgentChart(Testing.app(), 'cost', { account: ACME, region: REGION, clusterName: 'prod', identity: ContainerCostAgentChartIdentity.FLEET_POD_IDENTITY });
    const sa = objectOf(validChartObjects(chart), 'ServiceAccount');
    expect(sa.metadata.annotations?.['eks.amazonaws.com/role-arn']).toBeUndefined();
    const t = synthesized['container cost'].json;
    const role = logicalIdsOfType(t, 'AWS::IAM::Role')[0];
    const env = { account: ACME, region: REGION };
    // EKS Pod Identity tags the session with the pod's namespace, service account and cluster (pod-id-abac.html).
    expect(canAssume({
      trustPolicy: trustPolicyOf(t, role, env),
      roleArn: `arn:aws:iam::${ACME}:role/container-cost-writer-${VENDOR}-${REGION}`,
      principal: 'pods.eks.amazonaws.com',
      context: {
        'aws:RequestTag/eks-cluster-arn': `arn:aws:eks:${REGION}:${ACME}:cluster/prod`,
        'aws:RequestTag/kubernetes-namespace': sa.metadata.namespace,
        'aws:RequestTag/kubernetes-service-account': sa.metadata.name,
      },
    })).toBe('Allowed');
    const { template: vendor } = vendorStack();
    const bucketId = logicalIdsOfType(vendor, 'AWS::S3::BucketPolicy')[0];
    const bucketPolicy = evaluate(vendor.Resources[bucketId].Properties.PolicyDocument, vendor, {
      account: VENDOR, region: REGION, attributes: { [vendor.Resources[bucketId].Properties.Bucket.Ref]: { Ref: BUCKET, Arn: `arn:aws:s3:::${BUCKET}` } },
    });
    const principal = `arn:aws:iam::${ACME}:role/container-cost-writer-${VENDOR}-${REGION}`;
    const put = (key: string) => isAllowed({
      policies: identityPoliciesOf(t, role, env),
      principal,
      action: 's3:PutObject',
      resource: `arn:aws:s3:::${BUCKET}/${key}`,
      resourceAccount: VENDOR,
      resourcePolicy: bucketPolicy,
      context: { 'aws:PrincipalArn': principal, 'aws:PrincipalAccount': ACME, 'aws:PrincipalTag/eks-cluster-name': 'prod', 's3:ResourceAccount': VENDOR },
    });
    expect(chart.bucketPrefix).toBe(`${ACME}/${REGION}/prod/`);
    expect(put(`${chart.bucketPrefix}2026-12-03.csv`)).toBe('Allowed');
    // The prefixes of the chart's other identities are refused by the customer template's role.
    expect(put(`${REGION}/prod/2026-12-03.csv`)).not.toBe('Allowed');
  });
});

describe('attack: customers that share one AMP workspace can write each other\'s series', () => {
  // aps:RemoteWrite is authorized per workspace only (Service Authorization Reference, Amazon Managed Service
  // for Prometheus: RemoteWrite, resource workspace*, condition key aws:ResourceTag only): no IAM policy can
  // limit which series or labels a writer sends, and each customer owns its collector's configuration.
  test('both customers\' roles may remote-write the shared workspace, with nothing in the request to tell their series apart (IAM engine)', () => {
    const { customers, template: vendor } = vendorStack();
    for (const c of [customers.acme, customers.globex]) {
      const roleId = logicalIdsOfType(vendor, 'AWS::IAM::Role').find((id) => vendor.Resources[id].Properties.RoleName === c.ampCollectorRole!.roleName)!;
      expect(isAllowed({
        policies: identityPoliciesOf(vendor, roleId, { account: VENDOR, region: REGION }),
        principal: `arn:aws:sts::${VENDOR}:assumed-role/${c.ampCollectorRole!.roleName}/scraper`,
        action: 'aps:RemoteWrite',
        resource: WORKSPACE,
      })).toBe('Allowed');
    }
  });

  test('synth warns on the second customer of a workspace, naming the first; one workspace each does not warn', () => {
    const { stack } = vendorStack();
    Annotations.fromStack(stack).hasWarning('/Vendor/Globex', Match.stringLikeRegexp(`shares the AMP workspace ${WORKSPACE} with customer acme`));
    Annotations.fromStack(stack).hasNoWarning('/Vendor/Acme', Match.stringLikeRegexp('shares the AMP workspace'));
    const apart = new Stack(new App(), 'Apart', { env: { account: VENDOR, region: REGION } });
    new VendorCustomer(apart, 'Acme', { customerName: 'acme', customerAccountId: ACME, region: REGION, ampCollector: { workspaceArn: WORKSPACE, clusterName: 'prod' } });
    new VendorCustomer(apart, 'Globex', { customerName: 'globex', customerAccountId: GLOBEX, region: REGION, ampCollector: { workspaceArn: WORKSPACE.replace('ws-0123abcd', 'ws-99999999'), clusterName: 'prod' } });
    Annotations.fromStack(apart).hasNoWarning('*', Match.stringLikeRegexp('shares the AMP workspace'));
  });
});

test('attack: a non-customer account\'s role named container-cost-writer-<vendor key>-<region>, with the same template, is refused by the vendor\'s bucket policy', () => {
  const { template: vendor } = vendorStack();
  const t = synthesized['container cost'].json;
  const role = logicalIdsOfType(t, 'AWS::IAM::Role')[0];
  const bucketId = logicalIdsOfType(vendor, 'AWS::S3::BucketPolicy')[0];
  const bucketPolicy = evaluate(vendor.Resources[bucketId].Properties.PolicyDocument, vendor, {
    account: VENDOR, region: REGION, attributes: { [vendor.Resources[bucketId].Properties.Bucket.Ref]: { Ref: BUCKET, Arn: `arn:aws:s3:::${BUCKET}` } },
  });
  const put = (account: string, key: string) => {
    const principal = `arn:aws:iam::${account}:role/container-cost-writer-${VENDOR}-${REGION}`;
    return isAllowed({
      policies: identityPoliciesOf(t, role, { account, region: REGION }),
      principal,
      action: 's3:PutObject',
      resource: `arn:aws:s3:::${BUCKET}/${key}`,
      resourceAccount: VENDOR,
      resourcePolicy: bucketPolicy,
      context: { 'aws:PrincipalArn': principal, 'aws:PrincipalAccount': account, 'aws:PrincipalTag/eks-cluster-name': 'prod', 's3:ResourceAccount': VENDOR },
    });
  };
  const STRANGER = '999999999999';
  expect(put(STRANGER, `${STRANGER}/${REGION}/prod/cost.csv`)).not.toBe('Allowed');
  expect(put(ACME, `${ACME}/${REGION}/prod/cost.csv`)).toBe('Allowed');
});

describe('attack: many customers on one cost bucket', () => {
  // S3 user guide, "Bucket policies and user policies": bucket policies are limited to 20 KB. The customers share
  // one statement pair (${aws:PrincipalAccount} in the Resource), each adding its account ARN to both (about 70
  // characters), so some 280 customers would fill one bucket's policy, and CloudFormation would fail the deploy; synth says so
  // first. A stack's 200 outputs (two per customer here) stop it at 100 customers before that.
  const withCustomers = (count: number) => {
    const s = new Stack(new App(), 'V', { env: { account: VENDOR, region: REGION } });
    const bucket = new s3.Bucket(s, 'Cost', { enforceSSL: true });
    for (let i = 0; i < count; i++) {
      new VendorCustomer(s, `C${i}`, { customerName: `customer-${i}`, customerAccountId: String(200000000000 + i), region: REGION, containerCost: { templateUrl: COST_TEMPLATE, bucket } });
    }
    return s;
  };

  test('a bucket policy over S3\'s 20 KB fails synth, naming the size and what to do', () => {
    expect(() => Template.fromStack(withCustomers(300))).toThrow(/bucket policy of up to \d+ characters for 300 customers, over S3's 20,480[\s\S]*another bucket/);
  });

  test('as many customers as a stack\'s 200 outputs allow (100) fit the bucket policy', () => {
    expect(() => Template.fromStack(withCustomers(100))).not.toThrow();
  });
});

test('attack: customer B\'s IAM admin widens its writer role to every object: VendorCustomer\'s bucket policy alone still keeps it off A\'s prefix', () => {
  const { template: vendor } = vendorStack();
  const bucketId = logicalIdsOfType(vendor, 'AWS::S3::BucketPolicy')[0];
  const bucketPolicy = evaluate(vendor.Resources[bucketId].Properties.PolicyDocument, vendor, {
    account: VENDOR, region: REGION, attributes: { [vendor.Resources[bucketId].Properties.Bucket.Ref]: { Ref: BUCKET, Arn: `arn:aws:s3:::${BUCKET}` } },
  });
  const anyObject = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['s3:PutObject', 's3:ListBucket'], Resource: '*' }] };
  const ask = (action: string, resource: string, context: Record<string, string> = {}) => {
    const principal = `arn:aws:iam::${GLOBEX}:role/container-cost-writer-${VENDOR}-${REGION}`;
    return isAllowed({
      policies: [anyObject],
      principal,
      action,
      resource,
      resourceAccount: VENDOR,
      resourcePolicy: bucketPolicy,
      context: { 'aws:PrincipalArn': principal, 'aws:PrincipalAccount': GLOBEX, ...context },
    });
  };
  expect(ask('s3:PutObject', `arn:aws:s3:::${BUCKET}/${GLOBEX}/${REGION}/prod/c.csv`)).toBe('Allowed');
  expect(ask('s3:PutObject', `arn:aws:s3:::${BUCKET}/${ACME}/${REGION}/prod/c.csv`)).not.toBe('Allowed');
  expect(ask('s3:PutObject', `arn:aws:s3:::${BUCKET}/c.csv`)).not.toBe('Allowed');
  expect(ask('s3:ListBucket', `arn:aws:s3:::${BUCKET}`, { 's3:prefix': `${GLOBEX}/` })).toBe('Allowed');
  expect(ask('s3:ListBucket', `arn:aws:s3:::${BUCKET}`, { 's3:prefix': `${ACME}/` })).not.toBe('Allowed');
  expect(ask('s3:ListBucket', `arn:aws:s3:::${BUCKET}`)).not.toBe('Allowed');
});

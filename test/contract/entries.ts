/**
 * Every exported construct and chart, with a valid baseline (the contract suite mutates each prop of
 * it). A new export that is not here fails the suite.
 */
import { App, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Testing } from 'cdk8s';
import * as lib from '../../src';

export interface ContractEntry {
  /** The export's name. */
  readonly name: string;
  /** A second baseline of the same export (another mode), named in the test titles. */
  readonly variant?: string;
  /** A valid set of props. */
  readonly baseline: Record<string, unknown>;
  /** Props a caller must give. */
  readonly required: string[];
  /**
   * Props that stand for each other ("give A or B"): when one is missing, the refusal may name the other
   * (its message then says that either is wanted).
   */
  readonly alternatives?: Record<string, string[]>;
  /**
   * Props that take a deploy-time value (token) end to end; every other string prop must refuse one
   * by name (or, for a construct, accept it with nothing of it left as text in a name).
   */
  readonly tokensSupported?: string[];
  /** Builds it in a fresh app and returns what it writes (template or manifests), as JSON text. */
  readonly build: (props: any) => string;
}

const SOURCE = '222222222222';
const TARGET = '111111111111';
const REGION = 'us-east-1';
const WORKSPACE = `arn:aws:aps:${REGION}:${TARGET}:workspace/ws-0123abcd-4567-89ef-0123-456789abcdef`;
const ISSUER = 'https://oidc.eks.us-east-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF';
const SA = { namespace: 'ci', name: 'ci-sa' };
const ORGANIZATION = { organizationId: 'o-a1b2c3d4e5', organizationalUnitPaths: ['o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/'] };

/**
 * A prop value that only exists inside the construct's stack (a `CfnParameter`): the contract suite
 * passes one where a caller would pass a deploy-time value, and tells a token carried to the template
 * (its `Ref` is there) from one silently dropped (only the parameter is there).
 */
export class InStack {
  constructor(public readonly make: (stack: Stack) => unknown) {}
}

function materialise(value: unknown, stack: Stack): unknown {
  if (value instanceof InStack) return value.make(stack);
  if (Array.isArray(value)) return value.map((v) => materialise(v, stack));
  if (value && typeof value === 'object' && value.constructor === Object) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, materialise(v, stack)]));
  }
  return value;
}

let envAgnostic = false;

/** Runs `run` with every construct entry built in an environment-agnostic stack (no account, no region). */
export function inEnvAgnosticStacks<T>(run: () => T): T {
  envAgnostic = true;
  try {
    return run();
  } finally {
    envAgnostic = false;
  }
}

function construct(account: string, make: (stack: Stack, props: any) => unknown): (props: any) => string {
  return (props) => {
    const stack = new Stack(new App(), 'Contract', envAgnostic ? {} : { env: { account, region: REGION } });
    make(stack, materialise(props, stack));
    return JSON.stringify(Template.fromStack(stack).toJSON());
  };
}

/** A customer template: a stack of its own, in an app of its own. */
function template(make: (app: App, props: any) => Stack): (props: any) => string {
  return (props) => JSON.stringify(Template.fromStack(make(new App(), props)).toJSON());
}

function chart(make: (app: any, props: any) => { toJson(): any[] }): (props: any) => string {
  return (props) => JSON.stringify(make(Testing.app(), props).toJson());
}

export const ENTRIES: ContractEntry[] = [
  {
    name: 'IrsaRemoteWriteRole',
    baseline: { workspaceArn: WORKSPACE, clusters: [{ oidcIssuerUrl: ISSUER }], serviceAccounts: [{ namespace: 'monitoring', name: 'prometheus' }] },
    required: ['workspaceArn', 'clusters'],
    build: construct(TARGET, (s, p) => new lib.IrsaRemoteWriteRole(s, 'C', p)),
  },
  {
    name: 'IrsaRemoteWriteRole',
    variant: 'organizationSource',
    baseline: { workspaceArn: WORKSPACE, organizationSource: ORGANIZATION, roleName: 'fleet-remote-write' },
    required: ['workspaceArn', 'organizationSource'],
    alternatives: { organizationSource: ['clusters'] },
    build: construct(TARGET, (s, p) => new lib.IrsaRemoteWriteRole(s, 'C', p)),
  },
  {
    name: 'PrometheusRemoteWriteChart',
    baseline: { workspaceArn: WORKSPACE, roleArn: `arn:aws:iam::${TARGET}:role/amp-remote-write`, clusterName: 'prod' },
    required: ['workspaceArn', 'roleArn'],
    build: chart((a, p) => new lib.PrometheusRemoteWriteChart(a, 'c', p)),
  },
  {
    name: 'CrossAccountContainerInsights',
    baseline: { customerName: 'acme', sourceAccountId: SOURCE, trustedPrincipalArns: [`arn:aws:iam::${SOURCE}:role/node`] },
    required: ['customerName', 'sourceAccountId'],
    build: construct(TARGET, (s, p) => new lib.CrossAccountContainerInsights(s, 'C', p)),
  },
  {
    name: 'CrossAccountContainerInsights',
    variant: 'organizationSource',
    baseline: { customerName: 'acme', organizationSource: ORGANIZATION },
    required: ['customerName', 'organizationSource'],
    alternatives: { organizationSource: ['sourceAccountId'] },
    build: construct(TARGET, (s, p) => new lib.CrossAccountContainerInsights(s, 'C', p)),
  },
  {
    name: 'CrossAccountContainerInsights',
    variant: 'organization-wide TENANT_ISOLATED (no clusterNames)',
    baseline: { customerName: 'acme', organizationSource: ORGANIZATION, permissionMode: lib.ContainerInsightsPermissionMode.TENANT_ISOLATED },
    required: ['customerName', 'organizationSource'],
    alternatives: { organizationSource: ['sourceAccountId'] },
    build: construct(TARGET, (s, p) => new lib.CrossAccountContainerInsights(s, 'C', p)),
  },
  {
    name: 'ContainerInsightsAgentAccess',
    baseline: { targetRoleArn: `arn:aws:iam::${TARGET}:role/containerinsights-acme`, clusterName: 'prod', identityMode: lib.AgentIdentityMode.POD_IDENTITY },
    required: ['targetRoleArn', 'clusterName', 'identityMode'],
    build: construct(SOURCE, (s, p) => new lib.ContainerInsightsAgentAccess(s, 'C', p)),
  },
  {
    name: 'CloudWatchObservabilityAddon',
    baseline: { clusterName: 'prod', identityMode: lib.AgentIdentityMode.IRSA, targetRoleArn: `arn:aws:iam::${TARGET}:role/containerinsights-acme`, agentRoleArn: `arn:aws:iam::${SOURCE}:role/containerinsights-agent-prod` },
    required: ['clusterName', 'identityMode', 'targetRoleArn'],
    tokensSupported: ['targetRoleArn', 'agentRoleArn'],
    build: construct(SOURCE, (s, p) => new lib.CloudWatchObservabilityAddon(s, 'C', p)),
  },
  {
    name: 'CloudWatchAgentChart',
    baseline: { clusterName: 'prod', region: REGION, identityMode: lib.AgentIdentityMode.POD_IDENTITY },
    required: ['clusterName', 'region'],
    build: chart((a, p) => new lib.CloudWatchAgentChart(a, 'c', p)),
  },
  {
    name: 'CloudWatchObservabilityAddon',
    variant: 'container logs, region, enhanced observability',
    baseline: { clusterName: 'prod', identityMode: lib.AgentIdentityMode.NODE_ROLES, targetRoleArn: `arn:aws:iam::${TARGET}:role/containerinsights-acme`, reportedClusterName: 'acme.prod', region: 'eu-west-1', containerLogs: true, enhancedContainerInsights: false },
    required: ['clusterName', 'identityMode', 'targetRoleArn'],
    tokensSupported: ['targetRoleArn'],
    build: construct(SOURCE, (s, p) => new lib.CloudWatchObservabilityAddon(s, 'C', p)),
  },
  {
    name: 'CloudWatchObservabilityAddon',
    variant: 'Windows nodes',
    baseline: { clusterName: 'prod', identityMode: lib.AgentIdentityMode.POD_IDENTITY, targetRoleArn: `arn:aws:iam::${TARGET}:role/containerinsights-acme`, reportedClusterName: 'acme.prod', windowsNodes: true },
    required: ['clusterName', 'identityMode', 'targetRoleArn'],
    tokensSupported: ['targetRoleArn'],
    build: construct(SOURCE, (s, p) => new lib.CloudWatchObservabilityAddon(s, 'C', p)),
  },
  {
    name: 'CloudWatchAgentChart',
    variant: 'container logs, Fluent Bit image, enhanced observability',
    baseline: { clusterName: 'prod', region: REGION, identityMode: lib.AgentIdentityMode.IRSA, targetRoleArn: `arn:aws:iam::${TARGET}:role/containerinsights-acme`, agentRoleArn: `arn:aws:iam::${SOURCE}:role/containerinsights-agent-prod`, reportedClusterName: 'acme.prod', containerLogs: true, enhancedContainerInsights: true, fluentBitImage: 'public.ecr.aws/aws-observability/aws-for-fluent-bit:3.4.8' },
    required: ['clusterName', 'region'],
    build: chart((a, p) => new lib.CloudWatchAgentChart(a, 'c', p)),
  },
  {
    name: 'CloudWatchAgentChart',
    variant: 'Windows nodes',
    baseline: { clusterName: 'prod', region: REGION, identityMode: lib.AgentIdentityMode.POD_IDENTITY, windowsNodes: true },
    required: ['clusterName', 'region'],
    build: chart((a, p) => new lib.CloudWatchAgentChart(a, 'c', p)),
  },
  {
    name: 'AmpScraperTargetRole',
    baseline: { sourceAccountId: SOURCE, clusterName: 'prod', workspaceArn: WORKSPACE },
    required: ['sourceAccountId', 'clusterName', 'workspaceArn'],
    build: construct(TARGET, (s, p) => new lib.AmpScraperTargetRole(s, 'C', p)),
  },
  {
    name: 'AmpScraperTargetRole',
    variant: 'organizationSource',
    baseline: { workspaceArn: WORKSPACE, organizationSource: ORGANIZATION, roleName: 'fleet-scraper-target' },
    required: ['workspaceArn', 'organizationSource'],
    alternatives: { organizationSource: ['sourceAccountId', 'clusterName'] },
    build: construct(TARGET, (s, p) => new lib.AmpScraperTargetRole(s, 'C', p)),
  },
  {
    name: 'AmpCrossAccountScraper',
    baseline: {
      clusterArn: `arn:aws:eks:${REGION}:${SOURCE}:cluster/prod`,
      subnetIds: ['subnet-0123456789abcdef0', 'subnet-0123456789abcdef1'],
      workspaceArn: WORKSPACE,
      targetRoleArn: `arn:aws:iam::${TARGET}:role/amp-scraper-target`,
    },
    required: ['clusterArn', 'subnetIds', 'workspaceArn', 'targetRoleArn'],
    tokensSupported: ['targetRoleArn'],
    build: construct(SOURCE, (s, p) => new lib.AmpCrossAccountScraper(s, 'C', p)),
  },
  {
    name: 'AmpCrossAccountScraper',
    variant: 'fleetSourceRole',
    baseline: {
      clusterArn: `arn:aws:eks:${REGION}:${SOURCE}:cluster/prod`,
      subnetIds: ['subnet-0123456789abcdef0', 'subnet-0123456789abcdef1'],
      workspaceArn: WORKSPACE,
      targetRoleArn: `arn:aws:iam::${TARGET}:role/amp-scraper-target`,
      fleetSourceRole: true,
      scraperArnParameterName: '/amp/scraper-arn',
    },
    required: ['clusterArn', 'subnetIds', 'workspaceArn', 'targetRoleArn'],
    tokensSupported: ['targetRoleArn', 'clusterArn', 'workspaceArn'],
    build: construct(SOURCE, (s, p) => new lib.AmpCrossAccountScraper(s, 'C', p)),
  },
  {
    name: 'AmpScraperRbacChart',
    baseline: { scraperRoleArn: `arn:aws:iam::${SOURCE}:role/aws-service-role/scraper.aps.amazonaws.com/AWSServiceRoleForAmazonPrometheusScraper_1` },
    required: [],
    build: chart((a, p) => new lib.AmpScraperRbacChart(a, 'c', p)),
  },
  {
    name: 'ContainerCostBucket',
    baseline: { includeRegions: [REGION], readerRoleName: 'cost-reader' },
    required: [],
    build: construct(SOURCE, (s, p) => new lib.ContainerCostBucket(s, 'C', p)),
  },
  {
    name: 'ContainerCostBucket',
    variant: 'driftReads ACCOUNT_AUTHORIZATION_DETAILS',
    baseline: { includeRegions: [REGION], readerRoleName: 'cost-reader', driftReads: lib.ReconcilerDriftReads.ACCOUNT_AUTHORIZATION_DETAILS },
    required: [],
    build: construct(SOURCE, (s, p) => new lib.ContainerCostBucket(s, 'C', p)),
  },
  {
    name: 'ContainerCostAgentChart',
    baseline: { account: SOURCE, ownerKey: 'a1b2c3d4e5f6', clusterName: 'prod', region: REGION },
    required: ['account', 'clusterName', 'region'],
    build: chart((a, p) => new lib.ContainerCostAgentChart(a, 'c', p)),
  },
  {
    name: 'ContainerCostAgentChart',
    variant: 'identity FLEET_IRSA',
    baseline: { account: SOURCE, clusterName: 'prod', region: REGION, identity: lib.ContainerCostAgentChartIdentity.FLEET_IRSA },
    required: ['account', 'clusterName', 'region'],
    // Without a fleet identity the chart is in IRSA_ROLE mode, which needs the bucket's ownerKey.
    alternatives: { identity: ['ownerKey'] },
    build: chart((a, p) => new lib.ContainerCostAgentChart(a, 'c', p)),
  },
  {
    name: 'OrganizationContainerCostBucket',
    baseline: {
      organizationSource: ORGANIZATION,
      bucketNamePrefix: 'org-cost',
      readerRoleName: 'cost-platform',
      versioned: true,
      expiration: Duration.days(400),
      removalPolicy: RemovalPolicy.RETAIN,
    },
    required: ['organizationSource'],
    tokensSupported: ['organizationSource.organizationId', 'organizationSource.sourcePrincipalPattern'],
    build: construct(TARGET, (s, p) => new lib.OrganizationContainerCostBucket(s, 'C', p)),
  },
  {
    name: 'WorkloadSourceRole',
    baseline: {
      identityMode: lib.WorkloadIdentityMode.IRSA,
      oidcIssuerUrl: ISSUER,
      oidcProviderArn: `arn:aws:iam::${SOURCE}:oidc-provider/${ISSUER.replace('https://', '')}`,
      serviceAccount: SA,
      targetRoleArns: [`arn:aws:iam::${TARGET}:role/deployer`],
    },
    required: ['identityMode', 'serviceAccount', 'targetRoleArns'],
    build: construct(SOURCE, (s, p) => new lib.WorkloadSourceRole(s, 'C', p)),
  },
  {
    name: 'CrossAccountWorkloadRole',
    baseline: {
      sourceRoleArn: `arn:aws:iam::${SOURCE}:role/ci`,
      policyStatements: [new iam.PolicyStatement({ actions: ['eks:DescribeCluster'], resources: [`arn:aws:eks:${REGION}:${TARGET}:cluster/apps`] })],
    },
    required: ['sourceRoleArn'],
    build: construct(TARGET, (s, p) => new lib.CrossAccountWorkloadRole(s, 'C', p)),
  },
  {
    name: 'CrossAccountWorkloadRole',
    variant: 'organizationSource',
    baseline: {
      organizationSource: ORGANIZATION,
      workloadName: 'ci-deployer',
      externalId: 'fleet-ci-1',
      policyStatements: [new iam.PolicyStatement({ actions: ['eks:DescribeCluster'], resources: [`arn:aws:eks:${REGION}:${TARGET}:cluster/apps`] })],
      eksAccess: { clusterName: 'apps', accessPolicy: 'AmazonEKSViewPolicy', namespaces: ['ci'] },
    },
    // workloadName is required with organizationSource only: a null props object asks for sourceRoleArn.
    required: ['organizationSource'],
    alternatives: { organizationSource: ['sourceRoleArn'] },
    build: construct(TARGET, (s, p) => new lib.CrossAccountWorkloadRole(s, 'C', p)),
  },
  {
    name: 'CrossAccountWorkloadChart',
    baseline: {
      serviceAccount: SA,
      identityMode: lib.WorkloadIdentityMode.IRSA,
      sourceRoleArn: `arn:aws:iam::${SOURCE}:role/ci`,
      targets: [{ profileName: 'target', roleArn: `arn:aws:iam::${TARGET}:role/deployer`, region: REGION }],
    },
    required: ['serviceAccount', 'targets'],
    build: chart((a, p) => new lib.CrossAccountWorkloadChart(a, 'c', p)),
  },
  {
    name: 'CrossAccountWorkloadChart',
    variant: 'profileMode TARGET_ROLE',
    baseline: {
      serviceAccount: SA,
      identityMode: lib.WorkloadIdentityMode.POD_IDENTITY,
      profileMode: lib.WorkloadProfileMode.TARGET_ROLE,
      targets: [{ profileName: 'target', roleArn: `arn:aws:iam::${TARGET}:role/deployer`, region: REGION }],
    },
    required: ['serviceAccount', 'targets'],
    build: chart((a, p) => new lib.CrossAccountWorkloadChart(a, 'c', p)),
  },
  {
    name: 'TrustProbeChart',
    baseline: { serviceAccount: SA, firstRoleArn: `arn:aws:iam::${SOURCE}:role/ci`, hops: [{ roleArn: `arn:aws:iam::${TARGET}:role/deployer` }] },
    required: ['serviceAccount', 'firstRoleArn'],
    build: chart((a, p) => new lib.TrustProbeChart(a, 'c', p)),
  },
  {
    name: 'TrustProbeChart',
    variant: 'per Container Insights signal',
    baseline: {
      serviceAccount: { namespace: 'amazon-cloudwatch', name: 'cloudwatch-agent' },
      firstRoleArn: `arn:aws:iam::${TARGET}:role/containerinsights-acme`,
      identityMode: lib.WorkloadIdentityMode.POD_IDENTITY,
      region: REGION,
      signalRoutes: [{ signal: 'performance logs', writer: 'CloudWatch agent', identity: 'target role', account: 'target', destinations: ['/aws/containerinsights/acme.prod/performance'], logGroups: ['/aws/containerinsights/acme.prod/performance'] }],
    },
    required: ['serviceAccount', 'firstRoleArn'],
    build: chart((a, p) => new lib.TrustProbeChart(a, 'c', p)),
  },
  {
    name: 'OrganizationObservabilitySink',
    baseline: { organization: { organizationId: 'o-a1b2c3d4e5' } },
    required: ['organization'],
    build: construct(TARGET, (s, p) => new lib.OrganizationObservabilitySink(s, 'C', p)),
  },
  {
    name: 'ObservabilityLink',
    baseline: { sinkArn: `arn:aws:oam:${REGION}:${TARGET}:sink/a1b2c3d4-5678-90ab-cdef-EXAMPLE11111` },
    required: ['sinkArn'],
    build: construct(SOURCE, (s, p) => new lib.ObservabilityLink(s, 'C', p)),
  },
  {
    name: 'ObservabilityFleetSource',
    baseline: {
      organizationalUnitIds: ['ou-ab12-11111111'],
      regions: [REGION],
      stackSetName: 'fleet',
      remoteWrite: { targetRoleArn: `arn:aws:iam::${TARGET}:role/amp-remote-write-ws-1` },
      containerInsights: { targetRoleArn: `arn:aws:iam::${TARGET}:role/containerinsights-acme`, serviceAccount: { namespace: 'amazon-cloudwatch', name: 'cloudwatch-agent' } },
      ampScraper: { targetRoleArn: `arn:aws:iam::${TARGET}:role/amp-scraper-target-ws-1`, workspaceArn: WORKSPACE },
      containerCost: { bucketName: `container-cost-org-${TARGET}`, serviceAccount: { namespace: 'container-cost', name: 'container-cost-agent' } },
      workloads: [{ name: 'ci', targetRoleArn: `arn:aws:iam::${TARGET}:role/ci`, serviceAccount: SA }],
      observabilityLinks: { sinkArns: { [REGION]: `arn:aws:oam:${REGION}:${TARGET}:sink/a1b2c3d4-5678-90ab-cdef-EXAMPLE11111` } },
      identity: 'AUTO',
      retainStacksOnAccountRemoval: false,
      callAs: 'SELF',
    },
    required: ['organizationalUnitIds', 'regions'],
    build: construct('100000000000', (s, p) => new lib.ObservabilityFleetSource(s, 'C', p)),
  },
  {
    name: 'FleetIdentityGuardrail',
    baseline: {
      targetIds: ['ou-ab12-11111111'],
      policyName: 'fleet-identities',
      exemptPrincipalArns: ['arn:aws:iam::*:role/cdk-hnb659fds-cfn-exec-role-*'],
    },
    required: ['targetIds'],
    build: construct('100000000000', (s, p) => new lib.FleetIdentityGuardrail(s, 'C', p)),
  },
  {
    name: 'CustomerTemplateStack',
    baseline: { description: 'A customer template' },
    required: [],
    build: template((a, p) => new lib.CustomerTemplateStack(a, 'C', p)),
  },
  {
    name: 'ContainerInsightsCustomerTemplate',
    baseline: { vendorAccountId: TARGET, identityMode: 'POD_IDENTITY', regions: [REGION], partition: 'aws', serviceAccount: { namespace: 'amazon-cloudwatch', name: 'cloudwatch-agent' } },
    required: ['vendorAccountId', 'identityMode'],
    build: template((a, p) => new lib.ContainerInsightsCustomerTemplate(a, 'C', p)),
  },
  {
    name: 'ContainerInsightsCustomerTemplate',
    variant: 'IRSA',
    baseline: { vendorAccountId: TARGET, identityMode: 'IRSA', oidcIssuerUrl: ISSUER },
    required: ['vendorAccountId', 'identityMode', 'oidcIssuerUrl'],
    // Required in IRSA mode: without any props the refusal names the mode instead.
    alternatives: { oidcIssuerUrl: ['identityMode'] },
    build: template((a, p) => new lib.ContainerInsightsCustomerTemplate(a, 'C', p)),
  },
  {
    name: 'RemoteWriteCustomerTemplate',
    baseline: { vendorAccountId: TARGET, identityMode: 'IRSA', oidcIssuerUrl: ISSUER, serviceAccount: SA, regions: [REGION] },
    required: ['vendorAccountId', 'identityMode', 'serviceAccount', 'oidcIssuerUrl'],
    alternatives: { oidcIssuerUrl: ['identityMode'] },
    build: template((a, p) => new lib.RemoteWriteCustomerTemplate(a, 'C', p)),
  },
  {
    name: 'VendorCustomer',
    baseline: {
      customerName: 'acme',
      customerAccountId: SOURCE,
      region: REGION,
      containerInsights: { templateUrl: 'https://vendor-templates.s3.us-east-1.amazonaws.com/v1/ci.template.json' },
      remoteWrite: { templateUrl: 'https://vendor-templates.s3.us-east-1.amazonaws.com/v1/rw.template.json', workspaceArn: WORKSPACE, clusterName: 'prod' },
      ampCollector: { workspaceArn: WORKSPACE, clusterName: 'prod' },
    },
    required: ['customerName', 'customerAccountId', 'region'],
    build: construct(TARGET, (s, p) => new lib.VendorCustomer(s, 'C', p)),
  },
  {
    name: 'AmpCollectorCustomerTemplate',
    baseline: { vendorAccountId: TARGET, workspaceArn: WORKSPACE, regions: [REGION], partition: 'aws', scrapeConfiguration: lib.AmpCrossAccountScraper.defaultScrapeConfiguration() },
    required: ['vendorAccountId', 'workspaceArn'],
    build: template((a, p) => new lib.AmpCollectorCustomerTemplate(a, 'C', p)),
  },
  {
    name: 'ContainerCostCustomerTemplate',
    baseline: {
      vendorAccountId: TARGET,
      vendorKey: 'acmevendor',
      bucketName: 'vendor-container-cost',
      serviceAccount: { namespace: 'container-cost', name: 'container-cost-agent' },
      regions: [REGION],
      partition: 'aws',
    },
    required: ['vendorAccountId', 'bucketName'],
    build: template((a, p) => new lib.ContainerCostCustomerTemplate(a, 'C', p)),
  },
  {
    name: 'VendorCustomer',
    variant: 'collector and cost links',
    baseline: {
      customerName: 'acme',
      customerAccountId: SOURCE,
      region: REGION,
      ampCollector: { workspaceArn: WORKSPACE, clusterName: 'prod', templateUrl: 'https://vendor-templates.s3.us-east-1.amazonaws.com/v1/amp.template.json' },
      containerCost: {
        templateUrl: 'https://vendor-templates.s3.us-east-1.amazonaws.com/v1/cost.template.json',
        bucket: new InStack((stack) => new s3.Bucket(stack, 'CostBucket')),
        vendorKey: 'acmevendor',
      },
    },
    required: ['customerName', 'customerAccountId', 'region'],
    build: construct(TARGET, (s, p) => new lib.VendorCustomer(s, 'C', p)),
  },
];

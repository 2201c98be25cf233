/**
 * Organization scale, on paper and by simulation (`npm run bench`; not a test: timings depend on the
 * machine, sizes and call counts do not):
 * 1. the organization-scoped target trust's size for 10 to 10,000 member accounts, next to a trust
 *    that lists each account's source role; the central cost bucket's policy (the same for any number);
 * 2. the fleet's member template against CreateStackSet's limits (51,200 bytes inline, 1 MB from S3);
 * 3. one member account's reconcilers (one per StackSet region) for 5 clusters in each of 3 regions,
 *    against the in-memory IAM and EKS fakes at a fixed latency per call: calls and wall time;
 * 4. the StackSet rollout for 1,000 accounts x 3 regions under the default operation preferences
 *    (the model and its sources: bench/stackset-rollout.ts, bench/STACKSET-FACTS.md).
 */
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { EKSClient } from '@aws-sdk/client-eks';
import { IAMClient } from '@aws-sdk/client-iam';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Testing } from 'cdk8s';
import { DOCUMENTED_STACK_SET_CEILING, rolloutEstimate } from './stackset-rollout';
import { demoSettings } from '../examples/demo-settings';
import { buildExample } from '../examples/example-app';
import { FleetNames, IrsaRemoteWriteRole, ObservabilityFleetSource, ObservabilityFleetSourceProps, OrganizationContainerCostBucket } from '../src';
import { policySize } from '../src/core/policy-size';
import { SyncSummary } from '../src/core/reconciler/engine';
import { FLEET_ENV } from '../src/organization/fleet-sync/config';
import { fleetFenceTag, fleetOwnerKey } from '../src/organization/fleet-sync/desired';
import { onFleetEvent } from '../src/organization/fleet-sync.handler';
import { FakeEks } from '../test/harness/fake-eks';
import { FakeIam } from '../test/harness/fake-iam';

const LATENCY_MS = Number(process.env.BENCH_LATENCY_MS ?? 10);
const ORG = 'o-a1b2c3d4e5';
const OBSERVABILITY = '111111111111';
const MEMBER = '444444444444';
const WORKSPACE = `arn:aws:aps:us-east-1:${OBSERVABILITY}:workspace/ws-0123abcd-4567-89ef-0123-456789abcdef`;

function trustSizes(): void {
  console.log('\n1. Target trust size (characters without white space; IAM\'s default quota is 2,048)');
  console.log('   accounts   organization-scoped   listing each account\'s source role');
  const stack = new Stack(new App(), 'Observability', { env: { account: OBSERVABILITY, region: 'us-east-1' } });
  const role = new IrsaRemoteWriteRole(stack, 'RemoteWrite', {
    workspaceArn: WORKSPACE,
    organizationSource: { organizationId: ORG, organizationalUnitPaths: [`${ORG}/r-ab12/ou-ab12-11111111/`, `${ORG}/r-ab12/ou-ab12-22222222/`] },
  });
  const roleId = Stack.of(role).getLogicalId(role.roles[0].node.defaultChild as any);
  const organizationScoped = policySize(Template.fromStack(stack).toJSON().Resources[roleId].Properties.AssumeRolePolicyDocument);
  for (const accounts of [10, 100, 1_000, 10_000]) {
    // The alternative: one trust naming every member's role (ArnEquals aws:PrincipalArn on a list).
    const listed = policySize({
      Version: '2012-10-17',
      Statement: [{
        Effect: 'Allow',
        Principal: { AWS: '*' },
        Action: ['sts:AssumeRole', 'sts:TagSession'],
        Condition: { ArnEquals: { 'aws:PrincipalArn': Array.from({ length: accounts }, (_, i) => FleetNames.podIdentityRoleArn('aws', String(100000000000 + i), 'remote-write', 'us-east-1')) } },
      }],
    });
    console.log(`   ${String(accounts).padStart(8)}   ${String(organizationScoped).padStart(19)}   ${String(listed).padStart(10)} (${Math.ceil(listed / 2048)} roles at 2,048)`);
  }
  // One bucket for every member's cost data: its policy names no account (${aws:PrincipalAccount}).
  const costStack = new Stack(new App(), 'Cost', { env: { account: OBSERVABILITY, region: 'us-east-1' } });
  new OrganizationContainerCostBucket(costStack, 'Cost', {
    organizationSource: { organizationId: ORG, organizationalUnitPaths: [`${ORG}/r-ab12/ou-ab12-11111111/`, `${ORG}/r-ab12/ou-ab12-22222222/`] },
  });
  const bucketPolicy = Object.values<any>(Template.fromStack(costStack).toJSON().Resources).find((r) => r.Type === 'AWS::S3::BucketPolicy').Properties.PolicyDocument;
  console.log(`   the organization's cost bucket policy: ${policySize(bucketPolicy)} characters for any number of accounts (S3 allows 20,480)`);
}

const central = (name: string) => `arn:aws:iam::${OBSERVABILITY}:role/${name}`;
const workloads = (n: number) => Array.from({ length: n }, (_, i) => ({ name: `app-${i}`, targetRoleArn: central(`app-${i}`), serviceAccount: { namespace: 'apps', name: `app-${i}` } }));

function memberTemplateSizes(): void {
  console.log('\n2. Member template size (bytes of compact JSON; CreateStackSet: 51,200 inline as TemplateBody, 1,048,576 from S3 as TemplateURL)');
  const base: ObservabilityFleetSourceProps = { organizationalUnitIds: ['ou-ab12-11111111'], regions: ['us-east-1', 'eu-west-1', 'ap-southeast-2'] };
  const sinks = { sinkArns: { 'us-east-1': `arn:aws:oam:us-east-1:${OBSERVABILITY}:sink/a1b2c3d4-0000-4000-8000-000000000001` } };
  const configs: Array<[string, Partial<ObservabilityFleetSourceProps>]> = [
    ['OAM links only', { observabilityLinks: sinks }],
    ['remote write only', { remoteWrite: { targetRoleArn: central('amp-remote-write') } }],
    ['every flow (both Container Insights routes), 1 workload, OAM links', {
      remoteWrite: { targetRoleArn: central('amp-remote-write') },
      containerInsights: { targetRoleArn: central('containerinsights-platform') },
      ampScraper: { targetRoleArn: central('amp-scraper-target'), workspaceArn: WORKSPACE },
      containerCost: { bucketName: `container-cost-org-${OBSERVABILITY}` },
      workloads: workloads(1),
      observabilityLinks: sinks,
    }],
  ];
  let n = 1;
  const largestInline = () => {
    while (true) {
      const fleet = build({ ...base, remoteWrite: { targetRoleArn: central('amp-remote-write') }, workloads: workloads(n + 1) });
      if (!fleet.templateInline) return n;
      n++;
    }
  };
  configs.push([`remote write + ${largestInline()} workloads (the most that go inline)`, { remoteWrite: { targetRoleArn: central('amp-remote-write') }, workloads: workloads(n) }]);
  let most = n;
  while (tryBuild({ ...base, remoteWrite: { targetRoleArn: central('amp-remote-write') }, workloads: workloads(most + 1) })) most++;
  configs.push([`remote write + ${most} workloads (the most the reconciler's 4 KB environment holds)`, { remoteWrite: { targetRoleArn: central('amp-remote-write') }, workloads: workloads(most) }]);
  const line = (label: string, fleet: ObservabilityFleetSource) => {
    const resources = Object.keys(fleet.memberTemplate.Resources).length;
    console.log(`   ${label.padEnd(78)} ${String(fleet.memberTemplateSize).padStart(7)} bytes, ${String(resources).padStart(3)} resources, ${fleet.templateInline ? 'inline' : 'TemplateURL'}`
      + ` (${(100 * fleet.memberTemplateSize / 1_048_576).toFixed(1)}% of 1 MB)`);
  };
  for (const [label, props] of configs) line(label, build({ ...base, ...props }));
  // The example as `npm run synth` builds it: all four flows, a workload, OAM links in its two regions.
  const app = new App();
  line('examples/organization.ts (all four flows, 1 workload, OAM links, 2 regions)', buildExample(app, Testing.app(), demoSettings(app)).organization.fleet);
}

function build(props: ObservabilityFleetSourceProps): ObservabilityFleetSource {
  return new ObservabilityFleetSource(new Stack(new App(), 'Management', { env: { account: '100000000000', region: 'us-east-1' } }), 'Fleet', props);
}

function tryBuild(props: ObservabilityFleetSourceProps): boolean {
  try {
    build(props);
    return true;
  } catch {
    return false;
  }
}

const REGIONS = ['us-east-1', 'eu-west-1', 'ap-southeast-2'];
const FLOWS = [
  { key: 'remote-write', namespace: 'monitoring', serviceAccount: 'prometheus', targetRoleArn: central('amp-remote-write') },
  { key: 'container-insights', namespace: 'amazon-cloudwatch', serviceAccount: 'cloudwatch-agent', targetRoleArn: central('containerinsights-platform') },
  { key: 'workload-ci', namespace: 'ci', serviceAccount: 'deployer', targetRoleArn: central('ci') },
  // No central role: the identities write the organization's cost bucket themselves.
  { key: 'container-cost', namespace: 'container-cost', serviceAccount: 'container-cost-agent', costBucketName: `container-cost-org-${OBSERVABILITY}` },
];

async function memberReconcilers(): Promise<void> {
  console.log(`\n3. One member account's reconcilers: 5 clusters in each of ${REGIONS.length} regions (3 with the Pod Identity agent, 2 with IRSA), `
    + `${FLOWS.length} flows, ${LATENCY_MS} ms per API call`);
  const iam = new FakeIam(MEMBER);
  const eks = new FakeEks(MEMBER);
  iam.pageSize = 100;
  eks.pageSize = 100;
  REGIONS.forEach((region, r) => {
    for (let c = 0; c < 5; c++) {
      const name = `cluster-${c}`;
      const issuer = `https://oidc.eks.${region}.amazonaws.com/id/${(r * 100 + c).toString(16).toUpperCase().padStart(32, '0')}`;
      eks.addCluster(region, { name, issuer });
      if (c < 3) eks.addAddon(region, name, 'eks-pod-identity-agent');
      else iam.addProvider(issuer);
    }
    iam.seedRole(`reconciler-${region}`, {}, { tags: { [fleetFenceTag(fleetOwnerKey('fleet', region))]: 'true' } });
  });
  iam.latencyMs = LATENCY_MS;
  eks.latencyMs = LATENCY_MS;
  const deps = (region: string) => ({
    clients: { iam: new IAMClient({ region: 'us-east-1' }), eks: (r: string) => new EKSClient({ region: r }), cfn: new CloudFormationClient({ region }) },
    retry: {
      maxAttempts: 5,
      baseDelayMs: 100,
      maxDelayMs: 5_000,
      random: Math.random,
      sleep: (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)),
    },
    env: {
      [FLEET_ENV.PARTITION]: 'aws',
      [FLEET_ENV.ACCOUNT]: MEMBER,
      [FLEET_ENV.REGION]: region,
      [FLEET_ENV.OWNER_KEY]: fleetOwnerKey('fleet', region),
      [FLEET_ENV.BOUNDARY_ARN]: `arn:aws:iam::${MEMBER}:policy/xacct-observability/fleet-boundary-${region}`,
      [FLEET_ENV.RECONCILER_ROLE]: `reconciler-${region}`,
      [FLEET_ENV.IDENTITY]: 'AUTO',
      [FLEET_ENV.FLOWS]: JSON.stringify(FLOWS),
      [FLEET_ENV.STACK_ID]: `arn:aws:cloudformation:${region}:${MEMBER}:stack/StackSet-fleet/0`,
    },
    log: () => undefined,
    respond: async () => undefined,
  });
  for (const label of ['First run (creates everything)', 'Steady run (nothing to do)']) {
    iam.calls.length = 0;
    eks.calls.length = 0;
    const start = process.hrtime.bigint();
    const summaries: SyncSummary[] = [];
    // The StackSet's instances are regional and run independently: at the same time, on one IAM.
    for (const result of await Promise.all(REGIONS.map((region) => onFleetEvent({ source: 'bench' }, deps(region))))) summaries.push((result as any).summary);
    const wallMs = Number(process.hrtime.bigint() - start) / 1e6;
    const sum = (key: 'created' | 'updated' | 'deleted') => summaries.reduce((n, s) => n + s[key], 0);
    const total = { created: sum('created'), updated: sum('updated'), deleted: sum('deleted'), errors: summaries.reduce((n, s) => n + s.errors.length, 0) };
    const calls = [...iam.calls, ...eks.calls];
    console.log(`   ${label}: ${JSON.stringify(total)}; ${calls.length} API calls (${(calls.length / REGIONS.length).toFixed(0)} per region), wall time ${wallMs.toFixed(0)} ms`);
    const byKind: Record<string, number> = {};
    for (const call of calls) byKind[call.replace(/\(.*$/, '')] = (byKind[call.replace(/\(.*$/, '')] ?? 0) + 1;
    console.log(`     ${Object.entries(byKind).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  }
  console.log(`   Identities kept: ${[...iam.roles.values()].filter((r: any) => r.path?.startsWith('/xacct-observability/')).length} IRSA roles, `
    + `${REGIONS.reduce((n, region) => n + eks.associationsIn(region).length, 0)} Pod Identity associations`);
  iam.restore();
  eks.restore();
}

function rollout(): void {
  console.log('\n4. StackSet rollout, 1,000 accounts x 3 regions, default preferences (SOFT, 25% at once, 10% tolerance, regions in parallel)');
  const preferences = { concurrencyMode: 'SOFT_FAILURE_TOLERANCE', maxConcurrentPercentage: 25, failureTolerancePercentage: 10, regionConcurrencyType: 'PARALLEL' } as const;
  for (const minutes of [2, 3, 5]) {
    const free = rolloutEstimate({ accounts: 1_000, regions: REGIONS, preferences, minutesPerInstance: minutes });
    const capped = rolloutEstimate({
      accounts: 1_000, regions: REGIONS, preferences, minutesPerInstance: minutes, stackSetConcurrencyCeiling: DOCUMENTED_STACK_SET_CEILING,
    });
    console.log(`   ${minutes} min per stack instance: ${free.totalMinutes} min (${free.initialConcurrency} accounts per region at once); `
      + `${capped.totalMinutes} min if the ${DOCUMENTED_STACK_SET_CEILING}-instances-per-stack-set ceiling of the 2020-2023 user guide still holds`);
  }
}

async function main(): Promise<void> {
  trustSizes();
  memberTemplateSizes();
  await memberReconcilers();
  rollout();
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});

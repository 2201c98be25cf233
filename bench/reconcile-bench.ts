/**
 * Benchmark of the container-cost role reconciler (`npm run bench`): 500 clusters over 10 regions
 * against the in-memory IAM and EKS fakes, every call taking a fixed latency. Prints the API calls
 * by kind for the first run (creates everything) and the steady run (nothing to do), and each
 * run's wall time next to the lower bound its phases allow with that latency and concurrency.
 * Run once per drift-read mode (ReconcilerDriftReads): PER_ROLE (the default) lists the roles with
 * ListRoles and reads each with four calls (GetRole, ListRolePolicies, GetRolePolicy,
 * ListAttachedRolePolicies); ACCOUNT_AUTHORIZATION_DETAILS reads them from
 * GetAccountAuthorizationDetails pages of 1,000 (issue 24 item 6). The steady runs' IAM calls of
 * both modes are printed side by side.
 * Not a test: timings depend on the machine; the call counts do not.
 */
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { EKSClient } from '@aws-sdk/client-eks';
import { IAMClient } from '@aws-sdk/client-iam';
import { ReconcilerDriftReads } from '../src/container-cost/drift-reads';
import { ENV } from '../src/container-cost/role-sync/config';
import { acceptingRolesTag } from '../src/container-cost/role-sync/naming';
import { onEvent } from '../src/container-cost/role-sync.lambda';
import { DEFAULT_CONCURRENCY } from '../src/core/reconciler/engine';
import { FakeEks } from '../test/harness/fake-eks';
import { FakeIam } from '../test/harness/fake-iam';

const LATENCY_MS = Number(process.env.BENCH_LATENCY_MS ?? 10);
const REGIONS = ['us-east-1', 'us-east-2', 'us-west-1', 'us-west-2', 'eu-west-1', 'eu-west-2', 'eu-central-1', 'ap-south-1', 'ap-southeast-1', 'ap-northeast-1'];
const CLUSTERS_PER_REGION = 50;
// The services' default page sizes: EKS ListClusters and IAM ListRoles return up to 100 items.
const PAGE_SIZE = 100;

let iam: FakeIam;
let eks: FakeEks;

/** Fresh fakes: 500 clusters with registered providers, and the reconciler's own role. */
function seed(): void {
  iam = new FakeIam('222222222222');
  eks = new FakeEks('222222222222');
  iam.pageSize = PAGE_SIZE;
  eks.pageSize = PAGE_SIZE;
  iam.authorizationDetailsPageSize = DETAILS_PAGE_SIZE;
  REGIONS.forEach((region, r) => {
    for (let c = 0; c < CLUSTERS_PER_REGION; c++) {
      const issuer = `https://oidc.eks.${region}.amazonaws.com/id/${(r * 1000 + c).toString(16).toUpperCase().padStart(32, '0')}`;
      eks.addCluster(region, { name: `cluster-${String(c).padStart(3, '0')}`, issuer });
      iam.addProvider(issuer);
    }
  });
  // The reconciler's own role, with the tag that lets runs create roles (the stack is not being deleted).
  iam.seedRole('bench-reconciler', {}, { tags: { [acceptingRolesTag('bench0000000')]: 'true' } });
  iam.latencyMs = LATENCY_MS;
  eks.latencyMs = LATENCY_MS;
}

// GetAccountAuthorizationDetails returns up to MaxItems (the reconciler asks for 1,000) roles a page.
const DETAILS_PAGE_SIZE = 1000;

const env = {
  [ENV.PARTITION]: 'aws',
  [ENV.ACCOUNT]: '222222222222',
  [ENV.BUCKET_NAME]: 'container-cost-222222222222',
  [ENV.REGIONS]: REGIONS.join(','),
  [ENV.OWNER_KEY]: 'bench0000000',
  [ENV.SA_NAMESPACE]: 'container-cost',
  [ENV.SA_NAME]: 'container-cost-agent',
  [ENV.BOUNDARY_ARN]: 'arn:aws:iam::222222222222:policy/container-cost/bench0000000/container-cost-agent-boundary-bench0000000',
  [ENV.RECONCILER_ROLE]: 'bench-reconciler',
};
const deps = (mode: ReconcilerDriftReads) => ({
  clients: { iam: new IAMClient({ region: 'us-east-1' }), eks: (region: string) => new EKSClient({ region }), cfn: new CloudFormationClient({ region: 'us-east-1' }) },
  retry: {
    maxAttempts: 5,
    baseDelayMs: 100,
    maxDelayMs: 5_000,
    random: Math.random,
    sleep: (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)),
  },
  env: { ...env, [ENV.DRIFT_READS]: mode },
  log: () => undefined,
});

/** The wall time the reconciler's phases need at least, with the latency and its concurrency settings. */
function lowerBoundMs(mode: ReconcilerDriftReads, rolesInAccount: number, rolesAtPath: number, creates: number): number {
  const { regions, clusters, roles } = DEFAULT_CONCURRENCY;
  const pages = (n: number, size = PAGE_SIZE) => Math.max(1, Math.ceil(n / size));
  const perRegion = pages(CLUSTERS_PER_REGION) + Math.ceil(CLUSTERS_PER_REGION / clusters); // ListClusters pages, then DescribeCluster waves
  const scan = Math.ceil(REGIONS.length / regions) * perRegion;
  const providers = 1;
  const read = mode === ReconcilerDriftReads.PER_ROLE
    // ListRoles pages, then GetRole, ListRolePolicies, GetRolePolicy, ListAttachedRolePolicies per role, `roles` at once
    ? pages(rolesAtPath) + Math.ceil(rolesAtPath / roles) * 4
    : pages(rolesInAccount, DETAILS_PAGE_SIZE); // GetAccountAuthorizationDetails pages, one after another
  const fence = creates > 0 ? 1 : 0; // one GetRole of the reconciler's own role (is the stack being deleted?) before creating
  const apply = Math.ceil(creates / roles) * 3; // CreateRole, PutRolePolicy, then the deletion fence's GetRole per new role
  return (scan + providers + read + fence + apply) * LATENCY_MS;
}

function countByKind(calls: string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const call of calls) {
    const kind = call.replace(/\(.*$/, '');
    counts[kind] = (counts[kind] ?? 0) + 1;
  }
  return Object.fromEntries(Object.entries(counts).sort(([a], [b]) => a.localeCompare(b)));
}

async function run(mode: ReconcilerDriftReads, label: string) {
  const rolesInAccount = iam.roles.size;
  const rolesAtPath = rolesInAccount - 1; // all but the reconciler's own
  iam.calls.length = 0;
  eks.calls.length = 0;
  const start = process.hrtime.bigint();
  const { summary } = await onEvent({ source: 'bench' }, deps(mode));
  const wallMs = Number(process.hrtime.bigint() - start) / 1e6;
  const bound = lowerBoundMs(mode, rolesInAccount, rolesAtPath, summary!.created);
  const calls = { ...countByKind(eks.calls), ...countByKind(iam.calls) };
  console.log(`\n${label}: ${JSON.stringify({ created: summary!.created, updated: summary!.updated, deleted: summary!.deleted, errors: summary!.errors.length })}`);
  console.log(`  API calls (${Object.values(calls).reduce((a, b) => a + b, 0)} in all, ${iam.calls.length} to IAM):`);
  for (const [kind, count] of Object.entries(calls)) console.log(`    ${kind.padEnd(32)} ${count}`);
  console.log(`  wall time ${wallMs.toFixed(0)} ms; lower bound ${bound} ms at ${LATENCY_MS} ms per call (${(wallMs / bound).toFixed(2)}x)`);
  return iam.calls.length;
}

/** Both runs in one mode, on fresh fakes; returns the steady run's IAM calls. */
async function bench(mode: ReconcilerDriftReads): Promise<number> {
  seed();
  try {
    await run(mode, `[${mode}] First run`);
    return await run(mode, `[${mode}] Steady run`);
  } finally {
    iam.restore();
    eks.restore();
  }
}

async function main() {
  console.log(`Reconciling ${REGIONS.length * CLUSTERS_PER_REGION} clusters over ${REGIONS.length} regions; ${LATENCY_MS} ms per API call; `
    + `concurrency: ${DEFAULT_CONCURRENCY.regions} regions, ${DEFAULT_CONCURRENCY.clusters} DescribeCluster per region, ${DEFAULT_CONCURRENCY.roles} roles.`);
  const steady: Record<string, number> = {};
  for (const mode of Object.values(ReconcilerDriftReads)) steady[mode] = await bench(mode);
  console.log('\nSteady-state IAM calls per run (and a day at one run every 2 hours):');
  for (const [mode, calls] of Object.entries(steady)) console.log(`  ${mode.padEnd(32)} ${calls} (${calls * 12} a day)`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});

/**
 * Trust sharding at scale (`npm run bench`; a script, not a test: timings depend on the machine).
 * 1. Synthesis of `IrsaRemoteWriteRole` for 50, 200 and 1,000 clusters (existing OIDC providers
 *    passed) next to the same IAM written by hand with aws-cdk-lib: the same roles, trust statements,
 *    inline policies and outputs, with the shards taken from the construct (computed outside the
 *    timing). Paired runs (construct and hand-written alternate, fresh app each), medians.
 * 2. `planTrustShards` alone for 5,000 clusters (target: under 2 s).
 * Set BENCH_RUNS to change the number of pairs (default 7).
 */
import { App, CfnOutput, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IrsaRemoteWriteRole, RemoteWriteCluster } from '../src';
import { irsaConditions, irsaTrustStatement, issuerHostPath } from '../src/core/irsa';
import { planTrustShards } from '../src/core/trust-shards';

const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const ACCOUNT = '111111111111';
const WORKSPACE = `arn:aws:aps:us-east-1:${ACCOUNT}:workspace/ws-0123abcd-4567-89ef-0123-456789abcdef`;
const ENV = { account: ACCOUNT, region: 'us-east-1' };
const SERVICE_ACCOUNTS = [{ namespace: 'monitoring', name: 'prometheus' }];

function clusters(n: number): RemoteWriteCluster[] {
  return Array.from({ length: n }, (_, i) => {
    const hostPath = `oidc.eks.us-east-1.amazonaws.com/id/${i.toString(16).toUpperCase().padStart(32, '0')}`;
    return { oidcIssuerUrl: `https://${hostPath}`, oidcProviderArn: `arn:aws:iam::${ACCOUNT}:oidc-provider/${hostPath}` };
  });
}

function withConstruct(list: RemoteWriteCluster[]): void {
  const app = new App();
  const stack = new Stack(app, 'Workspace', { env: ENV });
  new IrsaRemoteWriteRole(stack, 'RemoteWrite', { workspaceArn: WORKSPACE, clusters: list, roleName: 'remote-write' });
  app.synth();
}

/** The same roles by hand: one iam.Role per shard, one FederatedPrincipal statement per cluster. */
function byHand(list: RemoteWriteCluster[], shards: number[][]): void {
  const app = new App();
  const stack = new Stack(app, 'Workspace', { env: ENV });
  shards.forEach((indexes, shard) => {
    const suffix = shard === 0 ? '' : String(shard + 1);
    const principals = indexes.map((i) => new iam.FederatedPrincipal(list[i].oidcProviderArn!,
      irsaConditions(issuerHostPath(list[i].oidcIssuerUrl), SERVICE_ACCOUNTS), 'sts:AssumeRoleWithWebIdentity'));
    const role = new iam.Role(stack, `Role${suffix}`, {
      roleName: shard === 0 ? 'remote-write' : `remote-write-${shard + 1}`,
      assumedBy: principals[0],
      description: `Prometheus remote write to ws-0123abcd-4567-89ef-0123-456789abcdef from ${indexes.length} EKS cluster(s) through IRSA`,
      inlinePolicies: {
        RemoteWrite: new iam.PolicyDocument({ statements: [new iam.PolicyStatement({ actions: ['aps:RemoteWrite'], resources: [WORKSPACE] })] }),
      },
    });
    for (const principal of principals.slice(1)) {
      role.assumeRolePolicy!.addStatements(new iam.PolicyStatement({ principals: [principal], actions: ['sts:AssumeRoleWithWebIdentity'] }));
    }
    new CfnOutput(stack, `RoleArnOutput${suffix}`, { value: role.roleArn });
  });
  app.synth();
}

function time(run: () => void): number {
  const start = process.hrtime.bigint();
  run();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

function statementsFor(list: RemoteWriteCluster[]): unknown[] {
  return list.map((c) => irsaTrustStatement(c.oidcProviderArn!, issuerHostPath(c.oidcIssuerUrl), SERVICE_ACCOUNTS));
}

console.log(`\nTrust sharding: IrsaRemoteWriteRole vs the same IAM by hand (median of ${RUNS} paired runs, ms)`);
console.log('   clusters   roles   construct   by hand   ratio');
for (const n of [50, 200, 1_000]) {
  const list = clusters(n);
  const shards = planTrustShards(statementsFor(list), 2048).shards;
  withConstruct(list); byHand(list, shards); // warm-up
  const ours: number[] = [];
  const theirs: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    // Alternate which goes first, so neither always runs on a warmer heap.
    const pair = [() => ours.push(time(() => withConstruct(list))), () => theirs.push(time(() => byHand(list, shards)))];
    if (run % 2 === 1) pair.reverse();
    pair.forEach((measure) => measure());
  }
  const [a, b] = [median(ours), median(theirs)];
  console.log(`   ${String(n).padStart(8)}   ${String(shards.length).padStart(5)}   ${a.toFixed(0).padStart(9)}   ${b.toFixed(0).padStart(7)}   ${(a / b).toFixed(2)}x`);
}

const big = statementsFor(clusters(5_000));
const plans: number[] = [];
let roles = 0;
for (let run = 0; run < 3; run++) plans.push(time(() => { roles = planTrustShards(big, 2048).shards.length; }));
console.log(`\n   planTrustShards, 5,000 clusters: ${median(plans).toFixed(0)} ms (median of 3), ${roles} roles (target: under 2,000 ms)`);

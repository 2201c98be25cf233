/**
 * The trust probe per Container Insights signal (issue 20 item 6): fed the constructs' own
 * `signalRoutes`, it prints for each signal the account it reached and, per log group, allowed or
 * denied. Run against a stub `aws` whose logs answers come from the IAM engine evaluating the vendor's
 * real target-role policy, so a wrong reported cluster name shows up as DENY lines, not as IAM JSON.
 */
import { spawnSync } from 'child_process';
import { chmodSync, mkdtempSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Testing } from 'cdk8s';
import {
  AgentIdentityMode, CloudWatchAgentChart, CloudWatchObservabilityAddon, ContainerInsightsPermissionMode, ContainerInsightsSignalRoute,
  CrossAccountContainerInsights, TrustProbeChart, WorkloadIdentityMode,
} from '../../src';
import { REGION, SOURCE_ACCOUNT, stackIn, TARGET_ACCOUNT } from '../fixtures';
import { identityPoliciesOf, isAllowed, logicalIdsOfType } from '../harness/iam-proof';
import { objectOf, validChartObjects } from '../harness/manifests';

const TARGET_ROLE = `arn:aws:iam::${TARGET_ACCOUNT}:role/containerinsights-acme`;
const AGENT_ROLE = `arn:aws:iam::${SOURCE_ACCOUNT}:role/containerinsights-agent-prod`;
const SA = { namespace: 'amazon-cloudwatch', name: 'cloudwatch-agent' };
const REPORTED = CrossAccountContainerInsights.reportedClusterName('acme', 'prod');

/** The vendor's TENANT_ISOLATED role for acme's "prod", as IAM will evaluate it. */
function targetRolePolicies() {
  const stack = new Stack(new App(), 'Vendor', { env: { account: TARGET_ACCOUNT, region: REGION } });
  new CrossAccountContainerInsights(stack, 'acme', {
    customerName: 'acme', sourceAccountId: SOURCE_ACCOUNT, permissionMode: ContainerInsightsPermissionMode.TENANT_ISOLATED, clusterNames: ['prod'],
  });
  const json = Template.fromStack(stack).toJSON();
  return identityPoliciesOf(json, logicalIdsOfType(json, 'AWS::IAM::Role')[0], { account: TARGET_ACCOUNT, region: REGION });
}

function addonRoutes(props: { reportedClusterName?: string; containerLogs?: boolean }): ContainerInsightsSignalRoute[] {
  return new CloudWatchObservabilityAddon(stackIn(SOURCE_ACCOUNT), 'Addon', {
    clusterName: 'prod', targetRoleArn: TARGET_ROLE, identityMode: AgentIdentityMode.IRSA, agentRoleArn: AGENT_ROLE, ...props,
  }).signalRoutes;
}

/**
 * A stub `aws`: STS answers as the identity named by AWS_ACCESS_KEY_ID (after assume-role) or AWS_ROLE_ARN;
 * `logs describe-log-streams` answers from STUB_LOGS_ALLOW (the groups the IAM engine allowed) and STUB_LOGS_EXISTING.
 */
const stubDir = mkdtempSync(path.join(tmpdir(), 'probe-signals-'));
writeFileSync(path.join(stubDir, 'aws'), [
  '#!/bin/sh',
  'me="${AWS_ACCESS_KEY_ID:-${AWS_ROLE_ARN:-none}}"',
  'name=$(echo "$me" | sed "s#.*/##"); account=$(echo "$me" | cut -d: -f5)',
  'if [ "$2" = get-caller-identity ]; then',
  '  case " $* " in *" Account "*) echo "$account" ;; *) echo "arn:aws:sts::$account:assumed-role/$name/probe" ;; esac; exit 0',
  'fi',
  'if [ "$2" = assume-role ]; then echo "$4	secret	token"; exit 0; fi',
  'if [ "$2" = describe-log-streams ]; then',
  '  case " $STUB_LOGS_ALLOW " in *" $4 "*) ;; *) echo "An error occurred (AccessDeniedException) when calling the DescribeLogStreams operation: User: arn:aws:sts::$account:assumed-role/$name/probe is not authorized to perform: logs:DescribeLogStreams" >&2; exit 254 ;; esac',
  '  case " $STUB_LOGS_EXISTING " in *" $4 "*) echo "node-1"; exit 0 ;; esac',
  '  echo "An error occurred (ResourceNotFoundException) when calling the DescribeLogStreams operation: The specified log group does not exist." >&2; exit 254',
  'fi',
  'exit 2',
].join('\n'));
chmodSync(path.join(stubDir, 'aws'), 0o755);
const tokenFile = path.join(stubDir, 'token');
writeFileSync(tokenFile, 'eyJ...');

/** Runs the probe for these routes, as the agent's IRSA role with the target role as its hop. */
function runProbe(routes: ContainerInsightsSignalRoute[], existing: string[] = []) {
  const chart = new TrustProbeChart(Testing.app(), 'ci-probe', {
    serviceAccount: SA, firstRoleArn: AGENT_ROLE, hops: [{ roleArn: TARGET_ROLE }], signalRoutes: routes, region: REGION,
  });
  // The stub is asked for exactly the groups the routes name; the IAM engine decides each.
  const policies = targetRolePolicies();
  const groups = routes.flatMap((r) => r.logGroups);
  const allowed = groups.filter((group) => isAllowed({
    policies, principal: TARGET_ROLE, action: 'logs:DescribeLogStreams', resource: `arn:aws:logs:${REGION}:${TARGET_ACCOUNT}:log-group:${group}`,
  }) === 'Allowed');
  const result = spawnSync('sh', ['-c', chart.script], {
    env: {
      PATH: `${stubDir}:/usr/bin:/bin`,
      AWS_WEB_IDENTITY_TOKEN_FILE: tokenFile,
      AWS_ROLE_ARN: AGENT_ROLE,
      STUB_LOGS_ALLOW: allowed.join(' '),
      STUB_LOGS_EXISTING: existing.join(' '),
    },
    encoding: 'utf8',
  });
  return { chart, status: result.status, lines: result.stdout.trim().split('\n').filter((l) => !l.startsWith('ok   hop')) };
}

test('the reported name the vendor scoped (acme.prod): every signal reaches its groups in the target account; exit 0', () => {
  const { status, lines } = runProbe(addonRoutes({ reportedClusterName: REPORTED }), [`/aws/containerinsights/${REPORTED}/performance`]);
  expect(lines).toEqual([
    `ok   performance logs: account ${TARGET_ACCOUNT}, log group /aws/containerinsights/acme.prod/performance: allowed`,
    `ok   metrics: account ${TARGET_ACCOUNT}, log group /aws/containerinsights/acme.prod/performance: allowed`,
    ...['application', 'dataplane', 'host'].map((kind) =>
      `ok   container logs: account ${TARGET_ACCOUNT}, log group /aws/containerinsights/acme.prod/${kind}: allowed (not created yet; its writer creates it)`),
    expect.stringMatching(/^-- {3}Windows nodes: metrics and performance logs: lost: its writer's own credentials may not write it \(/),
    expect.stringMatching(/^-- {3}Windows nodes: container logs: account target, \/aws\/containerinsights\/acme\.prod\/application, .* \(Fluent Bit \(DaemonSet fluent-bit-windows\); IRSA agent role, then cloudwatch_logs role_arn = target role\)$/),
    'ok   all 3 hops',
  ]);
  expect(status).toBe(0);
});

test('the real cluster name against a TENANT_ISOLATED role: every signal is DENY, with the account and group; exit 1', () => {
  const { status, lines } = runProbe(addonRoutes({}));
  const deny = lines.filter((l) => l.startsWith('DENY'));
  expect(deny).toEqual([
    `DENY performance logs: account ${TARGET_ACCOUNT}, log group /aws/containerinsights/prod/performance`,
    `DENY metrics: account ${TARGET_ACCOUNT}, log group /aws/containerinsights/prod/performance`,
    ...['application', 'dataplane', 'host'].map((kind) => `DENY container logs: account ${TARGET_ACCOUNT}, log group /aws/containerinsights/prod/${kind}`),
  ]);
  expect(lines).toContainEqual(expect.stringMatching(/^ {5}An error occurred \(AccessDeniedException\)/));
  expect(lines[lines.length - 1]).toBe('FAIL signals: a signal above cannot reach its log group (DENY)');
  expect(status).toBe(1);
});

test('containerLogs: false: the probe says container logs are not collected instead of checking a group', () => {
  const { status, lines } = runProbe(addonRoutes({ reportedClusterName: REPORTED, containerLogs: false }));
  expect(lines).toContain('--   container logs: not collected: containerLogs: false');
  expect(lines).toContain('--   Windows nodes: container logs: not collected: containerLogs: false');
  expect(lines.filter((l) => /^\S+ +container logs:/.test(l))).toHaveLength(1);
  expect(status).toBe(0);
});

test('the chart route\'s routes drive the same checks; the groups come from signalRoutes, not a second list', () => {
  const chartRoutes = new CloudWatchAgentChart(Testing.app(), 'cw', {
    clusterName: 'prod', reportedClusterName: REPORTED, region: REGION, identityMode: AgentIdentityMode.IRSA, targetRoleArn: TARGET_ROLE, agentRoleArn: AGENT_ROLE,
  }).signalRoutes;
  const { chart, status, lines } = runProbe(chartRoutes);
  const checked = [...chart.script.matchAll(/^reach '([^']+)' '([^']+)'$/gm)].map((m) => `${m[1]} ${m[2]}`);
  expect(checked).toEqual(chartRoutes.flatMap((r) => (r.account === 'target' ? r.logGroups.map((g) => `${r.signal} ${g}`) : [])));
  expect(lines).toContain('--   Windows nodes (metrics, performance and container logs): not collected: the chart\'s DaemonSets select kubernetes.io/os: linux');
  expect(status).toBe(0);
});

test('region reaches the Job as AWS_REGION; bad routes and regions are refused by name', () => {
  const { chart } = runProbe(addonRoutes({ reportedClusterName: REPORTED }));
  const job = objectOf(validChartObjects(chart), 'Job', 'ci-probe');
  expect(job.spec.template.spec.containers[0].env).toContainEqual({ name: 'AWS_REGION', value: REGION });
  const bad = () => new TrustProbeChart(Testing.app(), 'x', {
    serviceAccount: SA,
    firstRoleArn: TARGET_ROLE,
    identityMode: WorkloadIdentityMode.POD_IDENTITY,
    region: 'mars-1',
    signalRoutes: [{ signal: 'metrics', writer: 'w', identity: 'i', account: 'target', destinations: [], logGroups: ['/aws/x\'; rm -rf /'] }],
  });
  expect(bad).toThrow(/2 problems[\s\S]*region[\s\S]*signalRoutes\[0\]\.logGroups\[0\]/);
});

test('Pod Identity: the Windows-nodes row is a note, never a check, so a cluster without Windows nodes passes', () => {
  const routes = new CloudWatchObservabilityAddon(stackIn(SOURCE_ACCOUNT), 'Addon', {
    clusterName: 'prod', reportedClusterName: REPORTED, targetRoleArn: TARGET_ROLE, identityMode: AgentIdentityMode.POD_IDENTITY,
  }).signalRoutes;
  const script = new TrustProbeChart(Testing.app(), 'pi-probe', {
    serviceAccount: SA, firstRoleArn: TARGET_ROLE, identityMode: WorkloadIdentityMode.POD_IDENTITY, signalRoutes: routes, region: REGION,
  }).script;
  expect(script).not.toMatch(/^reach .*'\/aws\/containerinsights\/prod\//m);
  expect(script).toMatch(/^echo '-- {3}Windows nodes: metrics and performance logs: stays in the cluster account \(.*EKS Pod Identity is not available on Windows nodes/m);
  expect(script).toMatch(/^echo '-- {3}Windows nodes: container logs: account target, \/aws\/containerinsights\/acme\.prod\/application, /m);
  expect([...script.matchAll(/^reach /gm)]).toHaveLength(5);
});

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
import { Testing } from 'cdk8s';
import {
  AgentIdentityMode, CloudWatchAgentChart, CloudWatchObservabilityAddon, ContainerInsightsSignalRoute,
  CrossAccountContainerInsights, TrustProbeChart, WorkloadIdentityMode,
} from '../../src';
import { PROBE_LOG_STREAM } from '../../src/cross-account-workload/trust-probe-script';
import { REGION, SOURCE_ACCOUNT, stackIn, TARGET_ACCOUNT } from '../fixtures';
import { isAllowed } from '../harness/iam-proof';
import { objectOf, validChartObjects } from '../harness/manifests';
import { acmeTenantIsolatedPolicies } from '../harness/tenant-isolated-target';

const TARGET_ROLE = `arn:aws:iam::${TARGET_ACCOUNT}:role/containerinsights-acme`;
const AGENT_ROLE = `arn:aws:iam::${SOURCE_ACCOUNT}:role/containerinsights-agent-prod`;
const SA = { namespace: 'amazon-cloudwatch', name: 'cloudwatch-agent' };
const REPORTED = CrossAccountContainerInsights.reportedClusterName('acme', 'prod');


function addonRoutes(props: { reportedClusterName?: string; containerLogs?: boolean }): ContainerInsightsSignalRoute[] {
  return new CloudWatchObservabilityAddon(stackIn(SOURCE_ACCOUNT), 'Addon', {
    clusterName: 'prod', targetRoleArn: TARGET_ROLE, identityMode: AgentIdentityMode.IRSA, agentRoleArn: AGENT_ROLE, ...props,
  }).signalRoutes;
}

/**
 * A stub `aws`: STS answers as the identity named by AWS_ACCESS_KEY_ID (after assume-role) or AWS_ROLE_ARN;
 * `logs put-log-events` answers from STUB_PUT_ALLOW (the groups the IAM engine allowed PutLogEvents into) and STUB_LOGS_EXISTING;
 * any other `logs` call exits 2, so the probe asking something else shows up as ERR lines.
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
  'if [ "$1" = logs ] && [ -n "${STUB_LOGS_ERROR:-}" ]; then echo "$STUB_LOGS_ERROR" >&2; exit 255; fi',
  // PutLogEvents: IAM first (STUB_PUT_ALLOW); then the stream the probe names never exists, and a group not created yet says so.
  'if [ "$2" = put-log-events ]; then',
  '  case " $* " in *" --log-stream-name $STUB_PROBE_STREAM --log-events timestamp=0,"*) ;; *) echo "stub: unexpected put-log-events $*" >&2; exit 2 ;; esac',
  '  case " $STUB_PUT_ALLOW " in *" $4 "*) ;; *) echo "An error occurred (AccessDeniedException) when calling the PutLogEvents operation: User: arn:aws:sts::$account:assumed-role/$name/probe is not authorized to perform: logs:PutLogEvents" >&2; exit 254 ;; esac',
  '  case " $STUB_LOGS_EXISTING " in *" $4 "*) echo "An error occurred (ResourceNotFoundException) when calling the PutLogEvents operation: The specified log stream does not exist." >&2; exit 254 ;; esac',
  '  echo "An error occurred (ResourceNotFoundException) when calling the PutLogEvents operation: The specified log group does not exist." >&2; exit 254',
  'fi',
  'exit 2',
].join('\n'));
chmodSync(path.join(stubDir, 'aws'), 0o755);
const tokenFile = path.join(stubDir, 'token');
writeFileSync(tokenFile, 'eyJ...');

/** Runs the probe for these routes, as the agent's IRSA role with the target role as its hop. */
function runProbe(routes: ContainerInsightsSignalRoute[], existing: string[] = [], options: { policies?: any[]; logsError?: string } = {}) {
  const chart = new TrustProbeChart(Testing.app(), 'ci-probe', {
    serviceAccount: SA, firstRoleArn: AGENT_ROLE, hops: [{ roleArn: TARGET_ROLE }], signalRoutes: routes, region: REGION,
  });
  // The stub is asked for exactly the groups the routes name; the IAM engine decides each, per action and resource.
  const policies = options.policies ?? acmeTenantIsolatedPolicies();
  const groups = routes.flatMap((r) => r.logGroups);
  const groupArn = (group: string) => `arn:aws:logs:${REGION}:${TARGET_ACCOUNT}:log-group:${group}`;
  const putAllowed = groups.filter((group) => isAllowed({
    policies, principal: TARGET_ROLE, action: 'logs:PutLogEvents', resource: `${groupArn(group)}:log-stream:${PROBE_LOG_STREAM}`,
  }) === 'Allowed');
  const result = spawnSync('sh', ['-c', chart.script], {
    env: {
      PATH: `${stubDir}:/usr/bin:/bin`,
      AWS_WEB_IDENTITY_TOKEN_FILE: tokenFile,
      AWS_ROLE_ARN: AGENT_ROLE,
      STUB_PUT_ALLOW: putAllowed.join(' '),
      STUB_PROBE_STREAM: PROBE_LOG_STREAM,
      STUB_LOGS_EXISTING: existing.join(' '),
      ...(options.logsError ? { STUB_LOGS_ERROR: options.logsError } : {}),
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
  expect(script).toMatch(/^say '-- {3}Windows nodes: metrics and performance logs: stays in the cluster account \(.*EKS Pod Identity is not available on Windows nodes/m);
  expect(script).toMatch(/^say '-- {3}Windows nodes: container logs: account target, \/aws\/containerinsights\/acme\.prod\/application, /m);
  expect([...script.matchAll(/^reach /gm)]).toHaveLength(5);
});

test('a role that may describe the groups but not put events into them is DENY, not allowed (the check is the writer\'s PutLogEvents)', () => {
  // For example a hand-made target role with CloudWatch Logs read access only: the agent's events would be refused.
  const readOnly = [{ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['logs:Describe*', 'logs:Get*'], Resource: '*' }] }];
  const { status, lines } = runProbe(addonRoutes({ reportedClusterName: REPORTED }), [], { policies: readOnly });
  expect(lines.filter((l) => l.startsWith('ok   ') && l.includes('log group'))).toEqual([]);
  expect(lines.filter((l) => l.startsWith('DENY'))).toHaveLength(5);
  expect(lines).toContainEqual(expect.stringMatching(/not authorized to perform: logs:PutLogEvents/));
  expect(status).toBe(1);
});

test('a role that may put events but not describe streams (all a Fluent Bit writer needs) passes', () => {
  const writeOnly = [{
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'], Resource: `arn:aws:logs:${REGION}:${TARGET_ACCOUNT}:log-group:/aws/containerinsights/${REPORTED}/*` }],
  }];
  const { status, lines } = runProbe(addonRoutes({ reportedClusterName: REPORTED }), [], { policies: writeOnly });
  expect(lines.filter((l) => l.startsWith('DENY'))).toEqual([]);
  expect(status).toBe(0);
});

test('an error that is not a denial (no region, throttling) is reported as unchecked, not DENY, and still fails', () => {
  const { status, lines } = runProbe(addonRoutes({ reportedClusterName: REPORTED }), [], { logsError: 'You must specify a region. You can also configure your region by running "aws configure".' });
  expect(lines.filter((l) => l.startsWith('DENY'))).toEqual([]);
  expect(lines.filter((l) => l.startsWith('ERR  '))).toHaveLength(5);
  expect(lines).toContainEqual('     You must specify a region. You can also configure your region by running "aws configure".');
  expect(lines[lines.length - 1]).toBe('FAIL signals: a signal above could not be checked (ERR)');
  expect(status).toBe(1);
});

test('without the AWS CLI in the image, the probe fails at hop 1 and says the command is missing', () => {
  const chart = new TrustProbeChart(Testing.app(), 'no-cli', { serviceAccount: SA, firstRoleArn: AGENT_ROLE, signalRoutes: addonRoutes({ reportedClusterName: REPORTED }), region: REGION });
  const result = spawnSync('/bin/sh', ['-c', chart.script], {
    env: { PATH: '/nonexistent', AWS_WEB_IDENTITY_TOKEN_FILE: tokenFile, AWS_ROLE_ARN: AGENT_ROLE }, encoding: 'utf8',
  });
  expect(result.stdout).toMatch(/^FAIL hop 1: sts get-caller-identity\n {5}.*aws: not found/m);
  expect(result.status).toBe(1);
});

test('a backslash in a signal or hop description is printed as written, whichever sh the image has (dash\'s echo would cut the line at \\c)', () => {
  const routes: ContainerInsightsSignalRoute[] = [{
    signal: 'perf \\c hidden', writer: 'w', identity: 'i', account: 'target', destinations: [], logGroups: [`/aws/containerinsights/${REPORTED}/performance`],
  }, { signal: 'windows', writer: 'w \\n x', identity: 'i', account: 'none', destinations: [], logGroups: [] }];
  const { status, lines } = runProbe(routes);
  expect(lines).toContain(`ok   perf \\c hidden: account ${TARGET_ACCOUNT}, log group /aws/containerinsights/${REPORTED}/performance: allowed (not created yet; its writer creates it)`);
  expect(lines).toContain('--   windows: not collected: w \\n x');
  expect(status).toBe(0);
});

test('Pod Identity with log checks needs region: EKS Pod Identity sets only the credential variables, no AWS_REGION, so every check would print ERR', () => {
  // AWS SDKs and Tools reference guide, "Container credential provider": with Pod Identity, EKS sets
  // AWS_CONTAINER_CREDENTIALS_FULL_URI and AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE (the IRSA webhook also sets AWS_REGION).
  const routes = addonRoutes({ reportedClusterName: REPORTED });
  const probe = (props: { identityMode: WorkloadIdentityMode; region?: string; signalRoutes?: ContainerInsightsSignalRoute[] }) =>
    () => new TrustProbeChart(Testing.app(), 'pi', { serviceAccount: SA, firstRoleArn: TARGET_ROLE, ...props });
  expect(probe({ identityMode: WorkloadIdentityMode.POD_IDENTITY, signalRoutes: routes })).toThrow(/region: is required with signalRoutes in POD_IDENTITY mode/);
  expect(probe({ identityMode: WorkloadIdentityMode.POD_IDENTITY, signalRoutes: routes, region: REGION })).not.toThrow();
  // No log group to check, or IRSA (whose webhook sets AWS_REGION): region stays optional.
  expect(probe({ identityMode: WorkloadIdentityMode.POD_IDENTITY })).not.toThrow();
  expect(probe({ identityMode: WorkloadIdentityMode.IRSA, signalRoutes: routes })).not.toThrow();
});

import { execFileSync, spawnSync } from 'child_process';
import { mkdtempSync, writeFileSync, chmodSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { Aws } from 'aws-cdk-lib';
import { Testing } from 'cdk8s';
import { CrossAccountWorkloadChart, CrossAccountWorkloadChartProps, FleetNames, TrustProbeChart, TrustProbeChartProps, WorkloadIdentityMode, WorkloadProfileMode } from '../../src';
import { assumedRolePrefix, shellQuote, trustProbeScript } from '../../src/cross-account-workload/trust-probe-script';
import { objectOf, validChartObjects } from '../harness/manifests';

const SOURCE_ROLE = 'arn:aws:iam::222222222222:role/workload-ci-namespace-ci-serviceaccount';
const TARGET_ROLE = 'arn:aws:iam::333333333333:role/xacct-222222222222-workload-ci-namespace-ci-serviceaccount';
const THIRD_ROLE = 'arn:aws:iam::444444444444:role/team/reader';
const SA = { namespace: 'ci-namespace', name: 'ci-serviceaccount' };

/** Parses INI text into { section: { key: value } }. */
function parseIni(text: string): Record<string, Record<string, string>> {
  const result: Record<string, Record<string, string>> = {};
  let section = '';
  for (const line of text.split('\n').map((l) => l.trim()).filter(Boolean)) {
    const header = /^\[(.+)\]$/.exec(line);
    if (header) {result[section = header[1]] = {};} else {
      const [key, ...value] = line.split('=');
      result[section][key.trim()] = value.join('=').trim();
    }
  }
  return result;
}

describe('CrossAccountWorkloadChart', () => {
  const props: CrossAccountWorkloadChartProps = {
    serviceAccount: SA,
    identityMode: WorkloadIdentityMode.IRSA,
    sourceRoleArn: SOURCE_ROLE,
    targets: [{ profileName: 'target-env', roleArn: TARGET_ROLE, region: 'us-east-1' }, { profileName: 'reader', roleArn: THIRD_ROLE, externalId: 'ci-reader' }],
  };

  test('IRSA: annotated service account and a config file chaining from the web-identity token (seed 001\'s profiles)', () => {
    const chart = new CrossAccountWorkloadChart(Testing.app(), 'ci-workload', props);
    const objects = validChartObjects(chart);
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(['Namespace/ci-namespace', 'ServiceAccount/ci-serviceaccount', 'ConfigMap/aws-config']);
    expect(objectOf(objects, 'ServiceAccount').metadata.annotations).toEqual({ 'eks.amazonaws.com/role-arn': SOURCE_ROLE });
    const config = objectOf(objects, 'ConfigMap').data.config;
    expect(config).toBe(chart.awsConfigFile);
    expect(parseIni(config)).toEqual({
      'profile source': { role_arn: SOURCE_ROLE, web_identity_token_file: '/var/run/secrets/eks.amazonaws.com/serviceaccount/token', role_session_name: 'ci-namespace.ci-serviceaccount' },
      'profile target-env': { role_arn: TARGET_ROLE, source_profile: 'source', role_session_name: 'ci-namespace.ci-serviceaccount', region: 'us-east-1' },
      'profile reader': { role_arn: THIRD_ROLE, source_profile: 'source', role_session_name: 'ci-namespace.ci-serviceaccount', external_id: 'ci-reader' },
    });
  });

  test('Pod Identity: no annotation; targets take their source credentials from the container endpoint', () => {
    const chart = new CrossAccountWorkloadChart(Testing.app(), 'ci-workload', { ...props, identityMode: WorkloadIdentityMode.POD_IDENTITY, configMapName: 'ci-aws' });
    const objects = validChartObjects(chart);
    expect(objectOf(objects, 'ServiceAccount').metadata.annotations).toBeUndefined();
    expect(objectOf(objects, 'ConfigMap').metadata.name).toBe('ci-aws');
    const ini = parseIni(chart.awsConfigFile);
    expect(Object.keys(ini)).toEqual(['profile target-env', 'profile reader']);
    expect(ini['profile target-env']).toMatchObject({ role_arn: TARGET_ROLE, credential_source: 'EcsContainer' });
  });

  test('fleet Pod Identity association (TARGET_ROLE): the pod holds the central role, so no profile assumes it again', () => {
    // The association's TargetRoleArn is the central role: the container endpoint serves its credentials.
    // A chaining profile (credential_source = EcsContainer, role_arn = the central role) would make the
    // central role assume itself, which its organization trust never allows.
    const chart = new CrossAccountWorkloadChart(Testing.app(), 'ci-workload', {
      serviceAccount: SA,
      identityMode: WorkloadIdentityMode.POD_IDENTITY,
      profileMode: WorkloadProfileMode.TARGET_ROLE,
      targets: [{ profileName: 'target-env', roleArn: TARGET_ROLE, region: 'us-east-1' }],
    });
    const objects = validChartObjects(chart);
    expect(objectOf(objects, 'ServiceAccount').metadata.annotations).toBeUndefined();
    expect(parseIni(chart.awsConfigFile)).toEqual({ 'profile target-env': { region: 'us-east-1' } });
    expect(chart.awsConfigFile).not.toMatch(/credential_source|role_arn|source_profile/);
  });

  test('IRSA on the target role itself (TARGET_ROLE): the annotation and the one profile name the target, nothing chains', () => {
    const chart = new CrossAccountWorkloadChart(Testing.app(), 'ci-workload', {
      serviceAccount: SA, identityMode: WorkloadIdentityMode.IRSA, profileMode: WorkloadProfileMode.TARGET_ROLE, targets: [{ profileName: 'target-env', roleArn: TARGET_ROLE }],
    });
    expect(objectOf(validChartObjects(chart), 'ServiceAccount').metadata.annotations).toEqual({ 'eks.amazonaws.com/role-arn': TARGET_ROLE });
    expect(parseIni(chart.awsConfigFile)).toEqual({
      'profile target-env': { role_arn: TARGET_ROLE, web_identity_token_file: '/var/run/secrets/eks.amazonaws.com/serviceaccount/token', role_session_name: 'ci-namespace.ci-serviceaccount' },
    });
  });

  test('fleet IRSA role (CHAIN): the per-cluster role at the flow path is the source, the central role the target', () => {
    const fleetRole = FleetNames.irsaRoleArn('aws', '222222222222', FleetNames.workloadFlowKey('ci'), 'ledger', 'us-east-1');
    const chart = new CrossAccountWorkloadChart(Testing.app(), 'ci-workload', {
      serviceAccount: SA, identityMode: WorkloadIdentityMode.IRSA, sourceRoleArn: fleetRole, targets: [{ profileName: 'target-env', roleArn: TARGET_ROLE }],
    });
    expect(objectOf(validChartObjects(chart), 'ServiceAccount').metadata.annotations).toEqual({ 'eks.amazonaws.com/role-arn': fleetRole });
    expect(parseIni(chart.awsConfigFile)['profile target-env']).toMatchObject({ role_arn: TARGET_ROLE, source_profile: 'source' });
  });

  test('Pod Identity CHAIN needs no source role ARN (it is never written); IRSA CHAIN does', () => {
    const { sourceRoleArn: _unused, ...noSource } = props;
    expect(() => new CrossAccountWorkloadChart(Testing.app(), 'x', { ...noSource, identityMode: WorkloadIdentityMode.POD_IDENTITY })).not.toThrow();
    expect(() => new CrossAccountWorkloadChart(Testing.app(), 'x', noSource)).toThrow(/sourceRoleArn: is required/);
  });

  test.each([
    ['TARGET_ROLE with a source role', { profileMode: WorkloadProfileMode.TARGET_ROLE, targets: [props.targets[0]] }, /sourceRoleArn: is given with profileMode TARGET_ROLE/],
    ['TARGET_ROLE with two targets', { profileMode: WorkloadProfileMode.TARGET_ROLE, sourceRoleArn: undefined }, /targets: has 2; with profileMode TARGET_ROLE/],
    ['TARGET_ROLE with an external ID', { profileMode: WorkloadProfileMode.TARGET_ROLE, sourceRoleArn: undefined, targets: [props.targets[1]] }, /targets\[0\]\.externalId: is given with profileMode TARGET_ROLE/],
    ['unknown profile mode', { profileMode: 'DIRECT' }, /profileMode/],
    ['no targets', { targets: [] }, /targets: is required/],
    ['reserved profile name', { targets: [{ profileName: 'source', roleArn: TARGET_ROLE }] }, /profileName: got "source"/],
    ['duplicate profile', { targets: [{ profileName: 'a', roleArn: TARGET_ROLE }, { profileName: 'a', roleArn: THIRD_ROLE }] }, /repeats "a"/],
    ['target equal to source', { targets: [{ profileName: 'a', roleArn: SOURCE_ROLE }] }, /is the source role itself/],
    ['token', { sourceRoleArn: Aws.ACCOUNT_ID }, /sourceRoleArn: is a CDK token/],
  ])('bad input: %s', (_name, over, message) => {
    expect(() => new CrossAccountWorkloadChart(Testing.app(), 'x', { ...props, ...over } as CrossAccountWorkloadChartProps)).toThrow(message);
  });
});

describe('TrustProbeChart', () => {
  const props: TrustProbeChartProps = { serviceAccount: SA, firstRoleArn: SOURCE_ROLE, hops: [{ roleArn: TARGET_ROLE }, { roleArn: THIRD_ROLE, externalId: 'ci-reader' }] };

  test('a one-shot, non-root Job as the service account, running the generated script with a pinned AWS CLI', () => {
    const chart = new TrustProbeChart(Testing.app(), 'trust-probe', props);
    const job = objectOf(validChartObjects(chart), 'Job', 'trust-probe');
    expect(job.metadata.namespace).toBe('ci-namespace');
    expect(job.spec).toMatchObject({ backoffLimit: 0, activeDeadlineSeconds: 300, ttlSecondsAfterFinished: 3600 });
    const pod = job.spec.template.spec;
    expect(pod).toMatchObject({ serviceAccountName: 'ci-serviceaccount', restartPolicy: 'Never', automountServiceAccountToken: false, securityContext: { runAsNonRoot: true, runAsUser: 1000 } });
    expect(pod.containers[0]).toMatchObject({
      image: 'public.ecr.aws/aws-cli/aws-cli:2.22.0',
      command: ['/bin/sh', '-c', chart.script],
      securityContext: { readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, runAsNonRoot: true },
    });
  });

  test('the script is valid POSIX sh and bash, and names every hop', () => {
    const script = new TrustProbeChart(Testing.app(), 'x', props).script;
    for (const shell of ['sh', 'bash']) expect(spawnSync(shell, ['-n'], { input: script }).status).toBe(0);
    expect(script).toContain(`--role-arn ${shellQuote(TARGET_ROLE)}`);
    expect(script).toContain(`--role-arn ${shellQuote(THIRD_ROLE)} --role-session-name trust-probe --external-id 'ci-reader'`);
    expect(assumedRolePrefix(THIRD_ROLE)).toBe('arn:aws:sts::444444444444:assumed-role/reader/');
  });

  test('bad input', () => {
    expect(() => new TrustProbeChart(Testing.app(), 'x', { ...props, image: 'public.ecr.aws/aws-cli/aws-cli:latest' })).toThrow(/image: .*pinned/);
    expect(() => new TrustProbeChart(Testing.app(), 'x', { ...props, hops: [{ roleArn: 'x' }], jobName: 'Probe' })).toThrow(/2 problems[\s\S]*jobName[\s\S]*hops\[0\]\.roleArn/);
  });
});

/**
 * The probe run against a stub `aws` command: it answers like STS for a set of roles each identity
 * may assume, so the script's behaviour (ok lines, the failing hop with STS's error, exit codes) is
 * checked for real, without AWS.
 */
describe('the probe script, run', () => {
  const stubDir = mkdtempSync(path.join(tmpdir(), 'probe-'));
  const stub = path.join(stubDir, 'aws');
  writeFileSync(stub, [
    '#!/bin/sh',
    '# Identity: the session named by AWS_ACCESS_KEY_ID (a role ARN), else the pod role in AWS_ROLE_ARN.',
    'me="${AWS_ACCESS_KEY_ID:-${AWS_ROLE_ARN:-none}}"',
    'name=$(echo "$me" | sed "s#.*role/##; s#.*/##"); account=$(echo "$me" | cut -d: -f5)',
    'if [ "$2" = get-caller-identity ]; then echo "arn:aws:sts::$account:assumed-role/$name/probe"; exit 0; fi',
    'target=$4',
    'case " $STUB_ALLOW " in *" $me>$target "*) echo "$target	secret	token"; exit 0 ;; esac',
    'echo "An error occurred (AccessDenied) when calling the AssumeRole operation: User: arn:aws:sts::$account:assumed-role/$name/probe is not authorized to perform: sts:AssumeRole on resource: $target" >&2',
    'exit 254',
  ].join('\n'));
  chmodSync(stub, 0o755);
  const tokenFile = path.join(stubDir, 'token');
  writeFileSync(tokenFile, 'eyJ...');
  const script = trustProbeScript({ identityMode: 'IRSA', firstRoleArn: SOURCE_ROLE, hops: [{ roleArn: TARGET_ROLE }, { roleArn: THIRD_ROLE }] });
  const run = (env: Record<string, string>) => {
    const result = spawnSync('sh', ['-c', script], { env: { PATH: `${stubDir}:/usr/bin:/bin`, ...env }, encoding: 'utf8' });
    return { status: result.status, lines: result.stdout.trim().split('\n') };
  };
  const irsa = { AWS_WEB_IDENTITY_TOKEN_FILE: tokenFile, AWS_ROLE_ARN: SOURCE_ROLE };

  test('every hop works: one ok line per hop, exit 0', () => {
    const { status, lines } = run({ ...irsa, STUB_ALLOW: `${SOURCE_ROLE}>${TARGET_ROLE} ${TARGET_ROLE}>${THIRD_ROLE}` });
    expect(lines).toEqual([
      `ok   hop 0: web-identity token mounted at ${tokenFile} for ${SOURCE_ROLE}`,
      'ok   hop 1: running as arn:aws:sts::222222222222:assumed-role/workload-ci-namespace-ci-serviceaccount/probe',
      'ok   hop 2: assumed arn:aws:sts::333333333333:assumed-role/xacct-222222222222-workload-ci-namespace-ci-serviceaccount/probe',
      'ok   hop 3: assumed arn:aws:sts::444444444444:assumed-role/reader/probe',
      'ok   all 4 hops',
    ]);
    expect(status).toBe(0);
  });

  test('a broken hop: the failing call and the AWS error, exit 1, nothing after it', () => {
    const { status, lines } = run({ ...irsa, STUB_ALLOW: `${SOURCE_ROLE}>${TARGET_ROLE}` });
    expect(lines.slice(-2)).toEqual([
      `FAIL hop 3: sts assume-role ${THIRD_ROLE}`,
      `     An error occurred (AccessDenied) when calling the AssumeRole operation: User: arn:aws:sts::333333333333:assumed-role/xacct-222222222222-workload-ci-namespace-ci-serviceaccount/probe is not authorized to perform: sts:AssumeRole on resource: ${THIRD_ROLE}`,
    ]);
    expect(lines.filter((l) => l.startsWith('ok'))).toHaveLength(3);
    expect(status).toBe(1);
  });

  test('no token (the annotation is missing): fails at hop 0 with the likely cause', () => {
    const { status, lines } = run({ STUB_ALLOW: '' });
    expect(lines[0]).toBe('FAIL hop 0: IRSA token');
    expect(lines[1]).toMatch(/no eks.amazonaws.com\/role-arn annotation/);
    expect(status).toBe(1);
  });

  test('the pod runs as another role than expected: fails at hop 1', () => {
    const { status, lines } = run({ AWS_WEB_IDENTITY_TOKEN_FILE: tokenFile, AWS_ROLE_ARN: 'arn:aws:iam::222222222222:role/something-else', STUB_ALLOW: '' });
    expect(lines.slice(-2)).toEqual([`FAIL hop 1: expected a session of ${SOURCE_ROLE}`, '     got arn:aws:sts::222222222222:assumed-role/something-else/probe']);
    expect(status).toBe(1);
  });

  test('Pod Identity mode checks the credentials endpoint instead of a token', () => {
    const pi = trustProbeScript({ identityMode: 'POD_IDENTITY', firstRoleArn: SOURCE_ROLE, hops: [] });
    const ok = spawnSync('sh', ['-c', pi], { env: { PATH: `${stubDir}:/usr/bin:/bin`, AWS_CONTAINER_CREDENTIALS_FULL_URI: 'http://169.254.170.23/v1/credentials', AWS_ROLE_ARN: SOURCE_ROLE }, encoding: 'utf8' });
    expect(ok.stdout).toMatch(/^ok {3}hop 0: Pod Identity credentials endpoint http:\/\/169\.254\.170\.23\/v1\/credentials/);
    expect(ok.status).toBe(0);
    const missing = spawnSync('sh', ['-c', pi], { env: { PATH: `${stubDir}:/usr/bin:/bin` }, encoding: 'utf8' });
    expect(missing.stdout).toMatch(/FAIL hop 0: Pod Identity\n {5}.*no Pod Identity association/);
  });

  test('quoting: a value with a quote stays one word', () => {
    expect(execFileSync('sh', ['-c', `printf '%s' ${shellQuote("it's")}`], { encoding: 'utf8' })).toBe("it's");
  });
});

test('snapshots', () => {
  expect(Testing.synth(new TrustProbeChart(Testing.app(), 'trust-probe', { serviceAccount: SA, firstRoleArn: SOURCE_ROLE, hops: [{ roleArn: TARGET_ROLE }] }))).toMatchSnapshot();
  expect(Testing.synth(new CrossAccountWorkloadChart(Testing.app(), 'ci-workload', {
    serviceAccount: SA, identityMode: WorkloadIdentityMode.IRSA, sourceRoleArn: SOURCE_ROLE, targets: [{ profileName: 'target-env', roleArn: TARGET_ROLE }],
  }))).toMatchSnapshot();
});

/**
 * Issue 23, part 3: the remote-write clients beyond kube-prometheus-stack. Prometheus agent mode is
 * checked with Prometheus' own checker (`promtool check config --agent`, Debian's prometheus 2.42:
 * README, Development); the ADOT collector and Grafana Alloy have no binary installable here, so their
 * keys are checked against the upstream sources at pinned commits (cited beside each key set).
 * The trust probe names the client setting whose hop failed.
 */
import { spawnSync } from 'child_process';
import { chmodSync, mkdtempSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { Lazy } from 'aws-cdk-lib';
import { Testing } from 'cdk8s';
import { parse } from 'yaml';
import { AdotCollectorConfig, AlloyRemoteWriteConfig, PrometheusAgentConfig, TrustProbeChart } from '../../src';

const WORKSPACE = 'arn:aws:aps:eu-west-1:111111111111:workspace/ws-0123abcd-4567-89ef-0123-456789abcdef';
const URL = 'https://aps-workspaces.eu-west-1.amazonaws.com/workspaces/ws-0123abcd-4567-89ef-0123-456789abcdef/api/v1/remote_write';
const VENDOR_ROLE = 'arn:aws:iam::111111111111:role/remote-write-acme';
const POD_ROLE = 'arn:aws:iam::222222222222:role/remote-write-prod';

// github.com/prometheus/sigv4 v0.4.1, sigv4_config.go SigV4Config yaml tags (external_id since v0.4.0, 2026-01-06).
const PROMETHEUS_SIGV4_KEYS = ['region', 'access_key', 'secret_key', 'profile', 'role_arn', 'external_id', 'use_fips_sts_endpoint', 'service_name'];
// open-telemetry/opentelemetry-collector-contrib 00595fe8, extension/sigv4authextension/config.go mapstructure tags.
const SIGV4AUTH_KEYS = ['region', 'service', 'assume_role', 'assume_role_with_web_identity'];
const SIGV4AUTH_ASSUME_ROLE_KEYS = ['arn', 'session_name', 'sts_region'];
// grafana/alloy 66ebea85, internal/component/prometheus/remotewrite/types.go SigV4Config alloy tags.
const ALLOY_SIGV4_KEYS = ['region', 'access_key', 'secret_key', 'profile', 'role_arn', 'external_id', 'use_fips_sts_endpoint', 'service_name'];

const dir = mkdtempSync(path.join(tmpdir(), 'remote-write-clients-'));

function promtool(text: string, agent: boolean): { status: number | null; output: string } {
  const file = path.join(dir, `prometheus-${Math.random().toString(36).slice(2)}.yml`);
  writeFileSync(file, text);
  const run = spawnSync('promtool', ['check', 'config', ...(agent ? ['--agent'] : []), file], { encoding: 'utf8' });
  if (run.error) throw new Error(`promtool is not installed (apt-get install -y prometheus; README, Development): ${run.error.message}`);
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

/**
 * Debian's prometheus 2.42 is built without the Kubernetes service discovery ("field kubernetes_sd_configs
 * not found in type config.ScrapeConfig"): promtool checks the config with that one block swapped for a
 * static target, and a test below proves that swap is the only thing it objects to.
 */
function withoutKubernetesSd(config: any): any {
  const copy = JSON.parse(JSON.stringify(config));
  for (const job of copy.scrape_configs ?? []) {
    if (job.kubernetes_sd_configs) {
      delete job.kubernetes_sd_configs;
      job.static_configs = [{ targets: ['10.0.0.1:9100'] }];
    }
  }
  return copy;
}

describe('PrometheusAgentConfig', () => {
  const config = new PrometheusAgentConfig({ workspaceArn: WORKSPACE, roleArn: VENDOR_ROLE, podRoleArn: POD_ROLE });

  test('promtool check config --agent accepts it (Kubernetes discovery aside, which Debian\'s build lacks)', () => {
    const result = promtool(JSON.stringify(withoutKubernetesSd(config.config)), true);
    expect(result.output).toContain('SUCCESS');
    expect(result.status).toBe(0);
    // As written, only the discovery block Debian's build lacks is refused.
    expect(promtool(config.toYaml(), true).output).toMatch(/FAILED[^\n]*\n\s*line \d+: field kubernetes_sd_configs not found in type config\.ScrapeConfig\s*$/);
  });

  test('the agent-mode check is real: it refuses what agent mode does not have (rule_files)', () => {
    const result = promtool(JSON.stringify({ ...withoutKubernetesSd(config.config), rule_files: ['rules.yml'] }), true);
    expect(result.output).toContain('field rule_files is not allowed in agent mode');
  });

  test('the exact sigv4 keys: remote_write[0].sigv4.{region, role_arn, external_id}, all Prometheus\' own', () => {
    const withId = new PrometheusAgentConfig({ workspaceArn: WORKSPACE, roleArn: VENDOR_ROLE, externalId: 'acme-7f3a9c' });
    const rw = parse(withId.toYaml()).remote_write[0];
    expect(rw).toEqual({ url: URL, sigv4: { region: 'eu-west-1', role_arn: VENDOR_ROLE, external_id: 'acme-7f3a9c' } });
    expect(Object.keys(rw.sigv4).every((k) => PROMETHEUS_SIGV4_KEYS.includes(k))).toBe(true);
  });

  test('external_id is newer than Debian\'s Prometheus 2.42: that promtool refuses the key (so the version matters)', () => {
    const withId = new PrometheusAgentConfig({ workspaceArn: WORKSPACE, roleArn: VENDOR_ROLE, externalId: 'acme-7f3a9c' });
    expect(promtool(JSON.stringify(withoutKubernetesSd(withId.config)), true).output).toMatch(/field external_id not found in type sigv4\.plain/);
    expect(spawnSync('promtool', ['--version'], { encoding: 'utf8' }).stdout).toMatch(/version 2\.42\./);
  });

  test('without roleArn it signs with the pod\'s own credentials (no role_arn)', () => {
    expect(parse(new PrometheusAgentConfig({ workspaceArn: WORKSPACE }).toYaml()).remote_write[0].sigv4).toEqual({ region: 'eu-west-1' });
  });

  test('bad input: one error naming every problem', () => {
    expect(() => new PrometheusAgentConfig({ workspaceArn: WORKSPACE, externalId: 'acme-7f3a9c', scrapeInterval: '30s1m' }))
      .toThrow(/PrometheusAgentConfig: invalid props \(2 problems\):\n {2}- externalId: needs roleArn[^\n]*\n {2}- scrapeInterval/);
    expect(() => new PrometheusAgentConfig({ workspaceArn: WORKSPACE, roleArn: POD_ROLE, podRoleArn: POD_ROLE }))
      .toThrow(/roleArn: is the pod's own role \(podRoleArn\): a role cannot assume itself by default/);
    expect(() => new PrometheusAgentConfig({ workspaceArn: Lazy.string({ produce: () => WORKSPACE }) })).toThrow(/workspaceArn: is a CDK token/);
    expect(() => new PrometheusAgentConfig(null as any)).toThrow(/workspaceArn: is required/);
    expect(() => new PrometheusAgentConfig({ workspaceArn: 42, roleArn: ['x'], externalId: 7 } as any)).toThrow(/3 problems|4 problems/);
  });
});

describe('AdotCollectorConfig', () => {
  const config = new AdotCollectorConfig({ workspaceArn: WORKSPACE, roleArn: VENDOR_ROLE, podRoleArn: POD_ROLE });
  const parsed = parse(config.toYaml());

  test('the exact keys: extensions.sigv4auth.{region, service, assume_role.{arn, sts_region}} and the exporter\'s authenticator', () => {
    expect(parsed.extensions.sigv4auth).toEqual({ region: 'eu-west-1', service: 'aps', assume_role: { arn: VENDOR_ROLE, sts_region: 'eu-west-1' } });
    expect(Object.keys(parsed.extensions.sigv4auth).every((k) => SIGV4AUTH_KEYS.includes(k))).toBe(true);
    expect(Object.keys(parsed.extensions.sigv4auth.assume_role).every((k) => SIGV4AUTH_ASSUME_ROLE_KEYS.includes(k))).toBe(true);
    expect(parsed.exporters.prometheusremotewrite).toEqual({ endpoint: URL, auth: { authenticator: 'sigv4auth' } });
  });

  test('the pipeline is whole: the extension is enabled and every pipeline component is defined', () => {
    expect(parsed.service.extensions).toEqual(['sigv4auth']);
    const { receivers, exporters } = parsed.service.pipelines.metrics;
    receivers.forEach((r: string) => expect(parsed.receivers[r]).toBeDefined());
    exporters.forEach((e: string) => expect(parsed.exporters[e]).toBeDefined());
  });

  test('its prometheus receiver\'s config is a Prometheus config promtool accepts', () => {
    const { status, output } = promtool(JSON.stringify(withoutKubernetesSd(parsed.receivers.prometheus.config)), false);
    expect(output).toContain('SUCCESS');
    expect(status).toBe(0);
  });

  test('an external ID is refused: sigv4auth has none', () => {
    expect(() => new AdotCollectorConfig({ workspaceArn: WORKSPACE, roleArn: VENDOR_ROLE, externalId: 'acme-7f3a9c' }))
      .toThrow(/externalId: the collector's sigv4auth extension has no external ID/);
  });
});

describe('AlloyRemoteWriteConfig', () => {
  const config = new AlloyRemoteWriteConfig({ workspaceArn: WORKSPACE, roleArn: VENDOR_ROLE, label: 'vendor' });
  const text = config.toAlloy();

  /** The blocks and attributes of Alloy syntax, as nested paths ("prometheus.remote_write > endpoint > sigv4.role_arn"). */
  function structure(source: string): string[] {
    const stack: string[] = [];
    const found: string[] = [];
    for (const raw of source.split('\n')) {
      const line = raw.trim();
      if (line === '') continue;
      const block = /^([a-z_][a-z0-9_.]*)(?: "([^"]+)")? \{$/.exec(line);
      if (block) {
        stack.push(block[1]); continue;
      }
      if (line === '}') {
        expect(stack.pop()).toBeDefined(); continue;
      }
      const attribute = /^([a-z_][a-z0-9_]*)\s*=\s*("(?:[^"\\]|\\.)*"|\[.*\]|[a-z_][a-z0-9_.]*)$/.exec(line);
      if (!attribute) throw new Error(`not Alloy syntax: ${line}`);
      if (attribute[2].startsWith('"')) JSON.parse(attribute[2]);
      found.push(`${stack.join(' > ')}.${attribute[1]}`);
    }
    expect(stack).toEqual([]);
    return found;
  }

  test('prometheus.remote_write > endpoint > sigv4 { region, role_arn }, keys of Alloy\'s own SigV4Config', () => {
    const paths = structure(text);
    expect(paths).toEqual(expect.arrayContaining([
      'prometheus.remote_write > endpoint.url',
      'prometheus.remote_write > endpoint > sigv4.region',
      'prometheus.remote_write > endpoint > sigv4.role_arn',
      'prometheus.scrape.forward_to',
    ]));
    paths.filter((p) => p.includes('> sigv4.')).forEach((p) => expect(ALLOY_SIGV4_KEYS).toContain(p.split('.').pop()));
    expect(text).toContain('prometheus.remote_write "vendor" {');
    expect(text).toContain(`url = "${URL}"`);
    expect(config.receiver).toBe('prometheus.remote_write.vendor.receiver');
    expect(text).toContain('forward_to      = [prometheus.remote_write.vendor.receiver]');
  });

  test('external_id only when asked for a newer Alloy; labels and durations in Alloy\'s own forms', () => {
    expect(() => new AlloyRemoteWriteConfig({ workspaceArn: WORKSPACE, roleArn: VENDOR_ROLE, externalId: 'acme-7f3a9c' }))
      .toThrow(/externalId: released Alloy versions have no sigv4 external_id/);
    const newer = new AlloyRemoteWriteConfig({ workspaceArn: WORKSPACE, roleArn: VENDOR_ROLE, externalId: 'acme-7f3a9c', allowExternalId: true }).toAlloy();
    expect(structure(newer)).toContain('prometheus.remote_write > endpoint > sigv4.external_id');
    expect(() => new AlloyRemoteWriteConfig({ workspaceArn: WORKSPACE, label: 'my-label', scrapeInterval: '1d' }))
      .toThrow(/2 problems[\s\S]*label[\s\S]*scrapeInterval: got "1d"; expected a duration Alloy accepts/);
  });
});

/**
 * The trust probe with each client's hops, run against a stub `aws` that refuses the vendor's role:
 * the failure names the client setting, not only "hop 2".
 */
describe('the trust probe says which hop failed, for each client', () => {
  const stubDir = mkdtempSync(path.join(tmpdir(), 'probe-clients-'));
  writeFileSync(path.join(stubDir, 'aws'), [
    '#!/bin/sh',
    'if [ "$2" = get-caller-identity ]; then echo "arn:aws:sts::222222222222:assumed-role/remote-write-prod/probe"; exit 0; fi',
    'echo "An error occurred (AccessDenied) when calling the AssumeRole operation: not authorized to perform: sts:AssumeRole on resource: $4" >&2',
    'exit 254',
  ].join('\n'));
  chmodSync(path.join(stubDir, 'aws'), 0o755);
  const token = path.join(stubDir, 'token');
  writeFileSync(token, 'eyJ...');

  test.each([
    ['Prometheus', new PrometheusAgentConfig({ workspaceArn: WORKSPACE, roleArn: VENDOR_ROLE, externalId: 'acme-7f3a9c' }).trustProbeHops(), 'Prometheus remote_write\\[0\\]\\.sigv4\\.role_arn'],
    ['ADOT', new AdotCollectorConfig({ workspaceArn: WORKSPACE, roleArn: VENDOR_ROLE }).trustProbeHops(), 'ADOT extensions\\.sigv4auth\\.assume_role\\.arn \\(the collector reports a failure here as bad AWS credentials\\)'],
    ['Alloy', new AlloyRemoteWriteConfig({ workspaceArn: WORKSPACE, roleArn: VENDOR_ROLE }).trustProbeHops(), 'Alloy prometheus\\.remote_write > endpoint > sigv4 > role_arn'],
  ])('%s', (_client, hops, setting) => {
    const chart = new TrustProbeChart(Testing.app(), 'probe', { serviceAccount: { namespace: 'monitoring', name: 'prometheus' }, firstRoleArn: POD_ROLE, hops });
    const run = spawnSync('sh', ['-c', chart.script], { env: { PATH: `${stubDir}:/usr/bin:/bin`, AWS_WEB_IDENTITY_TOKEN_FILE: token, AWS_ROLE_ARN: POD_ROLE }, encoding: 'utf8' });
    expect(run.status).toBe(1);
    expect(run.stdout).toMatch(/ok {3}hop 1: running as arn:aws:sts::222222222222:assumed-role\/remote-write-prod\/probe/);
    expect(run.stdout).toMatch(new RegExp(`FAIL hop 2 \\(${setting}\\): sts assume-role ${VENDOR_ROLE}\\n {5}An error occurred \\(AccessDenied\\)`));
  });
});

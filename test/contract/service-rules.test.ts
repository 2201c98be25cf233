/**
 * Semantics from the services' own rules that the contract suite found unchecked (issue 22): AMP's
 * managed-collector scrape configuration, organizational-unit paths, SSM's reserved parameter-name
 * prefixes, partitions of a sink ARN, and one partition per chart.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Testing } from 'cdk8s';
import * as lib from '../../src';
import { scrapeConfigProblems, scrapeConfigWarnings } from '../../src/amp-scraper/collector-config-check';

const SOURCE = '222222222222';
const TARGET = '111111111111';
const stack = (account = SOURCE) => new Stack(new App(), 'S', { env: { account, region: 'us-east-1' } });
const job = (lines: string[]) => ['scrape_configs:', '  - job_name: a', '    kubernetes_sd_configs:', '      - role: pod', ...lines.map((l) => `    ${l}`)].join('\n');

describe('AMP managed collector: the fields its guide lists, refused or warned otherwise', () => {
  test.each([
    ['tls_config', ['tls_config:', '  insecure_skip_verify: true']],
    ['basic_auth', ['basic_auth:', '  username: a']],
  ])('%s (a section the guide does not list) is refused, citing the guide', (field, lines) => {
    expect(scrapeConfigProblems(job(lines)).join('\n')).toMatch(new RegExp(`scrape_configs\\[0\\] \\(a\\)\\.${field} is not accepted: .*AMP user guide`));
  });

  test.each(['scrape_protocols: [PrometheusText0.0.4]', 'enable_compression: false', 'label_limit: 10', 'label_name_length_limit: 10',
    'label_value_length_limit: 10', 'sample_limit: 10', 'target_limit: 10', 'body_size_limit: 10MB', 'keep_dropped_targets: 1'])('%s (the guide is silent): accepted with a warning citing the guide', (line) => {
    const text = job([line]);
    expect(scrapeConfigProblems(text)).toEqual([]);
    expect(scrapeConfigWarnings(text).join('\n')).toMatch(new RegExp(`${line.split(':')[0]}: AMP's user guide .* does not list it`));
  });

  test('the construct warns for a field the guide is silent about', () => {
    const s = stack();
    new lib.AmpCrossAccountScraper(s, 'C', {
      clusterArn: `arn:aws:eks:us-east-1:${SOURCE}:cluster/prod`,
      subnetIds: ['subnet-0123456789abcdef0', 'subnet-0123456789abcdef1'],
      workspaceArn: `arn:aws:aps:us-east-1:${TARGET}:workspace/ws-0123abcd`,
      targetRoleArn: `arn:aws:iam::${TARGET}:role/amp-scraper-target`,
      scrapeConfiguration: job(['sample_limit: 1000']),
    });
    const warnings = (s.node.root as App).synth().getStackByName('S').messages.filter((m) => m.level === 'warning').map((m) => String(m.entry.data));
    expect(warnings.join('\n')).toMatch(/scrapeConfiguration: .*sample_limit: AMP's user guide/);
  });
});

test('an OU path whose OU belongs to another root is refused (an OU ID carries its root: ou-<root>-<id>)', () => {
  expect(() => new lib.OrganizationObservabilitySink(stack(TARGET), 'C', {
    organization: { organizationId: 'o-a1b2c3d4e5', organizationalUnitPaths: ['o-a1b2c3d4e5/r-ab12/ou-cd34-11111111/'] },
  })).toThrow(/- organization\.organizationalUnitPaths\[0\]: .*ou-cd34-11111111 is under root r-cd34, not r-ab12/);
});

test.each(['ssm-x', 'aws-x', 'AWS-x', 'Ssm/x', '/aws/x'])('scraperArnParameterName %j (SSM reserves names starting with aws or ssm) is refused, once', (name) => {
  let message = '';
  try {
    new lib.AmpCrossAccountScraper(stack(), 'C', {
      clusterArn: `arn:aws:eks:us-east-1:${SOURCE}:cluster/prod`,
      subnetIds: ['subnet-0123456789abcdef0', 'subnet-0123456789abcdef1'],
      workspaceArn: `arn:aws:aps:us-east-1:${TARGET}:workspace/ws-0123abcd`,
      targetRoleArn: `arn:aws:iam::${TARGET}:role/amp-scraper-target`,
      scraperArnParameterName: name,
    });
  } catch (e) {
    message = (e as Error).message;
  }
  expect(message).toMatch(/invalid props \(1 problem\):\n {2}- scraperArnParameterName: .*starts with aws or ssm/);
});

test('an unknown partition in sinkArn is refused by name', () => {
  expect(() => new lib.ObservabilityLink(stack(), 'L', { sinkArn: `arn:aws-mars:oam:us-east-1:${TARGET}:sink/a1b2c3d4-5678-90ab-cdef-EXAMPLE11111` }))
    .toThrow(/- sinkArn: .*partition "aws-mars"/);
});

test('mixed partitions inside one chart: one clear error naming both', () => {
  expect(() => new lib.CrossAccountWorkloadChart(Testing.app(), 'c', {
    serviceAccount: { namespace: 'ci', name: 'ci-sa' },
    identityMode: lib.WorkloadIdentityMode.IRSA,
    sourceRoleArn: `arn:aws:iam::${SOURCE}:role/ci`,
    targets: [{ profileName: 'target', roleArn: `arn:aws-cn:iam::${TARGET}:role/deployer`, region: 'us-east-1' }],
  })).toThrow(/invalid props \(\d problems?\):[\s\S]*- targets\[0\]\.roleArn: is in partition aws-cn, but sourceRoleArn is in aws: one partition per chart/);
});

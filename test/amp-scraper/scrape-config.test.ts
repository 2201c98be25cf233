import { parse, parseDocument, visit } from 'yaml';
import { AmpCrossAccountScraper } from '../../src';
import { scrapeConfigProblems } from '../../src/amp-scraper/scrape-config';

const CLUSTER_ARN = 'arn:aws:eks:us-east-1:222222222222:cluster/prod';

describe('the built-in EKS configuration', () => {
  const text = AmpCrossAccountScraper.defaultScrapeConfiguration(CLUSTER_ARN);
  const document = parse(text);

  test('parses as YAML and satisfies AMP\'s rules', () => {
    expect(scrapeConfigProblems(text)).toEqual([]);
    expect(document.global).toEqual({ scrape_interval: '30s', external_labels: { clusterArn: CLUSTER_ARN } });
  });

  test('is plain YAML: no anchors, no aliases (the API-server job objects are written out each time)', () => {
    let aliases = 0;
    let anchors = 0;
    visit(parseDocument(text), {
      Alias: () => void aliases++,
      Node: (_key, node) => void (anchors += (node as { anchor?: string }).anchor ? 1 : 0),
    });
    expect({ aliases, anchors }).toEqual({ aliases: 0, anchors: 0 });
    expect(text).not.toMatch(/[&*]a\d/);
  });

  test('has the default jobs: pods, cAdvisor through the node proxy, API server, kube-proxy, EKS control plane', () => {
    const jobs = Object.fromEntries(document.scrape_configs.map((job: any) => [job.job_name, job]));
    expect(Object.keys(jobs)).toEqual(['pod_exporter', 'cadvisor', 'kubernetes-apiservers', 'kube-proxy', 'kube-scheduler', 'kube-controller-manager']);
    expect(jobs.cadvisor.relabel_configs).toContainEqual(expect.objectContaining({ target_label: '__metrics_path__', replacement: '/api/v1/nodes/$1/proxy/metrics/cadvisor' }));
    expect(jobs.cadvisor.relabel_configs).toContainEqual({ replacement: 'kubernetes.default.svc:443', target_label: '__address__' });
    expect(jobs['kubernetes-apiservers'].relabel_configs[0]).toMatchObject({ action: 'keep', regex: 'default;kubernetes;https' });
    expect(jobs['kube-proxy'].relabel_configs[1].replacement).toBe('$1:10249');
    expect(jobs['kube-scheduler'].metrics_path).toBe('/apis/metrics.eks.amazonaws.com/v1/ksh/container/metrics');
    expect(jobs['kube-controller-manager'].metrics_path).toBe('/apis/metrics.eks.amazonaws.com/v1/kcm/container/metrics');
  });

  test('without a cluster ARN there is no external label', () => {
    expect(parse(AmpCrossAccountScraper.defaultScrapeConfiguration()).global).toEqual({ scrape_interval: '30s' });
  });
});

describe('configurations AMP\'s collector rejects, each named', () => {
  test.each([
    ['an interval under 30 s', 'global:\n  scrape_interval: 15s\nscrape_configs:\n  - job_name: a\n', /global.scrape_interval is 15s; AMP collectors scrape at most every 30s/],
    ['a job interval under 30 s', 'scrape_configs:\n  - job_name: a\n    scrape_interval: 10s\n', /scrape_configs\[0\] \(a\)\.scrape_interval is 10s/],
    ['units out of order (Prometheus\' grammar)', 'global:\n  scrape_interval: 30s1m\nscrape_configs:\n  - job_name: a\n', /global.scrape_interval "30s1m" is not a Prometheus duration/],
    ['a DNS static target', 'scrape_configs:\n  - job_name: a\n    static_configs:\n      - targets: ["node-exporter.monitoring.svc:9100"]\n', /static target "node-exporter.monitoring.svc:9100" is not an IP address/],
    ['an unparseable duration', 'global:\n  scrape_interval: soon\nscrape_configs:\n  - job_name: a\n', /"soon" is not a Prometheus duration/],
    ['no jobs', 'global:\n  scrape_interval: 30s\n', /has no scrape_configs/],
    ['a job without a name', 'scrape_configs:\n  - static_configs: []\n', /has no job_name/],
    ['invalid YAML', 'scrape_configs: [\n', /is not valid YAML/],
    ['a scalar', '42', /is not a YAML mapping/],
    ['remote_write', 'remote_write:\n  - url: https://example.com\nscrape_configs:\n  - job_name: a\n', /remote_write is not accepted: a managed collector writes to its destination workspace/],
    ['file_sd_configs', 'scrape_configs:\n  - job_name: a\n    file_sd_configs:\n      - files: [/etc/targets.json]\n', /file_sd_configs is not accepted/],
    ['another service discovery', 'scrape_configs:\n  - job_name: a\n    ec2_sd_configs:\n      - region: us-east-1\n', /ec2 service discovery is not available to a managed collector/],
    ['basic_auth', 'scrape_configs:\n  - job_name: a\n    basic_auth:\n      username: u\n      password: p\n', /basic_auth is not accepted/],
    ['a credentials file other than the service-account token', 'scrape_configs:\n  - job_name: a\n    authorization:\n      credentials_file: /etc/secret/token\n', /authorization.credentials_file "\/etc\/secret\/token": a managed collector has only its service-account token/],
    ['inline credentials', 'scrape_configs:\n  - job_name: a\n    authorization:\n      credentials: s3cr3t\n', /authorization.credentials is not accepted: inline secrets/],
    ['__address__ relabelled to a DNS name', 'scrape_configs:\n  - job_name: a\n    relabel_configs:\n      - target_label: __address__\n        replacement: metrics.example.com:9100\n', /sets __address__ to "metrics.example.com:9100", a DNS name/],
    ['scrape_timeout over scrape_interval', 'scrape_configs:\n  - job_name: a\n    scrape_interval: 30s\n    scrape_timeout: 45s\n', /scrape_configs\[0\] \(a\): scrape_timeout \(45s\) is longer than scrape_interval \(30s\)/],
    ['a global timeout over the global interval', 'global:\n  scrape_interval: 30s\n  scrape_timeout: 1m\nscrape_configs:\n  - job_name: a\n', /global: scrape_timeout \(60s\) is longer than scrape_interval \(30s\)/],
    ['an invalid regex', 'scrape_configs:\n  - job_name: a\n    relabel_configs:\n      - action: keep\n        source_labels: [x]\n        regex: "([a-z"\n', /regex "\(\[a-z" is not a valid regular expression/],
    ['a regex RE2 cannot compile', 'scrape_configs:\n  - job_name: a\n    metric_relabel_configs:\n      - action: drop\n        source_labels: [__name__]\n        regex: "go_(?!gc).*"\n', /uses lookaround, which RE2 \(Prometheus\) does not support/],
    ['duplicate job names', 'scrape_configs:\n  - job_name: a\n  - job_name: a\n', /job_name "a" is used twice/],
    ['an unknown service-discovery role', 'scrape_configs:\n  - job_name: a\n    kubernetes_sd_configs:\n      - role: deployment\n', /role "deployment" is not one of node, pod, service, endpoints, endpointslice, ingress/],
    ['a misspelt field', 'scrape_configs:\n  - job_name: a\n    scrape_intervall: 60s\n', /scrape_intervall is not a field AMP's collector accepts here/],
    ['a misspelt global field', 'global:\n  scrape_interval: 60s\n  externel_labels: {}\nscrape_configs:\n  - job_name: a\n', /global.externel_labels is not a field/],
    ['an unknown relabel action', 'scrape_configs:\n  - job_name: a\n    relabel_configs:\n      - action: rename\n', /action "rename" is not one of/],
    ['a repeat count RE2 refuses', 'scrape_configs:\n  - job_name: a\n    relabel_configs:\n      - action: keep\n        source_labels: [x]\n        regex: "a{1001}"\n', /repeats more than 1000 times/],
    ['static targets as a string, not a list', 'scrape_configs:\n  - job_name: a\n    static_configs:\n      - targets: "my.dns.name:9100"\n', /targets is not a list/],
    ['a host and port that only looks like IPv6', 'scrape_configs:\n  - job_name: a\n    static_configs:\n      - targets: ["cafe:9100"]\n', /static target "cafe:9100" is not an IP address/],
    ['a field named like an Object method', 'scrape_configs:\n  - job_name: a\n    toString: x\n    __proto__: y\n', /toString is not a field AMP's collector accepts here/],
  ])('%s', (_name, text, message) => {
    expect(scrapeConfigProblems(text).join('\n')).toMatch(message);
  });

  test('one configuration with all of these gets one list naming every problem', () => {
    const text = [
      'global:', '  scrape_interval: 30s1m',
      'remote_write:', '  - url: https://example.com',
      'scrape_configs:',
      '  - job_name: a', '    basic_auth: { username: u }', '    file_sd_configs: [{ files: [x] }]',
      '  - job_name: a', '    scrape_intervall: 1m', '    kubernetes_sd_configs: [{ role: deployment }]',
      '    relabel_configs: [{ target_label: __address__, replacement: "svc.example.com" }, { action: keep, source_labels: [x], regex: "([" }]',
    ].join('\n');
    const problems = scrapeConfigProblems(text);
    expect(problems).toHaveLength(9);
  });
});

describe('configurations AMP documents are accepted', () => {
  test('IP static targets, long intervals, labels and relabelling (the guide\'s example shape)', () => {
    const text = [
      'global:', '  scrape_interval: 60s', '  scrape_timeout: 10s', '  external_labels:', '    environment: production',
      'scrape_configs:',
      '  - job_name: my-service', '    metrics_path: /metrics', '    scheme: http', '    scrape_interval: 1m30s',
      '    static_configs:', '      - targets: ["10.0.1.10:9090", "10.0.1.11", "[fd00::1]:9100"]', '        labels:', '          team: platform',
      '    relabel_configs:', '      - source_labels: [__address__]', '        target_label: instance',
      '    metric_relabel_configs:', '      - source_labels: [__name__]', '        regex: "go_.*"', '        action: drop',
    ].join('\n');
    expect(scrapeConfigProblems(text)).toEqual([]);
  });

  test('RE2 syntax JavaScript spells differently: flag groups and (?P<name>...) named groups', () => {
    const text = 'scrape_configs:\n  - job_name: a\n    metric_relabel_configs:\n      - action: drop\n        source_labels: [__name__]\n        regex: "(?i)go_(?P<rest>.*)|(?s:x.y)"\n';
    expect(scrapeConfigProblems(text)).toEqual([]);
  });

  test('Kubernetes discovery with the service-account token over https (no tls_config: AMP\'s guide lists none)', () => {
    const text = [
      'global:', '  scrape_interval: 30s',
      'scrape_configs:',
      '  - job_name: apiserver', '    scheme: https', '    bearer_token_file: /var/run/secrets/kubernetes.io/serviceaccount/token',
      '    kubernetes_sd_configs:', '      - role: endpoints', '        namespaces:', '          names: [default]',
    ].join('\n');
    expect(scrapeConfigProblems(text)).toEqual([]);
  });
});

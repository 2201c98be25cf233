import { parse } from 'yaml';
import { AmpCrossAccountScraper } from '../../src';
import { durationSeconds, scrapeConfigProblems } from '../../src/amp-scraper/scrape-config';

const CLUSTER_ARN = 'arn:aws:eks:us-east-1:222222222222:cluster/prod';

describe('the built-in EKS configuration', () => {
  const text = AmpCrossAccountScraper.defaultScrapeConfiguration(CLUSTER_ARN);
  const document = parse(text);

  test('parses as YAML and satisfies AMP\'s rules', () => {
    expect(scrapeConfigProblems(text)).toEqual([]);
    expect(document.global).toEqual({ scrape_interval: '30s', external_labels: { clusterArn: CLUSTER_ARN } });
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

describe('checks on a user configuration', () => {
  test.each([
    ['an interval under 30 s', 'global:\n  scrape_interval: 15s\nscrape_configs:\n  - job_name: a\n', /global.scrape_interval is 15s; AMP collectors scrape at most every 30s/],
    ['a job interval under 30 s', 'scrape_configs:\n  - job_name: a\n    scrape_interval: 10s\n', /scrape_configs\[0\] \(a\)\.scrape_interval is 10s/],
    ['a DNS static target', 'scrape_configs:\n  - job_name: a\n    static_configs:\n      - targets: ["node-exporter.monitoring.svc:9100"]\n', /static target "node-exporter.monitoring.svc:9100" is not an IP address/],
    ['an unparseable duration', 'global:\n  scrape_interval: soon\nscrape_configs:\n  - job_name: a\n', /"soon" is not a Prometheus duration/],
    ['no jobs', 'global:\n  scrape_interval: 30s\n', /has no scrape_configs/],
    ['a job without a name', 'scrape_configs:\n  - static_configs: []\n', /has no job_name/],
    ['invalid YAML', 'scrape_configs: [\n', /is not valid YAML/],
    ['a scalar', '42', /is not a YAML mapping/],
  ])('%s', (_name, text, message) => {
    expect(scrapeConfigProblems(text).join('\n')).toMatch(message);
  });

  test('IP static targets and long intervals pass', () => {
    const text = 'global:\n  scrape_interval: 1m\nscrape_configs:\n  - job_name: a\n    scrape_interval: 1m30s\n    static_configs:\n      - targets: ["10.0.1.15:9100", "10.0.1.16", "[fd00::1]:9100"]\n';
    expect(scrapeConfigProblems(text)).toEqual([]);
  });

  test('durations', () => {
    expect(durationSeconds('30s')).toBe(30);
    expect(durationSeconds('1m30s')).toBe(90);
    expect(durationSeconds('500ms')).toBe(0.5);
    expect(durationSeconds('30')).toBeUndefined();
  });
});

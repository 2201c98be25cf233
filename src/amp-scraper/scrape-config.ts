/**
 * Scrape configurations for AMP managed collectors: the built-in default for EKS, built from a
 * typed object, and the checks AMP applies to a user's configuration. Pure: no aws-cdk-lib import.
 *
 * AMP user guide, "Scraper configuration": the scrape interval must be at least 30 seconds, and
 * static targets must be IP addresses (the collector cannot resolve DNS names).
 */
import { parse, stringify } from 'yaml';

const SERVICE_ACCOUNT_TOKEN = '/var/run/secrets/kubernetes.io/serviceaccount/token';
const MIN_INTERVAL_SECONDS = 30;

/** The Prometheus configuration fields this library writes (a subset of Prometheus' own). */
export interface ScrapeConfigDocument {
  global: { scrape_interval: string; external_labels?: Record<string, string> };
  scrape_configs: Array<Record<string, unknown>>;
}

/** The API server as a scrape target: the default/kubernetes service's https endpoints. */
const apiServerEndpoints = {
  kubernetes_sd_configs: [{ role: 'endpoints' }],
  relabel_configs: [{
    action: 'keep',
    regex: 'default;kubernetes;https',
    source_labels: ['__meta_kubernetes_namespace', '__meta_kubernetes_service_name', '__meta_kubernetes_endpoint_port_name'],
  }],
  scheme: 'https',
  bearer_token_file: SERVICE_ACCOUNT_TOKEN,
};

/** EKS control-plane metrics served by the API server (kube-scheduler "ksh", kube-controller-manager "kcm"). */
function eksControlPlaneJob(jobName: string, component: 'ksh' | 'kcm'): Record<string, unknown> {
  return { job_name: jobName, honor_labels: true, ...apiServerEndpoints, metrics_path: `/apis/metrics.eks.amazonaws.com/v1/${component}/container/metrics` };
}

/**
 * The default configuration for an EKS cluster, in the shape AMP's GetDefaultScraperConfiguration
 * returns: a 30 s interval, pods, cAdvisor through the API server's node proxy, the API server,
 * kube-proxy, and the EKS control-plane metrics of the scheduler and controller manager.
 */
export function defaultScrapeConfig(clusterArn?: string): ScrapeConfigDocument {
  return {
    global: { scrape_interval: '30s', ...(clusterArn ? { external_labels: { clusterArn } } : {}) },
    scrape_configs: [
      { job_name: 'pod_exporter', kubernetes_sd_configs: [{ role: 'pod' }] },
      {
        job_name: 'cadvisor',
        scheme: 'https',
        authorization: { credentials_file: SERVICE_ACCOUNT_TOKEN },
        kubernetes_sd_configs: [{ role: 'node' }],
        relabel_configs: [
          { action: 'labelmap', regex: '__meta_kubernetes_node_label_(.+)' },
          { replacement: 'kubernetes.default.svc:443', target_label: '__address__' },
          { source_labels: ['__meta_kubernetes_node_name'], regex: '(.+)', target_label: '__metrics_path__', replacement: '/api/v1/nodes/$1/proxy/metrics/cadvisor' },
        ],
      },
      { job_name: 'kubernetes-apiservers', ...apiServerEndpoints },
      {
        job_name: 'kube-proxy',
        honor_labels: true,
        kubernetes_sd_configs: [{ role: 'pod' }],
        relabel_configs: [
          { action: 'keep', source_labels: ['__meta_kubernetes_namespace', '__meta_kubernetes_pod_name'], separator: '/', regex: 'kube-system/kube-proxy.+' },
          { source_labels: ['__address__'], action: 'replace', target_label: '__address__', regex: '(.+?)(\\:\\d+)?', replacement: '$1:10249' },
        ],
      },
      eksControlPlaneJob('kube-scheduler', 'ksh'),
      eksControlPlaneJob('kube-controller-manager', 'kcm'),
    ],
  };
}

/** YAML text of a configuration document. */
export function scrapeConfigYaml(document: ScrapeConfigDocument): string {
  return stringify(document);
}

/** Seconds in a Prometheus duration ("1m30s" is 90), or undefined when it is not one. */
export function durationSeconds(duration: string): number | undefined {
  const unitSeconds: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400, w: 604800, y: 31536000 };
  if (!/^(\d+(ms|s|m|h|d|w|y))+$/.test(duration)) return undefined;
  return [...duration.matchAll(/(\d+)(ms|s|m|h|d|w|y)/g)].reduce((total, [, n, unit]) => total + Number(n) * unitSeconds[unit], 0);
}

/** Every reason AMP would reject this configuration text (empty when it is acceptable). */
export function scrapeConfigProblems(text: string): string[] {
  let document: any;
  try {
    document = parse(text);
  } catch (error) {
    return [`is not valid YAML: ${(error as Error).message.split('\n')[0]}`];
  }
  if (document === null || typeof document !== 'object') return ['is not a YAML mapping'];
  const problems: string[] = [];
  const checkInterval = (where: string, value: unknown) => {
    if (value === undefined) return;
    const seconds = typeof value === 'string' ? durationSeconds(value) : undefined;
    if (seconds === undefined) problems.push(`${where} ${JSON.stringify(value)} is not a Prometheus duration`);
    else if (seconds < MIN_INTERVAL_SECONDS) problems.push(`${where} is ${value}; AMP collectors scrape at most every ${MIN_INTERVAL_SECONDS}s`);
  };
  checkInterval('global.scrape_interval', document.global?.scrape_interval);
  const jobs = document.scrape_configs;
  if (!Array.isArray(jobs) || jobs.length === 0) problems.push('has no scrape_configs');
  (Array.isArray(jobs) ? jobs : []).forEach((job: any, i: number) => {
    const where = `scrape_configs[${i}]${job?.job_name ? ` (${job.job_name})` : ''}`;
    if (!job?.job_name) problems.push(`${where} has no job_name`);
    checkInterval(`${where}.scrape_interval`, job?.scrape_interval);
    (job?.static_configs ?? []).forEach((sc: any) => (sc?.targets ?? []).forEach((target: string) => {
      if (!isIpTarget(String(target))) problems.push(`${where} static target ${JSON.stringify(target)} is not an IP address (AMP collectors cannot resolve DNS names)`);
    }));
  });
  return problems;
}

/** "10.0.0.1:9100", "10.0.0.1" or "[fd00::1]:9100". */
function isIpTarget(target: string): boolean {
  const ipv4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})(:\d{1,5})?$/.exec(target);
  if (ipv4) return ipv4.slice(1, 5).every((octet) => Number(octet) <= 255);
  return /^\[[0-9a-fA-F:]+\](:\d{1,5})?$/.test(target) || /^[0-9a-fA-F]*:[0-9a-fA-F:]+$/.test(target);
}

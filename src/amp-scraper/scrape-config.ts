/**
 * Scrape configurations for AMP managed collectors: the built-in default for EKS, built from a
 * typed object and written as plain YAML. The checks of a user's configuration are in
 * collector-config-check.ts. Pure: no aws-cdk-lib import.
 */
import { SERVICE_ACCOUNT_TOKEN } from './collector-config-rules';
import { yaml } from '../core/lazy-yaml';

export { scrapeConfigProblems, scrapeConfigWarnings } from './collector-config-check';

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

/**
 * YAML text of a configuration document: plain YAML, every object written out in full. The default
 * reuses objects (the API-server endpoints), which a YAML writer would otherwise turn into anchors
 * and aliases (`&a1` / `*a1`); Prometheus reads those, but whether AMP's validator does is unknown.
 */
export function scrapeConfigYaml(document: ScrapeConfigDocument): string {
  return yaml().stringify(document, { aliasDuplicateObjects: false });
}


/**
 * What an AMP managed collector accepts in a scrape configuration, as data: the fields of
 * Prometheus' own configuration schema (prometheus/prometheus `config/config.go`, `relabel/relabel.go`,
 * `discovery/kubernetes`; Prometheus unmarshals strictly, so an unknown field is an error), narrowed to
 * what the AMP user guide documents for managed collectors ("Scraper configuration" in "Using an AWS
 * managed collector"): Kubernetes service discovery and static targets given as IP addresses, bearer
 * authorization with the collector's service-account token file, TLS with the service-account CA, no
 * `remote_write` (the collector writes to its destination workspace), no file or other service
 * discovery, no basic auth or OAuth 2, a scrape interval of at least 30 seconds. Pure data.
 */

/** The token and CA the collector has as a Kubernetes client; no other file exists in a managed collector. */
export const SERVICE_ACCOUNT_TOKEN = '/var/run/secrets/kubernetes.io/serviceaccount/token';
export const SERVICE_ACCOUNT_CA = '/var/run/secrets/kubernetes.io/serviceaccount/ca.crt';

/** AMP: "the scrape interval must be at least 30 seconds". */
export const MIN_INTERVAL_MS = 30_000;

/** Prometheus' defaults when a configuration leaves them out. */
export const PROMETHEUS_DEFAULT_INTERVAL = '1m';
export const PROMETHEUS_DEFAULT_TIMEOUT = '10s';

export const TOP_LEVEL_FIELDS = ['global', 'scrape_configs'];

/** Prometheus top-level sections a managed collector does not take, with the reason shown to the user. */
export const REFUSED_TOP_LEVEL: Record<string, string> = {
  remote_write: 'a managed collector writes to its destination workspace; remove remote_write',
  remote_read: 'a managed collector does not read remotely',
  rule_files: 'recording and alerting rules belong in the workspace (rule groups namespaces), not the collector',
  alerting: 'alerting belongs in the workspace (alert manager definition), not the collector',
  scrape_config_files: 'a managed collector has no files to include; put the jobs in scrape_configs',
  storage: 'a managed collector stores nothing locally',
  tracing: 'not supported by a managed collector',
  otlp: 'not supported by a managed collector',
  runtime: 'not supported by a managed collector',
};

export const GLOBAL_FIELDS = ['scrape_interval', 'scrape_timeout', 'external_labels'];

/** The scrape_config fields Prometheus defines and a managed collector takes. */
export const JOB_FIELDS = [
  'job_name', 'honor_labels', 'honor_timestamps', 'track_timestamps_staleness', 'scheme', 'metrics_path', 'params',
  'scrape_interval', 'scrape_timeout', 'scrape_protocols', 'enable_compression', 'body_size_limit', 'sample_limit',
  'label_limit', 'label_name_length_limit', 'label_value_length_limit', 'target_limit', 'keep_dropped_targets',
  'authorization', 'bearer_token_file', 'tls_config', 'follow_redirects', 'enable_http2',
  'kubernetes_sd_configs', 'static_configs', 'relabel_configs', 'metric_relabel_configs',
];

/** Prometheus scrape_config fields a managed collector refuses, with the reason. */
export const REFUSED_JOB_FIELDS: Record<string, string> = {
  basic_auth: 'a managed collector authenticates with its service-account token only (authorization.credentials_file)',
  oauth2: 'a managed collector authenticates with its service-account token only (authorization.credentials_file)',
  bearer_token: 'inline secrets are not supported; the collector uses its service-account token file',
  proxy_url: 'a managed collector reaches targets through its own network interfaces, not a proxy',
  proxy_from_environment: 'a managed collector reaches targets through its own network interfaces, not a proxy',
  no_proxy: 'a managed collector reaches targets through its own network interfaces, not a proxy',
  proxy_connect_header: 'a managed collector reaches targets through its own network interfaces, not a proxy',
  file_sd_configs: 'a managed collector has no files; use kubernetes_sd_configs or static_configs with IP addresses',
};

/** Every other `<kind>_sd_configs` of Prometheus is refused: the guide documents Kubernetes discovery and static targets. */
export const SERVICE_DISCOVERY_SUFFIX = '_sd_configs';

export const AUTHORIZATION_FIELDS = ['type', 'credentials_file'];
export const TLS_FIELDS = ['ca_file', 'server_name', 'insecure_skip_verify', 'min_version', 'max_version'];

export const KUBERNETES_SD_FIELDS = ['role', 'namespaces', 'selectors', 'attach_metadata'];
/** prometheus/prometheus discovery/kubernetes: the roles Kubernetes service discovery knows. */
export const KUBERNETES_SD_ROLES = ['node', 'pod', 'service', 'endpoints', 'endpointslice', 'ingress'];

export const STATIC_CONFIG_FIELDS = ['targets', 'labels'];

export const RELABEL_FIELDS = ['source_labels', 'separator', 'target_label', 'regex', 'modulus', 'replacement', 'action'];
/** prometheus/prometheus relabel/relabel.go: the relabel actions. */
export const RELABEL_ACTIONS = ['replace', 'keep', 'drop', 'keepequal', 'dropequal', 'hashmod', 'labelmap', 'labeldrop', 'labelkeep', 'lowercase', 'uppercase'];

/**
 * The one DNS name a managed collector may scrape through: the API server, as AMP's own default
 * configuration does for cAdvisor (`replacement: kubernetes.default.svc:443` on `__address__`).
 */
export const API_SERVER_ADDRESS = 'kubernetes.default.svc:443';

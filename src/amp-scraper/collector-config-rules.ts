/**
 * What an AMP managed collector accepts in a scrape configuration, as data: the fields of
 * Prometheus' own configuration schema (prometheus/prometheus `config/config.go`, `relabel/relabel.go`,
 * `discovery/kubernetes`; Prometheus unmarshals strictly, so an unknown field is an error), narrowed to
 * what the AMP user guide documents for managed collectors ("Scraper configuration" in "Using an AWS
 * managed collector"): Kubernetes service discovery and static targets given as IP addresses, bearer
 * authorization with the collector's service-account token file (no TLS section: the guide lists none), no
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

/**
 * Where the list of supported sections comes from: the AMP user guide, "Using an AWS managed
 * collector", "Scraper configuration", which lists `global`, `scrape_config`, `static_config`,
 * `relabel_config`, `metric_relabel_configs`, `kubernetes_sd_config` and `authorization` (each within
 * stated limits) as what a managed collector supports.
 */
export const GUIDE = 'AMP user guide, "Using an AWS managed collector", "Scraper configuration"';

/**
 * The scrape_config fields a managed collector takes: the guide's sections, and the plain fields of
 * `scrape_config` itself that AMP's own default configuration (GetDefaultScraperConfiguration) uses.
 */
export const JOB_FIELDS = [
  'job_name', 'honor_labels', 'honor_timestamps', 'scheme', 'metrics_path', 'params', 'scrape_interval', 'scrape_timeout',
  'authorization', 'bearer_token_file', 'kubernetes_sd_configs', 'static_configs', 'relabel_configs', 'metric_relabel_configs',
];

/**
 * Prometheus scrape_config fields the guide is silent about (newer Prometheus fields and limits):
 * accepted with a warning, since CreateScraper may refuse them or the collector ignore them.
 */
export const GUIDE_SILENT_JOB_FIELDS = [
  'scrape_protocols', 'enable_compression', 'body_size_limit', 'sample_limit', 'label_limit', 'label_name_length_limit',
  'label_value_length_limit', 'target_limit', 'keep_dropped_targets', 'track_timestamps_staleness', 'follow_redirects', 'enable_http2',
  'scrape_classic_histograms', 'native_histogram_bucket_limit', 'native_histogram_min_bucket_factor', 'always_scrape_classic_histograms',
  'convert_classic_histograms_to_nhcb', 'metric_name_validation_scheme', 'metric_name_escaping_scheme', 'scrape_failure_log_file', 'fallback_scrape_protocol',
];

const NOT_IN_GUIDE = `the ${GUIDE} does not list it among the supported sections`;

/** Prometheus scrape_config fields a managed collector refuses, with the reason. */
export const REFUSED_JOB_FIELDS: Record<string, string> = {
  tls_config: `${NOT_IN_GUIDE}; a managed collector reaches the API server with its own trust (as AMP's default configuration does, without tls_config)`,
  basic_auth: `${NOT_IN_GUIDE}; a managed collector authenticates with its service-account token only (authorization.credentials_file)`,
  oauth2: `${NOT_IN_GUIDE}; a managed collector authenticates with its service-account token only (authorization.credentials_file)`,
  bearer_token: 'inline secrets are not supported; the collector uses its service-account token file',
  proxy_url: `${NOT_IN_GUIDE}; a managed collector reaches targets through its own network interfaces, not a proxy`,
  proxy_from_environment: `${NOT_IN_GUIDE}; a managed collector reaches targets through its own network interfaces, not a proxy`,
  no_proxy: `${NOT_IN_GUIDE}; a managed collector reaches targets through its own network interfaces, not a proxy`,
  proxy_connect_header: `${NOT_IN_GUIDE}; a managed collector reaches targets through its own network interfaces, not a proxy`,
  file_sd_configs: `${NOT_IN_GUIDE}; a managed collector has no files; use kubernetes_sd_configs or static_configs with IP addresses`,
};

/** Every other `<kind>_sd_configs` of Prometheus is refused: the guide documents Kubernetes discovery and static targets. */
export const SERVICE_DISCOVERY_SUFFIX = '_sd_configs';

export const AUTHORIZATION_FIELDS = ['type', 'credentials_file'];

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

/**
 * Checks a user's scrape configuration against what an AMP managed collector accepts
 * (collector-config-rules.ts says where each rule comes from) and returns every problem, so that
 * synth fails with all of them at once instead of CreateScraper failing after deployment starts.
 * Pure: no aws-cdk-lib import.
 */
import {
  API_SERVER_ADDRESS, AUTHORIZATION_FIELDS, GLOBAL_FIELDS, GUIDE, GUIDE_SILENT_JOB_FIELDS, JOB_FIELDS,
  KUBERNETES_SD_FIELDS, KUBERNETES_SD_ROLES, MIN_INTERVAL_MS,
  PROMETHEUS_DEFAULT_INTERVAL, PROMETHEUS_DEFAULT_TIMEOUT, REFUSED_JOB_FIELDS, REFUSED_TOP_LEVEL, RELABEL_ACTIONS, RELABEL_FIELDS,
  SERVICE_ACCOUNT_TOKEN, SERVICE_DISCOVERY_SUFFIX, STATIC_CONFIG_FIELDS, TOP_LEVEL_FIELDS,
} from './collector-config-rules';
import { yaml } from '../core/lazy-yaml';
import { PROMETHEUS_DURATION_EXPECTED, prometheusDurationMs } from '../core/prometheus-duration';

type Problems = string[];

/** Every reason AMP would reject this configuration text (empty when it is acceptable). */
export function scrapeConfigProblems(text: string): string[] {
  let document: unknown;
  try {
    document = yaml().parse(text);
  } catch (error) {
    return [`is not valid YAML: ${(error as Error).message.split('\n')[0]}`];
  }
  if (!isMapping(document)) return ['is not a YAML mapping'];
  const problems: Problems = [];
  fields(problems, '', document, TOP_LEVEL_FIELDS, REFUSED_TOP_LEVEL);

  const global = document.global ?? {};
  if (!isMapping(global)) problems.push('global is not a mapping');
  else fields(problems, 'global.', global, GLOBAL_FIELDS);
  const globalInterval = isMapping(global) ? interval(problems, 'global.scrape_interval', global.scrape_interval) : undefined;
  const globalTimeout = isMapping(global) ? duration(problems, 'global.scrape_timeout', global.scrape_timeout) : undefined;
  timeoutWithinInterval(problems, 'global', globalInterval, globalTimeout);

  const jobs = document.scrape_configs;
  if (!Array.isArray(jobs) || jobs.length === 0) {
    problems.push('has no scrape_configs');
    return problems;
  }
  const seen = new Set<string>();
  jobs.forEach((job, i) => {
    const where = `scrape_configs[${i}]${isMapping(job) && typeof job.job_name === 'string' ? ` (${job.job_name})` : ''}`;
    if (!isMapping(job)) {
      problems.push(`${where} is not a mapping`);
      return;
    }
    if (typeof job.job_name !== 'string' || job.job_name === '') problems.push(`${where} has no job_name`);
    else if (seen.has(job.job_name)) problems.push(`${where}: job_name ${JSON.stringify(job.job_name)} is used twice (Prometheus requires unique job names)`);
    else seen.add(job.job_name);
    checkJob(problems, where, job, globalInterval);
  });
  return problems;
}

/**
 * The fields AMP's guide is silent about (accepted, but CreateScraper may refuse them or the collector
 * ignore them): one warning per job and field, citing the guide.
 */
export function scrapeConfigWarnings(text: string): string[] {
  let document: unknown;
  try {
    document = yaml().parse(text);
  } catch {
    return [];
  }
  const jobs = isMapping(document) && Array.isArray(document.scrape_configs) ? document.scrape_configs : [];
  return jobs.flatMap((job, i) => (isMapping(job) ? Object.keys(job) : [])
    .filter((key) => GUIDE_SILENT_JOB_FIELDS.includes(key))
    .map((key) => `scrape_configs[${i}]${typeof job.job_name === 'string' ? ` (${job.job_name})` : ''}.${key}: AMP's user guide (${GUIDE}) does not list it; CreateScraper may refuse it, or the collector ignore it`));
}

function checkJob(problems: Problems, where: string, job: Record<string, any>, globalInterval?: number): void {
  fields(problems, `${where}.`, job, [...JOB_FIELDS, ...GUIDE_SILENT_JOB_FIELDS], REFUSED_JOB_FIELDS, (key) => key.endsWith(SERVICE_DISCOVERY_SUFFIX) && key !== 'kubernetes_sd_configs'
    ? `${key.replace(SERVICE_DISCOVERY_SUFFIX, '')} service discovery is not available to a managed collector (use kubernetes_sd_configs, or static_configs with IP addresses)`
    : undefined);
  const jobInterval = interval(problems, `${where}.scrape_interval`, job.scrape_interval);
  const jobTimeout = duration(problems, `${where}.scrape_timeout`, job.scrape_timeout);
  // An inherited timeout longer than the job's interval is clamped by Prometheus; the job's own is an error.
  if (jobTimeout !== undefined) timeoutWithinInterval(problems, where, jobInterval ?? globalInterval, jobTimeout);
  if (job.scheme !== undefined && !['http', 'https'].includes(job.scheme)) problems.push(`${where}.scheme ${JSON.stringify(job.scheme)} is not http or https`);
  if (job.metrics_path !== undefined && !String(job.metrics_path).startsWith('/')) problems.push(`${where}.metrics_path must start with "/"`);

  if (job.authorization !== undefined) {
    const auth = job.authorization;
    if (!isMapping(auth)) {problems.push(`${where}.authorization is not a mapping`);} else {
      fields(problems, `${where}.authorization.`, auth, AUTHORIZATION_FIELDS, { credentials: 'inline secrets are not supported; use credentials_file with the service-account token' });
      if (auth.type !== undefined && auth.type !== 'Bearer') problems.push(`${where}.authorization.type ${JSON.stringify(auth.type)}: only Bearer with the service-account token`);
      tokenFile(problems, `${where}.authorization.credentials_file`, auth.credentials_file);
    }
  }
  tokenFile(problems, `${where}.bearer_token_file`, job.bearer_token_file);

  list(problems, `${where}.kubernetes_sd_configs`, job.kubernetes_sd_configs, (sd, at) => {
    fields(problems, `${at}.`, sd, KUBERNETES_SD_FIELDS, {
      api_server: 'a managed collector talks to its own cluster\'s API server',
      kubeconfig_file: 'a managed collector has no kubeconfig file',
    });
    if (!KUBERNETES_SD_ROLES.includes(sd.role)) problems.push(`${at}.role ${JSON.stringify(sd.role)} is not one of ${KUBERNETES_SD_ROLES.join(', ')}`);
  });
  list(problems, `${where}.static_configs`, job.static_configs, (sc, at) => {
    fields(problems, `${at}.`, sc, STATIC_CONFIG_FIELDS);
    if (sc.targets !== undefined && !Array.isArray(sc.targets)) problems.push(`${at}.targets is not a list`);
    (Array.isArray(sc.targets) ? sc.targets : []).forEach((target: unknown) => {
      if (!isIpTarget(String(target))) problems.push(`${at} static target ${JSON.stringify(target)} is not an IP address (AMP collectors cannot resolve DNS names)`);
    });
  });
  for (const key of ['relabel_configs', 'metric_relabel_configs']) {
    list(problems, `${where}.${key}`, job[key], (rule, at) => checkRelabel(problems, at, rule, key === 'relabel_configs'));
  }
}

function checkRelabel(problems: Problems, at: string, rule: Record<string, any>, beforeScrape: boolean): void {
  fields(problems, `${at}.`, rule, RELABEL_FIELDS);
  const action = rule.action ?? 'replace';
  if (!RELABEL_ACTIONS.includes(action)) problems.push(`${at}.action ${JSON.stringify(action)} is not one of ${RELABEL_ACTIONS.join(', ')}`);
  if (rule.regex !== undefined) {
    const reason = regexProblem(String(rule.regex));
    if (reason) problems.push(`${at}.regex ${JSON.stringify(rule.regex)} ${reason}`);
  }
  if (['replace', 'hashmod', 'lowercase', 'uppercase', 'keepequal', 'dropequal'].includes(action) && rule.target_label === undefined) {
    problems.push(`${at}: action ${action} needs target_label`);
  }
  if (action === 'hashmod' && rule.modulus === undefined) problems.push(`${at}: action hashmod needs modulus`);
  // Relabelling the scrape address to a name the collector would have to resolve (it resolves none
  // but the API server, which AMP's own default configuration uses for cAdvisor).
  if (beforeScrape && rule.target_label === '__address__' && typeof rule.replacement === 'string' && !rule.replacement.includes('$')) {
    const host = rule.replacement.replace(/:\d+$/, '');
    if (!isIpTarget(rule.replacement) && !isIpTarget(host) && rule.replacement !== API_SERVER_ADDRESS) {
      problems.push(`${at} sets __address__ to ${JSON.stringify(rule.replacement)}, a DNS name; a managed collector scrapes IP addresses (or ${API_SERVER_ADDRESS})`);
    }
  }
}

/**
 * Prometheus compiles relabel regexes as RE2, anchored at both ends. JavaScript's RegExp catches the
 * syntax errors once RE2-only syntax is translated (flag groups `(?i)` / `(?i:...)`, named groups
 * `(?P<name>...)`); RE2 has no lookaround and no backreferences, which JS would accept, and refuses
 * repeat counts over 1000.
 */
function regexProblem(regex: string): string | undefined {
  if (/\(\?[=!]|\(\?<[=!]/.test(regex)) return 'uses lookaround, which RE2 (Prometheus) does not support';
  if (/\\[1-9]/.test(regex)) return 'uses a backreference, which RE2 (Prometheus) does not support';
  const repeats = [...regex.matchAll(/\{(\d+)(?:,(\d*))?\}/g)].flatMap((m) => [m[1], m[2]]).filter(Boolean).map(Number);
  if (repeats.some((n) => n > 1000)) return 'repeats more than 1000 times, which RE2 (Prometheus) refuses';
  const asJavaScript = regex
    .replace(/\(\?P</g, '(?<')
    .replace(/\(\?[imsU]+\)/g, '')
    .replace(/\(\?[imsU]*-?[imsU]*:/g, '(?:');
  try {
    new RegExp(`^(?:${asJavaScript})$`);
    return undefined;
  } catch (error) {
    return `is not a valid regular expression (${(error as Error).message.replace(/^Invalid regular expression: /, '')})`;
  }
}

/** A scrape interval: a Prometheus duration of at least 30 s (AMP user guide, "Scraper configuration"). */
function interval(problems: Problems, where: string, value: unknown): number | undefined {
  const ms = duration(problems, where, value);
  if (ms !== undefined && ms < MIN_INTERVAL_MS) problems.push(`${where} is ${value}; AMP collectors scrape at most every ${MIN_INTERVAL_MS / 1000}s`);
  return ms;
}

/** Prometheus refuses a scrape_timeout longer than the scrape_interval it applies to (defaults: 1m and 10s). */
function timeoutWithinInterval(problems: Problems, where: string, intervalMs?: number, timeoutMs?: number): void {
  const effectiveInterval = intervalMs ?? prometheusDurationMs(PROMETHEUS_DEFAULT_INTERVAL)!;
  const effectiveTimeout = timeoutMs ?? prometheusDurationMs(PROMETHEUS_DEFAULT_TIMEOUT)!;
  if (effectiveTimeout > effectiveInterval) {
    problems.push(`${where}: scrape_timeout (${effectiveTimeout / 1000}s) is longer than scrape_interval (${effectiveInterval / 1000}s)`);
  }
}

function duration(problems: Problems, where: string, value: unknown): number | undefined {
  if (value === undefined) return undefined;
  const ms = typeof value === 'string' ? prometheusDurationMs(value) : undefined;
  if (ms === undefined) problems.push(`${where} ${JSON.stringify(value)} is not ${PROMETHEUS_DURATION_EXPECTED}`);
  return ms;
}

function tokenFile(problems: Problems, where: string, value: unknown): void {
  if (value !== undefined && value !== SERVICE_ACCOUNT_TOKEN) {
    problems.push(`${where} ${JSON.stringify(value)}: a managed collector has only its service-account token, ${SERVICE_ACCOUNT_TOKEN}`);
  }
}

/** Unknown fields (Prometheus unmarshals strictly) and refused ones, each with its reason. */
function fields(
  problems: Problems, prefix: string, value: Record<string, unknown>, known: string[],
  refused: Record<string, string> = {}, refusedBy?: (key: string) => string | undefined,
): void {
  for (const key of Object.keys(value)) {
    const reason = (Object.prototype.hasOwnProperty.call(refused, key) ? refused[key] : undefined) ?? refusedBy?.(key);
    if (reason) problems.push(`${prefix}${key} is not accepted: ${reason}`);
    else if (!known.includes(key)) problems.push(`${prefix}${key} is not a field AMP's collector accepts here (known: ${known.join(', ')})`);
  }
}

function list(problems: Problems, where: string, value: unknown, each: (item: Record<string, any>, at: string) => void): void {
  if (value === undefined) return;
  if (!Array.isArray(value)) {
    problems.push(`${where} is not a list`);
    return;
  }
  value.forEach((item, i) => {
    if (isMapping(item)) each(item, `${where}[${i}]`);
    else problems.push(`${where}[${i}] is not a mapping`);
  });
}

function isMapping(value: unknown): value is Record<string, any> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** "10.0.0.1:9100", "10.0.0.1" or "[fd00::1]:9100". */
function isIpTarget(target: string): boolean {
  const ipv4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})(:\d{1,5})?$/.exec(target);
  if (ipv4) return ipv4.slice(1, 5).every((octet) => Number(octet) <= 255);
  // IPv6: in brackets (with an optional port), or bare with at least two colons ("cafe:9100" is a host and port).
  return /^\[[0-9a-fA-F:]+\](:\d{1,5})?$/.test(target) || /^[0-9a-fA-F]*:[0-9a-fA-F]*:[0-9a-fA-F:]*$/.test(target);
}

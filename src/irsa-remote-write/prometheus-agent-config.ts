/**
 * Prometheus in agent mode (`prometheus --agent`): scrape, then remote-write only. The sigv4 keys are
 * Prometheus' own (`remote_write[].sigv4.{region, role_arn, external_id}`, snake_case), not
 * prometheus-operator's camelCase `remoteWrite[].sigv4.roleArn` (which has no external ID).
 *
 * Source: github.com/prometheus/sigv4 `SigV4Config` at v0.4.1 (25ceaf69 for v0.4.0, 2026-01-06):
 * `region`, `access_key`, `secret_key`, `profile`, `role_arn`, `external_id`, `use_fips_sts_endpoint`,
 * `service_name`; `Validate()` refuses `external_id` without `role_arn`. `external_id` is new in
 * v0.4.0: Prometheus 2.42 (Debian bookworm) refuses it ("field external_id not found in type sigv4.plain").
 */
import { stringify } from 'yaml';
import { checkClientProps, podScrapeJob, RemoteWriteClientProps } from './remote-write-client';
import { PropsValidator, propsOrEmpty } from '../core/validation';
import { TrustProbeHop } from '../cross-account-workload/trust-probe-chart';

/**
 * Props of {@link PrometheusAgentConfig}.
 */
export interface PrometheusAgentConfigProps extends RemoteWriteClientProps {}

/**
 * A Prometheus agent-mode configuration file (`prometheus.yml` for `prometheus --agent`) that scrapes
 * the cluster's annotated pods and remote-writes them to an AMP workspace with SigV4.
 */
export class PrometheusAgentConfig {
  /** The configuration as an object (what `toYaml` writes). */
  public readonly config: Record<string, any>;

  /** The remote-write URL. */
  public readonly remoteWriteUrl: string;

  private readonly props: PrometheusAgentConfigProps;

  /**
   * @param props the workspace, the role to assume and its external ID
   */
  constructor(props: PrometheusAgentConfigProps) {
    props = propsOrEmpty(props);
    const v = PropsValidator.forChart('PrometheusAgentConfig');
    const target = checkClientProps(v, props);
    v.throwIfAny();
    this.props = props;
    this.remoteWriteUrl = target!.url;
    const sigv4: Record<string, string> = { region: target!.region };
    if (props.roleArn) sigv4.role_arn = props.roleArn;
    if (props.externalId) sigv4.external_id = props.externalId;
    // Agent mode refuses rule_files and alerting (promtool check config --agent).
    this.config = {
      global: { scrape_interval: props.scrapeInterval ?? '30s' },
      scrape_configs: [podScrapeJob()],
      remote_write: [{ url: target!.url, sigv4 }],
    };
  }

  /** The configuration file's text. */
  public toYaml(): string {
    return stringify(this.config);
  }

  /**
   * The trust probe's hops for this client (`TrustProbeChart.hops`): the role `remote_write[].sigv4.role_arn`
   * assumes, with its external ID, so the probe names the setting whose hop failed.
   */
  public trustProbeHops(): TrustProbeHop[] {
    if (!this.props.roleArn) return [];
    return [{ roleArn: this.props.roleArn, externalId: this.props.externalId, description: 'Prometheus remote_write[0].sigv4.role_arn' }];
  }
}

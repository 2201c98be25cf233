/**
 * The AWS Distro for OpenTelemetry (ADOT) / OpenTelemetry collector: a `prometheus` receiver, the
 * `prometheusremotewrite` exporter, and the `sigv4auth` extension as its authenticator.
 *
 * Source: open-telemetry/opentelemetry-collector-contrib `extension/sigv4authextension/config.go`
 * (commit 00595fe8): `Config { region, service, assume_role { arn, session_name, sts_region },
 * assume_role_with_web_identity { arn, token_file, sts_region } }`, and `Validate()` defaults
 * `assume_role.sts_region` to `region`. There is no external ID: a role that requires one cannot be
 * assumed by this client. Grafana Alloy's `otelcol.auth.sigv4` (grafana/alloy 66ebea85, on
 * sigv4authextension v0.158.0) wraps the same fields. The exporter takes `auth.authenticator: sigv4auth`
 * and the extension must be listed in `service.extensions`.
 *
 * Users report a trust failure on the assume_role hop as the collector saying its AWS credentials are
 * bad, not as an AccessDenied on a named role (issue 23; not verified against a running collector here):
 * the trust probe names the hop instead.
 */
import { stringify } from 'yaml';
import { checkClientProps, podScrapeJob, RemoteWriteClientProps } from './remote-write-client';
import { PropsValidator, propsOrEmpty } from '../core/validation';
import { TrustProbeHop } from '../cross-account-workload/trust-probe-chart';

/**
 * Props of {@link AdotCollectorConfig}.
 */
export interface AdotCollectorConfigProps extends RemoteWriteClientProps {}

/**
 * An OpenTelemetry collector configuration (ADOT collector or otelcol-contrib) that scrapes the
 * cluster's annotated pods and remote-writes them to an AMP workspace with SigV4.
 */
export class AdotCollectorConfig {
  /** The configuration as an object (what `toYaml` writes). */
  public readonly config: Record<string, any>;

  /** The remote-write URL. */
  public readonly remoteWriteUrl: string;

  private readonly props: AdotCollectorConfigProps;

  /**
   * @param props the workspace and the role to assume (no external ID: sigv4auth has none)
   */
  constructor(props: AdotCollectorConfigProps) {
    props = propsOrEmpty(props);
    const v = PropsValidator.forChart('AdotCollectorConfig');
    const target = checkClientProps(v, props);
    if (props.externalId !== undefined && props.externalId !== null) {
      v.problem('externalId', 'the collector\'s sigv4auth extension has no external ID (assume_role takes arn, session_name and sts_region only); '
        + 'expected none: have the vendor\'s role trust this customer\'s source role by aws:PrincipalArn instead');
    }
    v.throwIfAny();
    this.props = props;
    this.remoteWriteUrl = target!.url;
    const sigv4auth: Record<string, unknown> = { region: target!.region, service: 'aps' };
    if (props.roleArn) sigv4auth.assume_role = { arn: props.roleArn, sts_region: target!.region };
    this.config = {
      extensions: { sigv4auth },
      receivers: { prometheus: { config: { global: { scrape_interval: props.scrapeInterval ?? '30s' }, scrape_configs: [podScrapeJob()] } } },
      exporters: { prometheusremotewrite: { endpoint: target!.url, auth: { authenticator: 'sigv4auth' } } },
      service: {
        extensions: ['sigv4auth'],
        pipelines: { metrics: { receivers: ['prometheus'], exporters: ['prometheusremotewrite'] } },
      },
    };
  }

  /**
   * The configuration file's text. The collector expands `${...}` in its config, so Prometheus'
   * own `$` (relabel replacements) would have to be written `$$`; this config uses none.
   */
  public toYaml(): string {
    return stringify(this.config);
  }

  /** The trust probe's hops for this client: the role `extensions.sigv4auth.assume_role.arn` assumes. */
  public trustProbeHops(): TrustProbeHop[] {
    if (!this.props.roleArn) return [];
    return [{
      roleArn: this.props.roleArn,
      description: 'ADOT extensions.sigv4auth.assume_role.arn (the collector reports a failure here as bad AWS credentials)',
    }];
  }
}

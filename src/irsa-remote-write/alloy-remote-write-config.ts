/**
 * Grafana Alloy: a `prometheus.remote_write` component whose `endpoint` block signs with a `sigv4` block.
 *
 * Source: grafana/alloy at 66ebea85 (2026-08-21), `internal/component/prometheus/remotewrite/types.go`
 * `SigV4Config` (`region`, `access_key`, `secret_key`, `profile`, `role_arn`, `external_id`,
 * `use_fips_sts_endpoint`, `service_name`; external_id only with role_arn) and the reference page
 * `docs/sources/reference/components/prometheus/prometheus.remote_write.md` (`endpoint > sigv4`).
 * `external_id` came with commit 96dd5e0a (2026-07-07), which no v1.x release tag of that snapshot
 * contains yet: without `allowExternalId` it is refused, so released Alloy versions do not fail on it.
 */
import { checkClientProps, RemoteWriteClientProps } from './remote-write-client';
import { PropsValidator, propsOrEmpty } from '../core/validation';
import { TrustProbeHop } from '../cross-account-workload/trust-probe-chart';

/**
 * Props of {@link AlloyRemoteWriteConfig}.
 */
export interface AlloyRemoteWriteConfigProps extends RemoteWriteClientProps {
  /**
   * The component's label: other components forward to `prometheus.remote_write.<label>.receiver`.
   *
   * @default 'amp'
   */
  readonly label?: string;

  /**
   * Write `external_id` in the sigv4 block: only for an Alloy built after grafana/alloy 96dd5e0a (2026-07-07).
   *
   * @default false
   */
  readonly allowExternalId?: boolean;
}

/** A string as an Alloy string literal (double-quoted; backslash and quote escaped, as in Go). */
function alloyString(value: string): string {
  return JSON.stringify(value);
}

/**
 * An Alloy configuration fragment (`.alloy`) with one `prometheus.remote_write` component that writes
 * to an AMP workspace with SigV4, and a pod scrape forwarding to it.
 */
export class AlloyRemoteWriteConfig {
  /** The component's receiver, for other components' `forward_to`. */
  public readonly receiver: string;

  /** The remote-write URL. */
  public readonly remoteWriteUrl: string;

  private readonly text: string;
  private readonly props: AlloyRemoteWriteConfigProps;

  /**
   * @param props the workspace, the role to assume and the component's label
   */
  constructor(props: AlloyRemoteWriteConfigProps) {
    props = propsOrEmpty(props);
    const v = PropsValidator.forChart('AlloyRemoteWriteConfig');
    const target = checkClientProps(v, props);
    v.boolean('allowExternalId', props.allowExternalId);
    // An Alloy identifier: letters, digits and underscores, not starting with a digit.
    if (props.label !== undefined && props.label !== null && (typeof props.label !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(props.label))) {
      v.problem('label', `got ${JSON.stringify(props.label)}; expected an Alloy identifier (letters, digits, _; not starting with a digit)`);
    }
    if (props.externalId !== undefined && props.externalId !== null && props.allowExternalId !== true) {
      v.problem('externalId', 'released Alloy versions have no sigv4 external_id (added by grafana/alloy 96dd5e0a, 2026-07-07); set allowExternalId for a newer Alloy, or leave it out');
    }
    // Alloy durations are Go durations (h, m, s, ms): Prometheus' d, w and y are refused by Alloy.
    if (typeof props.scrapeInterval === 'string' && /[dwy]/.test(props.scrapeInterval)) {
      v.problem('scrapeInterval', `got ${JSON.stringify(props.scrapeInterval)}; expected a duration Alloy accepts: units h, m, s, ms (30s, 1m30s)`);
    }
    v.throwIfAny();
    this.props = props;
    const label = props.label ?? 'amp';
    this.receiver = `prometheus.remote_write.${label}.receiver`;
    this.remoteWriteUrl = target!.url;
    const sigv4 = [`      region   = ${alloyString(target!.region)}`];
    if (props.roleArn) sigv4.push(`      role_arn = ${alloyString(props.roleArn)}`);
    if (props.externalId) sigv4.push(`      external_id = ${alloyString(props.externalId)}`);
    this.text = [
      'discovery.kubernetes "pods" {',
      '  role = "pod"',
      '}',
      '',
      'discovery.relabel "annotated_pods" {',
      '  targets = discovery.kubernetes.pods.targets',
      '  rule {',
      '    source_labels = ["__meta_kubernetes_pod_annotation_prometheus_io_scrape"]',
      '    action        = "keep"',
      '    regex         = "true"',
      '  }',
      '}',
      '',
      'prometheus.scrape "pods" {',
      '  targets         = discovery.relabel.annotated_pods.output',
      `  scrape_interval = ${alloyString(props.scrapeInterval ?? '30s')}`,
      `  forward_to      = [${this.receiver}]`,
      '}',
      '',
      `prometheus.remote_write ${alloyString(label)} {`,
      '  endpoint {',
      `    url = ${alloyString(target!.url)}`,
      '    sigv4 {',
      ...sigv4,
      '    }',
      '  }',
      '}',
      '',
    ].join('\n');
  }

  /** The configuration's text (Alloy syntax). */
  public toAlloy(): string {
    return this.text;
  }

  /** The trust probe's hops for this client: the role `endpoint > sigv4 > role_arn` assumes. */
  public trustProbeHops(): TrustProbeHop[] {
    if (!this.props.roleArn) return [];
    return [{ roleArn: this.props.roleArn, externalId: this.props.externalId, description: 'Alloy prometheus.remote_write > endpoint > sigv4 > role_arn' }];
  }
}

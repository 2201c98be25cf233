/**
 * What every remote-write client config takes, and the checks they share. A client signs with the
 * pod's own identity (IRSA or EKS Pod Identity) and, with `roleArn`, first assumes another role with it
 * (the vendor's remote-write role). Pure values: no CDK stack, every token refused (they are written as text).
 */
import { ArgumentChecker } from '../core/arguments';
import { partitionOf } from '../core/partition';
import { isPrometheusDuration, PROMETHEUS_DURATION_EXPECTED } from '../core/prometheus-duration';
import { ArnKind, arnRule, parseArn } from '../core/rules';
import { PropsValidator } from '../core/validation';

/**
 * Props shared by the remote-write client configs (`PrometheusAgentConfig`, `AdotCollectorConfig`, `AlloyRemoteWriteConfig`).
 */
export interface RemoteWriteClientProps {
  /** The AMP workspace to write to; the remote-write URL and the SigV4 region come from it. */
  readonly workspaceArn: string;

  /**
   * The role the client assumes before it signs (the vendor's remote-write role). It must not be the
   * pod's own role: a role cannot assume itself unless its trust policy names itself, so the client
   * would fail ("not authorized to perform sts:AssumeRole").
   *
   * @default - none: the client signs with the pod's own credentials
   */
  readonly roleArn?: string;

  /**
   * The external ID the role requires (`sts:ExternalId`); needs `roleArn`. Only the clients whose
   * sigv4 settings carry one accept it.
   *
   * @default - none
   */
  readonly externalId?: string;

  /**
   * The pod's own role (its IRSA role, or its EKS Pod Identity role): checked to differ from
   * `roleArn`, and the first hop of the trust probe.
   *
   * @default - not checked
   */
  readonly podRoleArn?: string;

  /**
   * How often the client scrapes, as a Prometheus duration.
   *
   * @default '30s'
   */
  readonly scrapeInterval?: string;
}

/** What a valid config needs, derived once. */
export interface RemoteWriteTarget {
  readonly url: string;
  readonly region: string;
}

/** Validates the shared props (tokens refused: a config is text); returns the URL and region when valid. */
export function checkClientProps(v: PropsValidator, props: RemoteWriteClientProps): RemoteWriteTarget | undefined {
  const a = new ArgumentChecker('checkClientProps(v, props)');
  if (!(v instanceof PropsValidator)) a.problem('v', 'expected a PropsValidator (new PropsValidator(owner))');
  a.object('props', props, 'the props object');
  a.result(() => undefined);
  const workspaceOk = v.required('workspaceArn', props.workspaceArn) && checked(v, () => v.check('workspaceArn', props.workspaceArn, arnRule(ArnKind.APS_WORKSPACE)));
  v.check('roleArn', props.roleArn, arnRule(ArnKind.IAM_ROLE));
  v.check('podRoleArn', props.podRoleArn, arnRule(ArnKind.IAM_ROLE));
  v.externalId('externalId', props.externalId);
  if (props.externalId !== undefined && props.externalId !== null && typeof props.externalId !== 'string') v.problem('externalId', 'expected a string');
  // prometheus/sigv4 SigV4Config.Validate (and Alloy's copy of it): "external_id can only be used with role_arn".
  if (isGiven(props.externalId) && !isGiven(props.roleArn)) v.problem('externalId', 'needs roleArn: an external ID is sent only when assuming a role');
  if (typeof props.roleArn === 'string' && props.roleArn === props.podRoleArn) {
    v.problem('roleArn', 'is the pod\'s own role (podRoleArn): a role cannot assume itself by default; give the vendor\'s role, or leave roleArn out to sign with the pod\'s own credentials');
  }
  if (isGiven(props.scrapeInterval) && !isPrometheusDuration(props.scrapeInterval)) {
    v.problem('scrapeInterval', `got ${JSON.stringify(props.scrapeInterval)}; expected ${PROMETHEUS_DURATION_EXPECTED}`);
  }
  if (!workspaceOk) return undefined;
  const workspace = parseArn(props.workspaceArn)!;
  const id = workspace.resource.split('/')[1];
  return { url: `https://aps-workspaces.${workspace.region}.${partitionOf(workspace.region).dnsSuffix}/workspaces/${id}/api/v1/remote_write`, region: workspace.region };
}

function checked(v: PropsValidator, run: () => void): boolean {
  const before = v.problemCount;
  run();
  return v.problemCount === before;
}

function isGiven(value: unknown): boolean {
  return value !== undefined && value !== null && value !== '';
}

/** The Kubernetes pods job every client config starts from: pods that opt in with `prometheus.io/scrape: "true"`. */
export function podScrapeJob(): Record<string, unknown> {
  return {
    job_name: 'kubernetes-pods',
    kubernetes_sd_configs: [{ role: 'pod' }],
    relabel_configs: [
      { source_labels: ['__meta_kubernetes_pod_annotation_prometheus_io_scrape'], action: 'keep', regex: 'true' },
      { source_labels: ['__meta_kubernetes_namespace'], target_label: 'namespace' },
      { source_labels: ['__meta_kubernetes_pod_name'], target_label: 'pod' },
    ],
  };
}

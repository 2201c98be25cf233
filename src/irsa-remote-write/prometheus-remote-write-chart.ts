import * as cdk8s from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { IRSA_ROLE_ANNOTATION } from '../core/k8s';
import { partitionOf } from '../core/partition';
import { isPrometheusDuration, PROMETHEUS_DURATION_EXPECTED } from '../core/prometheus-duration';
import { ArnKind, arnRule, EKS_CLUSTER_NAME, parseArn } from '../core/rules';
import { ServiceAccountRef } from '../core/service-account';
import { describeValue, PropsValidator, propsOrEmpty } from '../core/validation';

/**
 * Remote-write queue tuning (prometheus-operator `QueueConfig`, camelCase).
 *
 * @see https://prometheus.io/docs/practices/remote_write/
 */
export interface RemoteWriteQueueConfig {
  /**
   * Samples buffered per shard before reading from the WAL blocks.
   *
   * @default 2500
   */
  readonly capacity?: number;

  /**
   * The most shards (concurrent requests).
   *
   * @default 200
   */
  readonly maxShards?: number;

  /**
   * The fewest shards.
   *
   * @default - Prometheus' default (1)
   */
  readonly minShards?: number;

  /**
   * Samples per request.
   *
   * @default 1000
   */
  readonly maxSamplesPerSend?: number;

  /**
   * The longest a sample waits in the buffer, as a Prometheus duration such as `5s`.
   *
   * @default - Prometheus' default (5s)
   */
  readonly batchSendDeadline?: string;

  /**
   * The first retry delay, as a Prometheus duration such as `30ms`.
   *
   * @default - Prometheus' default (30ms)
   */
  readonly minBackoff?: string;

  /**
   * The longest retry delay, as a Prometheus duration such as `5s`.
   *
   * @default - Prometheus' default (5s)
   */
  readonly maxBackoff?: string;
}

/**
 * Props of {@link PrometheusRemoteWriteChart}. Plain values only: the chart never depends on a CDK stack.
 */
export interface PrometheusRemoteWriteChartProps {
  /**
   * The AMP workspace to write to; the remote-write URL and the SigV4 region come from it.
   */
  readonly workspaceArn: string;

  /**
   * The IRSA role Prometheus' service account is annotated with: `IrsaRemoteWriteRole.roleArnFor(<this cluster's issuer>)`,
   * or, in an organization fleet's IRSA cluster, `FleetNames.irsaRoleArn(<partition>, <account>, FleetNames.REMOTE_WRITE, <cluster>, <region>)`
   * (then `chainRoleArn` is the central remote-write role).
   *
   * @default - none; required unless `podIdentity` is true
   */
  readonly roleArn?: string;

  /**
   * The service account gets its credentials from an EKS Pod Identity association instead of IRSA
   * (the fleet's, whose `TargetRoleArn` is the central remote-write role): no IRSA annotation, and
   * Prometheus signs with the association's credentials, which are already the target role's.
   *
   * @default false
   */
  readonly podIdentity?: boolean;

  /**
   * Prometheus' service account. Must be one the role trusts.
   *
   * @default { namespace: 'monitoring', name: 'prometheus' }
   */
  readonly serviceAccount?: ServiceAccountRef;

  /**
   * The cluster's name, added to every series as the external label `cluster` so that several
   * clusters can share one workspace.
   *
   * @default - no external label
   */
  readonly clusterName?: string;

  /**
   * A different role for SigV4 to assume with the IRSA credentials before writing (`sigv4.roleArn`),
   * for a chain of roles. Never the IRSA role itself: a role cannot assume itself.
   *
   * @default - write with the IRSA role's own credentials
   */
  readonly chainRoleArn?: string;

  /**
   * Remote-write queue tuning.
   *
   * @default - capacity 2500, maxShards 200, maxSamplesPerSend 1000 (the AMP user guide's values)
   */
  readonly queueConfig?: RemoteWriteQueueConfig;

  /**
   * Emit the Namespace object.
   *
   * @default true
   */
  readonly createNamespace?: boolean;

  /**
   * Emit the annotated ServiceAccount (and tell helm not to create it). Set to false to let the
   * kube-prometheus-stack release create it from the values' annotations instead.
   *
   * @default true
   */
  readonly createServiceAccount?: boolean;

  /**
   * Labels added to every object of the chart.
   *
   * @default - none
   */
  readonly labels?: { [key: string]: string };
}

const DEFAULT_SERVICE_ACCOUNT: ServiceAccountRef = { namespace: 'monitoring', name: 'prometheus' };
// AMP user guide, "Set up ingestion from a new Prometheus server using Helm": the queue_config it recommends.
const DEFAULT_QUEUE_CONFIG = { maxSamplesPerSend: 1000, maxShards: 200, capacity: 2500 };

/**
 * The source-cluster side of Prometheus remote write over IRSA: the service account annotated
 * with the target account's role, and kube-prometheus-stack values that write to the workspace
 * with SigV4 (`helmValues`, `helmValuesYaml()`).
 */
export class PrometheusRemoteWriteChart extends cdk8s.Chart {
  /** The workspace's remote-write endpoint. */
  public readonly remoteWriteUrl: string;

  /** The workspace's region, used for SigV4. */
  public readonly region: string;

  /** Prometheus' service account. */
  public readonly serviceAccountRef: ServiceAccountRef;

  /** kube-prometheus-stack values, as an object. */
  public readonly helmValues: any;

  /**
   * @param scope the cdk8s app (or a construct in it)
   * @param id the chart ID, also the manifest file name
   * @param props the workspace, the role and the service account
   */
  constructor(scope: Construct, id: string, props: PrometheusRemoteWriteChartProps) {
    super(scope, id, { labels: propsOrEmpty(props).labels });
    props = propsOrEmpty(props);
    const sa = props.serviceAccount ?? DEFAULT_SERVICE_ACCOUNT;
    validate(`PrometheusRemoteWriteChart '${this.node.path}'`, props, sa);

    const workspace = parseArn(props.workspaceArn)!;
    this.region = workspace.region;
    this.remoteWriteUrl = `https://aps-workspaces.${workspace.region}.${partitionOf(workspace.region).dnsSuffix}/workspaces/${workspace.resource.split('/')[1]}/api/v1/remote_write`;
    this.serviceAccountRef = sa;

    const createServiceAccount = props.createServiceAccount ?? true;
    if (props.createNamespace ?? true) {
      new kplus.Namespace(this, 'Namespace', { metadata: { name: sa.namespace } });
    }
    if (createServiceAccount) {
      new kplus.ServiceAccount(this, 'ServiceAccount', {
        metadata: { name: sa.name, namespace: sa.namespace, ...(props.roleArn ? { annotations: { [IRSA_ROLE_ANNOTATION]: props.roleArn } } : {}) },
        // Prometheus reads the Kubernetes API for service discovery with this account's token.
        automountToken: true,
      });
    }

    this.helmValues = {
      prometheus: {
        serviceAccount: {
          create: !createServiceAccount,
          name: sa.name,
          ...(props.roleArn ? { annotations: { [IRSA_ROLE_ANNOTATION]: props.roleArn } } : {}),
        },
        prometheusSpec: {
          ...(props.clusterName ? { externalLabels: { cluster: props.clusterName } } : {}),
          remoteWrite: [
            {
              url: this.remoteWriteUrl,
              sigv4: { region: this.region, ...(props.chainRoleArn ? { roleArn: props.chainRoleArn } : {}) },
              queueConfig: { ...DEFAULT_QUEUE_CONFIG, ...definedOnly(props.queueConfig ?? {}) },
            },
          ],
        },
      },
    };
  }

  /**
   * The kube-prometheus-stack values as YAML, for `helm upgrade --install -n <namespace> -f <file>`.
   */
  public helmValuesYaml(): string {
    return cdk8s.Yaml.stringify(this.helmValues);
  }
}

function validate(owner: string, props: PrometheusRemoteWriteChartProps, sa: ServiceAccountRef): void {
  const v = PropsValidator.forChart(owner);
  if (v.required('workspaceArn', props.workspaceArn)) v.check('workspaceArn', props.workspaceArn, arnRule(ArnKind.APS_WORKSPACE));
  v.boolean('podIdentity', props.podIdentity);
  if (props.podIdentity === true) {
    // With both, the SDK prefers the web identity the IRSA webhook injects: the association would never be used.
    if (props.roleArn !== undefined && props.roleArn !== null) v.problem('roleArn', 'is set with podIdentity: an IRSA annotation would take precedence over the Pod Identity association; set one');
  } else if (v.required('roleArn', props.roleArn)) {
    v.check('roleArn', props.roleArn, arnRule(ArnKind.IAM_ROLE));
  }
  v.check('chainRoleArn', props.chainRoleArn, arnRule(ArnKind.IAM_ROLE));
  v.serviceAccount('serviceAccount', sa);
  v.check('clusterName', props.clusterName, EKS_CLUSTER_NAME);
  if (props.chainRoleArn !== undefined && props.chainRoleArn === props.roleArn) {
    v.problem('chainRoleArn', 'is the IRSA role itself; a role cannot assume itself ("not authorized to perform sts:AssumeRole"). Leave it unset to write with the IRSA role, or name a different role to chain into');
  }
  v.labels('labels', props.labels).boolean('createNamespace', props.createNamespace).boolean('createServiceAccount', props.createServiceAccount);
  const queueGiven = props.queueConfig !== undefined && props.queueConfig !== null;
  if (queueGiven && (typeof props.queueConfig !== 'object' || Array.isArray(props.queueConfig))) {
    v.problem('queueConfig', `got ${describeValue(props.queueConfig)}; expected an object ({ capacity, maxShards, ... })`);
  }
  const queue = queueGiven && typeof props.queueConfig === 'object' && !Array.isArray(props.queueConfig) ? props.queueConfig! : {};
  for (const key of ['capacity', 'maxShards', 'minShards', 'maxSamplesPerSend'] as const) {
    v.integer(`queueConfig.${key}`, queue[key], 1, 1_000_000);
  }
  for (const key of ['batchSendDeadline', 'minBackoff', 'maxBackoff'] as const) {
    const value = queue[key];
    // Prometheus' own grammar (units once each, in order): "5s1m" is refused by the Prometheus CRD and Prometheus.
    if (value !== undefined && value !== null && !isPrometheusDuration(value)) {
      v.problem(`queueConfig.${key}`, `got ${JSON.stringify(value)}; expected ${PROMETHEUS_DURATION_EXPECTED}`);
    }
  }
  if (queue.minShards !== undefined && queue.maxShards !== undefined && queue.minShards > queue.maxShards) {
    v.problem('queueConfig.minShards', `is ${queue.minShards}, more than maxShards ${queue.maxShards}`);
  }
  v.throwIfAny();
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

import * as cdk8s from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { trustProbeScript } from './trust-probe-script';
import { WorkloadIdentityMode } from './workload-source-role';
import { ArnKind, arnRule, K8S_NAME, PINNED_IMAGE, Rule } from '../core/rules';
import { ServiceAccountRef } from '../core/service-account';
import { PropsValidator, propsOrEmpty } from '../core/validation';

/** A hop's description: printed in the probe's log, one line. */
const HOP_DESCRIPTION: Rule = {
  expected: 'one line of at most 200 printable characters',
  check: (value) => (/^[\x20-\x7E]{1,200}$/.test(value) ? undefined : 'not one line of printable characters'),
};

/**
 * One role to assume after the pod's own.
 */
export interface TrustProbeHop {
  /** The role. */
  readonly roleArn: string;
  /**
   * The external ID the role requires.
   *
   * @default - none
   */
  readonly externalId?: string;

  /**
   * What sets this hop up, named when it fails (for example `ADOT extensions.sigv4auth.assume_role.arn`).
   *
   * @default - the hop's number and role only
   */
  readonly description?: string;
}

/**
 * Props of {@link TrustProbeChart}.
 */
export interface TrustProbeChartProps {
  /** The service account to run as: the one whose chain is being checked. */
  readonly serviceAccount: ServiceAccountRef;

  /** The role the pod's own credentials should be (the IRSA role, or the Pod Identity role or target role). */
  readonly firstRoleArn: string;

  /**
   * Roles to assume in order after it.
   *
   * @default - none: only the pod's own role is checked
   */
  readonly hops?: TrustProbeHop[];

  /**
   * How the pod gets its first credentials.
   *
   * @default WorkloadIdentityMode.IRSA
   */
  readonly identityMode?: WorkloadIdentityMode;

  /**
   * The AWS CLI image, pinned to a tag or digest.
   *
   * @default 'public.ecr.aws/aws-cli/aws-cli:2.22.0'
   */
  readonly image?: string;

  /**
   * The Job's name (`kubectl logs -n <namespace> job/<jobName>`).
   *
   * @default - the chart's ID, which is also the manifest's file name
   */
  readonly jobName?: string;

  /**
   * Labels added to every object of the chart.
   *
   * @default - none
   */
  readonly labels?: { [key: string]: string };
}

const DEFAULT_IMAGE = 'public.ecr.aws/aws-cli/aws-cli:2.22.0';

/**
 * A one-shot Job that checks a cross-account trust chain from inside the cluster, hop by hop: the
 * pod's identity (IRSA token or Pod Identity endpoint), `sts get-caller-identity` as the first
 * role, then each `sts assume-role`. It prints one line per hop (ok, or the failing call with the
 * AWS error) and fails at the first broken hop. `kubectl logs -n <namespace> job/<jobName>` shows the
 * result; the Job is named after the chart unless `jobName` says otherwise.
 */
export class TrustProbeChart extends cdk8s.Chart {
  /** The script the Job runs. */
  public readonly script: string;

  /**
   * @param scope the cdk8s app (or a construct in it)
   * @param id the chart ID, also the manifest file name
   * @param props the service account, the expected roles and the image
   */
  constructor(scope: Construct, id: string, props: TrustProbeChartProps) {
    super(scope, id, { labels: propsOrEmpty(props).labels });
    props = propsOrEmpty(props);
    validate(`TrustProbeChart '${this.node.path}'`, props, id);
    const sa = props.serviceAccount;
    this.script = trustProbeScript({
      identityMode: (props.identityMode ?? WorkloadIdentityMode.IRSA) === WorkloadIdentityMode.IRSA ? 'IRSA' : 'POD_IDENTITY',
      firstRoleArn: props.firstRoleArn,
      hops: (props.hops ?? []).map((hop) => ({ roleArn: hop.roleArn, externalId: hop.externalId, description: hop.description })),
    });

    const job = new kplus.Job(this, 'Job', {
      metadata: { name: props.jobName ?? id, namespace: sa.namespace },
      serviceAccount: kplus.ServiceAccount.fromServiceAccountName(this, 'ServiceAccount', sa.name, { namespaceName: sa.namespace }),
      // IRSA and Pod Identity mount their own credentials; the Kubernetes API token is not needed.
      automountServiceAccountToken: false,
      backoffLimit: 0,
      activeDeadline: cdk8s.Duration.minutes(5),
      ttlAfterFinished: cdk8s.Duration.hours(1),
      securityContext: { ensureNonRoot: true, user: 1000, group: 1000 },
    });
    const tmp = kplus.Volume.fromEmptyDir(this, 'Tmp', 'tmp');
    job.addContainer({
      name: 'probe',
      image: props.image ?? DEFAULT_IMAGE,
      imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT,
      command: ['/bin/sh', '-c', this.script],
      envVariables: { HOME: kplus.EnvValue.fromValue('/tmp'), AWS_PAGER: kplus.EnvValue.fromValue('') },
      resources: {
        cpu: { request: kplus.Cpu.millis(50), limit: kplus.Cpu.millis(200) },
        memory: { request: cdk8s.Size.mebibytes(64), limit: cdk8s.Size.mebibytes(256) },
      },
      securityContext: {
        ensureNonRoot: true, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, privileged: false, user: 1000, group: 1000,
      },
      volumeMounts: [{ path: '/tmp', volume: tmp }],
    });
  }
}

function validate(owner: string, props: TrustProbeChartProps, chartId: string): void {
  const v = PropsValidator.forChart(owner);
  if (v.required('serviceAccount', props.serviceAccount)) v.serviceAccount('serviceAccount', props.serviceAccount);
  if (v.required('firstRoleArn', props.firstRoleArn)) v.check('firstRoleArn', props.firstRoleArn, arnRule(ArnKind.IAM_ROLE));
  if (props.jobName !== undefined) v.check('jobName', props.jobName, K8S_NAME);
  else v.check('jobName (not set, so the chart ID)', chartId, K8S_NAME);
  v.oneOf('identityMode', props.identityMode, WorkloadIdentityMode);
  v.list('hops', props.hops, 'object').forEach((hop, i) => {
    if (v.required(`hops[${i}].roleArn`, hop.roleArn)) v.check(`hops[${i}].roleArn`, hop.roleArn, arnRule(ArnKind.IAM_ROLE));
    v.externalId(`hops[${i}].externalId`, hop.externalId);
    if (hop.description !== undefined && hop.description !== null) v.check(`hops[${i}].description`, hop.description, HOP_DESCRIPTION);
  });
  v.check('image', props.image, PINNED_IMAGE);
  v.labels('labels', props.labels);
  v.throwIfAny();
}

import * as cdk8s from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { ProbeSignal, trustProbeScript } from './trust-probe-script';
import { WorkloadIdentityMode } from './workload-source-role';
import type { ContainerInsightsSignalRoute } from '../container-insights/signal-routes';
import { ArnKind, arnRule, K8S_NAME, PINNED_IMAGE, REGION, Rule } from '../core/rules';
import { ServiceAccountRef } from '../core/service-account';
import { PropsValidator, propsOrEmpty } from '../core/validation';

/** A hop's description: printed in the probe's log, one line. */
const HOP_DESCRIPTION: Rule = {
  expected: 'one line of at most 200 printable characters',
  check: (value) => (/^[\x20-\x7E]{1,200}$/.test(value) ? undefined : 'not one line of printable characters'),
};

/** A CloudWatch Logs log group name (CreateLogGroup's pattern, 1-512 characters). */
const LOG_GROUP_NAME: Rule = {
  expected: 'a log group name: 1-512 characters from A-Z a-z 0-9 . _ - / #',
  check: (value) => (/^[.\-_/#A-Za-z0-9]{1,512}$/.test(value) ? undefined : 'does not match'),
};

/** A route's description or destination: printed in the probe's log, one line (a log group name may be 512 characters). */
const ROUTE_TEXT: Rule = {
  expected: 'one line of at most 1000 printable characters',
  check: (value) => (/^[\x20-\x7E]{1,1000}$/.test(value) ? undefined : 'not one line of printable characters'),
};

/** The accounts a Container Insights signal route names (`ContainerInsightsSignalRoute.account`). */
const SIGNAL_ACCOUNTS = ['target', 'cluster', 'denied', 'none'];

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
   * Container Insights: the `signalRoutes` of `CloudWatchObservabilityAddon` or `CloudWatchAgentChart`.
   * After the last hop the probe prints, per signal (metrics, performance logs, container logs, ...), the
   * account it reached and, for each log group that signal's writer puts events into, whether these
   * credentials may put events there (the writers' `logs:PutLogEvents`, into a stream no writer creates
   * with an event too old to keep: nothing is written; `logs:CreateLogStream` is not checked), and fails
   * when one is denied or cannot be checked. A signal that does not reach the target account is
   * printed with where it goes instead. Run the probe as the agent's service account
   * (`amazon-cloudwatch/cloudwatch-agent`, which Fluent Bit shares), with the target role as the hop in
   * IRSA mode and as `firstRoleArn` in Pod Identity mode.
   *
   * @default - no per-signal checks
   */
  readonly signalRoutes?: ContainerInsightsSignalRoute[];

  /**
   * The region of the log groups `signalRoutes` checks (the agent's `region`), set as `AWS_REGION`.
   *
   * @default - the pod's own `AWS_REGION` (the EKS IRSA webhook sets it); required with `signalRoutes` in
   * POD_IDENTITY mode, where EKS sets no region
   */
  readonly region?: string;

  /**
   * Labels added to every object of the chart.
   *
   * @default - none
   */
  readonly labels?: { [key: string]: string };
}

/** What the probe checks per signal: the log groups of the signals that reach the target account. */
function probeSignals(routes: ContainerInsightsSignalRoute[]): ProbeSignal[] {
  return routes.map((route) => {
    const elsewhere: Record<string, string> = {
      cluster: 'stays in the cluster account',
      denied: 'lost: its writer\'s own credentials may not write it',
    };
    if (route.account === 'target' && route.logGroups.length > 0) return { signal: route.signal, logGroups: route.logGroups };
    if (route.account === 'none') return { signal: route.signal, logGroups: [], note: `not collected: ${route.writer.replace(/^none \((.*)\)$/, '$1')}` };
    const where = elsewhere[route.account] ?? `account ${route.account}, ${route.destinations.join(', ')}`;
    return { signal: route.signal, logGroups: [], note: `${where} (${route.writer}; ${route.identity})` };
  });
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
      signals: props.signalRoutes ? probeSignals(props.signalRoutes) : undefined,
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
      envVariables: {
        HOME: kplus.EnvValue.fromValue('/tmp'),
        AWS_PAGER: kplus.EnvValue.fromValue(''),
        ...(props.region ? { AWS_REGION: kplus.EnvValue.fromValue(props.region) } : {}),
      },
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
  v.check('region', props.region, REGION);
  // EKS Pod Identity sets only the credential variables (AWS SDKs and Tools reference guide, "Container
  // credential provider"), not AWS_REGION as the IRSA webhook does: every log check would fail unchecked.
  const checksLogGroups = Array.isArray(props.signalRoutes) && props.signalRoutes.some((r) => Array.isArray(r?.logGroups) && r.logGroups.length > 0);
  if (checksLogGroups && props.identityMode === WorkloadIdentityMode.POD_IDENTITY && (props.region === undefined || props.region === null)) {
    v.problem('region', 'is required with signalRoutes in POD_IDENTITY mode (EKS Pod Identity sets no AWS_REGION in the pod); give the agent\'s region');
  }
  // The routes come from a construct's signalRoutes; a caller assembling them by hand gets every field checked.
  v.list('signalRoutes', props.signalRoutes, 'object').forEach((route, i) => {
    const at = `signalRoutes[${i}]`;
    if (v.required(`${at}.signal`, route.signal)) v.check(`${at}.signal`, route.signal, HOP_DESCRIPTION);
    for (const field of ['writer', 'identity'] as const) {
      if (v.required(`${at}.${field}`, route[field])) v.check(`${at}.${field}`, route[field], ROUTE_TEXT);
    }
    if (v.required(`${at}.account`, route.account)) v.oneOf(`${at}.account`, route.account, SIGNAL_ACCOUNTS);
    // Empty lists are valid (a signal that is not collected); absent ones are not.
    if (route.destinations === undefined || route.destinations === null) v.problem(`${at}.destinations`, 'is required (a list, possibly empty)');
    v.list(`${at}.destinations`, route.destinations, 'string').forEach((d, j) => v.check(`${at}.destinations[${j}]`, d, ROUTE_TEXT));
    if (route.logGroups === undefined || route.logGroups === null) v.problem(`${at}.logGroups`, 'is required (a list, possibly empty)');
    v.list(`${at}.logGroups`, route.logGroups, 'string').forEach((group, j) => v.check(`${at}.logGroups[${j}]`, group, LOG_GROUP_NAME));
  });
  v.labels('labels', props.labels);
  v.throwIfAny();
}

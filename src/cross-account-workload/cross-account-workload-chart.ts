import * as cdk8s from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { chainProfiles, renderConfigFile, targetRoleProfiles } from './aws-config-file';
import { WorkloadIdentityMode } from './workload-source-role';
import { IRSA_ROLE_ANNOTATION } from '../core/k8s';
import { ArnKind, arnRule, K8S_NAME, REGION } from '../core/rules';
import { ServiceAccountRef } from '../core/service-account';
import { PropsValidator, propsOrEmpty } from '../core/validation';

/**
 * A target role the workload reaches through an AWS config profile.
 */
export interface WorkloadTargetProfile {
  /** The profile name (for `AWS_PROFILE` or `--profile`). */
  readonly profileName: string;
  /** The target role (`CrossAccountWorkloadRole.roleArn`). */
  readonly roleArn: string;
  /**
   * The external ID the target role requires.
   *
   * @default - none
   */
  readonly externalId?: string;
  /**
   * The profile's default region.
   *
   * @default - none
   */
  readonly region?: string;
}

/**
 * How the pod's credentials reach the target roles.
 */
export enum WorkloadProfileMode {
  /**
   * The pod holds a source role of its own account (`sourceRoleArn`), and each profile assumes its
   * target from it (AWS's cross-account EKS pattern; the fleet's per-cluster IRSA roles).
   */
  CHAIN = 'CHAIN',
  /**
   * The pod already holds the target role's credentials: a Pod Identity association with
   * `TargetRoleArn` (what `ObservabilityFleetSource` creates; EKS assumes the association's role,
   * then the target role, and gives the pod the target role's credentials), or an IRSA annotation
   * that names the target role itself. One target; no role is assumed in the pod.
   */
  TARGET_ROLE = 'TARGET_ROLE',
}

/**
 * Props of {@link CrossAccountWorkloadChart}. Plain values only: the chart never depends on a CDK stack.
 */
export interface CrossAccountWorkloadChartProps {
  /** The workload's service account. */
  readonly serviceAccount: ServiceAccountRef;

  /** IRSA or EKS Pod Identity, as its `WorkloadSourceRole`. */
  readonly identityMode: WorkloadIdentityMode;

  /**
   * The source role (`WorkloadSourceRole.roleArn`, or a fleet's `FleetNames.irsaRoleArn`).
   *
   * @default - required with `profileMode` CHAIN and `identityMode` IRSA (the source profile assumes it);
   * optional with CHAIN and POD_IDENTITY (only checked against the targets); refused with TARGET_ROLE
   */
  readonly sourceRoleArn?: string;

  /**
   * Whether the profiles chain from a source role, or the pod already holds the target role.
   *
   * @default WorkloadProfileMode.CHAIN
   */
  readonly profileMode?: WorkloadProfileMode;

  /** The target roles, one profile each (exactly one with `profileMode` TARGET_ROLE, without an external ID). */
  readonly targets: WorkloadTargetProfile[];

  /**
   * The ConfigMap holding the AWS config file (key `config`).
   *
   * @default 'aws-config'
   */
  readonly configMapName?: string;

  /**
   * Emit the Namespace object.
   *
   * @default true
   */
  readonly createNamespace?: boolean;

  /**
   * Labels added to every object of the chart.
   *
   * @default - none
   */
  readonly labels?: { [key: string]: string };
}

const PROFILE_NAME = /^[A-Za-z0-9_.-]{1,64}$/;

/**
 * The source cluster's side of AWS's cross-account EKS access pattern: the workload's ServiceAccount (annotated with
 * the source role in IRSA mode) and a ConfigMap with an AWS config file whose profiles chain into
 * each target role. Mount it and set `AWS_CONFIG_FILE` (see `configFilePath`), then use
 * `--profile <profileName>`.
 */
export class CrossAccountWorkloadChart extends cdk8s.Chart {
  /** Where pods should mount the ConfigMap's `config` key (set `AWS_CONFIG_FILE` to it). */
  public static readonly CONFIG_FILE_PATH = '/etc/aws-config/config';

  /** The generated AWS config file. */
  public readonly awsConfigFile: string;

  /**
   * @param scope the cdk8s app (or a construct in it)
   * @param id the chart ID, also the manifest file name
   * @param props the service account, identity mode, source role and targets
   */
  constructor(scope: Construct, id: string, props: CrossAccountWorkloadChartProps) {
    super(scope, id, { labels: propsOrEmpty(props).labels });
    props = propsOrEmpty(props);
    validate(`CrossAccountWorkloadChart '${this.node.path}'`, props);
    const sa = props.serviceAccount;
    const irsa = props.identityMode === WorkloadIdentityMode.IRSA;
    const targets = props.targets.map((t) => ({ profile: t.profileName, roleArn: t.roleArn, externalId: t.externalId, region: t.region }));
    const sessionName = `${sa.namespace}.${sa.name}`.slice(0, 64);
    const targetRole = props.profileMode === WorkloadProfileMode.TARGET_ROLE;
    this.awsConfigFile = renderConfigFile(targetRole
      ? targetRoleProfiles(irsa ? 'IRSA' : 'POD_IDENTITY', targets[0], sessionName)
      : chainProfiles(irsa ? 'IRSA' : 'POD_IDENTITY', props.sourceRoleArn, targets, sessionName));
    // IRSA: the annotation names the role the pod's token is exchanged for: the source role, or the target itself.
    const annotatedRole = targetRole ? targets[0].roleArn : props.sourceRoleArn;

    if (props.createNamespace ?? true) new kplus.Namespace(this, 'Namespace', { metadata: { name: sa.namespace } });
    new kplus.ServiceAccount(this, 'ServiceAccount', {
      metadata: {
        name: sa.name,
        namespace: sa.namespace,
        ...(irsa ? { annotations: { [IRSA_ROLE_ANNOTATION]: annotatedRole! } } : {}),
      },
      automountToken: true,
    });
    new kplus.ConfigMap(this, 'AwsConfig', {
      metadata: { name: props.configMapName ?? 'aws-config', namespace: sa.namespace },
      data: { config: this.awsConfigFile },
    });
  }
}

function validate(owner: string, props: CrossAccountWorkloadChartProps): void {
  const v = PropsValidator.forChart(owner);
  if (v.required('serviceAccount', props.serviceAccount)) v.serviceAccount('serviceAccount', props.serviceAccount);
  v.check('sourceRoleArn', props.sourceRoleArn, arnRule(ArnKind.IAM_ROLE));
  v.labels('labels', props.labels).boolean('createNamespace', props.createNamespace);
  v.check('configMapName', props.configMapName, K8S_NAME);
  if (!Object.values(WorkloadIdentityMode).includes(props.identityMode)) v.problem('identityMode', `got ${JSON.stringify(props.identityMode)}; expected IRSA or POD_IDENTITY`);
  v.oneOf('profileMode', props.profileMode, WorkloadProfileMode);
  const targetRole = props.profileMode === WorkloadProfileMode.TARGET_ROLE;
  if (targetRole && props.sourceRoleArn !== undefined) {
    v.problem('sourceRoleArn', 'is given with profileMode TARGET_ROLE, where the pod already holds the target role and no source role is used; leave it out, or use profileMode CHAIN');
  }
  if (!targetRole && props.identityMode === WorkloadIdentityMode.IRSA) v.required('sourceRoleArn', props.sourceRoleArn);
  if (v.required('targets', props.targets)) {
    const names = new Set<string>();
    const list = v.list('targets', props.targets, 'object');
    if (targetRole && list.length > 1) {
      v.problem('targets', `has ${list.length}; with profileMode TARGET_ROLE a service account holds one role (one Pod Identity association or IRSA annotation): give one`);
    }
    list.forEach((t, i) => {
      if (targetRole && t.externalId !== undefined) {
        v.problem(`targets[${i}].externalId`, 'is given with profileMode TARGET_ROLE, where the pod assumes no role and so sends no external ID; leave it out');
      }
      if (v.required(`targets[${i}].roleArn`, t.roleArn)) v.check(`targets[${i}].roleArn`, t.roleArn, arnRule(ArnKind.IAM_ROLE));
      v.check(`targets[${i}].region`, t.region, REGION);
      if (typeof t.profileName !== 'string' || !PROFILE_NAME.test(t.profileName) || ['source', 'default'].includes(t.profileName)) {
        v.problem(`targets[${i}].profileName`, `got ${JSON.stringify(t.profileName)}; expected 1-64 characters from A-Z a-z 0-9 _ . -, other than "source" and "default"`);
      }
      if (names.has(t.profileName)) v.problem(`targets[${i}].profileName`, `repeats "${t.profileName}"`);
      names.add(t.profileName);
      if (t.roleArn === props.sourceRoleArn) v.problem(`targets[${i}].roleArn`, 'is the source role itself; a role cannot assume itself');
      v.externalId(`targets[${i}].externalId`, t.externalId);
    });
  }
  v.throwIfAny();
}

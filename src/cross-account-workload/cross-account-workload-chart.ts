import * as cdk8s from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { chainProfiles, renderConfigFile } from './aws-config-file';
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
 * Props of {@link CrossAccountWorkloadChart}. Plain values only: the chart never depends on a CDK stack.
 */
export interface CrossAccountWorkloadChartProps {
  /** The workload's service account. */
  readonly serviceAccount: ServiceAccountRef;

  /** IRSA or EKS Pod Identity, as its `WorkloadSourceRole`. */
  readonly identityMode: WorkloadIdentityMode;

  /** The source role (`WorkloadSourceRole.roleArn`). */
  readonly sourceRoleArn: string;

  /** The target roles, one profile each. */
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
    this.awsConfigFile = renderConfigFile(chainProfiles(
      props.identityMode === WorkloadIdentityMode.IRSA ? 'IRSA' : 'POD_IDENTITY',
      props.sourceRoleArn,
      props.targets.map((t) => ({ profile: t.profileName, roleArn: t.roleArn, externalId: t.externalId, region: t.region })),
      `${sa.namespace}.${sa.name}`.slice(0, 64),
    ));

    if (props.createNamespace ?? true) new kplus.Namespace(this, 'Namespace', { metadata: { name: sa.namespace } });
    new kplus.ServiceAccount(this, 'ServiceAccount', {
      metadata: {
        name: sa.name,
        namespace: sa.namespace,
        ...(props.identityMode === WorkloadIdentityMode.IRSA ? { annotations: { [IRSA_ROLE_ANNOTATION]: props.sourceRoleArn } } : {}),
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
  if (v.required('sourceRoleArn', props.sourceRoleArn)) v.check('sourceRoleArn', props.sourceRoleArn, arnRule(ArnKind.IAM_ROLE));
  v.labels('labels', props.labels).boolean('createNamespace', props.createNamespace);
  v.check('configMapName', props.configMapName, K8S_NAME);
  if (!Object.values(WorkloadIdentityMode).includes(props.identityMode)) v.problem('identityMode', `got ${JSON.stringify(props.identityMode)}; expected IRSA or POD_IDENTITY`);
  if (v.required('targets', props.targets)) {
    const names = new Set<string>();
    v.list('targets', props.targets, 'object').forEach((t, i) => {
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

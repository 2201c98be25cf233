import * as cdk8s from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { containerLogFiles, fluentBitMainFile } from './fluent-bit-config';
import { HostMount, nodeAgentDaemonSet } from './node-daemonset';

/**
 * The Fluent Bit image the amazon-cloudwatch-observability chart 6.4.0 runs (values.yaml
 * `containerLogs.fluentBit.image`: public.ecr.aws/aws-observability, aws-for-fluent-bit, tag 3.4.8).
 */
export const DEFAULT_FLUENT_BIT_IMAGE = 'public.ecr.aws/aws-observability/aws-for-fluent-bit:3.4.8';

export interface FluentBitDaemonSetOptions {
  readonly serviceAccount: kplus.ServiceAccount;
  readonly namespace: string;
  readonly reportedClusterName: string;
  readonly region: string;
  /** The target role Fluent Bit assumes itself (NODE_ROLES and IRSA); none with Pod Identity. */
  readonly roleArn?: string;
  readonly image: string;
}

const NAME = 'xacct-fluent-bit';

// Host paths Fluent Bit reads (and its position database, which it writes), as the chart 6.4.0 DaemonSet mounts them.
const HOST_MOUNTS: HostMount[] = [
  { volumeName: 'fluentbitstate', hostPath: '/var/fluent-bit/state', mountPath: '/var/fluent-bit/state', readOnly: false },
  { volumeName: 'varlog', hostPath: '/var/log', mountPath: '/var/log', readOnly: true },
  { volumeName: 'varlibdockercontainers', hostPath: '/var/lib/docker/containers', mountPath: '/var/lib/docker/containers', readOnly: true },
  { volumeName: 'runlogjournal', hostPath: '/run/log/journal', mountPath: '/run/log/journal', readOnly: true },
];

/**
 * Fluent Bit for the chart route: a DaemonSet, as the agent's service account (the same identity,
 * so the same role reaches the target account), its configuration from `containerLogFiles`, and the
 * read-only RBAC its kubernetes filter needs. Object names start with `xacct-`, so they never replace
 * the add-on's `fluent-bit` objects.
 */
export class FluentBitDaemonSet extends Construct {
  constructor(scope: Construct, id: string, options: FluentBitDaemonSetOptions) {
    super(scope, id);
    const { reportedClusterName, region, roleArn } = options;
    const files = containerLogFiles({ reportedClusterName, region, roleArn, useKubelet: false });
    const configMap = new kplus.ConfigMap(this, 'Config', {
      metadata: { name: `${NAME}-config`, namespace: options.namespace },
      data: { 'fluent-bit.conf': fluentBitMainFile(Object.keys(files)), ...files },
    });

    // The kubernetes filter reads pod and namespace metadata from the API server.
    const clusterRole = new kplus.ClusterRole(this, 'ClusterRole', { metadata: { name: `${NAME}-role` } });
    clusterRole.allow(['get', 'list', 'watch'], kplus.ApiResource.PODS, kplus.ApiResource.NAMESPACES);
    new kplus.ClusterRoleBinding(this, 'ClusterRoleBinding', { metadata: { name: `${NAME}-role-binding` }, role: clusterRole })
      .addSubjects(options.serviceAccount);

    // Fluent Bit reads every container's log files and the journal as root.
    nodeAgentDaemonSet(this, {
      name: NAME,
      namespace: options.namespace,
      serviceAccount: options.serviceAccount,
      terminationGracePeriod: cdk8s.Duration.seconds(10),
      container: {
        name: 'fluent-bit',
        image: options.image,
        resources: {
          cpu: { request: kplus.Cpu.millis(50), limit: kplus.Cpu.millis(500) },
          memory: { request: cdk8s.Size.mebibytes(25), limit: cdk8s.Size.mebibytes(250) },
        },
        envVariables: {
          HOST_NAME: kplus.EnvValue.fromFieldRef(kplus.EnvFieldPaths.NODE_NAME),
          READ_FROM_HEAD: kplus.EnvValue.fromValue('Off'),
          READ_FROM_TAIL: kplus.EnvValue.fromValue('On'),
        },
      },
      configMap,
      configVolumeName: 'fluent-bit-config',
      // aws-for-fluent-bit reads /fluent-bit/etc/fluent-bit.conf.
      configMountPath: '/fluent-bit/etc/',
      hostMounts: HOST_MOUNTS,
    });
  }
}

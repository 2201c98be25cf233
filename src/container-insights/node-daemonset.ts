import * as cdk8s from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';

/** A host path one node agent reads (or, for a position database, writes). */
export interface HostMount {
  readonly volumeName: string;
  readonly hostPath: string;
  readonly mountPath: string;
  readonly readOnly: boolean;
}

export interface NodeAgentDaemonSetOptions {
  readonly name: string;
  readonly namespace: string;
  readonly serviceAccount: kplus.ServiceAccount;
  readonly terminationGracePeriod: cdk8s.Duration;
  /** The one container: name, image, resources, env (everything but the mounts and security context). */
  readonly container: Omit<kplus.ContainerProps, 'securityContext' | 'volumeMounts' | 'imagePullPolicy'>;
  /** The configuration ConfigMap, mounted at `configMountPath` as volume `configVolumeName`. */
  readonly configMap: kplus.ConfigMap;
  readonly configVolumeName: string;
  readonly configMountPath: string;
  readonly hostMounts: readonly HostMount[];
}

/**
 * The pod shape both Container Insights node agents share (the CloudWatch agent and Fluent Bit in the
 * chart route): a DaemonSet on Linux nodes (`nodeSelector`, as the upstream manifests have it, not an
 * affinity rule), as the agent's service account, one container running as root (both read host files
 * and container runtimes) without privilege escalation, its ConfigMap and the host paths it reads.
 * The objects are made in `scope` with the IDs `DaemonSet`, `ConfigVolume` and `<volume>Volume`.
 */
export function nodeAgentDaemonSet(scope: Construct, options: NodeAgentDaemonSetOptions): kplus.DaemonSet {
  const daemonSet = new kplus.DaemonSet(scope, 'DaemonSet', {
    metadata: { name: options.name, namespace: options.namespace },
    serviceAccount: options.serviceAccount,
    automountServiceAccountToken: true,
    terminationGracePeriod: options.terminationGracePeriod,
    securityContext: { ensureNonRoot: false },
  });
  const container = daemonSet.addContainer({
    ...options.container,
    imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT,
    securityContext: { ensureNonRoot: false, readOnlyRootFilesystem: false, allowPrivilegeEscalation: false, privileged: false },
  });
  container.mount(options.configMountPath, kplus.Volume.fromConfigMap(scope, 'ConfigVolume', options.configMap, { name: options.configVolumeName }));
  for (const { volumeName, hostPath, mountPath, readOnly } of options.hostMounts) {
    container.mount(mountPath, kplus.Volume.fromHostPath(scope, `${volumeName}Volume`, volumeName, { path: hostPath }), { readOnly });
  }
  cdk8s.ApiObject.of(daemonSet).addJsonPatch(cdk8s.JsonPatch.add('/spec/template/spec/nodeSelector', { 'kubernetes.io/os': 'linux' }));
  return daemonSet;
}

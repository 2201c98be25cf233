import { containerInsightsLogGroup, ContainerLogKind, FluentBitSection, renderFluentBitConfig } from './fluent-bit-config';

/**
 * The add-on's Windows Fluent Bit files, as `containerLogs.fluentBit.configWindows.extraFiles`. The chart
 * (amazon-cloudwatch-observability 6.4.0, templates/windows/fluent-bit-windows-configmap.yaml) @INCLUDEs
 * every key of that map and runs each value through `tpl`, as on Linux; its own three files
 * (values.yaml `configWindows.extraFiles`) name the groups `/aws/containerinsights/${CLUSTER_NAME}/...`,
 * where `CLUSTER_NAME` is the chart's `clusterName` (templates/windows/fluent-bit-windows-daemonset.yaml),
 * and carry no `role_arn`. Ours keep the chart's inputs and filters (Windows paths, the `winlog` channels)
 * and change only the outputs: the reported cluster name, the region and `role_arn`.
 *
 * The Windows image (aws-for-fluent-bit 2.31.12-windowsservercore) runs the core `cloudwatch_logs`
 * output, whose `role_arn` is the same option as on Linux (fluent/fluent-bit,
 * plugins/out_cloudwatch_logs/cloudwatch_logs.c). Its base credentials come from Fluent Bit's standard
 * chain (environment, profile, EKS web identity, container endpoint, EC2 instance metadata): the Windows
 * node role, or with IRSA the agent's role, read from the projected token at AWS_WEB_IDENTITY_TOKEN_FILE.
 * Whether a HostProcess pod finds that token at that path (the DaemonSet's env is fixed by the chart, so
 * nothing like the agent's RUN_WITH_IRSA can be added) is not proven here.
 */

/** Options of {@link windowsContainerLogFiles}. */
export interface WindowsContainerLogOptions {
  /** The cluster name the log groups carry (`reportedClusterName`). */
  readonly reportedClusterName: string;
  /** The region Fluent Bit writes to. */
  readonly region: string;
  /** The target role Fluent Bit assumes itself. */
  readonly roleArn: string;
}

const LOGS = 'C:\\\\var\\\\log\\\\containers';
const STATE = 'C:\\\\var\\\\fluent-bit\\\\state';

function tail(tag: string, path: string, parser: string, db: string, memBufLimit: string, extra: Array<[string, string]> = []): FluentBitSection {
  return {
    section: 'INPUT',
    entries: [
      ['Name', 'tail'], ['Tag', tag], ...extra, ['Path', path], ['Parser', parser], ['DB', `${STATE}\\\\${db}`],
      ['Mem_Buf_Limit', memBufLimit], ['Skip_Long_Lines', 'On'], ['Rotate_Wait', '30'], ['Refresh_Interval', '10'], ['Read_from_Head', '${READ_FROM_HEAD}'],
    ],
  };
}

function winlog(channel: string, db: string): FluentBitSection {
  return { section: 'INPUT', entries: [['Name', 'winlog'], ['Channels', channel], ['DB', `${STATE}\\\\${db}`], ['Interval_Sec', '60']] };
}

function awsFilter(match: string, entries: Array<[string, string]>): FluentBitSection {
  return { section: 'FILTER', entries: [['Name', 'aws'], ['Match', match], ...entries] };
}

/** An output to the reported cluster's group; `stream` is the chart's own stream prefix or fixed stream name. */
function output(kind: ContainerLogKind, match: string, stream: [string, string], options: WindowsContainerLogOptions): FluentBitSection {
  return {
    section: 'OUTPUT',
    entries: [
      ['Name', 'cloudwatch_logs'], ['Match', match], ['region', options.region],
      ['log_group_name', containerInsightsLogGroup(options.reportedClusterName, kind)],
      stream, ['auto_create_group', 'true'], ['extra_user_agent', 'container-insights'], ['role_arn', options.roleArn],
    ],
  };
}

/**
 * The three Windows files (`application-log.conf`, `dataplane-log.conf`, `host-log.conf`) that send a
 * Windows node's container, data-plane and host logs to `/aws/containerinsights/<reportedClusterName>/<kind>`
 * with `role_arn` = the target role.
 */
export function windowsContainerLogFiles(options: WindowsContainerLogOptions): Record<`${ContainerLogKind}-log.conf`, string> {
  const prefix: [string, string] = ['log_stream_prefix', '${HOST_NAME}-'];
  return {
    'application-log.conf': renderFluentBitConfig([
      tail('application.*', `${LOGS}\\\\*.log`, 'docker', 'flb_container.db', '50MB',
        [['Exclude_Path', `${LOGS}\\\\fluent-bit*, ${LOGS}\\\\cloudwatch-agent*`]]),
      tail('application.*', `${LOGS}\\\\fluent-bit*`, 'docker', 'flb_log.db', '5MB'),
      tail('application.*', `${LOGS}\\\\cloudwatch-agent*`, 'docker', 'flb_cwagent.db', '5MB'),
      awsFilter('application.*', [['az', 'false'], ['ec2_instance_id', 'false']]),
      {
        section: 'FILTER',
        entries: [
          ['Name', 'kubernetes'], ['Match', 'application.*'], ['Kube_URL', 'https://kubernetes.default.svc:443'],
          ['Kube_Tag_Prefix', 'application.C.var.log.containers.'], ['Merge_Log', 'On'], ['Merge_Log_Key', 'log_processed'],
          ['K8S-Logging.Parser', 'On'], ['K8S-Logging.Exclude', 'Off'], ['Labels', 'Off'], ['Annotations', 'Off'],
          ['Use_Kubelet', 'On'], ['Kubelet_Port', '10250'], ['Buffer_Size', '0'],
        ],
      },
      output('application', 'application.*', prefix, options),
    ]),
    'dataplane-log.conf': renderFluentBitConfig([
      tail('dataplane.tail.*', 'C:\\\\ProgramData\\\\containerd\\\\root\\\\*.log, C:\\\\ProgramData\\\\Amazon\\\\EKS\\\\logs\\\\*.log',
        'dataplane_firstline', 'flb_dataplane_tail.db', '5MB'),
      tail('dataplane.tail.C.ProgramData.Amazon.EKS.logs.vpc-bridge', 'C:\\\\ProgramData\\\\Amazon\\\\EKS\\\\logs\\\\*.log.*',
        'dataplane_firstline', 'flb_dataplane_cni_tail.db', '5MB', [['Path_Key', 'file_name']]),
      winlog('EKS', 'flb_eks_winlog.db'),
      awsFilter('dataplane.*', [['imds_version', 'v2']]),
      awsFilter('winlog.*', [['imds_version', 'v2']]),
      output('dataplane', 'dataplane.*', prefix, options),
      output('dataplane', 'winlog.*', ['log_stream_name', '${HOST_NAME}.windows.kubelet.kubeproxy.service'], options),
    ]),
    'host-log.conf': renderFluentBitConfig([
      winlog('System', 'flb_system_winlog.db'),
      awsFilter('winlog.*', [['imds_version', 'v2']]),
      output('host', 'winlog.*', ['log_stream_name', '${HOST_NAME}.windows.system.events'], options),
    ]),
  };
}

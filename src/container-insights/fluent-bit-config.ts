/**
 * Fluent Bit's classic configuration for Container Insights' container logs, as typed sections, so
 * the files are rendered from data and never concatenated by hand. Both routes use it: the add-on gets
 * the files as `containerLogs.fluentBit.config.extraFiles` (chart amazon-cloudwatch-observability 6.4.0,
 * values.yaml: the chart includes every key of that map from fluent-bit.conf and runs each through
 * `tpl`, templates/linux/fluent-bit-configmap.yaml), and `CloudWatchAgentChart` mounts them itself.
 *
 * What differs from the chart's own files: each `cloudwatch_logs` output names the log group with the
 * reported cluster name (the chart uses `${CLUSTER_NAME}`, its `clusterName` value), writes to the
 * given region, and carries `role_arn` where Fluent Bit must assume the target role itself.
 * `role_arn` (and `external_id`, unused: the Container Insights target role takes none) are options of
 * Fluent Bit's `cloudwatch_logs` output (fluent/fluent-bit, plugins/out_cloudwatch_logs/cloudwatch_logs.c,
 * config map `role_arn` "ARN of an IAM role to assume (ex. for cross account access)"; `external_id`
 * since commit 126a6ba, January 2022, Fluent Bit 1.9); the chart's image aws-for-fluent-bit 3.4.8 is
 * built on a later Fluent Bit.
 */

/** The container-log groups Fluent Bit writes, `/aws/containerinsights/<cluster>/<kind>`. */
export const CONTAINER_LOG_KINDS = ['application', 'dataplane', 'host'] as const;
/** The log group the CloudWatch agent writes its performance (EMF) events to. */
export const PERFORMANCE_LOG_KIND = 'performance';
/** Every Container Insights log group kind of one cluster. */
export const CONTAINER_INSIGHTS_LOG_KINDS = [...CONTAINER_LOG_KINDS, PERFORMANCE_LOG_KIND] as const;

export type ContainerLogKind = typeof CONTAINER_LOG_KINDS[number];

/** A Container Insights log group name. */
export function containerInsightsLogGroup(reportedClusterName: string, kind: string): string {
  return `/aws/containerinsights/${reportedClusterName}/${kind}`;
}

/** One `[SECTION]` of a Fluent Bit classic configuration file. */
export interface FluentBitSection {
  readonly section: 'SERVICE' | 'INPUT' | 'FILTER' | 'OUTPUT';
  /** Key and value pairs, in order; a key may repeat (Systemd_Filter). */
  readonly entries: ReadonlyArray<readonly [key: string, value: string]>;
}

/**
 * Renders sections as Fluent Bit's classic format. A value with a line break or `{{` would add
 * directives (or helm template actions, since the add-on's chart runs the files through `tpl`):
 * refuse it here, whatever validated it before.
 */
export function renderFluentBitConfig(sections: FluentBitSection[]): string {
  return sections.map(({ section, entries }) => {
    const width = Math.max(...entries.map(([key]) => key.length)) + 1;
    const lines = entries.map(([key, value]) => {
      if (/[\r\n]/.test(value) || value.includes('{{') || /\s/.test(key) || key === '') {
        throw new Error(`Fluent Bit ${section} entry ${JSON.stringify(key)}: ${JSON.stringify(value)} would break the configuration file`);
      }
      return `    ${key.padEnd(width)}${value}`;
    });
    return [`[${section}]`, ...lines].join('\n');
  }).join('\n\n') + '\n';
}

/** Options of {@link containerLogFiles}. */
export interface ContainerLogOptions {
  /** The cluster name the log groups carry (`reportedClusterName`). */
  readonly reportedClusterName: string;
  /** The region Fluent Bit writes to. */
  readonly region: string;
  /** The target role Fluent Bit assumes itself (NODE_ROLES and IRSA modes); none with Pod Identity. */
  readonly roleArn?: string;
  /**
   * Whether the kubernetes filter asks the node's kubelet (the add-on runs Fluent Bit on the host
   * network) instead of the API server.
   */
  readonly useKubelet: boolean;
}

const CONTAINER_LOGS = '/var/log/containers';
const STATE = '/var/fluent-bit/state';

function tail(tag: string, path: string, db: string, extra: Array<[string, string]> = []): FluentBitSection {
  return {
    section: 'INPUT',
    entries: [
      ['Name', 'tail'], ['Tag', tag], ...extra, ['Path', path], ['multiline.parser', 'docker, cri'], ['DB', `${STATE}/${db}`],
      ['Mem_Buf_Limit', '50MB'], ['Skip_Long_Lines', 'On'], ['Refresh_Interval', '10'], ['Rotate_Wait', '30'], ['Read_from_Head', '${READ_FROM_HEAD}'],
    ],
  };
}

function systemd(tag: string, filters: string[], db: string): FluentBitSection {
  return {
    section: 'INPUT',
    entries: [
      ['Name', 'systemd'], ['Tag', tag], ...filters.map((f): [string, string] => ['Systemd_Filter', f]),
      ['DB', `${STATE}/${db}`], ['Path', '/var/log/journal'], ['Read_From_Tail', '${READ_FROM_TAIL}'],
    ],
  };
}

function output(kind: ContainerLogKind, options: ContainerLogOptions, streamSeparator: string): FluentBitSection {
  return {
    section: 'OUTPUT',
    entries: [
      ['Name', 'cloudwatch_logs'],
      ['Match', `${kind}.*`],
      ['region', options.region],
      ['log_group_name', containerInsightsLogGroup(options.reportedClusterName, kind)],
      ['log_stream_prefix', `\${HOST_NAME}${streamSeparator}`],
      ['auto_create_group', 'true'],
      ['extra_user_agent', 'container-insights'],
      ...(options.roleArn ? [['role_arn', options.roleArn] as [string, string]] : []),
    ],
  };
}

/**
 * The three files (`application-log.conf`, `dataplane-log.conf`, `host-log.conf`) that send a node's
 * container, data-plane and host logs to `/aws/containerinsights/<reportedClusterName>/<kind>`.
 */
export function containerLogFiles(options: ContainerLogOptions): Record<`${ContainerLogKind}-log.conf`, string> {
  const kubernetes: FluentBitSection = {
    section: 'FILTER',
    entries: [
      ['Name', 'kubernetes'], ['Match', 'application.*'], ['Kube_URL', 'https://kubernetes.default.svc:443'],
      ['Kube_Tag_Prefix', 'application.var.log.containers.'], ['Merge_Log', 'On'], ['Merge_Log_Key', 'log_processed'],
      ['K8S-Logging.Parser', 'On'], ['K8S-Logging.Exclude', 'Off'], ['Labels', 'Off'], ['Annotations', 'Off'],
      ...(options.useKubelet ? [['Use_Kubelet', 'On'], ['Kubelet_Port', '10250']] as Array<[string, string]> : []),
      ['Buffer_Size', '0'],
    ],
  };
  const dataplaneSystemd = systemd('dataplane.systemd.*', ['_SYSTEMD_UNIT=docker.service', '_SYSTEMD_UNIT=containerd.service', '_SYSTEMD_UNIT=kubelet.service'], 'systemd.db');
  return {
    'application-log.conf': renderFluentBitConfig([
      // The agents' and the data plane's own logs go elsewhere (dataplane) or would loop.
      tail('application.*', `${CONTAINER_LOGS}/*.log`, 'flb_container.db',
        [['Exclude_Path', ['cloudwatch-agent*', 'fluent-bit*', 'xacct-cloudwatch-agent*', 'xacct-fluent-bit*', 'aws-node*', 'kube-proxy*'].map((p) => `${CONTAINER_LOGS}/${p}`).join(', ')]]),
      kubernetes,
      output('application', options, '-'),
    ]),
    'dataplane-log.conf': renderFluentBitConfig([
      dataplaneSystemd,
      tail('dataplane.tail.*', `${CONTAINER_LOGS}/aws-node*, ${CONTAINER_LOGS}/kube-proxy*`, 'flb_dataplane_tail.db'),
      {
        section: 'FILTER',
        entries: [['Name', 'modify'], ['Match', 'dataplane.systemd.*'], ['Rename', '_HOSTNAME hostname'], ['Rename', '_SYSTEMD_UNIT systemd_unit'],
          ['Rename', 'MESSAGE message'], ['Remove_regex', '^((?!hostname|systemd_unit|message).)*$']],
      },
      output('dataplane', options, '-'),
    ]),
    'host-log.conf': renderFluentBitConfig([
      systemd('host.dmesg', ['_TRANSPORT=kernel'], 'flb_dmesg.db'),
      systemd('host.messages', ['PRIORITY=0', 'PRIORITY=1', 'PRIORITY=2', 'PRIORITY=3', 'PRIORITY=4', 'PRIORITY=5', 'PRIORITY=6'], 'flb_messages.db'),
      systemd('host.secure', ['SYSLOG_FACILITY=10'], 'flb_secure.db'),
      {
        section: 'FILTER',
        entries: [['Name', 'modify'], ['Match', 'host.*'], ['Rename', '_HOSTNAME host'], ['Rename', 'MESSAGE message'],
          ['Rename', 'SYSLOG_IDENTIFIER ident'], ['Rename', 'SYSLOG_PID pid'], ['Remove_regex', '[A-Z]']],
      },
      output('host', options, '.'),
    ]),
  };
}

/** The main file for a Fluent Bit of our own (the chart route): service settings and the three includes. */
export function fluentBitMainFile(includes: string[]): string {
  return renderFluentBitConfig([{
    section: 'SERVICE',
    entries: [['Flush', '5'], ['Grace', '30'], ['Log_Level', 'error'], ['Daemon', 'off'],
      ['storage.path', `${STATE}/flb-storage/`], ['storage.sync', 'normal'], ['storage.checksum', 'off'], ['storage.backlog.mem_limit', '5M']],
  }]) + includes.map((file) => `@INCLUDE ${file}\n`).join('');
}

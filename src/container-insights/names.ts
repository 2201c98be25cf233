import { roleNameFromParts } from '../core/naming';
import { Rule } from '../core/rules';
import { ServiceAccountRef } from '../core/service-account';

/** Where the upstream quick-start manifests run the CloudWatch agent. */
export const CLOUDWATCH_AGENT_SERVICE_ACCOUNT: ServiceAccountRef = { namespace: 'amazon-cloudwatch', name: 'cloudwatch-agent' };

/** The target role's name, as in the vendor's published setup: containerinsights-<customer name>. */
export function targetRoleName(customerName: string): string {
  return `containerinsights-${customerName}`;
}

/** The source role's name for a cluster (IRSA and Pod Identity modes), hashed when over 64 characters. */
export function agentRoleName(clusterName: string): string {
  return roleNameFromParts(['containerinsights-agent', clusterName]);
}

/** A cluster name as the agent reports it: part of a CloudWatch Logs log group name. */
export const REPORTED_CLUSTER_NAME: Rule = {
  expected: 'a cluster name for log group names: 1-200 characters from A-Z a-z 0-9 . _ -',
  check: (value) => (/^[A-Za-z0-9._-]{1,200}$/.test(value) ? undefined : 'does not match'),
};

import { roleNameFromParts } from '../core/naming';
import { ServiceAccountRef } from '../core/service-account';

/** Where the upstream quick-start manifests run the CloudWatch agent. */
export const CLOUDWATCH_AGENT_SERVICE_ACCOUNT: ServiceAccountRef = { namespace: 'amazon-cloudwatch', name: 'cloudwatch-agent' };

/** The target role's name, as in seed 000: containerinsights-<customer name>. */
export function targetRoleName(customerName: string): string {
  return `containerinsights-${customerName}`;
}

/** The source role's name for a cluster (IRSA and Pod Identity modes), hashed when over 64 characters. */
export function agentRoleName(clusterName: string): string {
  return roleNameFromParts(['containerinsights-agent', clusterName]);
}

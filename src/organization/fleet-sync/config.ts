/**
 * The member reconciler's configuration, from its Lambda environment: fixed in the member template
 * at deploy time, never taken from an event.
 */
import { FleetFlowConfig, FleetIdentityChoice, FleetSyncConfig } from './desired';
import { requiredEnv } from '../../core/handler-env';

export const FLEET_ENV = {
  PARTITION: 'PARTITION',
  ACCOUNT: 'ACCOUNT',
  REGION: 'INSTANCE_REGION',
  OWNER_KEY: 'OWNER_KEY',
  BOUNDARY_ARN: 'PERMISSIONS_BOUNDARY_ARN',
  RECONCILER_ROLE: 'RECONCILER_ROLE_NAME',
  IDENTITY: 'IDENTITY',
  /** JSON: [{ key, namespace, serviceAccount, targetRoleArn | costBucketName }] */
  FLOWS: 'FLOWS',
  STACK_ID: 'STACK_ID',
  /** The logical ID of the function's own custom resource: the only resource whose Delete it acts on. */
  LOGICAL_ID: 'LOGICAL_ID',
} as const;

const IDENTITIES: FleetIdentityChoice[] = ['AUTO', 'POD_IDENTITY', 'IRSA'];

export function fleetConfigFromEnv(env: Record<string, string | undefined>): FleetSyncConfig {
  const required = requiredEnv(env);
  const identity = required(FLEET_ENV.IDENTITY) as FleetIdentityChoice;
  if (!IDENTITIES.includes(identity)) throw new Error(`environment variable ${FLEET_ENV.IDENTITY} is ${identity}; expected one of ${IDENTITIES.join(', ')}`);
  return {
    partition: required(FLEET_ENV.PARTITION),
    account: required(FLEET_ENV.ACCOUNT),
    region: required(FLEET_ENV.REGION),
    ownerKey: required(FLEET_ENV.OWNER_KEY),
    boundaryArn: required(FLEET_ENV.BOUNDARY_ARN),
    reconcilerRoleName: required(FLEET_ENV.RECONCILER_ROLE),
    identity,
    flows: parseFlows(required(FLEET_ENV.FLOWS)),
  };
}

function parseFlows(json: string): FleetFlowConfig[] {
  const flows: unknown = JSON.parse(json);
  const text = (f: any, k: string) => typeof f?.[k] === 'string' && f[k] !== '';
  // Each flow reaches exactly one central resource: a role, or (container cost) the bucket.
  const valid = (f: any) => ['key', 'namespace', 'serviceAccount'].every((k) => text(f, k)) && text(f, 'targetRoleArn') !== text(f, 'costBucketName');
  if (!Array.isArray(flows) || !flows.every(valid)) {
    throw new Error(`environment variable ${FLEET_ENV.FLOWS} is not a list of { key, namespace, serviceAccount, and one of targetRoleArn, costBucketName }`);
  }
  return flows as FleetFlowConfig[];
}

/**
 * The reconciler's configuration, from its Lambda environment (scheduled runs carry no
 * properties; the custom resource adds only what a Delete needs).
 */
import { SyncConfig } from './desired';
import { envList, requiredEnv } from '../../core/handler-env';
import { ReconcilerDriftReads } from '../drift-reads';

export const ENV = {
  PARTITION: 'PARTITION',
  ACCOUNT: 'ACCOUNT',
  BUCKET_NAME: 'BUCKET_NAME',
  KMS_KEY_ARN: 'KMS_KEY_ARN',
  REGIONS: 'INCLUDE_REGIONS',
  OWNER_KEY: 'OWNER_KEY',
  SA_NAMESPACE: 'AGENT_NAMESPACE',
  SA_NAME: 'AGENT_SERVICE_ACCOUNT',
  BOUNDARY_ARN: 'PERMISSIONS_BOUNDARY_ARN',
  RECONCILER_ROLE: 'RECONCILER_ROLE_NAME',
  /** The stack whose Delete may remove the roles (a hand-made Delete names another, or comes at another time). */
  STACK_ID: 'STACK_ID',
  /** The logical ID of the function's own custom resource: the only resource whose Delete it acts on. */
  LOGICAL_ID: 'LOGICAL_ID',
  /** A ReconcilerDriftReads value: how the run reads its roles (its role grants only that mode's reads). */
  DRIFT_READS: 'DRIFT_READS',
} as const;

export function configFromEnv(env: Record<string, string | undefined>): SyncConfig {
  const required = requiredEnv(env);
  return {
    partition: required(ENV.PARTITION),
    account: required(ENV.ACCOUNT),
    bucketName: required(ENV.BUCKET_NAME),
    kmsKeyArn: env[ENV.KMS_KEY_ARN] || undefined,
    regions: envList(required(ENV.REGIONS)),
    ownerKey: required(ENV.OWNER_KEY),
    serviceAccount: { namespace: required(ENV.SA_NAMESPACE), name: required(ENV.SA_NAME) },
    boundaryArn: required(ENV.BOUNDARY_ARN),
    reconcilerRoleName: required(ENV.RECONCILER_ROLE),
  };
}

/** The drift-read mode; anything else fails the run (its role would refuse the other mode's reads anyway). */
export function driftReadsFromEnv(env: Record<string, string | undefined>): ReconcilerDriftReads {
  const value = requiredEnv(env)(ENV.DRIFT_READS);
  const modes = Object.values(ReconcilerDriftReads) as string[];
  if (!modes.includes(value)) throw new Error(`environment variable ${ENV.DRIFT_READS} is ${JSON.stringify(value)}; expected one of ${modes.join(', ')}`);
  return value as ReconcilerDriftReads;
}

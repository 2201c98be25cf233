/**
 * The reconciler's configuration, from its Lambda environment (scheduled runs carry no
 * properties; the custom resource adds only what a Delete needs).
 */
import { SyncConfig } from './desired';
import { envList, requiredEnv } from '../../core/handler-env';

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

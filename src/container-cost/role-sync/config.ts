/**
 * The reconciler's configuration, from its Lambda environment (scheduled runs carry no
 * properties; the custom resource adds only what a Delete needs).
 */
import { SyncConfig } from './desired';

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
} as const;

export function configFromEnv(env: Record<string, string | undefined>): SyncConfig {
  const required = (key: string) => {
    const value = env[key];
    if (!value) throw new Error(`environment variable ${key} is not set`);
    return value;
  };
  return {
    partition: required(ENV.PARTITION),
    account: required(ENV.ACCOUNT),
    bucketName: required(ENV.BUCKET_NAME),
    kmsKeyArn: env[ENV.KMS_KEY_ARN] || undefined,
    regions: required(ENV.REGIONS).split(',').map((r) => r.trim()).filter(Boolean),
    ownerKey: required(ENV.OWNER_KEY),
    serviceAccount: { namespace: required(ENV.SA_NAMESPACE), name: required(ENV.SA_NAME) },
    boundaryArn: required(ENV.BOUNDARY_ARN),
    reconcilerRoleName: required(ENV.RECONCILER_ROLE),
  };
}

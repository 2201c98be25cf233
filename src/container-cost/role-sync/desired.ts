/**
 * The container-cost reconciler's desired-state function and its spec for the shared engine
 * (core/reconciler): one IRSA role per cluster whose OIDC provider is registered, writing only that
 * cluster's bucket prefix. Pure: no I/O.
 */
import { acceptingRolesTag, agentRoleName, agentRolePath, CLUSTER_TAG, clusterPrefix, MANAGED_BY, MANAGED_BY_TAG, OWNER_TAG, PREFIX_TAG, WRITE_POLICY_NAME } from './naming';
import { irsaTrustStatement, issuerHostPath, oidcProviderArn } from '../../core/irsa';
import { policyDocument } from '../../core/policy-size';
import { DesiredState, ReconcilerSpec, RemovalTarget } from '../../core/reconciler/engine';
import { Cluster } from '../../core/reconciler/io';
import { DesiredRole, RoleScheme } from '../../core/reconciler/plan-roles';
import { ServiceAccountRef } from '../../core/service-account';

export type { Cluster, DesiredRole };

/** What the reconciler is configured with (from the Lambda's environment). */
export interface SyncConfig {
  readonly partition: string;
  readonly account: string;
  readonly bucketName: string;
  /** The bucket's KMS key, when it is encrypted with one (the agent then needs to encrypt with it). */
  readonly kmsKeyArn?: string;
  readonly regions: string[];
  readonly ownerKey: string;
  readonly serviceAccount: ServiceAccountRef;
  /** The stack's permissions boundary: every role the reconciler creates or changes carries it. */
  readonly boundaryArn: string;
  /** The reconciler's own role, whose tag says the stack still accepts new agent roles. */
  readonly reconcilerRoleName: string;
}

/** How the container-cost reconciler marks and fills its roles. */
export const COST_ROLE_SCHEME: RoleScheme = {
  ownerTag: OWNER_TAG,
  clusterTag: CLUSTER_TAG,
  policyName: WRITE_POLICY_NAME,
  describe: (clusterArn) => `Container cost agent of ${clusterArn}`,
};

/** The engine's spec for one stack's reconciler. */
export function costReconcilerSpec(config: SyncConfig): ReconcilerSpec {
  return {
    ownerKey: config.ownerKey,
    rolePaths: [agentRolePath(config.ownerKey)],
    scheme: COST_ROLE_SCHEME,
    regions: config.regions,
    boundaryArn: config.boundaryArn,
    reconcilerRoleName: config.reconcilerRoleName,
    fenceTag: acceptingRolesTag(config.ownerKey),
    scan: { oidcProviders: true },
    desired: (clusters, providers) => costDesiredState(config, clusters, providers),
  };
}

/** What a Delete of one stack's resource removes. */
export function costRemovalTarget(target: { ownerKey: string; boundaryArn: string; reconcilerRoleName: string }): RemovalTarget {
  return { ...target, rolePaths: [agentRolePath(target.ownerKey)], scheme: COST_ROLE_SCHEME, fenceTag: acceptingRolesTag(target.ownerKey) };
}

/** One role per cluster with a registered OIDC provider; the others are skipped with the reason. */
export function costDesiredState(config: SyncConfig, clusters: Cluster[], providers: ReadonlySet<string>): DesiredState {
  const roles: DesiredRole[] = [];
  const skipped: Array<{ clusterArn: string; reason: string }> = [];
  for (const cluster of clusters) {
    if (!cluster.issuer) {
      skipped.push({ clusterArn: cluster.arn, reason: 'the cluster has no OIDC issuer' });
    } else if (!providers.has(issuerHostPath(cluster.issuer))) {
      skipped.push({ clusterArn: cluster.arn, reason: `the cluster's OIDC provider (${issuerHostPath(cluster.issuer)}) is not registered in IAM; register it to give the agent a role` });
    } else {
      roles.push(desiredRole(config, cluster as Cluster & { issuer: string }));
    }
  }
  return { roles, skipped };
}

/** The tags a role gets at creation (and never again: the reconciler may not retag). */
export function ownerTags(config: SyncConfig, clusterArn: string, prefix: string): Record<string, string> {
  return { [OWNER_TAG]: config.ownerKey, [CLUSTER_TAG]: clusterArn, [MANAGED_BY_TAG]: MANAGED_BY, [PREFIX_TAG]: prefix };
}

/** The role for a cluster whose OIDC provider is registered in IAM. */
export function desiredRole(config: SyncConfig, cluster: Cluster & { issuer: string }): DesiredRole {
  const hostPath = issuerHostPath(cluster.issuer);
  const prefix = clusterPrefix(cluster.name, cluster.region);
  const bucketArn = `arn:${config.partition}:s3:::${config.bucketName}`;
  const statements: unknown[] = [
    { Sid: 'WriteOwnPrefix', Effect: 'Allow', Action: ['s3:PutObject', 's3:AbortMultipartUpload'], Resource: `${bucketArn}/${prefix}*` },
    { Sid: 'ListOwnPrefix', Effect: 'Allow', Action: 's3:ListBucket', Resource: bucketArn, Condition: { StringLike: { 's3:prefix': `${prefix}*` } } },
  ];
  if (config.kmsKeyArn) statements.push(multipartKmsStatement(config.kmsKeyArn));
  return {
    roleName: agentRoleName(cluster.name, cluster.region),
    path: agentRolePath(config.ownerKey),
    clusterArn: cluster.arn,
    trust: policyDocument([irsaTrustStatement(oidcProviderArn(config.partition, config.account, hostPath), hostPath, [config.serviceAccount])]),
    policy: { Version: '2012-10-17', Statement: statements },
    tags: ownerTags(config, cluster.arn, prefix),
    boundaryArn: config.boundaryArn,
  };
}

/**
 * What an SSE-KMS upload needs of the bucket's key: GenerateDataKey for every object, and Decrypt
 * because a multipart upload reads the data key back for each part (S3 user guide, "Multipart upload
 * API and permissions": "you must have permission to the kms:Decrypt and kms:GenerateDataKey actions").
 */
export function multipartKmsStatement(kmsKeyArn: string): Record<string, unknown> {
  return { Sid: 'UploadWithBucketKey', Effect: 'Allow', Action: ['kms:GenerateDataKey', 'kms:Decrypt'], Resource: kmsKeyArn };
}

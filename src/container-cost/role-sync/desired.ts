/**
 * The role the reconciler wants for one cluster: name, path, trust, write policy, tags.
 * Pure: no I/O.
 */
import { agentRoleName, agentRolePath, CLUSTER_TAG, clusterPrefix, MANAGED_BY, MANAGED_BY_TAG, OWNER_TAG, PREFIX_TAG } from './naming';
import { irsaTrustStatement, issuerHostPath, oidcProviderArn } from '../../core/irsa';
import { policyDocument } from '../../core/policy-size';
import { ServiceAccountRef } from '../../core/service-account';

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

/** An EKS cluster found by the scan. */
export interface Cluster {
  readonly name: string;
  readonly region: string;
  readonly arn: string;
  /** The OIDC issuer URL; absent for a cluster without one. */
  readonly issuer?: string;
}

export interface DesiredRole {
  readonly roleName: string;
  readonly path: string;
  readonly clusterArn: string;
  readonly trust: unknown;
  readonly policy: unknown;
  readonly tags: Record<string, string>;
  readonly boundaryArn: string;
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

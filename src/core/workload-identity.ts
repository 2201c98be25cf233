import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { irsaPrincipal } from './irsa-trust';
import { oidcProviderFor } from './oidc-providers';
import { POD_IDENTITY_SERVICE, podIdentitySessionTagConditions } from './pod-identity';
import { TrustStatement } from './role-trust';
import { ServiceAccountRef } from './service-account';

/**
 * The trust statement of a role that one service account of one cluster assumes through IRSA:
 * the cluster's OIDC provider (given, or created once per stack), with `aud` and `sub`.
 */
export function irsaRoleTrust(
  scope: Construct, id: string, issuerUrl: string, providerArn: string | undefined, serviceAccounts: ServiceAccountRef[],
): TrustStatement {
  const provider = providerArn ?? oidcProviderFor(scope, issuerUrl).oidcProviderArn;
  return { principal: irsaPrincipal(scope, id, { providerArn: provider, issuerUrl, serviceAccounts }), actions: ['sts:AssumeRoleWithWebIdentity'] };
}

/**
 * The trust statement of an EKS Pod Identity role: `pods.eks.amazonaws.com` for sts:AssumeRole and
 * sts:TagSession; with session tags, only for this service account of this cluster (a cluster of
 * the construct's stack, named by a token-safe ARN).
 */
export function podIdentityRoleTrust(scope: Construct, clusterName: string, sa: ServiceAccountRef, sessionTags: boolean): TrustStatement {
  const clusterArn = Stack.of(scope).formatArn({ service: 'eks', resource: 'cluster', resourceName: clusterName });
  return {
    principal: new iam.ServicePrincipal(POD_IDENTITY_SERVICE),
    actions: ['sts:AssumeRole', 'sts:TagSession'],
    conditions: sessionTags ? { StringEquals: podIdentitySessionTagConditions(clusterArn, sa) } : undefined,
  };
}

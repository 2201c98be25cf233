import { Fn, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { irsaPrincipal } from './irsa-trust';
import { oidcProviderFor } from './oidc-providers';
import { POD_IDENTITY_SERVICE, podIdentitySessionTagConditions } from './pod-identity';
import { TrustStatement } from './role-trust';
import { ServiceAccountRef } from './service-account';
import { warn } from './warnings';

/**
 * The trust statement of a role that one service account of one cluster assumes through IRSA:
 * the cluster's OIDC provider with `aud` and `sub`. The provider is the given one; else, when
 * `createProvider`, one created once per stack; else the provider IRSA already registered for the
 * issuer in this account, by the ARN IAM gives it (`arn:<p>:iam::<account>:oidc-provider/<host/path>`):
 * a cluster that uses IRSA has it, and creating a second one fails with EntityAlreadyExists.
 */
export function irsaRoleTrust(
  scope: Construct, id: string, issuerUrl: string, providerArn: string | undefined, serviceAccounts: ServiceAccountRef[], createProvider = false,
): TrustStatement {
  const provider = providerArn ?? (createProvider ? oidcProviderFor(scope, issuerUrl).oidcProviderArn : existingProviderArn(scope, issuerUrl));
  return { principal: irsaPrincipal(scope, id, { providerArn: provider, issuerUrl, serviceAccounts }), actions: ['sts:AssumeRoleWithWebIdentity'] };
}

/** The ARN of the IAM OIDC provider registered for an issuer in the construct's account (token-safe). */
export function existingProviderArn(scope: Construct, issuerUrl: string): string {
  const hostPath = Token.isUnresolved(issuerUrl) ? Fn.select(1, Fn.split('https://', issuerUrl)) : issuerUrl.replace(/^https:\/\//, '');
  return Stack.of(scope).formatArn({ service: 'iam', region: '', resource: 'oidc-provider', resourceName: hostPath });
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

/** The synth-time note that creating a provider is a choice that fails on a cluster already using IRSA. */
export function warnCreatesProvider(scope: Construct): void {
  warn(scope, 'createsOidcProvider',
    'createOidcProvider: this stack creates the IAM OIDC provider for the cluster\'s issuer. The deploy fails with EntityAlreadyExists '
    + 'if the account already has one (every cluster that uses IRSA does); leave createOidcProvider unset to use that one.');
}

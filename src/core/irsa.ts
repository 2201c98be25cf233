/**
 * IRSA (IAM roles for service accounts) trust statements as plain JSON. Pure: no aws-cdk-lib
 * import, so Lambda handlers write exactly the documents the constructs would.
 *
 * Facts (EKS user guide, "Assign IAM roles to Kubernetes service accounts"): the principal is the
 * IAM OIDC provider of the cluster's issuer; the action is sts:AssumeRoleWithWebIdentity; the
 * condition keys are the issuer without "https://" followed by ":aud" (always sts.amazonaws.com)
 * and ":sub" (system:serviceaccount:<namespace>:<name>).
 */
import { ServiceAccountRef } from './service-account';

export const STS_AUDIENCE = 'sts.amazonaws.com';
export const WEB_IDENTITY_ACTION = 'sts:AssumeRoleWithWebIdentity';

/** "oidc.eks.us-east-1.amazonaws.com/id/ABC..." for "https://oidc.eks.us-east-1.amazonaws.com/id/ABC...". */
export function issuerHostPath(issuerUrl: string): string {
  return issuerUrl.replace(/^https:\/\//, '');
}

/** The IAM OIDC provider ARN IAM gives a provider for this issuer in this account. */
export function oidcProviderArn(partition: string, account: string, hostPath: string): string {
  return `arn:${partition}:iam::${account}:oidc-provider/${hostPath}`;
}

/** The `sub` claim of a service account's projected token. */
export function serviceAccountSubject(sa: ServiceAccountRef): string {
  return `system:serviceaccount:${sa.namespace}:${sa.name}`;
}

/** Whether a service-account name is a pattern (needs StringLike). */
export function isWildcard(sa: ServiceAccountRef): boolean {
  return /[*?]/.test(sa.name);
}

/** One value, or the list when there are several: the way CDK renders condition values. */
function oneOrMany(values: string[]): string | string[] {
  return values.length === 1 ? values[0] : values;
}

/**
 * The Condition block of an IRSA trust statement: `aud` always with StringEquals; `sub` with
 * StringEquals when every name is literal, StringLike when any is a wildcard (in one statement,
 * since two operators on the same key would be ANDed). StringLike with a literal name matches
 * exactly that name: Kubernetes names cannot contain `*` or `?`.
 */
export function irsaConditions(hostPath: string, serviceAccounts: ServiceAccountRef[]): Record<string, Record<string, string | string[]>> {
  const subjects = [...new Set(serviceAccounts.map(serviceAccountSubject))];
  const aud = { [`${hostPath}:aud`]: STS_AUDIENCE };
  const sub = { [`${hostPath}:sub`]: oneOrMany(subjects) };
  return serviceAccounts.some(isWildcard)
    ? { StringEquals: aud, StringLike: sub }
    : { StringEquals: { ...aud, ...sub } };
}

/** A complete IRSA trust statement, as IAM stores it. */
export function irsaTrustStatement(providerArn: string, hostPath: string, serviceAccounts: ServiceAccountRef[]): Record<string, unknown> {
  return {
    Action: WEB_IDENTITY_ACTION,
    Condition: irsaConditions(hostPath, serviceAccounts),
    Effect: 'Allow',
    Principal: { Federated: providerArn },
  };
}

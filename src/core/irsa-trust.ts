import { CfnJson, Fn, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { irsaConditions, irsaTrustStatement, issuerHostPath, oidcProviderArn, WEB_IDENTITY_ACTION } from './irsa';
import { ServiceAccountRef } from './service-account';

/** What an IRSA trust statement needs: the provider, its issuer, and the service accounts. */
export interface IrsaTrustSource {
  /** The IAM OIDC provider ARN in the role's account (literal or token). */
  readonly providerArn: string;
  /** The cluster's issuer URL (literal or token). */
  readonly issuerUrl: string;
  readonly serviceAccounts: ServiceAccountRef[];
}

/** What the estimate assumes for values only known at deploy time. */
export interface TrustEstimateContext {
  /** The role's account when literal. */
  readonly account?: string;
  /** The role's partition when literal. */
  readonly partition?: string;
}

// Worst-case stand-ins, so a size estimate with deploy-time values never comes out low.
const LONGEST_PARTITION = 'aws-us-gov';
const ANY_ACCOUNT = '000000000000';
const LONGEST_EKS_ISSUER_HOST_PATH = `oidc.eks.${'x'.repeat(16)}.amazonaws.com.cn/id/${'X'.repeat(32)}`;

/**
 * The IAM principal for an IRSA trust statement. With a token issuer URL the condition keys are
 * deploy-time values, which CloudFormation only accepts through a CfnJson (a custom resource);
 * literal issuers, the normal cross-account case, need none.
 */
export function irsaPrincipal(scope: Construct, id: string, source: IrsaTrustSource): iam.IPrincipal {
  const literal = !Token.isUnresolved(source.issuerUrl);
  const hostPath = literal ? issuerHostPath(source.issuerUrl) : Fn.select(1, Fn.split('https://', source.issuerUrl));
  const conditions = irsaConditions(hostPath, source.serviceAccounts);
  const rendered = literal
    ? conditions
    : Object.fromEntries(Object.entries(conditions).map(([op, block]) => [op, new CfnJson(scope, `${id}${op}`, { value: block })]));
  return new iam.FederatedPrincipal(source.providerArn, rendered, WEB_IDENTITY_ACTION);
}

/**
 * The statement exactly as IAM will store it, with worst-case stand-ins for deploy-time values;
 * used to budget trust-policy size before CloudFormation ever sees the policy.
 */
export function irsaStatementForEstimate(source: IrsaTrustSource, context: TrustEstimateContext): Record<string, unknown> {
  const hostPath = Token.isUnresolved(source.issuerUrl) ? LONGEST_EKS_ISSUER_HOST_PATH : issuerHostPath(source.issuerUrl);
  const providerArn = Token.isUnresolved(source.providerArn)
    ? oidcProviderArn(context.partition ?? LONGEST_PARTITION, context.account ?? ANY_ACCOUNT, hostPath)
    : source.providerArn;
  return irsaTrustStatement(providerArn, hostPath, source.serviceAccounts);
}

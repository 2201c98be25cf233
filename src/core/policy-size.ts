/**
 * Policy size the way IAM counts it: characters of the JSON document, white space not counted
 * (IAM user guide, "IAM and AWS STS quotas": "IAM doesn't count white space when calculating the
 * size of a policy against these limits"). Pure: no aws-cdk-lib import.
 */

/** IAM's default quota for a role trust policy; accounts can raise it to 4096. */
export const DEFAULT_TRUST_POLICY_SIZE_LIMIT = 2048;
/** IAM's quota for all inline policies of one role together. */
export const INLINE_POLICIES_PER_ROLE = 10_240;
/** IAM's quota for one managed policy. */
export const MANAGED_POLICY_SIZE = 6_144;
/** The largest trust-policy quota IAM grants. */
export const MAX_TRUST_POLICY_SIZE_LIMIT = 4096;

/** Non-white-space characters of a JSON document. */
export function policySize(document: unknown): number {
  return JSON.stringify(document).replace(/\s/g, '').length;
}

/** A policy document around the given statements, as CDK renders it. */
export function policyDocument(statements: unknown[]): Record<string, unknown> {
  return { Statement: statements, Version: '2012-10-17' };
}

/**
 * How the container-cost reconciler reads its roles for the drift check. Pure (no CDK): the
 * construct and the handler share it.
 */

/**
 * How the reconciler reads the agent roles it keeps (the drift check of every run).
 */
export enum ReconcilerDriftReads {
  /**
   * `iam:ListRoles` with the stack's path prefix, then `GetRole`, `ListRolePolicies`,
   * `GetRolePolicy` and `ListAttachedRolePolicies` per role, those four scoped to the role path
   * ARN. `ListRoles` has no resource-level permission (`*`), and returns every role's name, path
   * and trust policy, but no tags, boundaries or policies. About 4 calls per cluster a run.
   */
  PER_ROLE = 'PER_ROLE',
  /**
   * `iam:GetAccountAuthorizationDetails` (filter Role) pages of up to 1,000 roles with all they
   * carry: one call per 1,000 roles of the account. The action has no resource-level permission:
   * the reconciler's role can then read the whole account's IAM configuration (every user's,
   * group's and role's policies).
   */
  ACCOUNT_AUTHORIZATION_DETAILS = 'ACCOUNT_AUTHORIZATION_DETAILS',
}

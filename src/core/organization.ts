/**
 * An AWS Organization, optionally narrowed to organizational units.
 */
export interface OrganizationScope {
  /** The organization's ID, `o-` and 10 to 32 lowercase letters or digits. */
  readonly organizationId: string;

  /**
   * Organizational-unit paths as AWS Organizations writes them, `o-<org>/r-<root>/ou-<...>/`
   * (deeper OUs below one path are included). A principal qualifies when its account is under any.
   *
   * @default - every account of the organization
   */
  readonly organizationalUnitPaths?: string[];
}

/**
 * Trust in the fleet's source identities of one flow in any account of an AWS Organization (or of
 * some of its OUs), instead of listing accounts or clusters. The target role's trust is then
 * `Principal: { AWS: '*' }` held by `aws:PrincipalOrgID`, `aws:PrincipalOrgPaths` (when OUs are given)
 * and `ArnLike aws:PrincipalArn` on `sourcePrincipalPattern`: the same size for 10 accounts or 10,000,
 * and no per-cluster OIDC provider.
 *
 * Whoever may create IAM roles under the pattern's path in a member account can reach the target
 * role: keep that path to the fleet's StackSet (for example with an SCP that denies `iam:CreateRole`
 * and `iam:UpdateAssumeRolePolicy` on `role/xacct-observability/*` to every other principal).
 */
export interface OrganizationSourceTrust extends OrganizationScope {
  /**
   * The IAM role ARN pattern of the source identities, matched with `ArnLike` against `aws:PrincipalArn`
   * (the calling role's ARN with its path): `arn:<stack partition>:iam::<* or 12 digits>:role/<path>/<name>`.
   * `*` and `?` are allowed in the role name only, and only below a fixed path (`role/*` would admit every
   * role of every member account). A deploy-time value (token) is supported (it is not checked).
   *
   * @default - the fleet's identities of this construct's flow in any account:
   * `FleetNames.sourcePrincipalPattern(<stack partition>, <flow key>)`, i.e.
   * `arn:<partition>:iam::*:role/xacct-observability/<flow>/*`
   */
  readonly sourcePrincipalPattern?: string;
}

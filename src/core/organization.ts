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

import { roleNameFromParts } from '../core/naming';

/** The prefix of the per-cluster source role's name. */
export const SCRAPER_SOURCE_ROLE_PREFIX = 'amp-scraper-source';

/** The first block of the workspace ID ("ws-0123abcd-..." gives "0123abcd"): short, and stable. */
export function workspaceKey(workspaceArn: string): string {
  return workspaceArn.split('/').pop()!.replace(/^ws-/, '').split('-')[0];
}

/** The source (cluster-account) role of the scraper for one cluster and workspace. */
export function scraperSourceRoleName(clusterName: string, workspaceArn: string): string {
  return roleNameFromParts([SCRAPER_SOURCE_ROLE_PREFIX, clusterName, workspaceKey(workspaceArn)]);
}

/** The target (workspace-account) role for one source account, cluster and workspace. */
export function scraperTargetRoleName(sourceAccountId: string, clusterName: string, workspaceArn: string): string {
  return roleNameFromParts(['amp-scraper-target', sourceAccountId, clusterName, workspaceKey(workspaceArn)]);
}

/** The organization-mode target role for one workspace: `amp-scraper-target-<workspace id>` (hashed at 64 characters). */
export function scraperOrganizationTargetRoleName(workspaceArn: string): string {
  return roleNameFromParts(['amp-scraper-target', workspaceArn.split('/').pop()!]);
}

/**
 * The per-role drift check (ReconcilerDriftReads.PER_ROLE): ListRoles with the path prefix, then
 * `readRole`'s four scoped reads per role. Kept here, not in the shared io.ts, so the fleet's
 * member template (which inlines the engine) does not grow.
 */
import { ListRolesCommand } from '@aws-sdk/client-iam';
import { mapWithConcurrency } from '../../core/reconciler/concurrency';
import { DEFAULT_CONCURRENCY } from '../../core/reconciler/engine';
import { SyncIo } from '../../core/reconciler/io';
import { ActualRole } from '../../core/reconciler/plan-roles';

export class PerRoleSyncIo extends SyncIo {
  /** Same answer as the bulk read: the roles at exactly each path, read in full, and those nested deeper. */
  override async rolesUnder(paths: readonly string[]): Promise<{ roles: ActualRole[]; nested: Array<{ path: string; role: string }> }> {
    const atPath: string[] = [];
    const nested: Array<{ path: string; role: string }> = [];
    for (const path of paths) {
      let marker: string | undefined;
      do {
        const request = new ListRolesCommand({ PathPrefix: path, Marker: marker });
        const page = await this.call(() => this.clients.iam.send(request));
        for (const r of page.Roles ?? []) {
          if (r.Path === path) atPath.push(r.RoleName!);
          else nested.push({ path, role: `${r.Path}${r.RoleName}` });
        }
        marker = page.IsTruncated ? page.Marker : undefined;
      } while (marker);
    }
    // A role deleted between ListRoles and its reads (a concurrent run) is simply not there.
    const roles = await mapWithConcurrency(atPath, DEFAULT_CONCURRENCY.roles, (name) => this.readRole(name));
    return { roles: roles.filter((role): role is ActualRole => role !== undefined), nested };
  }
}

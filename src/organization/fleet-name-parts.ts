/**
 * The fleet's name rules without argument checks, for the member reconciler: its inputs come from
 * the environment its own stack fixed (validated at synth), and its code is inlined in the member
 * template, which must stay within CreateStackSet's 51,200 bytes. Every caller's code uses
 * `fleet-names.ts`, which checks each argument and builds the names with these.
 */
import { clusterRoleName } from '../core/naming';

export const PATH_ROOT = '/xacct-observability/';

export const rolePathOf = (flowKey: string): string => `${PATH_ROOT}${flowKey}/`;
export const podIdentityRoleNameOf = (flowKey: string, region: string): string => `${flowKey}.pod-identity.${region}`;
export const irsaRoleNameOf = (flowKey: string, clusterName: string, region: string): string => clusterRoleName(flowKey, clusterName, region);
export const costPrefixOf = (account: string, region: string, clusterName: string): string => `${account}/${region}/${clusterName}/`;

/**
 * What to do with a reconciler's EKS Pod Identity associations, from what is wanted and what is
 * there. Pure: no I/O. The same safety rules as for roles (plan-roles.ts):
 * - an association is ours only if it carries our owner tag; others are never touched, and a
 *   service account that already has someone else's association is reported, not taken over;
 * - orphans are deleted only in clusters whose associations were all read in this run, in regions
 *   whose scan succeeded (fail closed);
 * - drift (another role or target role) is repaired in place.
 */

/** An association a desired-state function wants (one per cluster and service account). */
export interface DesiredAssociation {
  readonly region: string;
  readonly clusterName: string;
  readonly clusterArn: string;
  readonly namespace: string;
  readonly serviceAccount: string;
  readonly roleArn: string;
  /** The role in another account that EKS assumes with `roleArn` (cross-account role chaining). */
  readonly targetRoleArn?: string;
  /** Set at creation; the owner tag makes it ours. */
  readonly tags: Record<string, string>;
}

/** An association as read from EKS. */
export interface ActualAssociation {
  readonly region: string;
  readonly clusterName: string;
  readonly associationId: string;
  readonly namespace: string;
  readonly serviceAccount: string;
  readonly roleArn: string;
  readonly targetRoleArn?: string;
  readonly tags: Record<string, string>;
}

export type AssociationAction =
  | { kind: 'create-association'; association: DesiredAssociation }
  | { kind: 'update-association'; association: DesiredAssociation; associationId: string }
  | { kind: 'replace-association'; association: DesiredAssociation; associationId: string }
  | { kind: 'delete-association'; region: string; clusterName: string; associationId: string; serviceAccount: string }
  | { kind: 'skip'; key: string; reason: string };

/** One cluster's associations as this run saw them. */
export interface ClusterAssociations {
  readonly region: string;
  readonly clusterName: string;
  /** Undefined when listing or reading them failed: nothing in the cluster is deleted then. */
  readonly actual?: readonly ActualAssociation[];
}

export interface AssociationPlanInput {
  readonly desired: readonly DesiredAssociation[];
  readonly clusters: readonly ClusterAssociations[];
  readonly ownerTag: string;
  readonly ownerKey: string;
}

/** `<region>/<cluster>/<namespace>/<service account>`: one association per key, as EKS allows. */
export function associationKey(a: { region: string; clusterName: string; namespace: string; serviceAccount: string }): string {
  return `${a.region}/${a.clusterName}/${a.namespace}/${a.serviceAccount}`;
}

export function planAssociations(input: AssociationPlanInput): AssociationAction[] {
  const actions: AssociationAction[] = [];
  const ours = (a: ActualAssociation) => a.tags[input.ownerTag] === input.ownerKey;
  const actualByKey = new Map<string, ActualAssociation>();
  const readClusters = new Set<string>();
  for (const cluster of input.clusters) {
    if (!cluster.actual) continue;
    readClusters.add(`${cluster.region}/${cluster.clusterName}`);
    for (const a of cluster.actual) actualByKey.set(associationKey(a), a);
  }
  const wanted = new Set<string>();
  for (const want of input.desired) {
    const key = associationKey(want);
    wanted.add(key);
    if (!readClusters.has(`${want.region}/${want.clusterName}`)) {
      actions.push({ kind: 'skip', key, reason: 'the cluster\'s associations could not be read in this run; nothing is created or changed there' });
      continue;
    }
    const actual = actualByKey.get(key);
    if (!actual) {
      actions.push({ kind: 'create-association', association: want });
    } else if (!ours(actual)) {
      actions.push({ kind: 'skip', key, reason: `the service account already has association ${actual.associationId} (role ${actual.roleArn}) that is not this stack's; it is left untouched` });
    } else if (actual.roleArn !== want.roleArn || (actual.targetRoleArn ?? '') !== (want.targetRoleArn ?? '')) {
      // An update sets a role and a target role; dropping a target role is a new association.
      actions.push(want.targetRoleArn
        ? { kind: 'update-association', association: want, associationId: actual.associationId }
        : { kind: 'replace-association', association: want, associationId: actual.associationId });
    }
  }
  for (const [key, actual] of actualByKey) {
    if (wanted.has(key) || !ours(actual)) continue;
    actions.push({ kind: 'delete-association', region: actual.region, clusterName: actual.clusterName, associationId: actual.associationId, serviceAccount: key });
  }
  return actions;
}

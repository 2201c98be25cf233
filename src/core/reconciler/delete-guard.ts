/**
 * Whether a Delete request really comes from CloudFormation deleting (or replacing, or rolling back)
 * this stack's custom resource. Anyone allowed to invoke the function can send a hand-made Delete;
 * acting on it would remove every agent role and close the creation fence. Pure: no I/O.
 *
 * What a forger controls: every field of the event (StackId, LogicalResourceId, PhysicalResourceId,
 * ResourceProperties). What they do not: the function's environment (the stack ID and the logical ID
 * of its own custom resource, fixed in the template at deploy time) and what CloudFormation reports
 * about that stack and that resource. So the event's stack and logical ID must equal the configured
 * ones, and CloudFormation must report the configured resource DELETE_IN_PROGRESS with the event's
 * physical ID (checked by the caller with DescribeStackResource of the configured logical ID).
 */

/** Stack states in which CloudFormation sends a custom resource its Delete. */
export const DELETING_STACK_STATES = new Set([
  'DELETE_IN_PROGRESS', // the stack is deleted
  'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS', // the resource was replaced or removed by an update
  'UPDATE_ROLLBACK_IN_PROGRESS', // a failed update removes what it created
  'UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS',
  'ROLLBACK_IN_PROGRESS', // a failed create removes what it created
  'IMPORT_ROLLBACK_IN_PROGRESS',
]);

/** The function's own custom resource, fixed in its environment at deploy time. */
export interface OwnResource {
  readonly stackId: string;
  readonly logicalId: string;
}

/** What of a Delete event the guard reads (all of it the sender's to write). */
export interface DeleteEventIds {
  readonly StackId: unknown;
  readonly LogicalResourceId: unknown;
}

/** Why the Delete must be refused before CloudFormation is asked about the resource (undefined when it may be genuine). */
export function deleteRefusal(own: OwnResource, event: DeleteEventIds, stackStatus: string | undefined): string | undefined {
  if (event.StackId !== own.stackId) return `the event names stack ${JSON.stringify(event.StackId)}, not this function's stack ${own.stackId}`;
  if (event.LogicalResourceId !== own.logicalId) {
    return `the event names resource ${JSON.stringify(event.LogicalResourceId)}, not this function's custom resource ${own.logicalId}`;
  }
  if (!stackStatus || !DELETING_STACK_STATES.has(stackStatus)) {
    return `the stack is ${stackStatus ?? 'not found'}, a state in which CloudFormation sends no Delete`;
  }
  return undefined;
}

/**
 * Why a Delete's properties must be refused: the owner key they name must be the one its (verified)
 * physical ID was made from, `<prefix>/<owner key>`, so a forged OwnerKey cannot point the removal
 * at another owner's identities.
 */
export function ownerRefusal(physicalIdPrefix: string, physicalId: string, ownerKey: unknown): string | undefined {
  if (typeof ownerKey === 'string' && ownerKey !== '' && physicalId === `${physicalIdPrefix}/${ownerKey}`) return undefined;
  return `the event's OwnerKey ${JSON.stringify(ownerKey)} is not the owner of its physical ID ${JSON.stringify(physicalId)}`;
}

/**
 * Whether a Delete request really comes from CloudFormation deleting (or replacing, or rolling back)
 * this stack's custom resource. Anyone allowed to invoke the function can send a hand-made Delete;
 * acting on it would remove every agent role and close the creation fence. Pure: no I/O.
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

/** Why the Delete must be refused (undefined when it is genuine). */
export function deleteRefusal(configuredStackId: string, eventStackId: unknown, stackStatus: string | undefined): string | undefined {
  if (eventStackId !== configuredStackId) return `the event names stack ${JSON.stringify(eventStackId)}, not this function's stack ${configuredStackId}`;
  if (!stackStatus || !DELETING_STACK_STATES.has(stackStatus)) {
    return `the stack is ${stackStatus ?? 'not found'}, a state in which CloudFormation sends no Delete`;
  }
  return undefined;
}

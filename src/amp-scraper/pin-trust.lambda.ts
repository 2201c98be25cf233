/**
 * Custom resource handler (Provider framework onEvent): pins the AMP scraper source role's trust
 * to the scraper's exact ARN once the scraper exists, closing seed 002's "go back and update the
 * trust policies" step in code. Node.js 22, AWS SDK v3 (from the Lambda runtime).
 *
 * Properties: RoleName, TrustPolicy (the pinned document, JSON), and fingerprints that change
 * whenever CloudFormation may have reset the trust, so that the resource runs again.
 */
import { GetRoleCommand, IAMClient, NoSuchEntityException, UpdateAssumeRolePolicyCommand } from '@aws-sdk/client-iam';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { decodeTrustDocument, sameTrust } from '../core/policy-document';

export interface PinTrustProperties {
  readonly RoleName: string;
  readonly TrustPolicy: string;
}

export interface PinTrustResponse {
  readonly PhysicalResourceId: string;
  readonly Data?: { readonly Changed: string };
}

/** The Lambda entry point (its second argument is the Lambda context, so the client is made here). */
export async function handler(event: CloudFormationCustomResourceEvent): Promise<PinTrustResponse> {
  return onEvent(event, new IAMClient({}));
}

/** The handler's logic, with the IAM client passed in (tests give it a fake). */
export async function onEvent(event: CloudFormationCustomResourceEvent, iam: IAMClient): Promise<PinTrustResponse> {
  const props = event.ResourceProperties as unknown as PinTrustProperties;
  const physicalResourceId = `pin-trust/${props.RoleName}`;
  switch (event.RequestType) {
    case 'Create':
    case 'Update': {
      const changed = await pinTrust(iam, props.RoleName, JSON.parse(props.TrustPolicy));
      log({ action: changed ? 'updated-trust' : 'trust-already-pinned', role: props.RoleName, requestType: event.RequestType });
      return { PhysicalResourceId: physicalResourceId, Data: { Changed: String(changed) } };
    }
    case 'Delete':
      // Nothing to undo: the role goes with the stack (or keeps a trust that names a deleted scraper,
      // which admits nobody). A delete must never fail because of this resource.
      log({ action: 'delete-noop', role: props.RoleName });
      return { PhysicalResourceId: event.PhysicalResourceId };
    default:
      throw new Error(`unknown request type ${(event as { RequestType: string }).RequestType}`);
  }
}

/** Writes the trust only when it differs, so re-runs are free. Returns whether it wrote. */
async function pinTrust(iam: IAMClient, roleName: string, desired: unknown): Promise<boolean> {
  let current: unknown;
  try {
    const { Role } = await iam.send(new GetRoleCommand({ RoleName: roleName }));
    current = decodeTrustDocument(Role!.AssumeRolePolicyDocument!);
  } catch (error) {
    if (error instanceof NoSuchEntityException) {
      throw new Error(`role ${roleName} does not exist: the scraper source role must be created before its trust is pinned`);
    }
    throw error;
  }
  if (sameTrust(current, desired)) return false;
  await iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: roleName, PolicyDocument: JSON.stringify(desired) }));
  return true;
}

function log(entry: Record<string, unknown>): void {
  console.log(JSON.stringify(entry));
}

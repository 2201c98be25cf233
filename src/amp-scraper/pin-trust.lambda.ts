/**
 * Custom resource handler (Provider framework onEvent): pins an AMP scraper source role's trust to
 * the scraper's exact ARN once the scraper exists, replacing the AMP guide's "go back and update the
 * trust policies" step. Node.js 22, AWS SDK v3 (from the Lambda runtime).
 *
 * The event supplies only RoleName and ScraperArn (plus fingerprints that make CloudFormation run it
 * again). Which roles it may touch, and this account, region and partition, come from the
 * environment fixed at deploy time; the scraper is checked with AMP's DescribeScraper; the document
 * written is derived here (see pin-request.ts for the rules and the threat model).
 */
import { AmpClient, DescribeScraperCommand, ResourceNotFoundException } from '@aws-sdk/client-amp';
import { GetRoleCommand, IAMClient, NoSuchEntityException, UpdateAssumeRolePolicyCommand } from '@aws-sdk/client-iam';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { checkPinRequest, PinConfig, pinConfigFromEnv, pinnedTrust, PinRequest, roleArnWithoutPath, scraperProblems } from './pin-request';
import { decodeTrustDocument, sameTrust } from '../core/policy-document';

export interface PinTrustResponse {
  readonly PhysicalResourceId: string;
  readonly Data?: { readonly Changed: string; readonly AwsAuthRoleArn: string };
}

export interface PinClients {
  readonly iam: IAMClient;
  readonly amp: AmpClient;
}

/** The Lambda entry point (its second argument is the Lambda context, so the clients are made here). */
export async function handler(event: CloudFormationCustomResourceEvent): Promise<PinTrustResponse> {
  return onEvent(event, { iam: new IAMClient({}), amp: new AmpClient({}) }, pinConfigFromEnv(process.env));
}

/** The handler's logic, with the clients and configuration passed in (tests give fakes). */
export async function onEvent(event: CloudFormationCustomResourceEvent, clients: PinClients, config: PinConfig): Promise<PinTrustResponse> {
  const props = event.ResourceProperties as Record<string, unknown>;
  switch (event.RequestType) {
    case 'Create':
    case 'Update': {
      const request = checkPinRequest(config, props.RoleName, props.ScraperArn);
      const scraperRoleArn = await verifyScraper(clients.amp, config, request);
      const changed = await pinTrust(clients.iam, request.roleName, pinnedTrust(config, request.scraperArn));
      log({ action: changed ? 'updated-trust' : 'trust-already-pinned', role: request.roleName, scraper: request.scraperArn, requestType: event.RequestType });
      return {
        PhysicalResourceId: `pin-trust/${request.roleName}`,
        Data: { Changed: String(changed), AwsAuthRoleArn: roleArnWithoutPath(scraperRoleArn) },
      };
    }
    case 'Delete':
      // Nothing to undo and nothing written: the role goes with the stack (or keeps a trust that names
      // a deleted scraper, which admits nobody). A delete must never fail because of this resource.
      log({ action: 'delete-noop', physicalResourceId: event.PhysicalResourceId });
      return { PhysicalResourceId: event.PhysicalResourceId };
    default:
      throw new Error(`unknown request type ${(event as { RequestType: string }).RequestType}`);
  }
}

/** Confirms with AMP that the scraper exists here and uses the role; returns its service-linked role ARN. */
async function verifyScraper(amp: AmpClient, config: PinConfig, request: PinRequest): Promise<string> {
  let scraper;
  try {
    scraper = (await amp.send(new DescribeScraperCommand({ scraperId: request.scraperId }))).scraper;
  } catch (error) {
    if (error instanceof ResourceNotFoundException) throw new Error(`refused: no scraper ${request.scraperArn} in this account and region`);
    throw error;
  }
  const problems = scraperProblems(config, request, {
    arn: scraper?.arn,
    roleArn: scraper?.roleArn,
    statusCode: scraper?.status?.statusCode,
    sourceRoleArn: scraper?.roleConfiguration?.sourceRoleArn,
  });
  if (problems.length > 0) throw new Error(`refused: ${problems.join('; ')}`);
  return scraper!.roleArn!;
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

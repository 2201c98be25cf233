/**
 * What the pin function may do, decided from configuration fixed at deploy time and facts read
 * from AMP, never from a document in its event. Pure: no I/O, no aws-cdk-lib import.
 *
 * Threat model. Whoever can invoke the function (for example with PowerUserAccess, which cannot
 * write IAM itself) controls the event; whoever can replace its code controls everything the
 * function's role allows. The role may read and update the trust of exactly the stack's scraper
 * source roles and describe this account's scrapers in this region. With this module the event
 * can at most name one of those roles and a scraper ARN; the trust written is always "the scraper
 * service, from this account, for this scraper", only for the scraper the stack created with that
 * role (fixed in the environment too: another scraper may name the same role, since
 * aps:CreateScraper needs no iam:PassRole), and only after AMP confirms that the scraper exists here
 * and uses that very role. A forged event can therefore only repeat what the deployment did. Whoever can replace the code can
 * write any trust on those source roles (IAM cannot constrain a trust document's content): a
 * principal of their choosing could then act as a source role, whose only permission is assuming
 * the target role, and so remote-write metrics into that one workspace (no reads, nothing else).
 * Replacing the code takes lambda:UpdateFunctionCode on this function, which AWS's PowerUserAccess
 * grants: where such users must not reach the workspace, deny it to them (SCP or boundary). The
 * README states this residual.
 */

import { requiredEnv } from '../core/handler-env';

/** Environment variables the construct sets on the function. */
export const PIN_ENV = {
  PARTITION: 'PIN_PARTITION',
  ACCOUNT: 'PIN_ACCOUNT',
  REGION: 'PIN_REGION',
  /** JSON: source role name → the ARN of the scraper the stack created with it. */
  SCRAPERS: 'PIN_SCRAPERS',
} as const;

export const SCRAPER_SERVICE = 'scraper.aps.amazonaws.com';

export interface PinConfig {
  readonly partition: string;
  readonly account: string;
  readonly region: string;
  /**
   * The source roles the stack created, each with the scraper the stack created for it: the only
   * roles whose trust may be written, and the only scraper each may be pinned to.
   */
  readonly scrapers: Readonly<Record<string, string>>;
}

export interface PinRequest {
  readonly roleName: string;
  readonly scraperArn: string;
  readonly scraperId: string;
}

/** The scraper as AMP's DescribeScraper reports it (the fields the check reads). */
export interface ScraperFacts {
  readonly arn?: string;
  readonly roleArn?: string;
  readonly statusCode?: string;
  readonly sourceRoleArn?: string;
}

export function pinConfigFromEnv(env: Record<string, string | undefined>): PinConfig {
  const value = requiredEnv(env);
  return {
    partition: value(PIN_ENV.PARTITION),
    account: value(PIN_ENV.ACCOUNT),
    region: value(PIN_ENV.REGION),
    scrapers: parseScrapers(value(PIN_ENV.SCRAPERS)),
  };
}

function parseScrapers(json: string): Record<string, string> {
  const parsed: unknown = JSON.parse(json);
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed) || Object.values(parsed).some((v) => typeof v !== 'string')) {
    throw new Error(`environment variable ${PIN_ENV.SCRAPERS} is not a JSON object of role name to scraper ARN`);
  }
  return parsed as Record<string, string>;
}

/** The request, if the event's two values are acceptable; otherwise an error naming every problem. */
export function checkPinRequest(config: PinConfig, roleName: unknown, scraperArn: unknown): PinRequest {
  const problems: string[] = [];
  const known = typeof roleName === 'string' && Object.prototype.hasOwnProperty.call(config.scrapers, roleName);
  if (!known) {
    problems.push(`RoleName ${JSON.stringify(roleName)} is not a scraper source role of this stack (${Object.keys(config.scrapers).join(', ')})`);
  }
  const prefix = `arn:${config.partition}:aps:${config.region}:${config.account}:scraper/`;
  const scraperId = typeof scraperArn === 'string' && scraperArn.startsWith(prefix) ? scraperArn.slice(prefix.length) : undefined;
  if (scraperId === undefined || !/^s-[0-9A-Za-z][-0-9A-Za-z]{0,62}$/.test(scraperId)) {
    problems.push(`ScraperArn ${JSON.stringify(scraperArn)} is not a scraper of this account and region (${prefix}s-<id>)`);
  } else if (known && config.scrapers[roleName as string] !== scraperArn) {
    // Another scraper may name the same source role (aps:CreateScraper needs no iam:PassRole); only
    // the one this stack created for the role may be pinned.
    problems.push(`ScraperArn ${scraperArn} is not the scraper this stack created for ${roleName} (${config.scrapers[roleName as string]})`);
  }
  if (problems.length > 0) throw new Error(`refused: ${problems.join('; ')}`);
  return { roleName: roleName as string, scraperArn: scraperArn as string, scraperId: scraperId! };
}

/** Why AMP's description of the scraper does not allow the pin (empty when it does). */
export function scraperProblems(config: PinConfig, request: PinRequest, scraper: ScraperFacts): string[] {
  const problems: string[] = [];
  const expectedRole = `arn:${config.partition}:iam::${config.account}:role/${request.roleName}`;
  if (scraper.arn !== request.scraperArn) problems.push(`AMP describes ${request.scraperId} as ${JSON.stringify(scraper.arn)}, not ${request.scraperArn}`);
  if (scraper.sourceRoleArn !== expectedRole) {
    problems.push(`the scraper's source role is ${JSON.stringify(scraper.sourceRoleArn)}, not ${expectedRole}`);
  }
  if (!['ACTIVE', 'CREATING', 'UPDATING'].includes(scraper.statusCode ?? '')) {
    problems.push(`the scraper's status is ${JSON.stringify(scraper.statusCode)}`);
  }
  return problems;
}

/** The pinned trust: the scraper service, from this account, for this scraper only. */
export function pinnedTrust(config: PinConfig, scraperArn: string): unknown {
  return {
    Version: '2012-10-17',
    Statement: [{
      Effect: 'Allow',
      Principal: { Service: SCRAPER_SERVICE },
      Action: 'sts:AssumeRole',
      Condition: { StringEquals: { 'aws:SourceAccount': config.account }, ArnEquals: { 'aws:SourceArn': scraperArn } },
    }],
  };
}

/**
 * A role ARN without its path, as aws-auth's mapRoles wants it: `arn:<p>:iam::<acct>:role/<name>`.
 * AWS's pages show the scraper's service-linked role both with and without the
 * `aws-service-role/scraper.aps.amazonaws.com/` path, so any path is stripped, and an ARN without one
 * comes back unchanged.
 */
export function roleArnWithoutPath(roleArn: string): string {
  const match = /^(arn:[^:]+:iam::\d{12}:role\/)(?:.*\/)?([^/]+)$/.exec(roleArn);
  if (!match) throw new Error(`${JSON.stringify(roleArn)} is not an IAM role ARN`);
  return match[1] + match[2];
}

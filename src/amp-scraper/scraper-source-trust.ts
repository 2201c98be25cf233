/**
 * The trust of an AMP collector's source role that a self-contained template creates (the fleet's
 * member template and the vendor's `AmpCollectorCustomerTemplate`): AMP's scraper service, for
 * scrapers of the template's own account in the template's own region only (the confused-deputy
 * keys the AMP user guide's cross-account collector setup names, `aws:SourceAccount` and
 * `aws:SourceArn`). Without a custom resource (an asset or inline Lambda) the trust cannot be pinned
 * to the one scraper ARN the way `AmpCrossAccountScraper` pins it; the target side pins instead
 * (`AmpScraperTargetRole.scraperArn`, the scraper ARN as `sts:ExternalId`).
 */
import { Aws } from 'aws-cdk-lib';

/** The trust policy document (account, region and partition are the stack's pseudo parameters). */
export function scraperServiceTrustPolicy(): Record<string, unknown> {
  return {
    Version: '2012-10-17',
    Statement: [{
      Effect: 'Allow',
      Principal: { Service: 'scraper.aps.amazonaws.com' },
      Action: 'sts:AssumeRole',
      Condition: {
        StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
        ArnLike: { 'aws:SourceArn': `arn:${Aws.PARTITION}:aps:${Aws.REGION}:${Aws.ACCOUNT_ID}:scraper/*` },
      },
    }],
  };
}

/** The source role's one permission: assume the target role. */
export function assumeTargetRolePolicy(targetRoleArn: string): { policyName: string; policyDocument: Record<string, unknown> } {
  return {
    policyName: 'assume-central-role',
    policyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: targetRoleArn }] },
  };
}

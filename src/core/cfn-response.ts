/**
 * The reply a Lambda-backed custom resource owes CloudFormation when no Provider framework sits in
 * between (a self-contained StackSet member template cannot use the framework: its code is an asset
 * in the CDK bucket of one account). CloudFormation waits for a PUT of this JSON to the pre-signed S3
 * URL in the event ("Custom resource response objects", CloudFormation user guide).
 */
import { request } from 'https';
import { partitionOf } from './partition';

export interface CfnResponseBody {
  readonly Status: 'SUCCESS' | 'FAILED';
  readonly Reason?: string;
  readonly PhysicalResourceId: string;
  readonly StackId: string;
  readonly RequestId: string;
  readonly LogicalResourceId: string;
  readonly Data?: Record<string, string>;
}

/**
 * Why a response URL is not CloudFormation's (undefined when it is): an https URL, without
 * credentials or another port, of CloudFormation's response bucket of the function's own region, on
 * that region's Amazon S3 endpoint. Anyone allowed to invoke the function can hand it an event, and
 * with it a URL of their own; a bucket that only looks like CloudFormation's (anyone can create
 * `cloudformation-custom-resource-response-attacker1`) would collect the replies.
 *
 * The bucket is AWS-owned and named `cloudformation-custom-resource-response-<region without
 * dashes>` (CloudFormation user guide, "Setting up VPC endpoints for CloudFormation": the endpoint
 * policy must allow that bucket, "uswest2" for us-west-2). Its hosts: virtual-hosted on the
 * regional endpoint `s3.<region>.<suffix>` or the older `s3-<region>.<suffix>`, and, in the
 * commercial partition, the global `s3.amazonaws.com` (where us-east-1's replies are sent); or the
 * same endpoints path-style. The region is the function's, fixed at deploy time: CloudFormation
 * sends a stack's requests with its own region's bucket.
 */
export function responseUrlProblem(url: unknown, region: string | undefined): string | undefined {
  if (typeof url !== 'string') return 'the event has no ResponseURL';
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'the ResponseURL is not a URL';
  }
  if (!region || !/^[a-z]{2}(-[a-z0-9]+)+-\d+$/.test(region)) return 'the function has no configured region to check the ResponseURL against';
  if (parsed.protocol !== 'https:') return 'the ResponseURL is not https';
  if (parsed.username || parsed.password || (parsed.port !== '' && parsed.port !== '443')) return 'the ResponseURL has credentials or a port';
  const bucket = responseBucket(region);
  const endpoints = s3Endpoints(region);
  const virtualHosted = endpoints.some((endpoint) => parsed.hostname === `${bucket}.${endpoint}`);
  const pathStyle = endpoints.includes(parsed.hostname) && parsed.pathname.startsWith(`/${bucket}/`);
  if (!virtualHosted && !pathStyle) {
    return `the ResponseURL is not CloudFormation's response bucket of ${region} (${bucket}) on Amazon S3 (host ${parsed.hostname})`;
  }
  return undefined;
}

/** CloudFormation's custom-resource response bucket of a region: `cloudformation-custom-resource-response-useast1`. */
export function responseBucket(region: string): string {
  return `cloudformation-custom-resource-response-${region.replace(/-/g, '')}`;
}

/** The Amazon S3 endpoints of a region that CloudFormation's response URLs use. */
function s3Endpoints(region: string): string[] {
  const { partition, dnsSuffix } = partitionOf(region);
  return [`s3.${region}.${dnsSuffix}`, `s3-${region}.${dnsSuffix}`, ...(partition === 'aws' ? ['s3.amazonaws.com'] : [])];
}

/**
 * PUTs the body to the URL (CloudFormation's pre-signed S3 URL wants no content type), each try
 * bounded at 20 seconds, three tries: without the answer a stack waits until its service timeout.
 */
export async function putCfnResponse(url: string, body: CfnResponseBody, attempts = 3): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await putOnce(url, JSON.stringify(body));
    } catch (error) {
      if (attempt >= attempts) throw error;
      await new Promise((resolve) => setTimeout(resolve, 1_000 * attempt));
    }
  }
}

function putOnce(url: string, data: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'PUT', timeout: 20_000, headers: { 'content-type': '', 'content-length': Buffer.byteLength(data) } }, (res) => {
      res.resume();
      res.on('end', () => ((res.statusCode ?? 500) < 300 ? resolve() : reject(new Error(`the response upload returned HTTP ${res.statusCode}`))));
    });
    req.on('timeout', () => req.destroy(new Error('the response upload timed out')));
    req.on('error', reject);
    req.end(data);
  });
}

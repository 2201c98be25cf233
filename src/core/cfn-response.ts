/**
 * The reply a Lambda-backed custom resource owes CloudFormation when no Provider framework sits in
 * between (a self-contained StackSet member template cannot use the framework: its code is an asset
 * in the CDK bucket of one account). CloudFormation waits for a PUT of this JSON to the pre-signed S3
 * URL in the event ("Custom resource response objects", CloudFormation user guide).
 */
import { request } from 'https';

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
 * credentials or another port, of CloudFormation's response bucket of a region
 * (`cloudformation-custom-resource-response-<region without dashes>`) on an Amazon S3 host. Anyone
 * allowed to invoke the function can hand it an event, and with it a URL of their own.
 */
export function responseUrlProblem(url: unknown): string | undefined {
  if (typeof url !== 'string') return 'the event has no ResponseURL';
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'the ResponseURL is not a URL';
  }
  if (parsed.protocol !== 'https:') return 'the ResponseURL is not https';
  if (parsed.username || parsed.password || (parsed.port !== '' && parsed.port !== '443')) return 'the ResponseURL has credentials or a port';
  // An S3 endpoint: global, regional (s3.<region> or s3-<region>), dual-stack; in any partition.
  const endpoint = String.raw`s3([.-](dualstack\.)?[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d+)?\.amazonaws\.com(\.cn)?`;
  // The bucket of a region: <region without dashes>, as useast1, usgovwest1, cnnorth1.
  const bucketLabel = 'cloudformation-custom-resource-response-[a-z]{2}(gov|iso[a-z]?)?[a-z]+[0-9]+';
  const virtualHosted = new RegExp(`^${bucketLabel}\\.${endpoint}$`).test(parsed.hostname);
  const pathStyle = new RegExp(`^${endpoint}$`).test(parsed.hostname) && new RegExp(`^/${bucketLabel}/`).test(parsed.pathname);
  // CloudFormation's own response bucket of a region: never another bucket on S3.
  if (!virtualHosted && !pathStyle) return `the ResponseURL is not CloudFormation's response bucket on Amazon S3 (host ${parsed.hostname})`;
  return undefined;
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

/**
 * The ResponseURL check of handlers that answer CloudFormation themselves (core/cfn-response.ts):
 * only CloudFormation's own response bucket of the function's region, on that region's S3 endpoints.
 */
import { responseUrlProblem } from '../../src/core/cfn-response';

const SIGNED = '/arn%3Aaws%3Acloudformation%3Aus-east-1%3A111111111111%3Astack/S/guid%7CIdentities%7Creq?X-Amz-Signature=abc';

describe('accepted: the response bucket of the function\'s region, on its S3 endpoints', () => {
  test.each([
    ['us-east-1', `https://cloudformation-custom-resource-response-useast1.s3.amazonaws.com${SIGNED}`],
    ['us-east-1', `https://cloudformation-custom-resource-response-useast1.s3.us-east-1.amazonaws.com${SIGNED}`],
    ['eu-west-1', `https://cloudformation-custom-resource-response-euwest1.s3-eu-west-1.amazonaws.com${SIGNED}`],
    ['eu-west-1', `https://cloudformation-custom-resource-response-euwest1.s3.eu-west-1.amazonaws.com${SIGNED}`],
    ['ap-northeast-1', `https://s3.ap-northeast-1.amazonaws.com/cloudformation-custom-resource-response-apnortheast1${SIGNED}`],
    ['us-gov-west-1', `https://cloudformation-custom-resource-response-usgovwest1.s3-us-gov-west-1.amazonaws.com${SIGNED}`],
    ['cn-north-1', `https://cloudformation-custom-resource-response-cnnorth1.s3.cn-north-1.amazonaws.com.cn${SIGNED}`],
  ])('%s: %s', (region, url) => {
    expect(responseUrlProblem(url, region)).toBeUndefined();
  });
});

// Issue 21, item 9: any bucket whose name merely looks like a region's response bucket was accepted;
// anyone can create `cloudformation-custom-resource-response-attacker1` and collect the replies.
describe('refused: every other bucket, another region\'s, other hosts', () => {
  test.each([
    ['a bucket named like one, for no region', 'us-east-1', 'https://cloudformation-custom-resource-response-attacker1.s3.amazonaws.com/x'],
    ['a bucket named like one, for no region (path-style)', 'us-east-1', 'https://s3.us-east-1.amazonaws.com/cloudformation-custom-resource-response-evilbucket9/x'],
    ['a region that does not exist', 'us-east-1', 'https://cloudformation-custom-resource-response-useast9.s3.amazonaws.com/x'],
    ['another region\'s response bucket', 'us-east-1', 'https://cloudformation-custom-resource-response-euwest1.s3.eu-west-1.amazonaws.com/x'],
    ['its region\'s bucket on another region\'s endpoint', 'eu-west-1', 'https://cloudformation-custom-resource-response-euwest1.s3.us-west-2.amazonaws.com/x'],
    ['the China domain outside China', 'us-east-1', 'https://cloudformation-custom-resource-response-useast1.s3.us-east-1.amazonaws.com.cn/x'],
    ['a longer bucket name', 'us-east-1', 'https://cloudformation-custom-resource-response-useast1-copy.s3.amazonaws.com/x'],
    ['a bucket name below the response bucket\'s', 'us-east-1', 'https://x.cloudformation-custom-resource-response-useast1.s3.amazonaws.com/x'],
    ['path-style with the bucket only as a prefix', 'us-east-1', 'https://s3.amazonaws.com/cloudformation-custom-resource-response-useast1evil/x'],
    ['dual-stack or accelerate hosts', 'us-east-1', 'https://cloudformation-custom-resource-response-useast1.s3.dualstack.us-east-1.amazonaws.com/x'],
    ['an access point', 'us-east-1', 'https://cloudformation-custom-resource-response-useast1-111111111111.s3-accesspoint.us-east-1.amazonaws.com/x'],
    ['http', 'us-east-1', 'http://cloudformation-custom-resource-response-useast1.s3.amazonaws.com/x'],
    ['a port', 'us-east-1', 'https://cloudformation-custom-resource-response-useast1.s3.amazonaws.com:8443/x'],
    ['credentials', 'us-east-1', 'https://cloudformation-custom-resource-response-useast1.s3.amazonaws.com@evil.example.com/x'],
  ])('%s', (_label, region, url) => {
    expect(responseUrlProblem(url, region)).toEqual(expect.any(String));
  });

  test('without a configured region nothing is accepted; a URL that is not a string or not a URL is refused by name', () => {
    expect(responseUrlProblem(`https://cloudformation-custom-resource-response-useast1.s3.amazonaws.com${SIGNED}`, undefined)).toBe('the function has no configured region to check the ResponseURL against');
    expect(responseUrlProblem(42, 'us-east-1')).toBe('the event has no ResponseURL');
    expect(responseUrlProblem('not a url', 'us-east-1')).toBe('the ResponseURL is not a URL');
  });
});

/**
 * Template snapshots that do not churn: asset hashes (which change with every bundler or
 * dependency bump) are replaced by a placeholder.
 */
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';

export function templateForSnapshot(stack: Stack): any {
  const json = JSON.stringify(Template.fromStack(stack).toJSON());
  return JSON.parse(json.replace(/[0-9a-f]{64}(\.zip|\.json)?/g, (_match, ext) => `<asset-hash>${ext ?? ''}`));
}

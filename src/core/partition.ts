/**
 * Region → partition facts, by region-name prefix so regions newer than this library still work.
 * Pure: no aws-cdk-lib import, so Lambda handlers can share it.
 */
export interface PartitionInfo {
  /** ARN partition, e.g. `aws-cn`. */
  readonly partition: string;
  /** DNS suffix of service endpoints, e.g. `amazonaws.com.cn`. */
  readonly dnsSuffix: string;
}

// Longest prefixes first: `us-isob-` must win over `us-iso-`, and both over the default.
const PREFIXES: ReadonlyArray<[string, PartitionInfo]> = [
  ['us-isob-', { partition: 'aws-iso-b', dnsSuffix: 'sc2s.sgov.gov' }],
  ['us-isof-', { partition: 'aws-iso-f', dnsSuffix: 'csp.hci.ic.gov' }],
  ['eu-isoe-', { partition: 'aws-iso-e', dnsSuffix: 'cloud.adc-e.uk' }],
  ['us-iso-', { partition: 'aws-iso', dnsSuffix: 'c2s.ic.gov' }],
  ['us-gov-', { partition: 'aws-us-gov', dnsSuffix: 'amazonaws.com' }],
  ['eusc-', { partition: 'aws-eusc', dnsSuffix: 'amazonaws.eu' }],
  ['cn-', { partition: 'aws-cn', dnsSuffix: 'amazonaws.com.cn' }],
];
const COMMERCIAL: PartitionInfo = { partition: 'aws', dnsSuffix: 'amazonaws.com' };

export const PARTITIONS: readonly string[] = ['aws', ...PREFIXES.map(([, info]) => info.partition)];

/** The partition a region belongs to. */
export function partitionOf(region: string): PartitionInfo {
  return PREFIXES.find(([prefix]) => region.startsWith(prefix))?.[1] ?? COMMERCIAL;
}

/**
 * The input contract of ContainerCostBucket: every problem with its props in one error, for any
 * value a JS or Python caller can pass (null, wrong types, tokens, other partitions).
 */
import { Token } from 'aws-cdk-lib';
import { ContainerCostAgentIdentity, ContainerCostBucketProps, ContainerCostEncryption } from './container-cost-bucket';
import { ReconcilerDriftReads } from './drift-reads';
import { partitionOf } from '../core/partition';
import { EKS_CLUSTER_NAME, IAM_ROLE_NAME, REGION } from '../core/rules';
import { ServiceAccountRef } from '../core/service-account';
import { PropsValidator } from '../core/validation';

// S3 general purpose bucket naming rules (S3 user guide, "General purpose bucket naming rules"):
// 3-63 characters, a-z 0-9 . -, no "..", not an IP address, and prefixes S3 reserves.
const RESERVED_BUCKET_PREFIXES = ['xn--', 'sthree-', 'amzn-s3-demo-'];

/** A bucket name prefix (the bucket is `<prefix>-<account>`): S3's naming rules and reserved prefixes. */
export function checkBucketNamePrefix(v: PropsValidator, prop: string, prefix: string | undefined): void {
  if (!v.isLiteral(prefix)) return;
  const reserved = RESERVED_BUCKET_PREFIXES.find((p) => prefix.startsWith(p));
  if (!/^[a-z0-9][a-z0-9.-]{0,48}[a-z0-9-]$|^[a-z0-9]$/.test(prefix) || prefix.includes('..')) {
    v.problem(prop, `got ${JSON.stringify(prefix)}; expected 1-50 characters from a-z 0-9 . -, starting with a letter or digit, without ".." (the bucket is named <prefix>-<account>)`);
  } else if (reserved) {
    v.problem(prop, `got ${JSON.stringify(prefix)}; S3 reserves bucket names that start with "${reserved}"`);
  }
}

/** Checks the props and returns the agent identity mode they ask for. Throws one error listing every problem. */
export function validateContainerCostProps(
  owner: string, props: ContainerCostBucketProps, regions: unknown, sa: ServiceAccountRef, account: string | undefined, region: string | undefined,
): ContainerCostAgentIdentity {
  const v = new PropsValidator(owner);
  const stringProp = (prop: string, value: unknown): value is string | undefined => {
    if (value === undefined || typeof value === 'string') return true;
    v.problem(prop, `got ${describe(value)}; expected a string`);
    return false;
  };

  checkRegions(v, 'includeRegions', regions, region);
  v.removalPolicy('removalPolicy', props.removalPolicy);
  if (stringProp('readerRoleName', props.readerRoleName)) v.check('readerRoleName', props.readerRoleName, IAM_ROLE_NAME);
  if (sa === null || typeof sa !== 'object' || typeof sa.namespace !== 'string' || typeof sa.name !== 'string') {
    v.problem('agentServiceAccount', `got ${describe(sa)}; expected { namespace, name } (strings)`);
  } else {
    v.serviceAccount('agentServiceAccount', sa);
  }

  if (stringProp('bucketNamePrefix', props.bucketNamePrefix)) checkBucketNamePrefix(v, 'bucketNamePrefix', props.bucketNamePrefix);

  if (stringProp('ownerId', props.ownerId) && props.ownerId !== undefined) {
    if (Token.isUnresolved(props.ownerId)) v.problem('ownerId', 'is a CDK token; pass a literal (it names IAM paths and tag keys, and charts need it as plain text)');
    else if (!/^[a-z0-9-]{4,32}$/.test(props.ownerId)) v.problem('ownerId', `got ${JSON.stringify(props.ownerId)}; expected 4-32 characters from a-z 0-9 -`);
  }
  if (props.ownerId === undefined && (!account || !region)) {
    v.problem('ownerId', 'is required when the stack has no literal account and region: the default is derived from them');
  }

  enumProp(v, 'encryption', props.encryption, ContainerCostEncryption);
  if (props.encryptionKey !== undefined && props.encryption !== ContainerCostEncryption.KMS) v.problem('encryptionKey', 'only applies with encryption KMS');
  if (props.expiration !== undefined) {
    if (typeof (props.expiration as any)?.toDays !== 'function') {v.problem('expiration', `got ${describe(props.expiration)}; expected a Duration`);} else if (!Token.isUnresolved(props.expiration.toSeconds()) && props.expiration.toDays({ integral: false }) < 1) {
      v.problem('expiration', 'must be at least one day (S3 lifecycle rules count in days)');
    }
  }
  if (props.schedule !== undefined && typeof (props.schedule as any)?.expressionString !== 'string') {
    v.problem('schedule', `got ${describe(props.schedule)}; expected an events.Schedule`);
  }
  for (const key of ['versioned', 'createIamUser'] as const) {
    if (props[key] !== undefined && typeof props[key] !== 'boolean') v.problem(key, `got ${describe(props[key])}; expected true or false`);
  }
  if (props.serverAccessLogsBucket !== undefined && typeof (props.serverAccessLogsBucket as any)?.bucketName !== 'string') {
    v.problem('serverAccessLogsBucket', `got ${describe(props.serverAccessLogsBucket)}; expected an s3.IBucket`);
  }
  if (stringProp('serverAccessLogsPrefix', props.serverAccessLogsPrefix) && props.serverAccessLogsPrefix !== undefined && !props.serverAccessLogsBucket) {
    v.problem('serverAccessLogsPrefix', 'only applies with serverAccessLogsBucket');
  }

  const identity = identityOf(v, props);
  checkUserClusters(v, props, identity, region);
  enumProp(v, 'driftReads', props.driftReads, ReconcilerDriftReads);
  if (props.driftReads !== undefined && identity === ContainerCostAgentIdentity.IAM_USER) {
    v.problem('driftReads', 'only applies with agentIdentity ROLES or ROLES_AND_IAM_USER (IAM_USER has no reconciler)');
  }
  v.throwIfAny();
  return identity;
}

function identityOf(v: PropsValidator, props: ContainerCostBucketProps): ContainerCostAgentIdentity {
  enumProp(v, 'agentIdentity', props.agentIdentity, ContainerCostAgentIdentity);
  if (props.createIamUser === true) {
    if (props.agentIdentity !== undefined && props.agentIdentity !== ContainerCostAgentIdentity.ROLES_AND_IAM_USER) {
      v.problem('createIamUser', `contradicts agentIdentity ${props.agentIdentity}; use agentIdentity alone`);
    }
    return ContainerCostAgentIdentity.ROLES_AND_IAM_USER;
  }
  const valid = Object.values(ContainerCostAgentIdentity).includes(props.agentIdentity as ContainerCostAgentIdentity);
  return valid ? props.agentIdentity! : ContainerCostAgentIdentity.ROLES;
}

function checkUserClusters(
  v: PropsValidator, props: ContainerCostBucketProps, identity: ContainerCostAgentIdentity, stackRegion: string | undefined,
): void {
  const clusters = props.iamUserClusters as unknown;
  const wantsUsers = identity !== ContainerCostAgentIdentity.ROLES;
  if (clusters === undefined || clusters === null) {
    if (wantsUsers) v.problem('iamUserClusters', `is required with agentIdentity ${identity}: list the clusters ({ clusterName, region }) that get a user`);
    return;
  }
  if (!Array.isArray(clusters) || Token.isUnresolved(clusters)) {
    v.problem('iamUserClusters', `got ${describe(clusters)}; expected a list of { clusterName, region }`);
    return;
  }
  if (!wantsUsers) v.problem('iamUserClusters', 'only applies with agentIdentity IAM_USER or ROLES_AND_IAM_USER');
  if (wantsUsers && clusters.length === 0) v.problem('iamUserClusters', 'is empty; list at least one cluster');
  const seen = new Set<string>();
  clusters.forEach((c, i) => {
    const prop = `iamUserClusters[${i}]`;
    if (c === null || typeof c !== 'object' || typeof c.clusterName !== 'string' || typeof c.region !== 'string') {
      v.problem(prop, `got ${describe(c)}; expected { clusterName, region } (strings)`);
      return;
    }
    if (Token.isUnresolved(c.clusterName) || Token.isUnresolved(c.region)) {
      v.problem(prop, 'is a CDK token; pass literal names (they name the IAM user, the bucket prefix and the secret)');
      return;
    }
    v.check(`${prop}.clusterName`, c.clusterName, EKS_CLUSTER_NAME);
    checkRegions(v, `${prop}.region`, [c.region], stackRegion);
    const key = `${c.region}/${c.clusterName}`;
    if (seen.has(key)) v.problem(prop, `lists ${c.clusterName} in ${c.region} twice`);
    seen.add(key);
  });
}

/** Regions: a list of region names, all in the stack's partition (one partition per stack). */
function checkRegions(v: PropsValidator, prop: string, regions: unknown, stackRegion: string | undefined): void {
  if (!Array.isArray(regions) || Token.isUnresolved(regions)) {
    v.problem(prop, `got ${describe(regions)}; expected a list of region names (a token list cannot be checked or split at synth)`);
    return;
  }
  const list: unknown[] = regions;
  if (prop === 'includeRegions' && list.length === 0) v.problem(prop, 'is required when the stack has no literal region');
  const partitions = new Set<string>();
  if (stackRegion) partitions.add(partitionOf(stackRegion).partition);
  list.forEach((r, i) => {
    const at = prop === 'includeRegions' ? `${prop}[${i}]` : prop;
    if (typeof r !== 'string') {
      v.problem(at, `got ${describe(r)}; expected a region name such as us-east-1`);
      return;
    }
    v.check(at, r, REGION);
    if (Token.isUnresolved(r) || REGION.check(r) !== undefined) return;
    const partition = partitionOf(r).partition;
    const expected = stackRegion ? partitionOf(stackRegion).partition : [...partitions][0];
    if (expected !== undefined && partition !== expected) {
      v.problem(at, `got ${JSON.stringify(r)} in partition ${partition}; expected a region of the stack's partition ${expected} (one IAM and S3 partition per stack)`);
    }
    partitions.add(partition);
  });
  if (prop === 'includeRegions' && new Set(list).size !== list.length) v.problem(prop, 'lists a region twice');
}

function enumProp(v: PropsValidator, prop: string, value: unknown, values: Record<string, string>): void {
  if (value !== undefined && !Object.values(values).includes(value as string)) {
    v.problem(prop, `got ${describe(value)}; expected one of ${Object.values(values).join(', ')}`);
  }
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${JSON.stringify(value)}`;
}

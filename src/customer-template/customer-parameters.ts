/**
 * The customer's choices as CloudFormation parameters, each constrained so that CloudFormation
 * refuses a bad value before it creates anything (`AllowedPattern`, `MinLength`/`MaxLength`, `Rules`),
 * instead of building a garbage physical name from it.
 *
 * CloudFormation has no hash function, so a name built from a parameter cannot be shortened the way
 * `roleNameFromParts` shortens a long literal one: the parameter's `MaxLength` keeps the whole name
 * within IAM's 64 characters instead, and the name is then exactly what the library computes for
 * the same literal (the vendor's side can predict it).
 */
import { Aws, CfnParameter, CfnRule, Fn } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { MAX_ROLE_NAME_LENGTH } from '../core/naming';

/** EKS CreateCluster: 1-100 characters, alphanumeric, "-" and "_", starting alphanumeric. */
export const EKS_CLUSTER_NAME_PATTERN = '^[0-9A-Za-z][A-Za-z0-9_-]*$';
/** IAM role names: `[\w+=,.@-]+` (IAM API reference, Role.RoleName). */
export const IAM_ROLE_NAME_PATTERN = '^[\\w+=,.@-]+$';
/** STS AssumeRole ExternalId: 2-1,224 characters of `[\w+=,.@:/-]` (STS API reference, AssumeRole). */
export const EXTERNAL_ID_PATTERN = '^[\\w+=,.@:\\/-]*$';

/** The longest cluster name that still leaves `<prefix>-<cluster>[-<suffix>]` within IAM's 64 characters. */
export function maxClusterNameLength(roleNamePrefix: string, roleNameSuffix?: string): number {
  return Math.min(100, MAX_ROLE_NAME_LENGTH - roleNamePrefix.length - 1 - (roleNameSuffix ? roleNameSuffix.length + 1 : 0));
}

/** `ClusterName`: the customer's EKS cluster, short enough for `<roleNamePrefix>-<cluster>[-<roleNameSuffix>]`. */
export function clusterNameParameter(scope: Construct, roleNamePrefix: string, roleNameSuffix?: string): CfnParameter {
  const max = maxClusterNameLength(roleNamePrefix, roleNameSuffix);
  return new CfnParameter(scope, 'ClusterName', {
    type: 'String',
    description: `The EKS cluster's name (case-sensitive). The role is named ${roleNamePrefix}-<ClusterName>${roleNameSuffix ? `-${roleNameSuffix}` : ''}, so at most ${max} characters.`,
    allowedPattern: EKS_CLUSTER_NAME_PATTERN,
    minLength: 1,
    maxLength: max,
    constraintDescription: `an EKS cluster name: 1-${max} characters from A-Z a-z 0-9 _ -, starting alphanumeric`,
  });
}

/** `<prefix>-<ClusterName>[-<suffix>]` as CloudFormation builds it: the same as `roleNameFromParts([prefix, name, suffix])` for every allowed name. */
export function roleNameFromCluster(roleNamePrefix: string, clusterName: CfnParameter, roleNameSuffix?: string): string {
  return Fn.join('-', [roleNamePrefix, clusterName.valueAsString, ...(roleNameSuffix ? [roleNameSuffix] : [])]);
}

/** The escaped form of a literal for a Java regular expression (`AllowedPattern`). */
function quote(literal: string): string {
  return literal.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
}

/**
 * `<id>`: a role ARN in the vendor's account (and partition) only, so a customer cannot be pointed
 * at another account's role by a tampered link.
 */
export function vendorRoleArnParameter(scope: Construct, id: string, vendorAccountId: string, partition: string, description: string): CfnParameter {
  const prefix = `arn:${partition}:iam::${vendorAccountId}:role/`;
  return new CfnParameter(scope, id, {
    type: 'String',
    description,
    allowedPattern: `^${quote(prefix)}(?:[\\x21-\\x7E]*/)?[\\w+=,.@-]{1,64}$`,
    constraintDescription: `a role ARN of the vendor's account: ${prefix}<name>`,
  });
}

/** `NodeRoleNames`: the names (not ARNs) of the cluster's node roles, comma-separated. */
export function nodeRoleNamesParameter(scope: Construct): CfnParameter {
  const nodeRoles = new CfnParameter(scope, 'NodeRoleNames', {
    type: 'CommaDelimitedList',
    description: 'The names (not ARNs) of the node roles of the cluster\'s node groups, comma-separated',
  });
  // A list parameter takes no AllowedPattern per item; a rule refuses an empty list or an empty item.
  new CfnRule(scope, 'NodeRoleNamesGiven', {
    assertions: [{
      assert: Fn.conditionNot(Fn.conditionContains(nodeRoles.valueAsList, '')),
      assertDescription: 'NodeRoleNames: give at least one node role name, without empty items',
    }],
  });
  return nodeRoles;
}

/** `ExternalId`: the external ID the vendor gave this customer (never echoed by the console). */
export function externalIdParameter(scope: Construct): CfnParameter {
  return new CfnParameter(scope, 'ExternalId', {
    type: 'String',
    noEcho: true,
    description: 'The external ID your vendor gave you (unique to you); the vendor must present it to assume the role',
    allowedPattern: EXTERNAL_ID_PATTERN,
    minLength: 2,
    maxLength: 1224,
    constraintDescription: '2-1224 characters from A-Z a-z 0-9 and +=,.@:/-',
  });
}

/** A rule that refuses a stack in any region but the vendor's supported ones (where its target side lives). */
export function supportedRegionsRule(scope: Construct, regions: readonly string[]): CfnRule | undefined {
  if (regions.length === 0) return undefined;
  return new CfnRule(scope, 'SupportedRegion', {
    assertions: [{
      assert: Fn.conditionContains([...regions], Aws.REGION),
      assertDescription: `This template is supported in ${regions.join(', ')} only`,
    }],
  });
}

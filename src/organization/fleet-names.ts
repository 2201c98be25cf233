/**
 * The names the organization-scale routes agree on. The fleet StackSet (`ObservabilityFleetSource`)
 * creates its source identities under these paths in every member account; the target side in the
 * observability account trusts them by pattern (`FleetNames.sourcePrincipalPattern`); the charts
 * compute the same ARNs from an account ID and a cluster name. Pure: no aws-cdk-lib import, so the
 * member reconciler shares the exact rule.
 *
 * Why a path per flow: `aws:PrincipalArn` of a role session is the role's ARN with its path (the
 * pattern AWS's own SCP examples use for `role/aws-reserved/sso.amazonaws.com/*`), so one
 * `ArnLike` on `role/xacct-observability/<flow>/*` admits exactly that flow's identities in any
 * account, for 10 accounts or 10,000, and never another flow's.
 */
import { costPrefixOf, irsaRoleNameOf, PATH_ROOT, podIdentityRoleNameOf, rolePathOf } from './fleet-name-parts';
import { ArgumentChecker, forwardedAs, PARTITION } from '../core/arguments';
import { ACCOUNT_ID, EKS_CLUSTER_NAME, REGION, Rule } from '../core/rules';

/** The path every fleet identity lives under. */
export const FLEET_PATH_ROOT = PATH_ROOT;

/**
 * The path of each member account's fleet reconciler role, below the fleet's root: only the
 * StackSet's execution role may create roles there once the fleet's service control policy
 * (`FleetIdentityGuardrail`) is attached, so the policy can exempt the reconciler by this path.
 * No flow key takes it (workload flows are `workload-<name>`).
 */
export const FLEET_RECONCILER_PATH = `${FLEET_PATH_ROOT}fleet-reconciler/`;

/** The flows whose source side the fleet rolls out (a workload flow's key is `workload-<name>`). */
export const FLEET_FLOW_KEYS = {
  REMOTE_WRITE: 'remote-write',
  CONTAINER_INSIGHTS: 'container-insights',
  AMP_SCRAPER: 'amp-scraper',
  CONTAINER_COST: 'container-cost',
} as const;

/** The longest flow key that still leaves room for `.pod-identity.<longest region>` in 64 characters. */
export const MAX_FLOW_KEY_LENGTH = 36;

/** A flow key: an IAM path segment and role-name part (`remote-write`, `workload-<name>`). */
export const FLOW_KEY: Rule = {
  expected: `a flow key (FleetNames.REMOTE_WRITE, ... or workload-<name>): 1-${MAX_FLOW_KEY_LENGTH} characters from a-z 0-9 -, starting and ending alphanumeric`,
  check: (value) => {
    if (value.length > MAX_FLOW_KEY_LENGTH) return `${value.length} characters, the limit is ${MAX_FLOW_KEY_LENGTH}`;
    return /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/.test(value) ? undefined : 'does not match';
  },
};

/** A workload's name, as its flow key `workload-<name>` allows it. */
const WORKLOAD_NAME_IN_KEY: Rule = {
  expected: `a workload name: 1-${MAX_FLOW_KEY_LENGTH - 'workload-'.length} characters from a-z 0-9 -, starting and ending alphanumeric`,
  check: (value) => {
    const limit = MAX_FLOW_KEY_LENGTH - 'workload-'.length;
    if (value.length > limit) return `${value.length} characters, the limit is ${limit}`;
    return /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/.test(value) ? undefined : 'does not match';
  },
};

/** What a workload's flow key starts with: `workload-<name>`. */
export const WORKLOAD_FLOW_KEY_PREFIX = 'workload-';

/** `workload-<name>`: the flow key of a named workload. */
export function workloadFlowKey(name: string): string {
  const a = new ArgumentChecker('workloadFlowKey(name)');
  a.string('name', name, WORKLOAD_NAME_IN_KEY);
  return a.result(() => `${WORKLOAD_FLOW_KEY_PREFIX}${name}`);
}

/** `/xacct-observability/<flow>/`: the path of every identity of one flow. */
export function fleetRolePath(flowKey: string): string {
  const a = new ArgumentChecker('fleetRolePath(flowKey)');
  a.string('flowKey', flowKey, FLOW_KEY);
  return a.result(() => rolePathOf(flowKey));
}

/**
 * The account's Pod Identity role of a flow in a region: `<flow>.pod-identity.<region>`. EKS cluster
 * names cannot contain ".", so no per-cluster role name can take it.
 */
export function fleetPodIdentityRoleName(flowKey: string, region: string): string {
  const a = new ArgumentChecker('fleetPodIdentityRoleName(flowKey, region)');
  a.string('flowKey', flowKey, FLOW_KEY);
  a.string('region', region, REGION);
  return a.result(() => a.roleName(podIdentityRoleNameOf(flowKey, region), 'flowKey'));
}

/** The per-cluster IRSA role of a flow: `<flow>-<cluster>-<region>`, hashed at 64 (see `clusterRoleName`). */
export function fleetIrsaRoleName(flowKey: string, clusterName: string, region: string): string {
  const a = new ArgumentChecker('fleetIrsaRoleName(flowKey, clusterName, region)');
  // Hashed and case-tagged at synth: a deploy-time value cannot be.
  a.string('flowKey', flowKey, FLOW_KEY, { tokens: 'refused' });
  a.string('clusterName', clusterName, EKS_CLUSTER_NAME, { tokens: 'refused' });
  a.string('region', region, REGION, { tokens: 'refused' });
  return a.result(() => irsaRoleNameOf(flowKey, clusterName, region));
}

/** The account's AMP scraper source role in a region: `amp-scraper.source.<region>`. */
export function fleetScraperSourceRoleName(region: string): string {
  const a = new ArgumentChecker('fleetScraperSourceRoleName(region)');
  a.string('region', region, REGION);
  return a.result(() => `${FLEET_FLOW_KEYS.AMP_SCRAPER}.source.${region}`);
}

/**
 * `<account>/<region>/<cluster>/`: where a member cluster's cost agent writes in the organization's
 * cost bucket. The central bucket policy pins the first segment to the writer's own account
 * (`${aws:PrincipalAccount}`); the member identity pins the rest.
 */
export function organizationCostPrefix(account: string, region: string, clusterName: string): string {
  const a = new ArgumentChecker('organizationCostPrefix(account, region, clusterName)');
  a.string('account', account, ACCOUNT_ID);
  a.string('region', region, REGION);
  a.string('clusterName', clusterName, EKS_CLUSTER_NAME);
  return a.result(() => costPrefixOf(account, region, clusterName));
}

/** `arn:<partition>:iam::*:role/xacct-observability/<flow>/*`: every identity of a flow, in any account. */
export function fleetSourcePrincipalPattern(partition: string, flowKey: string): string {
  const a = new ArgumentChecker('fleetSourcePrincipalPattern(partition, flowKey)');
  a.string('partition', partition, PARTITION);
  a.string('flowKey', flowKey, FLOW_KEY);
  return a.result(() => `arn:${partition}:iam::*:role${fleetRolePath(flowKey)}*`);
}

/** Checks the partition and account of a role ARN, then builds the name (its own checks) and the ARN. */
function roleArn(signature: string, partition: string, account: string, flowKey: string, name: () => string): string {
  const a = new ArgumentChecker(signature);
  a.string('partition', partition, PARTITION);
  a.string('account', account, ACCOUNT_ID);
  a.string('flowKey', flowKey, FLOW_KEY);
  const roleName = a.nested(name);
  return a.result(() => `arn:${partition}:iam::${account}:role${fleetRolePath(flowKey)}${roleName}`);
}

/**
 * The fleet's deterministic names, for code that must name a member account's identities: the
 * target side's trust, and the cluster side's charts (which take an account ID and a cluster name).
 */
export class FleetNames {
  /** The path every fleet identity lives under: `/xacct-observability/`. */
  public static readonly PATH_ROOT = FLEET_PATH_ROOT;

  /** The path of the member accounts' fleet reconciler roles: `/xacct-observability/fleet-reconciler/`. */
  public static readonly RECONCILER_PATH = FLEET_RECONCILER_PATH;

  /** The flow key of the Prometheus remote-write flow. */
  public static readonly REMOTE_WRITE = FLEET_FLOW_KEYS.REMOTE_WRITE;

  /** The flow key of the Container Insights flow (cross-account role route). */
  public static readonly CONTAINER_INSIGHTS = FLEET_FLOW_KEYS.CONTAINER_INSIGHTS;

  /** The flow key of the AMP managed-collector flow. */
  public static readonly AMP_SCRAPER = FLEET_FLOW_KEYS.AMP_SCRAPER;

  /** The flow key of the container-cost flow (the agents write the organization's cost bucket). */
  public static readonly CONTAINER_COST = FLEET_FLOW_KEYS.CONTAINER_COST;

  /**
   * `<account>/<region>/<cluster>/`: the prefix a member cluster's cost agent writes in the
   * organization's cost bucket (`ContainerCostAgentChart`'s `s3Prefix` in a fleet).
   *
   * @param account the member account
   * @param region the cluster's region
   * @param clusterName the EKS cluster's name
   */
  public static costPrefix(account: string, region: string, clusterName: string): string {
    return forwardedAs('FleetNames.costPrefix(account, region, clusterName)', () => organizationCostPrefix(account, region, clusterName));
  }

  /**
   * The flow key of a named workload: `workload-<name>`.
   *
   * @param name the workload's name, as given to the fleet
   */
  public static workloadFlowKey(name: string): string {
    return forwardedAs('FleetNames.workloadFlowKey(name)', () => workloadFlowKey(name));
  }

  /**
   * The IAM path of a flow's identities: `/xacct-observability/<flow>/`.
   *
   * @param flowKey a flow key (`FleetNames.REMOTE_WRITE`, ...)
   */
  public static rolePath(flowKey: string): string {
    return forwardedAs('FleetNames.rolePath(flowKey)', () => fleetRolePath(flowKey));
  }

  /**
   * `arn:<partition>:iam::*:role/xacct-observability/<flow>/*`: what an organization-scoped target trusts.
   *
   * @param partition `aws`, `aws-cn` or `aws-us-gov`
   * @param flowKey a flow key
   */
  public static sourcePrincipalPattern(partition: string, flowKey: string): string {
    return forwardedAs('FleetNames.sourcePrincipalPattern(partition, flowKey)', () => fleetSourcePrincipalPattern(partition, flowKey));
  }

  /**
   * The ARN of a member account's Pod Identity role of a flow in a region (one per account, region and flow).
   *
   * @param partition the partition
   * @param account the member account
   * @param flowKey a flow key
   * @param region the region of the StackSet instance
   */
  public static podIdentityRoleArn(partition: string, account: string, flowKey: string, region: string): string {
    const signature = 'FleetNames.podIdentityRoleArn(partition, account, flowKey, region)';
    return roleArn(signature, partition, account, flowKey, () => fleetPodIdentityRoleName(flowKey, region));
  }

  /**
   * The ARN of the per-cluster IRSA role the member reconciler keeps for a cluster without Pod Identity.
   *
   * @param partition the partition
   * @param account the member account
   * @param flowKey a flow key
   * @param clusterName the EKS cluster's name (case-sensitive)
   * @param region the cluster's region
   */
  public static irsaRoleArn(partition: string, account: string, flowKey: string, clusterName: string, region: string): string {
    const signature = 'FleetNames.irsaRoleArn(partition, account, flowKey, clusterName, region)';
    return roleArn(signature, partition, account, flowKey, () => fleetIrsaRoleName(flowKey, clusterName, region));
  }

  /**
   * The ARN of a member account's AMP scraper source role in a region (trusted by `scraper.aps.amazonaws.com`).
   *
   * @param partition the partition
   * @param account the member account
   * @param region the scrapers' region
   */
  public static scraperSourceRoleArn(partition: string, account: string, region: string): string {
    const signature = 'FleetNames.scraperSourceRoleArn(partition, account, region)';
    return roleArn(signature, partition, account, FLEET_FLOW_KEYS.AMP_SCRAPER, () => fleetScraperSourceRoleName(region));
  }
}

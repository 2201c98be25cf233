/**
 * What a link shares for Container Insights unless told otherwise: its metrics and its log groups,
 * and of those only Container Insights' own (internal to the library; not exported by the barrel).
 */
import { Token } from 'aws-cdk-lib';
import { ObservabilityResourceType } from './observability-resource-type';
import { describeValue, PropsValidator } from '../core/validation';

export const CONTAINER_INSIGHTS_TYPES = [ObservabilityResourceType.METRIC, ObservabilityResourceType.LOG_GROUP];
export const CONTAINER_INSIGHTS_LOG_GROUP_FILTER = "LogGroupName LIKE '/aws/containerinsights/%'";
export const CONTAINER_INSIGHTS_METRIC_FILTER = "Namespace IN ('ContainerInsights')";

/**
 * The resource types to share (Container Insights' by default), every problem recorded on `v` under
 * `prop`. The `AWS::Oam::Link` registry schema holds `ResourceTypes` to 1-50 unique members of its enum
 * (cfn-lint E3032 maxItems, E3037 uniqueItems); a deploy-time list is refused, the filters depend on it.
 */
export function checkResourceTypes(v: PropsValidator, given: ObservabilityResourceType[] | undefined, prop = 'resourceTypes'): string[] {
  const known = Object.values(ObservabilityResourceType) as string[];
  if (given !== undefined && given !== null && !Token.isUnresolved(given) && (!Array.isArray(given) || given.length === 0)) {
    v.problem(prop, `got ${describeValue(given)}; needs at least one ObservabilityResourceType`);
    return [];
  }
  const resourceTypes = given === undefined || given === null ? CONTAINER_INSIGHTS_TYPES : v.list<string>(prop, given, 'string');
  resourceTypes.forEach((t, i) => v.oneOf(`${prop}[${i}]`, t, known));
  v.unique(prop, resourceTypes);
  if (resourceTypes.length > MAX_LINK_RESOURCE_TYPES) v.problem(prop, `has ${resourceTypes.length} entries; AWS::Oam::Link takes at most ${MAX_LINK_RESOURCE_TYPES}`);
  return resourceTypes.filter((t) => known.includes(t));
}

/** `AWS::Oam::Link` registry schema: `ResourceTypes` maxItems. */
const MAX_LINK_RESOURCE_TYPES = 50;

/**
 * What a link shares for Container Insights unless told otherwise: its metrics and its log groups,
 * and of those only Container Insights' own (internal to the library; not exported by the barrel).
 */
import { ObservabilityResourceType } from './observability-resource-type';
import { PropsValidator } from '../core/validation';

export const CONTAINER_INSIGHTS_TYPES = [ObservabilityResourceType.METRIC, ObservabilityResourceType.LOG_GROUP];
export const CONTAINER_INSIGHTS_LOG_GROUP_FILTER = "LogGroupName LIKE '/aws/containerinsights/%'";
export const CONTAINER_INSIGHTS_METRIC_FILTER = "Namespace IN ('ContainerInsights')";

/** The resource types to share (Container Insights' by default), every problem recorded on `v`. */
export function checkResourceTypes(v: PropsValidator, given: ObservabilityResourceType[] | undefined): string[] {
  const resourceTypes: unknown = given ?? CONTAINER_INSIGHTS_TYPES;
  const known = Object.values(ObservabilityResourceType) as string[];
  if (!Array.isArray(resourceTypes) || resourceTypes.length === 0) {
    v.problem('resourceTypes', 'needs at least one ObservabilityResourceType');
    return [];
  }
  resourceTypes.filter((t) => !known.includes(t)).forEach((t) => v.problem('resourceTypes', `got ${JSON.stringify(t)}; expected one of ${known.join(', ')}`));
  return resourceTypes as string[];
}

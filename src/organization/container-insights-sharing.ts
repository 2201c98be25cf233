/**
 * What a link shares for Container Insights unless told otherwise: its metrics and its log groups,
 * and of those only Container Insights' own (internal to the library; not exported by the barrel).
 */
import { ObservabilityResourceType } from './observability-resource-type';

export const CONTAINER_INSIGHTS_TYPES = [ObservabilityResourceType.METRIC, ObservabilityResourceType.LOG_GROUP];
export const CONTAINER_INSIGHTS_LOG_GROUP_FILTER = "LogGroupName LIKE '/aws/containerinsights/%'";
export const CONTAINER_INSIGHTS_METRIC_FILTER = "Namespace IN ('ContainerInsights')";

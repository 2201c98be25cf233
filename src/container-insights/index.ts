export * from './cross-account-container-insights';
export * from './container-insights-agent-access';
export * from './cloudwatch-agent-chart';
export * from './cloudwatch-observability-addon';
export type { ContainerInsightsSignalRoute } from './signal-routes';

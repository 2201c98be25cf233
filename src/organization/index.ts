export * from './observability-resource-type';
export * from './organization-observability-sink';
export * from './observability-link';
export * from './fleet-names';
export * from './observability-fleet-source';
export * from './fleet-identity-guardrail';

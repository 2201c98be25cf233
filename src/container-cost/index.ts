export * from './container-cost-bucket';
export * from './container-cost-agent-chart';
export * from './organization-container-cost-bucket';
export * from './drift-reads';

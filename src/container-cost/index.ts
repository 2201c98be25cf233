export * from './container-cost-bucket';
export * from './container-cost-agent-chart';

export * from './core';
export * from './irsa-remote-write';
export * from './container-insights';
export * from './amp-scraper';
export * from './container-cost';
export * from './cross-account-workload';
export * from './organization';
export * from './customer-template';

export * from './workload-source-role';
export * from './cross-account-workload-role';
export * from './cross-account-workload-chart';
export * from './trust-probe-chart';

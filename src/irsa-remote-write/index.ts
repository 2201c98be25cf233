export * from './irsa-remote-write-role';
export * from './prometheus-remote-write-chart';

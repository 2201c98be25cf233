export * from './irsa-remote-write-role';
export * from './prometheus-remote-write-chart';
export * from './remote-write-client';
export * from './prometheus-agent-config';
export * from './adot-collector-config';
export * from './alloy-remote-write-config';

export * from './core';
export * from './irsa-remote-write';

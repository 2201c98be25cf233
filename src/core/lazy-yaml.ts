import type * as Yaml from 'yaml';

/**
 * The `yaml` module, loaded on first use: a CDK app that imports one of our constructs must not load
 * the YAML parser (or cdk8s) until something renders or parses YAML (issue 24 item 3). A top-level
 * `import` would compile to an eager `require`; `import type` above keeps the types.
 */
export function yaml(): typeof Yaml {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('yaml');
}

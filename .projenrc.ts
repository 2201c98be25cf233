import { awscdk, javascript } from 'projen';
import { configureLanguagePackaging, JSII_LANGUAGE_TARGETS } from './projenrc/jsii-targets';

// The oldest aws-cdk-lib we support: cdk-nag v3 plugs into CDK validation, which needs >= 2.257.
const CDK_VERSION = '2.257.0';

const project = new awscdk.AwsCdkConstructLibrary({
  name: 'cdk-eks-cross-account-observability',
  description:
    'AWS CDK constructs and cdk8s charts that move EKS telemetry and cost data across AWS accounts with least-privilege IAM.',
  author: 'cdk-eks-cross-account-observability maintainers',
  authorAddress: 'maintainers@cdk-eks-cross-account-observability.dev',
  repositoryUrl: 'https://github.com/cdk-eks-cross-account-observability/cdk-eks-cross-account-observability.git',
  keywords: ['cdk', 'cdk8s', 'eks', 'irsa', 'pod-identity', 'prometheus', 'amp', 'container-insights', 'cross-account', 'observability'],
  license: 'Apache-2.0',
  defaultReleaseBranch: 'main',
  packageManager: javascript.NodePackageManager.NPM,
  projenrcTs: true,
  // Node 22 is the Lambda runtime our handlers target and the oldest Node.js line still supported
  // (Node 20 reached end of life in April 2026); `.nvmrc` names it for nvm/fnm users and CI.
  minNodeVersion: '22.0.0',

  cdkVersion: CDK_VERSION,
  jsiiVersion: '~6.0.0',
  typescriptVersion: '~6.0.0',

  // jsii modules that appear in our public API (Chart subclasses) must be peer dependencies.
  peerDeps: ['cdk8s@^2.70.106', 'cdk8s-plus-27@^2.9.5'],
  // Parsing user scrape configurations at synth time; bundled so users need not install it.
  bundledDeps: ['yaml@^2.9.1'],
  devDeps: [
    '@types/aws-lambda',
    'aws-cdk@^2.1148.1',
    'cdk-nag@^3.0.2',
    '@cloud-copilot/iam-simulate@^0.1.173',
    '@cloud-copilot/iam-policy@^0.1.109',
    'kubernetes-models@^5.1.0',
    'aws-sdk-client-mock@^4.1.0',
    '@aws-sdk/client-iam@^3',
    '@aws-sdk/client-eks@^3',
    '@aws-sdk/client-amp@^3',
    '@aws-sdk/client-cloudformation@^3',
    'esbuild',
    // JSON-schema validation of emitted configuration (add-on values) in tests.
    'ajv@^8.17.1',
    // Property-based inputs for the input-contract suite.
    'fast-check@^4.3.0',
  ],

  // Lambda handlers live next to their construct as `*.lambda.ts`; projen bundles each with esbuild.
  lambdaAutoDiscover: true,
  lambdaOptions: {
    runtime: awscdk.LambdaRuntime.NODEJS_22_X,
    // The Node.js 22 Lambda runtime ships AWS SDK v3; do not bundle it.
    // No source map: nothing in the function enables them (no --enable-source-maps), so a map in the
    // zip would be dead weight (issue 24 item 4).
    bundlingOptions: { externals: ['@aws-sdk/*'], sourcemap: false },
  },

  // Snapshots change only through `npm run test:update`, never silently in `npm test`.
  jestOptions: {
    updateSnapshot: javascript.UpdateSnapshot.NEVER,
    // `npm test` prints what a user needs; `npm run test:coverage` prints the coverage table.
    coverageText: false,
    jestConfig: {
      collectCoverage: false,
      testMatch: ['<rootDir>/test/**/*.test.ts'],
      // The manifest validator spawns a node process per chart; give slow CI machines room.
      testTimeout: 120_000,
    },
  },

  // The published JavaScript carries no source maps: inline maps with sources were two thirds of
  // lib/*.js bytes (issue 24 item 4). tsc's output is readable as it is; tests and ts-node map to src/.
  tsconfig: { compilerOptions: { inlineSourceMap: false, inlineSources: false } },
  tsconfigDevFile: 'tsconfig.dev.json',
  tsconfigDev: {
    include: ['src/**/*.ts', 'test/**/*.ts', 'examples/**/*.ts', '.projenrc.ts'],
    compilerOptions: {},
  },
  eslintOptions: {
    // One program for every linted file: the top-level tsconfig.dev.json covers src, test and examples.
    tsconfigPath: './tsconfig.dev.json',
    projectService: false,
    dirs: ['src'],
    devdirs: ['test', 'examples', 'bench', 'projenrc', '.projenrc.ts'],
    // `npm test` checks; it never rewrites files. `npm run eslint:fix` fixes.
    commandOptions: { fix: false },
  },

  github: false,
  release: false,
  sampleCode: false,
  docgen: true,
  // Python, Java, .NET and Go packages (issue 24 item 5): names in projenrc/jsii-targets.ts.
  ...JSII_LANGUAGE_TARGETS,
  gitignore: ['/cdk.out/', '/examples/cdk.out/', '/bench-results/'],
});

for (const pattern of ['/examples/', '/cdk.out/', '/bench/', '/.ci/', '/scripts/', '/.nvmrc', '/cdk.json']) {
  project.npmignore?.exclude(pattern);
}

// `npm run synth`: the README's main job. Bundles the Lambda handlers, then synthesizes the
// multi-account example app with the CDK CLI (no AWS credentials: every stack has a concrete
// demo account). Templates land in cdk.out/, Kubernetes manifests and helm values in dist/.
const synth = project.addTask('synth', {
  description: 'Synthesize the multi-account example: templates into cdk.out/, manifests and helm values into dist/',
  env: {
    AWS_EC2_METADATA_DISABLED: 'true',
    CDK_DISABLE_CLI_TELEMETRY: 'true',
  },
  receiveArgs: true,
});
synth.spawn(project.bundler.bundleTask);
// cdk.json names the example app; `--quiet` keeps the templates off stdout.
synth.exec('cdk synth --quiet --no-notices --no-version-reporting', { receiveArgs: true });
synth.exec('node test/harness/validate-manifests.mjs dist/manifests');

// unrs-resolver 1.13.0 (under eslint-import-resolver-typescript) names platform bindings that were
// never published for most platforms, so `npm ci` rejects any lock file that includes it. 1.12.2 is whole.
project.package.addField('overrides', { 'unrs-resolver': '1.12.2' });

// Lambda handler code (bundled with esbuild; the runtime provides the AWS SDK) may import dev dependencies.
project.eslint?.addOverride({
  files: ['src/**/*.lambda.ts', 'src/**/*.handler.ts', 'src/**/role-sync/**/*.ts', 'src/core/reconciler/**/*.ts', 'src/organization/fleet-sync/**/*.ts'],
  rules: { 'import/no-extraneous-dependencies': ['error', { devDependencies: true, optionalDependencies: false, peerDependencies: true }] },
});

// The fleet's member reconciler goes into the StackSet's member template as inline code (member
// accounts have no CDK asset buckets), so it is minified and has no source map.
project.bundler.addBundle('./src/organization/fleet-sync.handler.ts', {
  platform: 'node',
  target: 'node22',
  externals: ['@aws-sdk/*'],
  sourcemap: false,
  minify: true,
});

// A fresh bundle each time: esbuild never deletes what an earlier option wrote (a stale index.js.map
// would ship in the package and in the Lambda zips). assets/ holds only bundler output (gitignored).
project.bundler.bundleTask.prependExec('node -e "require(\'fs\').rmSync(\'assets\', { recursive: true, force: true })"');

// `npm run bench`: the benchmarks (scripts that print figures, never timed tests): the container-cost
// reconciler at 500 clusters, then organization scale (trust and template sizes, a member account's
// reconcilers, the StackSet rollout model).
const bench = project.addTask('bench', {
  description: 'Benchmark the reconcilers against the in-memory AWS fakes, and print the organization-scale figures',
  exec: 'ts-node -P tsconfig.dev.json bench/reconcile-bench.ts',
});
bench.exec('ts-node -P tsconfig.dev.json bench/fleet-scale.ts');
bench.exec('ts-node -P tsconfig.dev.json bench/stackset-rollout.ts');
// Issue 24, item 1: trust sharding against the same IAM written by hand, and the 5,000-cluster plan.
bench.exec('ts-node -P tsconfig.dev.json bench/trust-sharding.ts');
// Issue 24 item 2: the example synth with and without type-checking; fails unless the outputs are identical.
bench.exec('ts-node --transpile-only -P tsconfig.dev.json bench/synth-speed.ts');
// Issue 24 item 3: what importing the compiled package costs a CDK app that uses one construct.
bench.spawn(project.compileTask);
bench.exec('ts-node --transpile-only -P tsconfig.dev.json bench/import-cost.ts');

// Only our sources (not lib/ or cdk.out/) belong to the dev program.
project.tsconfigDev.file.addOverride('include', ['src/**/*.ts', 'test/**/*.ts', 'examples/**/*.ts', 'bench/**/*.ts', '.projenrc.ts']);

// Issue 24 item 3: after jsii, the index files load the cdk8s charts (and the YAML renderers) on first
// use, so importing the package for a CDK construct loads neither cdk8s, cdk8s-plus-27 nor yaml.
project.compileTask.exec('node scripts/lazy-chart-exports.mjs lib');

// ts-jest compiles test files one by one without type checking; check the whole dev program first.
const typecheck = project.addTask('typecheck', {
  description: 'Type-check src, test and examples',
  exec: 'tsc --noEmit -p tsconfig.dev.json',
});
project.testTask.prependSpawn(typecheck);
// Tests synthesize stacks whose Lambda code comes from the bundled assets.
project.testTask.prependSpawn(project.bundler.bundleTask);

project.addTask('test:coverage', {
  description: 'Run the test suite with a coverage table',
  exec: 'jest --ci --coverage --coverageReporters=text',
});
project.addTask('eslint:fix', {
  description: 'Fix what eslint can fix',
  exec: 'eslint --ext .ts,.tsx --fix --no-error-on-unmatched-pattern src test examples bench projenrc .projenrc.ts',
  env: { ESLINT_USE_FLAT_CONFIG: 'false' },
});

// The npm package must be whole on its own: bundle the Lambda handlers and jsii-compile first
// (a fresh clone has neither), then refuse a tarball without every handler's bundled assets.
const packageJs = project.tasks.tryFind('package:js')!;
packageJs.prependSpawn(project.compileTask);
packageJs.prependSpawn(project.bundler.bundleTask);
packageJs.exec('node scripts/check-package.mjs dist/js');

// ---- Issue 24 item 5: the library in Python, Java, .NET and Go (projenrc/jsii-targets.ts) ----
// package:python|java|dotnet|go bundle and compile first, translate the README with rosetta, and
// generate code with pacmak; package:python builds and checks the wheel with Debian's tools.
configureLanguagePackaging(project);
// ---- end of issue 24 item 5 ----

project.synth();

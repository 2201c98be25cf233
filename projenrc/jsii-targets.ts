import type { awscdk } from 'projen';

/**
 * The library in Python, Java, .NET and Go, from the one jsii assembly. The names follow each
 * ecosystem's conventions; the registry coordinates (PyPI project, Maven group, NuGet ID, Go module
 * repository) are placeholders until a release pipeline owns them (README "Other languages").
 */
export const JSII_LANGUAGE_TARGETS: Pick<awscdk.AwsCdkConstructLibraryOptions,
'publishToPypi' | 'publishToMaven' | 'publishToNuget' | 'publishToGo'> = {
  // PyPI: the npm name as the distribution, snake_case for the import (PEP 8 module names).
  publishToPypi: {
    distName: 'cdk-eks-cross-account-observability',
    module: 'cdk_eks_cross_account_observability',
  },
  // Maven Central: a group the GitHub organization can prove (io.github.<org>); the Java package
  // is the same name with hyphens as underscores (JLS 6.1, "Naming conventions").
  publishToMaven: {
    mavenGroupId: 'io.github.cdk-eks-cross-account-observability',
    mavenArtifactId: 'cdk-eks-cross-account-observability',
    javaPackage: 'io.github.cdk_eks_cross_account_observability',
  },
  // NuGet: PascalCase package ID and namespace.
  publishToNuget: {
    packageId: 'CdkEksCrossAccountObservability',
    dotNetNamespace: 'CdkEksCrossAccountObservability',
  },
  // Go: jsii writes the module into a repository of its own (a `-go` sibling, as cdklabs does);
  // Go package names are lower case without separators.
  publishToGo: {
    moduleName: 'github.com/cdk-eks-cross-account-observability/cdk-eks-cross-account-observability-go',
    packageName: 'cdkekscrossaccountobservability',
  },
};

/** The jsii languages besides JavaScript, by their pacmak target names. */
const LANGUAGES = ['python', 'java', 'dotnet', 'go'] as const;

/**
 * `package:python|java|dotnet|go`: what `package:js` does first (bundle the Lambda handlers, jsii
 * compile: a fresh clone has neither, and pacmak embeds `npm pack` of this directory in every
 * language's package), the README and doc examples translated by jsii-rosetta (strict: a snippet
 * that does not compile fails), then pacmak's generated code. Only the npm registry and Debian's
 * packages are reachable from CI, so pacmak generates code only (`--code-only`: no Maven, NuGet or
 * Go proxy); the Python wheel is then built by Debian's setuptools and wheel without downloading a
 * build tool (`--no-build-isolation --no-index`), and checked to carry every handler.
 */
export function configureLanguagePackaging(project: awscdk.AwsCdkConstructLibrary): void {
  // rosetta compiles the snippets in a scratch directory holding only the package's dependencies;
  // the README's quick start writes a file with `fs`, whose types come from @types/node.
  project.package.addField('jsiiRosetta', { exampleDependencies: { '@types/node': '^22' } });
  project.gitignore.exclude('/.jsii.tabl.json');
  project.npmignore?.exclude('/rosetta/');

  const rosetta = project.addTask('rosetta:extract', {
    description: 'Translate the README and doc examples to every jsii language (fails on a snippet that does not compile)',
    // The tablet is its own cache: unchanged snippets against unchanged types are not compiled again.
    exec: 'jsii-rosetta extract --strict --cache .jsii.tabl.json',
  });

  for (const language of LANGUAGES) {
    const task = project.tasks.tryFind(`package:${language}`);
    if (!task) throw new Error(`projen made no package:${language} task: is publishTo* set for it?`);
    task.reset();
    task.spawn(project.bundler.bundleTask);
    task.spawn(project.compileTask);
    task.spawn(rosetta);
    // Our own snippets are all in the tablet, so `fail` catches an untranslated one. Go also writes the
    // docs of members a class inherits from aws-cdk-lib (Stack.stackId's example, for the customer
    // template stacks), which no tablet of ours holds: Go translates those live instead.
    const unknownSnippets = language === 'go' ? 'translate' : 'fail';
    task.exec(`jsii-pacmak -v --code-only --target ${language} --rosetta-unknown-snippets ${unknownSnippets}`);
    // Java, .NET and Go: the npm package embedded in the generated code holds every handler.
    if (language !== 'python') task.exec(`node scripts/check-embedded-package.mjs dist/${language}`);
  }

  // The wheel, built and checked by Debian's python3 tools (no download; see the script).
  project.tasks.tryFind('package:python')!.exec('bash scripts/build-wheel.sh dist/python');
}

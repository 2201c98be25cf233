#!/usr/bin/env node
// Validates Kubernetes objects against the Kubernetes OpenAPI schemas (kubernetes-models), and
// checks that cluster-scoped kinds carry no namespace while namespaced kinds do.
//   node validate-manifests.mjs <dir or .yaml files...>   validate files (used by `npm run synth`)
//   node validate-manifests.mjs --stdin                   validate a JSON array of objects (used by tests)
// Prints one line per problem and exits 1 when there is any.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';

const CLUSTER_SCOPED = new Set([
  'Namespace', 'ClusterRole', 'ClusterRoleBinding', 'CustomResourceDefinition', 'PersistentVolume',
  'StorageClass', 'PriorityClass', 'MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration', 'Node',
]);

async function modelFor(apiVersion, kind) {
  // Core kinds live in kubernetes-models/v1, the others in kubernetes-models/<group>/<version>.
  const models = await import(`kubernetes-models/${apiVersion}`);
  const Model = models[kind];
  if (!Model) throw new Error(`no schema for ${apiVersion} ${kind}`);
  return Model;
}

export async function validateObjects(objects, source = 'stdin') {
  const problems = [];
  for (const [index, object] of objects.entries()) {
    const where = `${source}#${index} ${object?.kind ?? '?'} ${object?.metadata?.name ?? '?'}`;
    if (!object?.apiVersion || !object?.kind) { problems.push(`${where}: missing apiVersion or kind`); continue; }
    try {
      const Model = await modelFor(object.apiVersion, object.kind);
      new Model(object).validate();
    } catch (error) {
      problems.push(`${where}: ${error.message}`);
    }
    const namespaced = object.metadata?.namespace !== undefined;
    if (CLUSTER_SCOPED.has(object.kind) && namespaced) problems.push(`${where}: cluster-scoped kind has metadata.namespace`);
    if (!CLUSTER_SCOPED.has(object.kind) && !namespaced) problems.push(`${where}: namespaced kind has no metadata.namespace`);
  }
  return problems;
}

function yamlFiles(path) {
  if (statSync(path).isDirectory()) return readdirSync(path).sort().flatMap((name) => yamlFiles(join(path, name)));
  return /\.ya?ml$/.test(path) ? [path] : [];
}

async function main(args) {
  let problems = [];
  let count = 0;
  if (args[0] === '--stdin') {
    const objects = JSON.parse(readFileSync(0, 'utf8'));
    count = objects.length;
    problems = await validateObjects(objects);
  } else {
    const files = args.flatMap(yamlFiles);
    if (files.length === 0) { console.error(`no manifests found in ${args.join(' ')}`); process.exit(1); }
    for (const file of files) {
      const objects = parseAllDocuments(readFileSync(file, 'utf8')).map((doc) => doc.toJSON()).filter((o) => o !== null);
      count += objects.length;
      problems.push(...(await validateObjects(objects, file)));
    }
  }
  for (const problem of problems) console.log(problem);
  if (problems.length > 0) process.exit(1);
  if (args[0] !== '--stdin') console.log(`${count} Kubernetes objects valid`);
}

await main(process.argv.slice(2));

/**
 * Manifest proofs for cdk8s charts: every object validated against the Kubernetes schemas by
 * kubernetes-models (ESM, so it runs in a child node process) plus the namespace-scope check.
 */
import { execFileSync } from 'child_process';
import * as path from 'path';
import { Chart, Testing } from 'cdk8s';

const VALIDATOR = path.join(__dirname, 'validate-manifests.mjs');

/** The problems the validator finds in these objects (empty when all are valid). */
export function manifestProblems(objects: any[]): string[] {
  try {
    execFileSync(process.execPath, [VALIDATOR, '--stdin'], { input: JSON.stringify(objects), encoding: 'utf8' });
    return [];
  } catch (error: any) {
    return String(error.stdout ?? error.message).trim().split('\n').filter(Boolean);
  }
}

/** The chart's objects, after asserting that every one is schema-valid. */
export function validChartObjects(chart: Chart): any[] {
  const objects = Testing.synth(chart);
  expect(manifestProblems(objects)).toEqual([]);
  return objects;
}

/** The object of a kind (and name), or a failure naming what the chart has. */
export function objectOf(objects: any[], kind: string, name?: string): any {
  const found = objects.find((o) => o.kind === kind && (name === undefined || o.metadata?.name === name));
  if (!found) throw new Error(`no ${kind} ${name ?? ''} among ${objects.map((o) => `${o.kind}/${o.metadata?.name}`).join(', ')}`);
  return found;
}

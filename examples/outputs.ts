import * as fs from 'fs';
import * as path from 'path';

/** Where the example writes what is applied to the clusters. */
export const DIST = path.resolve(__dirname, '..', 'dist');
export const MANIFESTS_DIR = path.join(DIST, 'manifests');
export const HELM_VALUES_DIR = path.join(DIST, 'helm-values');

export function writeHelmValues(fileName: string, yaml: string): void {
  fs.mkdirSync(HELM_VALUES_DIR, { recursive: true });
  fs.writeFileSync(path.join(HELM_VALUES_DIR, fileName), yaml);
}

/** Starts from empty output folders, so a removed chart leaves no stale file behind. */
export function cleanOutputs(): void {
  fs.rmSync(MANIFESTS_DIR, { recursive: true, force: true });
  fs.rmSync(HELM_VALUES_DIR, { recursive: true, force: true });
}

/**
 * The TypeScript side of the Python comparison: the same three example flows app.py builds, from
 * their own build() functions, into one app with the same output directories.
 *
 *   CDK_OUTDIR=<cdk.out> K8S_OUTDIR=<manifests> npx ts-node -P tsconfig.dev.json test/python-app/twin.ts
 */
import * as fs from 'fs';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import * as cdk8s from 'cdk8s';
import * as containerCost from '../../examples/flows/container-cost';
import * as containerInsights from '../../examples/flows/container-insights';
import * as remoteWrite from '../../examples/flows/remote-write';

// Version reporting off on both sides: its analytics string names the host language.
const app = new App({ analyticsReporting: false });
const k8sOutdir = process.env.K8S_OUTDIR!;
const k8s = new cdk8s.App({ outdir: k8sOutdir, outputFileExtension: '.yaml' });
const { helmValues } = remoteWrite.build(app, k8s);
containerInsights.build(app, k8s);
containerCost.build(app, k8s);
k8s.synth();
for (const [fileName, yaml] of Object.entries(helmValues)) fs.writeFileSync(path.join(k8sOutdir, fileName), yaml);
app.synth();

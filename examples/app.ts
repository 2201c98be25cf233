#!/usr/bin/env node
/**
 * The multi-account example: one CDK stack per account (templates into cdk.out/) and the cdk8s
 * charts for the cluster (manifests into dist/manifests/, helm values into dist/helm-values/).
 *
 *   npm run synth                                  # demo accounts, no AWS credentials needed
 *   npx cdk synth -c observabilityAccount=123456789012 -c clusterAccount=210987654321 ...
 *   npx cdk deploy ObservabilityAccount --profile observability
 */
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import * as cdk8s from 'cdk8s';
import { demoScraperArn, demoSettings } from './demo-settings';
import { buildExample } from './example-app';
import { cleanOutputs, MANIFESTS_DIR, writeHelmValues } from './outputs';

const app = new App();
const settings = demoSettings(app);
cleanOutputs();
const k8s = new cdk8s.App({ outdir: MANIFESTS_DIR, outputFileExtension: '.yaml' });
const example = buildExample(app, k8s, settings);

for (const [fileName, yaml] of Object.entries(example.helmValues)) writeHelmValues(fileName, yaml);
k8s.synth();
app.synth();

// The AMP scraper flow's phase 2 (target role pinned to the scraper), with a demo scraper ARN, so
// its template can be reviewed before a scraper exists: cdk.out/phase2/ObservabilityAccount.template.json.
if (!app.node.tryGetContext('scraperArn')) {
  const phase2 = new App({ outdir: path.join(app.outdir, 'phase2'), context: { scraperArn: demoScraperArn(settings) } });
  buildExample(phase2, new cdk8s.App(), settings);
  phase2.synth();
}

#!/usr/bin/env node
/**
 * The multi-account example: one CDK stack per account (templates into cdk.out/) and the cdk8s
 * charts for the cluster (manifests into dist/manifests/, helm values into dist/helm-values/).
 *
 *   npm run synth                                  # demo accounts, no AWS credentials needed
 *   npx cdk synth -c observabilityAccount=123456789012 -c clusterAccount=210987654321 ...
 *   npx cdk deploy ObservabilityAccount --profile observability
 */
import { App } from 'aws-cdk-lib';
import * as cdk8s from 'cdk8s';
import { demoSettings } from './demo-settings';
import { buildExample } from './example-app';
import { cleanOutputs, MANIFESTS_DIR, writeHelmValues } from './outputs';

const app = new App();
cleanOutputs();
const k8s = new cdk8s.App({ outdir: MANIFESTS_DIR, outputFileExtension: '.yaml' });
const example = buildExample(app, k8s, demoSettings(app));

for (const [fileName, yaml] of Object.entries(example.helmValues)) writeHelmValues(fileName, yaml);
k8s.synth();
app.synth();

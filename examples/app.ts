#!/usr/bin/env node
/**
 * The multi-account example: one CDK stack per account (templates into cdk.out/) and the cdk8s
 * charts for the cluster (manifests into dist/manifests/, helm values into dist/helm-values/).
 *
 *   npm run synth                                  # demo accounts, no AWS credentials needed
 *   npx cdk synth -c observabilityAccount=123456789012 -c clusterAccount=210987654321 ...
 *   npx cdk deploy ObservabilityAccount --profile observability
 */
import { App, Stack } from 'aws-cdk-lib';
import * as cdk8s from 'cdk8s';
import { demoSettings } from './demo-settings';
import { cleanOutputs, MANIFESTS_DIR } from './outputs';
import { addRemoteWrite } from './remote-write';

const app = new App();
const settings = demoSettings(app);
cleanOutputs();
const k8s = new cdk8s.App({ outdir: MANIFESTS_DIR, outputFileExtension: '.yaml' });

const observability = new Stack(app, 'ObservabilityAccount', {
  env: { account: settings.observabilityAccount, region: settings.region },
  description: 'Observability account: AMP remote-write role and OIDC providers for the clusters (cdk-eks-cross-account-observability example)',
});

addRemoteWrite(observability, k8s, settings);

k8s.synth();
app.synth();

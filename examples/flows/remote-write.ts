#!/usr/bin/env node
/**
 * Prometheus in a cluster account remote-writes to AMP in an observability account, over IRSA.
 * A complete app: `npx ts-node -P tsconfig.dev.json examples/flows/remote-write.ts` synthesizes it.
 * In your own app, import from 'cdk-eks-cross-account-observability' instead of '../../src'.
 *
 * Deploy: `cdk deploy Amp --profile <observability account>`; then, in the cluster,
 * `kubectl apply -f dist/remote-write/` and install kube-prometheus-stack with values-prod.yaml.
 */
import * as fs from 'fs';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import * as cdk8s from 'cdk8s';
import { IrsaRemoteWriteRole, PrometheusRemoteWriteChart } from '../../src';

const OBSERVABILITY_ACCOUNT = '111111111111';
const REGION = 'us-east-1';
const WORKSPACE_ARN = `arn:aws:aps:${REGION}:${OBSERVABILITY_ACCOUNT}:workspace/ws-0123abcd-4567-89ef-0123-456789abcdef`;
/** `aws eks describe-cluster --name prod --query cluster.identity.oidc.issuer --output text` */
const PROD_ISSUER = 'https://oidc.eks.us-east-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF';

export function build(app: App, k8s: cdk8s.App): { stacks: Stack[]; helmValues: Record<string, string> } {
  // The observability account: one role the listed clusters' Prometheus service accounts assume directly.
  const amp = new Stack(app, 'Amp', { env: { account: OBSERVABILITY_ACCOUNT, region: REGION } });
  const remoteWrite = new IrsaRemoteWriteRole(amp, 'RemoteWrite', {
    workspaceArn: WORKSPACE_ARN,
    clusters: [{ oidcIssuerUrl: PROD_ISSUER }],
    serviceAccounts: [{ namespace: 'monitoring', name: 'prometheus' }],
  });

  // The cluster side: plain values only.
  const chart = new PrometheusRemoteWriteChart(k8s, 'prometheus-remote-write-prod', {
    workspaceArn: WORKSPACE_ARN,
    roleArn: remoteWrite.roleArnFor(PROD_ISSUER),
    clusterName: 'prod',
  });
  return { stacks: [amp], helmValues: { 'values-prod.yaml': chart.helmValuesYaml() } };
}

if (require.main === module) {
  const app = new App();
  const k8s = new cdk8s.App({ outdir: 'dist/remote-write', outputFileExtension: '.yaml' });
  const { helmValues } = build(app, k8s);
  k8s.synth();
  for (const [file, yaml] of Object.entries(helmValues)) fs.writeFileSync(path.join('dist/remote-write', file), yaml);
  app.synth();
}

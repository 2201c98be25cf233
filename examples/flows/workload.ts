#!/usr/bin/env node
/**
 * Any workload reaching another account (the pattern of AWS's "Enabling cross-account access to
 * Amazon EKS cluster resources" blog post): a CI pod in the CI account's cluster works with AWS
 * resources and an EKS cluster of a target account, and a probe Job checks the chain from inside.
 * A complete app: `npx ts-node -P tsconfig.dev.json examples/flows/workload.ts`.
 * In your own app, import from 'cdk-eks-cross-account-observability' instead of '../../src'.
 *
 * Deploy `Target` first (it names the source role by ARN), then `Ci`; then in the CI cluster
 * `kubectl apply -f dist/workload/` and `kubectl logs -n ci-namespace job/trust-probe-ci`.
 */
import { App, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as cdk8s from 'cdk8s';
import { CrossAccountWorkloadChart, CrossAccountWorkloadRole, TrustProbeChart, WorkloadIdentityMode, WorkloadSourceRole } from '../../src';

const CI_ACCOUNT = '222222222222';
const TARGET_ACCOUNT = '333333333333';
const REGION = 'us-east-1';
const CI_ISSUER = 'https://oidc.eks.us-east-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF';
const SERVICE_ACCOUNT = { namespace: 'ci-namespace', name: 'ci-serviceaccount' };

export function build(app: App, k8s: cdk8s.App): { stacks: Stack[] } {
  const ci = new Stack(app, 'Ci', { env: { account: CI_ACCOUNT, region: REGION } });
  const target = new Stack(app, 'Target', { env: { account: TARGET_ACCOUNT, region: REGION } });

  const sourceRoleArn = `arn:aws:iam::${CI_ACCOUNT}:role/workload-ci-namespace-ci-serviceaccount`;
  const deployer = new CrossAccountWorkloadRole(target, 'Deployer', {
    sourceRoleArn,
    policyStatements: [new iam.PolicyStatement({
      actions: ['eks:DescribeCluster'],
      resources: [`arn:aws:eks:${REGION}:${TARGET_ACCOUNT}:cluster/apps`],
    })],
    eksAccess: { clusterName: 'apps', accessPolicy: 'AmazonEKSEditPolicy', namespaces: ['apps'] },
  });

  const source = new WorkloadSourceRole(ci, 'CiWorkload', {
    identityMode: WorkloadIdentityMode.IRSA,
    oidcIssuerUrl: CI_ISSUER,
    // The provider IRSA already registered in the CI account, by its deterministic ARN.
    oidcProviderArn: `arn:aws:iam::${CI_ACCOUNT}:oidc-provider/${CI_ISSUER.replace('https://', '')}`,
    serviceAccount: SERVICE_ACCOUNT,
    targetRoleArns: [deployer.roleArn],
  });
  if (source.roleArn !== sourceRoleArn) throw new Error(`${source.roleArn} != ${sourceRoleArn}`);

  new CrossAccountWorkloadChart(k8s, 'ci-workload', {
    serviceAccount: SERVICE_ACCOUNT,
    identityMode: WorkloadIdentityMode.IRSA,
    sourceRoleArn: source.roleArn,
    targets: [{ profileName: 'target-env', roleArn: deployer.roleArn, region: REGION }],
  });
  new TrustProbeChart(k8s, 'trust-probe-ci', {
    serviceAccount: SERVICE_ACCOUNT,
    firstRoleArn: source.roleArn,
    hops: [{ roleArn: deployer.roleArn }],
  });
  return { stacks: [ci, target] };
}

if (require.main === module) {
  const app = new App();
  const k8s = new cdk8s.App({ outdir: 'dist/workload', outputFileExtension: '.yaml' });
  build(app, k8s);
  k8s.synth();
  app.synth();
}

import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as cdk8s from 'cdk8s';
import { DemoSettings } from './demo-settings';
import { CrossAccountWorkloadChart, CrossAccountWorkloadRole, TrustProbeChart, WorkloadIdentityMode, WorkloadSourceRole } from '../src';

/**
 * The scenario of AWS's cross-account EKS blog post: a CI workload in the cluster account reaches AWS resources and an EKS
 * cluster in a target account. The target role gets a namespaced EKS access entry instead of an
 * aws-auth entry in system:masters. A trust probe Job checks the chain from inside the cluster.
 */
export function addCrossAccountWorkload(cluster: Stack, target: Stack, k8s: cdk8s.App, settings: DemoSettings): void {
  const serviceAccount = { namespace: 'ci-namespace', name: 'ci-serviceaccount' };
  const sourceRoleArn = `arn:aws:iam::${settings.clusterAccount}:role/workload-ci-namespace-ci-serviceaccount`;

  const deployer = new CrossAccountWorkloadRole(target, 'CiDeployer', {
    sourceRoleArn,
    policyStatements: [new iam.PolicyStatement({
      actions: ['eks:DescribeCluster'],
      resources: [`arn:aws:eks:${settings.region}:${settings.targetAccount}:cluster/${settings.targetClusterName}`],
    })],
    eksAccess: { clusterName: settings.targetClusterName, accessPolicy: 'AmazonEKSEditPolicy', namespaces: ['apps'] },
  });

  const source = new WorkloadSourceRole(cluster, 'CiWorkload', {
    identityMode: WorkloadIdentityMode.IRSA,
    oidcIssuerUrl: settings.clusterOidcIssuer,
    // The cluster account registers its own issuer (usually done when IRSA was enabled): import it.
    oidcProviderArn: `arn:aws:iam::${settings.clusterAccount}:oidc-provider/${settings.clusterOidcIssuer.replace('https://', '')}`,
    serviceAccount,
    targetRoleArns: [deployer.roleArn],
  });
  if (source.roleArn !== sourceRoleArn) throw new Error(`example out of step: ${source.roleArn} != ${sourceRoleArn}`);

  new CrossAccountWorkloadChart(k8s, `ci-workload-${settings.clusterName}`, {
    serviceAccount,
    identityMode: WorkloadIdentityMode.IRSA,
    sourceRoleArn: source.roleArn,
    targets: [{ profileName: 'target-env', roleArn: deployer.roleArn, region: settings.region }],
  });
  new TrustProbeChart(k8s, `trust-probe-ci-${settings.clusterName}`, {
    serviceAccount,
    firstRoleArn: source.roleArn,
    hops: [{ roleArn: deployer.roleArn }],
    jobName: 'trust-probe-ci',
  });
}

import { Stack } from 'aws-cdk-lib';
import * as cdk8s from 'cdk8s';
import { DemoSettings, workspaceArn } from './demo-settings';
import { IrsaRemoteWriteRole, PrometheusRemoteWriteChart, TrustProbeChart } from '../src';

/**
 * Prometheus remote write over IRSA (AWS's cross-account IRSA pattern): the observability account registers the
 * cluster's OIDC issuer and owns the role; the cluster gets an annotated service account and
 * kube-prometheus-stack values. A second cluster, in another region, shows several clusters on one role.
 *
 * @returns the charts, whose helm values the app writes next to the manifests
 */
export function addRemoteWrite(observability: Stack, k8s: cdk8s.App, settings: DemoSettings): PrometheusRemoteWriteChart[] {
  const stagingIssuer = 'https://oidc.eks.eu-west-1.amazonaws.com/id/FEDCBA9876543210FEDCBA9876543210';
  const remoteWrite = new IrsaRemoteWriteRole(observability, 'PrometheusRemoteWrite', {
    workspaceArn: workspaceArn(settings),
    clusters: [{ oidcIssuerUrl: settings.clusterOidcIssuer }, { oidcIssuerUrl: stagingIssuer }],
    serviceAccounts: [{ namespace: 'monitoring', name: 'prometheus' }],
  });

  // The probe checks, from the cluster, that Prometheus' service account really gets the role.
  new TrustProbeChart(k8s, `trust-probe-remote-write-${settings.clusterName}`, {
    serviceAccount: { namespace: 'monitoring', name: 'prometheus' },
    firstRoleArn: remoteWrite.roleArnFor(settings.clusterOidcIssuer),
    jobName: 'trust-probe-remote-write',
  });

  return [[settings.clusterName, settings.clusterOidcIssuer], ['staging', stagingIssuer]].map(([clusterName, issuer]) =>
    new PrometheusRemoteWriteChart(k8s, `prometheus-remote-write-${clusterName}`, {
      workspaceArn: workspaceArn(settings),
      roleArn: remoteWrite.roleArnFor(issuer),
      clusterName,
    }));
}

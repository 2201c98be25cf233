#!/usr/bin/env node
/**
 * Every flow for a whole AWS Organization: organization-scoped targets and an OAM sink per region in
 * the observability account, and one StackSet in the management account that puts the source side
 * into every account of two OUs, in two regions (the app is `../organization.ts`; its values are the
 * demo settings, each overridable with `-c <key>=<value>`).
 * `npx ts-node -P tsconfig.dev.json examples/flows/organization.ts` synthesizes it.
 *
 * Deploy, in this order: `cdk deploy OrganizationObservability OrganizationObservability-eu-west-1
 * --profile <observability account>`; then, with their SinkArn outputs,
 * `cdk deploy OrganizationManagement -c fleetSinkArns=us-east-1=<arn>,eu-west-1=<arn> --profile <management account>`;
 * then, in each member cluster, `kubectl apply -f dist/organization/`, and for each cluster's AMP collector
 * `cdk deploy OrganizationMemberCollector --profile <member account>` (no bootstrap needed).
 */
import { App, Stack } from 'aws-cdk-lib';
import * as cdk8s from 'cdk8s';
import { demoSettings } from '../demo-settings';
import { addOrganization } from '../organization';

export function build(app: App, k8s: cdk8s.App): { stacks: Stack[] } {
  const organization = addOrganization(app, k8s, demoSettings(app));
  return { stacks: [...organization.observability, organization.management, organization.memberCollector] };
}

if (require.main === module) {
  const app = new App();
  const k8s = new cdk8s.App({ outdir: 'dist/organization', outputFileExtension: '.yaml' });
  build(app, k8s);
  k8s.synth();
  app.synth();
}

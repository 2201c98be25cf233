#!/usr/bin/env node
/**
 * Container Insights from a customer's cluster into a vendor's (or the platform team's) account:
 * the vendor's role per customer, the agent's identity in the customer's account (EKS Pod Identity,
 * chained by EKS into the vendor's role), and the amazon-cloudwatch-observability add-on configured for it.
 * A complete app: `npx ts-node -P tsconfig.dev.json examples/flows/container-insights.ts`.
 * In your own app, import from 'cdk-eks-cross-account-observability' instead of '../../src'.
 *
 * Deploy order: `Vendor` (the role exists first), then `Customer` (the association and the add-on).
 */
import { App, Stack } from 'aws-cdk-lib';
import * as cdk8s from 'cdk8s';
import {
  AgentIdentityMode, CloudWatchObservabilityAddon, ContainerInsightsAgentAccess, ContainerInsightsPermissionMode, CrossAccountContainerInsights,
} from '../../src';

const VENDOR_ACCOUNT = '111111111111';
const CUSTOMER_ACCOUNT = '222222222222';
const REGION = 'us-east-1';
const CUSTOMER = 'acme';
const CLUSTER = 'prod';

export function build(app: App, _k8s?: cdk8s.App): { stacks: Stack[] } {
  const vendor = new Stack(app, 'Vendor', { env: { account: VENDOR_ACCOUNT, region: REGION } });
  const customer = new Stack(app, 'Customer', { env: { account: CUSTOMER_ACCOUNT, region: REGION } });

  // The customer's side names the vendor's role by its deterministic ARN (the two apps share strings only).
  const targetRoleArn = `arn:aws:iam::${VENDOR_ACCOUNT}:role/containerinsights-${CUSTOMER}`;
  const agent = new ContainerInsightsAgentAccess(customer, 'ContainerInsightsAgent', {
    targetRoleArn,
    clusterName: CLUSTER,
    identityMode: AgentIdentityMode.POD_IDENTITY,
  });

  const insights = new CrossAccountContainerInsights(vendor, 'ContainerInsights', {
    customerName: CUSTOMER,
    sourceAccountId: CUSTOMER_ACCOUNT,
    podIdentityTrusts: [agent.podIdentityTrust],
    // A vendor serves many customers in one account: each customer's log groups are its own.
    permissionMode: ContainerInsightsPermissionMode.TENANT_ISOLATED,
    clusterNames: [CLUSTER],
  });
  if (insights.roleArn !== targetRoleArn) throw new Error(`${insights.roleArn} != ${targetRoleArn}`);

  // The amazon-cloudwatch-observability EKS add-on, configured for the other account (the route most
  // clusters use; CloudWatchAgentChart is the route for clusters without add-ons).
  new CloudWatchObservabilityAddon(customer, 'ContainerInsightsAddon', {
    clusterName: CLUSTER,
    identityMode: AgentIdentityMode.POD_IDENTITY,
    targetRoleArn,
    // The name the vendor's TENANT_ISOLATED role expects: its log groups /aws/containerinsights/acme.prod/...
    reportedClusterName: CrossAccountContainerInsights.reportedClusterName(CUSTOMER, CLUSTER),
  });
  return { stacks: [vendor, customer] };
}

if (require.main === module) {
  const app = new App();
  const k8s = new cdk8s.App({ outdir: 'dist/container-insights', outputFileExtension: '.yaml' });
  build(app, k8s);
  k8s.synth();
  app.synth();
}

/** The vendor's TENANT_ISOLATED Container Insights role for acme's "prod", and its policies as IAM will evaluate them. */
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { ContainerInsightsPermissionMode, CrossAccountContainerInsights } from '../../src';
import { REGION, SOURCE_ACCOUNT, TARGET_ACCOUNT } from '../fixtures';
import { identityPoliciesOf, logicalIdsOfType } from './iam-proof';

export function acmeTenantIsolatedPolicies() {
  const stack = new Stack(new App(), 'Vendor', { env: { account: TARGET_ACCOUNT, region: REGION } });
  new CrossAccountContainerInsights(stack, 'acme', {
    customerName: 'acme', sourceAccountId: SOURCE_ACCOUNT, permissionMode: ContainerInsightsPermissionMode.TENANT_ISOLATED, clusterNames: ['prod'],
  });
  const json = Template.fromStack(stack).toJSON();
  return identityPoliciesOf(json, logicalIdsOfType(json, 'AWS::IAM::Role')[0], { account: TARGET_ACCOUNT, region: REGION });
}

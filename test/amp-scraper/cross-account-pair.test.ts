/**
 * Both sides of cross-account scraping together, as deployed: the source role's identity policy
 * and the target role's trust, in phase 1 and phase 2, evaluated as one cross-account AssumeRole
 * with the scraper ARN as external ID.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AmpCrossAccountScraper, AmpScraperTargetRole } from '../../src';
import { REGION, SOURCE_ACCOUNT, TARGET_ACCOUNT, WORKSPACE_ARN } from '../fixtures';
import { canAssume, identityPoliciesOf, logicalIdsOfType, trustPolicyOf } from '../harness/iam-proof';

const SCRAPER = `arn:aws:aps:${REGION}:${SOURCE_ACCOUNT}:scraper/s-0123abcd-4567-89ef-0123-456789abcdef`;
const OTHER_SCRAPER = `arn:aws:aps:${REGION}:${SOURCE_ACCOUNT}:scraper/s-ffffffff-4567-89ef-0123-456789abcdef`;

function pair(scraperArn?: string) {
  const app = new App();
  const workspaceAccount = new Stack(app, 'Observability', { env: { account: TARGET_ACCOUNT, region: REGION } });
  const clusterAccount = new Stack(app, 'Cluster', { env: { account: SOURCE_ACCOUNT, region: REGION } });
  const target = new AmpScraperTargetRole(workspaceAccount, 'Target', { sourceAccountId: SOURCE_ACCOUNT, clusterName: 'prod', workspaceArn: WORKSPACE_ARN, scraperArn });
  const source = new AmpCrossAccountScraper(clusterAccount, 'Scraper', {
    clusterArn: `arn:aws:eks:${REGION}:${SOURCE_ACCOUNT}:cluster/prod`, subnetIds: ['subnet-0123456789abcdef0', 'subnet-0123456789abcdef1'], workspaceArn: WORKSPACE_ARN, targetRoleArn: target.roleArn,
  });
  const targetJson = Template.fromStack(workspaceAccount).toJSON();
  const sourceJson = Template.fromStack(clusterAccount).toJSON();
  const sourceRoleId = logicalIdsOfType(sourceJson, 'AWS::IAM::Role').find((id) => sourceJson.Resources[id].Properties.RoleName === source.sourceRoleName)!;
  return {
    targetRoleArn: target.roleArn,
    sourceRoleArn: source.sourceRoleArn,
    trustPolicy: trustPolicyOf(targetJson, logicalIdsOfType(targetJson, 'AWS::IAM::Role')[0], { account: TARGET_ACCOUNT, region: REGION }),
    sourcePolicies: identityPoliciesOf(sourceJson, sourceRoleId, { account: SOURCE_ACCOUNT, region: REGION }),
  };
}

function ask(p: ReturnType<typeof pair>, externalId: string | undefined, principal = p.sourceRoleArn) {
  return canAssume({
    trustPolicy: p.trustPolicy,
    roleArn: p.targetRoleArn,
    principal,
    callerPolicies: p.sourcePolicies,
    context: { 'aws:PrincipalArn': principal, ...(externalId ? { 'sts:ExternalId': externalId } : {}) },
  });
}

test('phase 1: the source role gets in with any scraper ARN of its account; without one it does not', () => {
  const p = pair();
  expect(ask(p, SCRAPER)).toBe('Allowed');
  expect(ask(p, OTHER_SCRAPER)).toBe('Allowed');
  expect(ask(p, undefined)).not.toBe('Allowed');
});

test('phase 2: only with this scraper\'s ARN', () => {
  const p = pair(SCRAPER);
  expect(ask(p, SCRAPER)).toBe('Allowed');
  expect(ask(p, OTHER_SCRAPER)).not.toBe('Allowed');
  expect(ask(p, SCRAPER, `arn:aws:iam::${SOURCE_ACCOUNT}:role/other`)).not.toBe('Allowed');
});

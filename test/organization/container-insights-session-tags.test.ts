/**
 * Could EKS Pod Identity's session tags keep member accounts apart within ONE organization-wide
 * central Container Insights role? Proven with the IAM engine, against the role this library deploys.
 *
 * Facts (EKS user guide, "Grant pods access to AWS resources based on tags", pod-id-abac.html): Pod
 * Identity adds eks-cluster-arn, eks-cluster-name, kubernetes-namespace, kubernetes-service-account,
 * kubernetes-pod-name and kubernetes-pod-uid; "All of the session tags that are added by EKS Pod
 * Identity are transitive", so they reach the central role's session as `aws:PrincipalTag/...`
 * (IAM user guide, "Chaining roles with session tags"). The organization trust pins eks-cluster-arn
 * (request and principal tag) to `${aws:PrincipalAccount}` (`sessionTagConditions`).
 *
 * What follows:
 * - `${aws:PrincipalTag/eks-cluster-name}` in the policy's Resource scopes by cluster NAME only: the
 *   name carries no account, and the trust does not bind it to eks-cluster-arn, so a member's own
 *   principal at the fleet path (which the organization trust admits by design) may tag any name.
 * - `${aws:PrincipalTag/eks-cluster-arn}` does carry the member's account, trust-pinned, but it holds
 *   ":" and a log group name cannot: no Resource can be built from it, and IAM has no function to cut it.
 * - What does work, on the Pod Identity route only: one statement per member account, conditioned on
 *   `aws:PrincipalTag/eks-cluster-arn` with that account. It lists the accounts (what organization-wide
 *   mode avoids), and an IRSA chain (no session tags) is refused by it. Not built; recorded here.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { ContainerInsightsPermissionMode, CrossAccountContainerInsights, FleetNames } from '../../src';
import { canAssume, isAllowed, logicalIdsOfType, trustPolicyOf } from '../harness/iam-proof';

const ORG = 'o-a1b2c3d4e5';
const PROD_OU = `${ORG}/r-ab12/ou-ab12-11111111/`;
const MONITORING = '111111111111';
const MEMBER_A = '444444444444';
const MEMBER_B = '555555555555';
const REGION = 'us-east-1';

function centralTrust() {
  const stack = new Stack(new App(), 'Monitoring', { env: { account: MONITORING, region: REGION } });
  const ci = new CrossAccountContainerInsights(stack, 'CI', {
    customerName: 'platform',
    organizationSource: { organizationId: ORG, organizationalUnitPaths: [PROD_OU] },
    permissionMode: ContainerInsightsPermissionMode.TENANT_ISOLATED,
    regions: [REGION],
  });
  const json = Template.fromStack(stack).toJSON();
  return { roleArn: ci.roleArn, trust: trustPolicyOf(json, logicalIdsOfType(json, 'AWS::IAM::Role')[0], { account: MONITORING, region: REGION }) };
}

/** A member's principal at the fleet's Container Insights path assumes the central role with these session tags. */
function assumeWithTags(central: { roleArn: string; trust: any }, account: string, tags: Record<string, string>): string {
  const principal = FleetNames.podIdentityRoleArn('aws', account, FleetNames.CONTAINER_INSIGHTS, REGION);
  const callerPolicies = [{ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['sts:AssumeRole', 'sts:TagSession'], Resource: central.roleArn }] }];
  return ['sts:AssumeRole', 'sts:TagSession'].map((action) => canAssume({
    trustPolicy: central.trust,
    roleArn: central.roleArn,
    principal,
    action,
    callerPolicies,
    context: {
      'aws:PrincipalArn': principal,
      'aws:PrincipalAccount': account,
      'aws:PrincipalOrgID': ORG,
      'aws:PrincipalOrgPaths': [PROD_OU],
      ...Object.fromEntries(Object.entries(tags).map(([k, v]) => [`aws:RequestTag/${k}`, v])),
      'aws:TagKeys': Object.keys(tags),
    },
  })).join(' ');
}

const SESSION = `arn:aws:sts::${MONITORING}:assumed-role/containerinsights-platform/eks-session`;
const group = (account: string, cluster: string) => `arn:aws:logs:${REGION}:${MONITORING}:log-group:/aws/containerinsights/platform.${account}.${cluster}/performance`;
/** PutLogEvents by the central role's session, carrying these principal tags, under a prototype policy. */
const put = (policy: any, target: string, principalTags: Record<string, string>) => isAllowed({
  policies: [policy],
  principal: SESSION,
  action: 'logs:PutLogEvents',
  resource: `${target}:log-stream:node-1`,
  context: { 'aws:PrincipalAccount': MONITORING, ...Object.fromEntries(Object.entries(principalTags).map(([k, v]) => [`aws:PrincipalTag/${k}`, v])) },
});
const podIdentityTags = (account: string, cluster: string) => ({ 'eks-cluster-arn': `arn:aws:eks:${REGION}:${account}:cluster/${cluster}`, 'eks-cluster-name': cluster });

describe('session tags and one organization-wide central role', () => {
  test('the trust pins eks-cluster-arn to the caller\'s account, but not eks-cluster-name: B may carry any cluster name', () => {
    const central = centralTrust();
    expect(assumeWithTags(central, MEMBER_B, podIdentityTags(MEMBER_B, 'b-cluster'))).toBe('Allowed Allowed');
    expect(assumeWithTags(central, MEMBER_B, podIdentityTags(MEMBER_A, 'prod'))).toBe('ImplicitlyDenied ImplicitlyDenied');
    // B's own cluster ARN with another name: the trust lets it through (the name tag is free).
    expect(assumeWithTags(central, MEMBER_B, { ...podIdentityTags(MEMBER_B, 'b-cluster'), 'eks-cluster-name': 'prod' })).toBe('Allowed Allowed');
  });

  test('${aws:PrincipalTag/eks-cluster-name} in the Resource scopes by cluster name, not by account: B\'s genuine "prod" writes A\'s "prod"', () => {
    const byName = {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 'logs:PutLogEvents', Resource: `arn:aws:logs:${REGION}:${MONITORING}:log-group:/aws/containerinsights/platform.????????????.\${aws:PrincipalTag/eks-cluster-name}/performance:*` }],
    };
    expect(put(byName, group(MEMBER_A, 'prod'), podIdentityTags(MEMBER_A, 'prod'))).toBe('Allowed');
    expect(put(byName, group(MEMBER_A, 'prod'), podIdentityTags(MEMBER_A, 'other'))).toBe('ImplicitlyDenied');
    expect(put(byName, group(MEMBER_A, 'prod'), podIdentityTags(MEMBER_B, 'prod'))).toBe('Allowed');
  });

  test('${aws:PrincipalTag/eks-cluster-arn} in the Resource matches no Container Insights group (a log group name has no ":")', () => {
    const byArn = {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 'logs:PutLogEvents', Resource: `arn:aws:logs:${REGION}:${MONITORING}:log-group:/aws/containerinsights/platform.\${aws:PrincipalTag/eks-cluster-arn}/performance:*` }],
    };
    expect(put(byArn, group(MEMBER_A, 'prod'), podIdentityTags(MEMBER_A, 'prod'))).toBe('ImplicitlyDenied');
  });

  test('what would separate accounts: a statement per listed account on aws:PrincipalTag/eks-cluster-arn (Pod Identity only; IRSA sessions carry no tag)', () => {
    const perAccount = {
      Version: '2012-10-17',
      Statement: [MEMBER_A, MEMBER_B].map((account) => ({
        Effect: 'Allow',
        Action: 'logs:PutLogEvents',
        Resource: `arn:aws:logs:${REGION}:${MONITORING}:log-group:/aws/containerinsights/platform.${account}.*/performance:*`,
        Condition: { StringLike: { 'aws:PrincipalTag/eks-cluster-arn': `arn:aws:eks:*:${account}:cluster/*` } },
      })),
    };
    expect(put(perAccount, group(MEMBER_A, 'prod'), podIdentityTags(MEMBER_A, 'prod'))).toBe('Allowed');
    expect(put(perAccount, group(MEMBER_A, 'prod'), podIdentityTags(MEMBER_B, 'prod'))).toBe('ImplicitlyDenied');
    expect(put(perAccount, group(MEMBER_B, 'prod'), podIdentityTags(MEMBER_B, 'prod'))).toBe('Allowed');
    // An IRSA chain: no session tag, so no statement applies.
    expect(put(perAccount, group(MEMBER_A, 'prod'), {})).toBe('ImplicitlyDenied');
  });
});

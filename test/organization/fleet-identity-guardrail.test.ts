/**
 * FleetIdentityGuardrail: the service control policy that keeps member-account administrators from
 * making or changing roles at the fleet's paths, proven with the IAM engine's SCP evaluation (the
 * policy attached to the OU, FullAWSAccess at every level, an administrator's `*` identity policy).
 */
import { createValidatedPolicy, validateServiceControlPolicy } from '@cloud-copilot/iam-policy';
import { runUnsafeSimulation } from '@cloud-copilot/iam-simulate';
import { App, Lazy, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { FleetIdentityGuardrail, FleetNames, ObservabilityFleetSource } from '../../src';
import { expectNagClean } from '../harness/nag';

const MANAGEMENT = '100000000000';
const MEMBER = '444444444444';
const ROOT = 'r-ab12';
const OU = 'ou-ab12-11111111';
const FULL_ACCESS = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };

function synth(props: any = { targetIds: [OU] }, env: { account?: string; region?: string } | 'agnostic' = { account: MANAGEMENT, region: 'us-east-1' }) {
  const stack = new Stack(new App(), 'Management', env === 'agnostic' ? {} : { env });
  const guardrail = new FleetIdentityGuardrail(stack, 'Guardrail', props);
  return { stack, guardrail, json: Template.fromStack(stack).toJSON() };
}

const { guardrail, json, stack } = synth();
const scp = guardrail.policyDocument;

/** Whether `principal` of the member account may call `action` on `resource`, as an administrator under the OU (or outside it). */
function decide(principal: string, action: string, resource: string, options: { underOu?: boolean; policy?: any } = {}): string {
  const validated = createValidatedPolicy(options.policy ?? scp, validateServiceControlPolicy, { name: 'guardrail' });
  if (validated.errors.length > 0) throw new Error(`invalid SCP: ${JSON.stringify(validated.errors)}`);
  return runUnsafeSimulation({
    request: {
      principal,
      action,
      resource: { resource, accountId: MEMBER },
      contextVariables: { 'aws:PrincipalArn': principal, 'aws:PrincipalAccount': MEMBER },
    },
    identityPolicies: [{ name: 'admin', policy: FULL_ACCESS }],
    serviceControlPolicies: [
      { orgIdentifier: ROOT, policies: [{ name: 'FullAWSAccess', policy: FULL_ACCESS }] },
      { orgIdentifier: OU, policies: [{ name: 'FullAWSAccess', policy: FULL_ACCESS }, ...(options.underOu === false ? [] : [{ name: 'guardrail', policy: options.policy ?? scp }])] },
      { orgIdentifier: MEMBER, policies: [{ name: 'FullAWSAccess', policy: FULL_ACCESS }] },
    ],
    resourceControlPolicies: [],
  }, {}) as string;
}

const m = `arn:aws:iam::${MEMBER}:role`;
const ADMIN = `${m}/Admin`;
const EXEC = `${m}/stacksets-exec-0123456789abcdef0123456789abcdef`;
const RECONCILER = `${m}${FleetNames.RECONCILER_PATH}StackSet-fleet-0a1b2c3d-ReconcilerRoleA1B2-1A2B3C4D5E6F`;
const FLOW_ROLE = `${m}/xacct-observability/remote-write/evil`;
const WRITES = ['iam:CreateRole', 'iam:UpdateAssumeRolePolicy', 'iam:PutRolePolicy', 'iam:AttachRolePolicy', 'iam:TagRole', 'iam:UntagRole',
  'iam:DeleteRolePermissionsBoundary', 'iam:PutRolePermissionsBoundary', 'iam:DeleteRolePolicy', 'iam:DetachRolePolicy', 'iam:UpdateRole',
  'iam:UpdateRoleDescription', 'iam:DeleteRole', 'iam:PassRole'];

describe('the policy', () => {
  test('one AWS::Organizations::Policy of type SERVICE_CONTROL_POLICY, attached to the given OUs, within the 5,120-character quota', () => {
    const policies = Object.values<any>(json.Resources).filter((r) => r.Type === 'AWS::Organizations::Policy');
    expect(policies).toHaveLength(1);
    expect(policies[0].Properties).toMatchObject({ Type: 'SERVICE_CONTROL_POLICY', TargetIds: [OU], Name: 'xacct-observability-fleet-identities', Content: scp });
    expect(JSON.stringify(scp).replace(/\s/g, '').length).toBeLessThan(5_120);
    expect(createValidatedPolicy(scp, validateServiceControlPolicy, { name: 'guardrail' }).errors).toEqual([]);
  });

  test('cdk-nag clean', () => {
    expectNagClean(stack);
  });
});

describe('proven with SCP evaluation (iam-simulate): an administrator of a member account under the OU', () => {
  test.each(WRITES)('cannot %s a role at a flow\'s path, nor at the fleet root, nor at the reconciler\'s path', (action) => {
    for (const resource of [FLOW_ROLE, `${m}/xacct-observability/remote-write.pod-identity.us-east-1`, `${m}/xacct-observability/remote-write/remote-write.pod-identity.us-east-1`,
      `${m}/xacct-observability/x`, `${m}${FleetNames.RECONCILER_PATH}impostor`, `${m}/xacct-observability/workload-ci/a/b`]) {
      expect({ action, resource, decision: decide(ADMIN, action, resource) }).toEqual({ action, resource, decision: 'ExplicitlyDenied' });
    }
  });

  test.each(WRITES)('cannot %s a role named like the StackSet execution role (which would borrow its exemption)', (action) => {
    expect(decide(ADMIN, action, `${m}/stacksets-exec-impostor`)).toBe('ExplicitlyDenied');
    expect(decide(ADMIN, action, EXEC)).toBe('ExplicitlyDenied');
  });

  test('keeps every other role of its account: create, change, pass', () => {
    for (const action of WRITES) {
      expect(decide(ADMIN, action, `${m}/team-app`)).toBe('Allowed');
      expect(decide(ADMIN, action, `${m}/platform/xacct-observability/remote-write/x`)).toBe('Allowed');
    }
  });

  test('the StackSet execution role and the fleet reconciler still create and change the fleet\'s roles', () => {
    for (const action of WRITES) {
      expect(decide(EXEC, action, FLOW_ROLE)).toBe('Allowed');
      expect(decide(EXEC, action, `${m}${FleetNames.RECONCILER_PATH}StackSet-fleet-x`)).toBe('Allowed');
      expect(decide(RECONCILER, action, `${m}/xacct-observability/remote-write/remote-write-prod-us-east-1`)).toBe('Allowed');
    }
  });

  test('an account outside the OUs is not held (the policy is attached by OU)', () => {
    expect(decide(ADMIN, 'iam:CreateRole', FLOW_ROLE, { underOu: false })).toBe('Allowed');
  });

  test('exemptPrincipalArns adds exactly those principals', () => {
    const deployer = `${m}/cdk-hnb659fds-cfn-exec-role-${MEMBER}-us-east-1`;
    const { guardrail: withExempt } = synth({ targetIds: [OU], exemptPrincipalArns: ['arn:aws:iam::*:role/cdk-hnb659fds-cfn-exec-role-*'] });
    expect(decide(deployer, 'iam:PassRole', FLOW_ROLE, { policy: withExempt.policyDocument })).toBe('Allowed');
    expect(decide(ADMIN, 'iam:PassRole', FLOW_ROLE, { policy: withExempt.policyDocument })).toBe('ExplicitlyDenied');
  });
});

describe('with the fleet', () => {
  test('the reconciler role of the fleet\'s member template is at the exempt path, so the guardrail leaves the fleet working', () => {
    const s = new Stack(new App(), 'Fleet', { env: { account: MANAGEMENT, region: 'us-east-1' } });
    const fleet = new ObservabilityFleetSource(s, 'Fleet', {
      organizationalUnitIds: [OU],
      regions: ['us-east-1'],
      remoteWrite: { targetRoleArn: 'arn:aws:iam::111111111111:role/amp-remote-write-ws-1' },
    });
    new FleetIdentityGuardrail(s, 'Guardrail', { targetIds: [OU] });
    const roles = Object.values<any>(fleet.memberTemplate.Resources).filter((r) => r.Type === 'AWS::IAM::Role');
    const reconciler = roles.filter((r) => r.Properties.Path === FleetNames.RECONCILER_PATH);
    expect(reconciler).toHaveLength(1);
    // Every other role the template makes is at a flow's path: created by the execution role.
    expect(roles.every((r) => r.Properties.Path.startsWith(FleetNames.PATH_ROOT))).toBe(true);
  });
});

describe('bad input: every problem named in one error', () => {
  test.each([
    [{}, /targetIds: is required/],
    [{ targetIds: 'ou-ab12-11111111' }, /targetIds: /],
    [{ targetIds: ['o-a1b2c3d4e5'] }, /targetIds\[0\][^\n]*o-a1b2c3d4e5[^\n]*organizational unit ID/],
    [{ targetIds: [OU, OU] }, /targetIds: names a target twice/],
    [{ targetIds: [OU], policyName: '' }, /policyName: /],
    [{ targetIds: [OU], exemptPrincipalArns: ['arn:aws:iam::*:user/x'] }, /exemptPrincipalArns\[0\]: /],
    [{ targetIds: [OU], exemptPrincipalArns: 'arn:aws:iam::*:role/x' }, /exemptPrincipalArns: /],
  ])('%j', (props, message) => {
    expect(() => synth(props)).toThrow(message);
  });

  test('several problems in one error; null props and a Python None list name the prop', () => {
    expect(() => synth({ targetIds: ['bad'], policyName: 'x'.repeat(200) })).toThrow(/targetIds\[0\][\s\S]*policyName/);
    expect(() => synth(null)).toThrow(/targetIds: is required/);
    expect(() => synth({ targetIds: null })).toThrow(/targetIds: is required/);
  });

  test('deploy-time target IDs pass through; an environment-agnostic stack takes the partition at deploy time', () => {
    const { json: withToken } = synth({ targetIds: [Lazy.string({ produce: () => OU })] });
    expect(Object.values<any>(withToken.Resources).find((r) => r.Type === 'AWS::Organizations::Policy').Properties.TargetIds).toEqual([OU]);
    const { json: agnostic } = synth({ targetIds: [OU] }, 'agnostic');
    expect(JSON.stringify(agnostic)).toContain('AWS::Partition');
  });
});

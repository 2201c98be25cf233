import { App, Aws, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IrsaRemoteWriteRole, IrsaRemoteWriteRoleProps } from '../../src';
import { policySize } from '../../src/core/policy-size';
import { hostPath, issuer, OTHER_ACCOUNT, OTHER_WORKSPACE_ARN, SOURCE_ACCOUNT, stackIn, TARGET_ACCOUNT, WORKSPACE_ARN, WORKSPACE_ID } from '../fixtures';
import { canAssume, identityPoliciesOf, isAllowed, logicalIdsOfType, trustPolicyOf } from '../harness/iam-proof';
import { expectNagClean } from '../harness/nag';
import { templateForSnapshot } from '../harness/snapshot';

const ENV = { account: TARGET_ACCOUNT, region: 'us-east-1' };
const PROMETHEUS = { namespace: 'monitoring', name: 'prometheus' };

function build(props: Partial<IrsaRemoteWriteRoleProps> = {}, stack = stackIn()) {
  const rw = new IrsaRemoteWriteRole(stack, 'RemoteWrite', {
    workspaceArn: WORKSPACE_ARN,
    clusters: [{ oidcIssuerUrl: issuer(1) }, { oidcIssuerUrl: issuer(2, 'eu-west-1') }],
    serviceAccounts: [PROMETHEUS],
    ...props,
  });
  const template = Template.fromStack(stack);
  return { stack, rw, template, json: template.toJSON() };
}

function webIdentity(issuerUrl: string, sub: string, aud = 'sts.amazonaws.com', providerAccount = TARGET_ACCOUNT) {
  return {
    principal: `arn:aws:iam::${providerAccount}:oidc-provider/${hostPath(issuerUrl)}`,
    action: 'sts:AssumeRoleWithWebIdentity',
    context: { [`${hostPath(issuerUrl)}:aud`]: aud, [`${hostPath(issuerUrl)}:sub`]: sub },
  };
}

describe('resources', () => {
  test('one OIDC provider per issuer, with the STS audience and no thumbprint', () => {
    const { template } = build();
    template.resourceCountIs('AWS::IAM::OIDCProvider', 2);
    for (const n of [1, 2]) {
      template.hasResourceProperties('AWS::IAM::OIDCProvider', {
        Url: issuer(n, n === 1 ? 'us-east-1' : 'eu-west-1'),
        ClientIdList: ['sts.amazonaws.com'],
        ThumbprintList: Match.absent(),
      });
    }
  });

  test('an imported provider is used as is and not created', () => {
    const imported = `arn:aws:iam::${TARGET_ACCOUNT}:oidc-provider/${hostPath(issuer(2, 'eu-west-1'))}`;
    const { template, json } = build({ clusters: [{ oidcIssuerUrl: issuer(1) }, { oidcIssuerUrl: issuer(2, 'eu-west-1'), oidcProviderArn: imported }] });
    template.resourceCountIs('AWS::IAM::OIDCProvider', 1);
    const [roleId] = logicalIdsOfType(json, 'AWS::IAM::Role');
    const trust = trustPolicyOf(json, roleId, ENV);
    expect(trust.Statement.map((s: any) => s.Principal.Federated)).toContain(imported);
  });

  test('two constructs in one stack share the provider of a common issuer', () => {
    const stack = stackIn();
    new IrsaRemoteWriteRole(stack, 'A', { workspaceArn: WORKSPACE_ARN, clusters: [{ oidcIssuerUrl: issuer(1) }] });
    new IrsaRemoteWriteRole(stack, 'B', { workspaceArn: OTHER_WORKSPACE_ARN, clusters: [{ oidcIssuerUrl: issuer(1) }] });
    Template.fromStack(stack).resourceCountIs('AWS::IAM::OIDCProvider', 1);
  });

  test('the role has a deterministic name, aud+sub trust per cluster, and aps:RemoteWrite on the workspace only', () => {
    const { template, rw } = build();
    template.resourceCountIs('AWS::IAM::Role', 1);
    expect(rw.roleNames).toEqual([`amp-remote-write-${WORKSPACE_ID}`]);
    template.hasResourceProperties('AWS::IAM::Role', {
      RoleName: `amp-remote-write-${WORKSPACE_ID}`,
      Path: '/',
      AssumeRolePolicyDocument: {
        Statement: [1, 2].map((n) => {
          const hp = hostPath(issuer(n, n === 1 ? 'us-east-1' : 'eu-west-1'));
          return {
            Action: 'sts:AssumeRoleWithWebIdentity',
            Effect: 'Allow',
            Principal: { Federated: { Ref: Match.stringLikeRegexp('^EksOidcProvidersProvider') } },
            Condition: { StringEquals: { [`${hp}:aud`]: 'sts.amazonaws.com', [`${hp}:sub`]: 'system:serviceaccount:monitoring:prometheus' } },
          };
        }),
      },
      Policies: [{
        PolicyName: 'RemoteWrite',
        PolicyDocument: { Statement: [{ Action: 'aps:RemoteWrite', Effect: 'Allow', Resource: WORKSPACE_ARN }] },
      }],
    });
    template.resourceCountIs('AWS::IAM::Policy', 0);
    template.resourceCountIs('AWS::IAM::ManagedPolicy', 0);
  });

  test('the role ARN is a plain string, and an output carries it', () => {
    const { rw, template } = build();
    expect(rw.roleArn).toBe(`arn:aws:iam::${TARGET_ACCOUNT}:role/amp-remote-write-${WORKSPACE_ID}`);
    expect(rw.roleArnFor(issuer(1))).toBe(rw.roleArn);
    expect(rw.roleArns).toEqual([rw.roleArn]);
    template.hasOutput('*', { Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('^RemoteWriteRole'), 'Arn'] } });
  });

  test('roleName, rolePath, per-cluster service accounts and wildcards', () => {
    const { template, rw } = build({
      roleName: 'amp-rw',
      rolePath: '/observability/',
      clusters: [
        { oidcIssuerUrl: issuer(1), serviceAccounts: [{ namespace: 'prom', name: 'server' }, { namespace: 'prom', name: 'agent' }] },
        { oidcIssuerUrl: issuer(2), serviceAccounts: [{ namespace: 'monitoring', name: 'prometheus-*' }] },
      ],
    });
    expect(rw.roleArn).toBe(`arn:aws:iam::${TARGET_ACCOUNT}:role/observability/amp-rw`);
    const trust = template.toJSON().Resources[logicalIdsOfType(template.toJSON(), 'AWS::IAM::Role')[0]].Properties.AssumeRolePolicyDocument;
    expect(trust.Statement[0].Condition).toEqual({
      StringEquals: {
        [`${hostPath(issuer(1))}:aud`]: 'sts.amazonaws.com',
        [`${hostPath(issuer(1))}:sub`]: ['system:serviceaccount:prom:server', 'system:serviceaccount:prom:agent'],
      },
    });
    expect(trust.Statement[1].Condition).toEqual({
      StringEquals: { [`${hostPath(issuer(2))}:aud`]: 'sts.amazonaws.com' },
      StringLike: { [`${hostPath(issuer(2))}:sub`]: 'system:serviceaccount:monitoring:prometheus-*' },
    });
  });

  test('a permissions boundary is applied to the role', () => {
    const stack = stackIn();
    const boundary = iam.ManagedPolicy.fromManagedPolicyName(stack, 'Boundary', 'org-boundary');
    const { template } = build({ permissionsBoundary: boundary }, stack);
    template.hasResourceProperties('AWS::IAM::Role', { PermissionsBoundary: Match.objectLike({ 'Fn::Join': Match.anyValue() }) });
  });
});

describe('trust proofs (iam-simulate)', () => {
  const { json, rw } = build();
  const roleId = logicalIdsOfType(json, 'AWS::IAM::Role')[0];
  const trustPolicy = trustPolicyOf(json, roleId, ENV);
  const roleArn = rw.roleArn;
  const c1 = issuer(1);
  const c2 = issuer(2, 'eu-west-1');
  const sub = 'system:serviceaccount:monitoring:prometheus';

  test('the listed service account of each listed cluster is allowed', () => {
    expect(canAssume({ trustPolicy, roleArn, ...webIdentity(c1, sub) })).toBe('Allowed');
    expect(canAssume({ trustPolicy, roleArn, ...webIdentity(c2, sub) })).toBe('Allowed');
  });

  test.each([
    ['another service account', webIdentity(c1, 'system:serviceaccount:monitoring:grafana')],
    ['another namespace', webIdentity(c1, 'system:serviceaccount:default:prometheus')],
    ['a wrong audience', webIdentity(c1, sub, 'sts.amazonaws.com.evil')],
    ["another cluster's issuer", webIdentity(issuer(99), sub)],
    ['a provider in another account', webIdentity(c1, sub, 'sts.amazonaws.com', SOURCE_ACCOUNT)],
    ['a token whose claims name another cluster', { ...webIdentity(c1, sub), context: webIdentity(c2, sub).context }],
    ['plain sts:AssumeRole from the source account', { principal: `arn:aws:iam::${SOURCE_ACCOUNT}:root`, action: 'sts:AssumeRole', context: {} }],
  ])('%s is denied', (_name, request) => {
    expect(canAssume({ trustPolicy, roleArn, ...request })).not.toBe('Allowed');
  });

  test('a wildcard trusts matching names only', () => {
    const built = build({ clusters: [{ oidcIssuerUrl: c1, serviceAccounts: [{ namespace: 'monitoring', name: 'prometheus-*' }] }] });
    const trust = trustPolicyOf(built.json, logicalIdsOfType(built.json, 'AWS::IAM::Role')[0], ENV);
    expect(canAssume({ trustPolicy: trust, roleArn, ...webIdentity(c1, 'system:serviceaccount:monitoring:prometheus-server') })).toBe('Allowed');
    expect(canAssume({ trustPolicy: trust, roleArn, ...webIdentity(c1, 'system:serviceaccount:monitoring:grafana') })).not.toBe('Allowed');
    expect(canAssume({ trustPolicy: trust, roleArn, ...webIdentity(c1, 'system:serviceaccount:other:prometheus-server') })).not.toBe('Allowed');
  });

  test('aps:RemoteWrite is allowed on the workspace and denied on another workspace and for other actions', () => {
    const policies = identityPoliciesOf(json, roleId, ENV);
    const principal = roleArn;
    expect(isAllowed({ policies, principal, action: 'aps:RemoteWrite', resource: WORKSPACE_ARN })).toBe('Allowed');
    expect(isAllowed({ policies, principal, action: 'aps:RemoteWrite', resource: OTHER_WORKSPACE_ARN })).toBe('ImplicitlyDenied');
    expect(isAllowed({ policies, principal, action: 'aps:QueryMetrics', resource: WORKSPACE_ARN })).toBe('ImplicitlyDenied');
    expect(isAllowed({ policies, principal, action: 'aps:DeleteWorkspace', resource: WORKSPACE_ARN })).toBe('ImplicitlyDenied');
  });
});

describe('sharding under the trust-policy size quota', () => {
  // One IRSA statement is 443 characters, so a 2048 quota holds 4 clusters per role: 10 need three roles.
  const clusters = Array.from({ length: 10 }, (_, i) => ({ oidcIssuerUrl: issuer(i + 1) }));

  test('clusters are spread over three roles, each trust policy within the limit, each cluster in exactly one', () => {
    const { template, rw, json } = build({ clusters, trustPolicySizeLimit: 2048 });
    const roleIds = logicalIdsOfType(json, 'AWS::IAM::Role');
    expect(roleIds).toHaveLength(3);
    expect(rw.roleNames).toEqual([0, 2, 3].map((n) => `amp-remote-write-${WORKSPACE_ID}${n ? `-${n}` : ''}`));
    template.resourceCountIs('AWS::IAM::OIDCProvider', 10);
    const trusted = roleIds.map((id) => trustPolicyOf(json, id, ENV));
    for (const trust of trusted) expect(policySize(trust)).toBeLessThanOrEqual(2048);
    const providers = trusted.flatMap((t) => t.Statement.map((s: any) => s.Principal.Federated));
    expect(new Set(providers).size).toBe(10);
    expect(providers).toHaveLength(10);
    expect(trusted.map((t) => t.Statement.length)).toEqual([4, 4, 2]);
  });

  test('roleArnFor names the role whose trust holds that cluster, and that role alone lets it in', () => {
    const { rw, json } = build({ clusters });
    const roleIds = logicalIdsOfType(json, 'AWS::IAM::Role');
    for (const { oidcIssuerUrl } of clusters) {
      const arn = rw.roleArnFor(oidcIssuerUrl);
      roleIds.forEach((id) => {
        const trustPolicy = trustPolicyOf(json, id, ENV);
        const roleArn = `arn:aws:iam::${TARGET_ACCOUNT}:role/${json.Resources[id].Properties.RoleName}`;
        const decision = canAssume({ trustPolicy, roleArn, ...webIdentity(oidcIssuerUrl, 'system:serviceaccount:monitoring:prometheus') });
        expect({ oidcIssuerUrl, roleArn, decision }).toEqual({ oidcIssuerUrl, roleArn, decision: roleArn === arn ? 'Allowed' : 'ImplicitlyDenied' });
      });
    }
    expect(rw.assignments.map((a) => a.oidcIssuerUrl)).toEqual(clusters.map((c) => c.oidcIssuerUrl));
  });

  test('the size estimate equals what IAM will count for literal inputs', () => {
    const { json } = build({ clusters: clusters.slice(0, 5), trustPolicySizeLimit: 4096 });
    const [roleId] = logicalIdsOfType(json, 'AWS::IAM::Role');
    const actual = policySize(trustPolicyOf(json, roleId, ENV));
    // 5 statements fit in one 4096 policy; at a limit of exactly the real size they still do, one less and they do not.
    expect(logicalIdsOfType(build({ clusters: clusters.slice(0, 5), trustPolicySizeLimit: actual }).json, 'AWS::IAM::Role')).toHaveLength(1);
    expect(logicalIdsOfType(build({ clusters: clusters.slice(0, 5), trustPolicySizeLimit: actual - 1 }).json, 'AWS::IAM::Role')).toHaveLength(2);
  });

  test('appending clusters keeps every existing cluster on its role', () => {
    const before = build({ clusters: clusters.slice(0, 6) }).rw;
    const after = build({ clusters }).rw;
    for (const { oidcIssuerUrl } of clusters.slice(0, 6)) expect(after.roleArnFor(oidcIssuerUrl)).toBe(before.roleArnFor(oidcIssuerUrl));
  });

  test('roleArn refuses to pick one role when there are several', () => {
    const { rw } = build({ clusters });
    expect(() => rw.roleArn).toThrow(/spread over 3 roles .* use roleArnFor\(oidcIssuerUrl\)/);
  });

  test('a cluster whose statement alone exceeds the limit fails at synth with its size', () => {
    const many = Array.from({ length: 40 }, (_, i) => ({ namespace: 'monitoring', name: `prometheus-${i}` }));
    expect(() => build({ clusters: [{ oidcIssuerUrl: issuer(1), serviceAccounts: many }] })).toThrow(
      /clusters\[0\]: its trust statement alone is \d+ characters, over trustPolicySizeLimit 2048/,
    );
  });
});

describe('bad input fails at synth with every problem named', () => {
  test.each([
    ['workspaceArn', { workspaceArn: 'arn:aws:aps:us-east-1:111111111111:ws-1' }, /workspaceArn: got .*expected an AMP workspace ARN/],
    ['clusters', { clusters: [] }, /clusters: is required/],
    ['oidcIssuerUrl', { clusters: [{ oidcIssuerUrl: 'oidc.eks.us-east-1.amazonaws.com/id/ABC' }] }, /clusters\[0\]\.oidcIssuerUrl: .*must start with https:\/\//],
    ['oidcProviderArn', { clusters: [{ oidcIssuerUrl: issuer(1), oidcProviderArn: 'arn:aws:iam::111111111111:role/x' }] }, /clusters\[0\]\.oidcProviderArn: .*expected an IAM OIDC provider ARN/],
    ['provider for another issuer', { clusters: [{ oidcIssuerUrl: issuer(1), oidcProviderArn: `arn:aws:iam::${TARGET_ACCOUNT}:oidc-provider/${hostPath(issuer(2))}` }] }, /is for .* not for the issuer/],
    ['provider in another account', { clusters: [{ oidcIssuerUrl: issuer(1), oidcProviderArn: `arn:aws:iam::${OTHER_ACCOUNT}:oidc-provider/${hostPath(issuer(1))}` }] }, /is in account 333333333333; a role can only trust an OIDC provider of its own account/],
    ['duplicate issuer', { clusters: [{ oidcIssuerUrl: issuer(1) }, { oidcIssuerUrl: issuer(1) }] }, /clusters\[1\]\.oidcIssuerUrl: repeats clusters\[0\]/],
    ['namespace', { serviceAccounts: [{ namespace: 'Monitoring', name: 'prometheus' }] }, /serviceAccounts\[0\]\.namespace: .*RFC 1123 label/],
    ['service account', { serviceAccounts: [{ namespace: 'monitoring', name: 'prom_server' }] }, /serviceAccounts\[0\]\.name: .*RFC 1123 subdomain/],
    ['per-cluster service account', { clusters: [{ oidcIssuerUrl: issuer(1), serviceAccounts: [] }] }, /clusters\[0\]\.serviceAccounts: is required/],
    ['roleName', { roleName: 'x'.repeat(65) }, /roleName: .*65 characters, the limit is 64/],
    ['rolePath', { rolePath: 'observability' }, /rolePath: .*expected an IAM path/],
    ['trustPolicySizeLimit', { trustPolicySizeLimit: 5000 }, /trustPolicySizeLimit: got 5000; expected a whole number from 1 to 4096/],
  ])('%s', (_name, props, message) => {
    expect(() => build(props as Partial<IrsaRemoteWriteRoleProps>)).toThrow(message);
  });

  test('all problems come in one error', () => {
    expect(() => build({ workspaceArn: 'nope', roleName: 'bad name', clusters: [{ oidcIssuerUrl: 'http://x' }] })).toThrow(/invalid props \(3 problems\)/);
  });

  test('tokens pass validation', () => {
    const stack = stackIn();
    const { template } = build({ workspaceArn: `arn:${Aws.PARTITION}:aps:${Aws.REGION}:${Aws.ACCOUNT_ID}:workspace/ws-1`, roleName: 'amp-rw' }, stack);
    template.resourceCountIs('AWS::IAM::Role', 1);
  });

  test('a token workspace ARN needs an explicit role name', () => {
    expect(() => build({ workspaceArn: `arn:${Aws.PARTITION}:aps:${Aws.REGION}:${Aws.ACCOUNT_ID}:workspace/ws-1` })).toThrow(/workspaceArn: is a deploy-time value \(token\), but the default roleName is built from the workspace ID/);
  });

  test('a token issuer is trusted through a CfnJson condition, and budgeted at its worst case', () => {
    const stack = stackIn();
    const tokenIssuer = Aws.STACK_NAME; // any deploy-time string
    const { template, rw } = build({ clusters: [{ oidcIssuerUrl: tokenIssuer }] }, stack);
    template.resourceCountIs('Custom::AWSCDKCfnJson', 1);
    template.resourceCountIs('AWS::IAM::OIDCProvider', 1);
    expect(rw.roleArnFor(tokenIssuer)).toBe(rw.roleArn);
  });

  test('an environment-agnostic stack synthesizes, but asking for the plain ARN says what to do', () => {
    const stack = new Stack(new App(), 'Agnostic');
    const { rw } = build({}, stack);
    expect(() => rw.roleArn).toThrow(/no literal account\. Give the stack env: \{ account/);
    expect(rw.roles[0].roleArn).toMatch(/^\$\{Token/);
  });

  test('an unknown issuer in roleArnFor lists the known ones', () => {
    const { rw } = build();
    expect(() => rw.roleArnFor(issuer(7))).toThrow(/no cluster has the issuer .*known issuers: https:\/\/oidc\.eks/);
  });
});

describe('advice', () => {
  test('a workspace in another account is flagged', () => {
    const { stack } = build({ workspaceArn: `arn:aws:aps:us-east-1:${OTHER_ACCOUNT}:workspace/ws-1` });
    Annotations.fromStack(stack).hasWarning('/Stack/RemoteWrite', Match.stringLikeRegexp('workspace is in account 333333333333'));
  });

  test('wildcard service accounts are flagged', () => {
    const { stack } = build({ serviceAccounts: [{ namespace: 'monitoring', name: '*' }] });
    Annotations.fromStack(stack).hasWarning('/Stack/RemoteWrite', Match.stringLikeRegexp('monitoring/\\*'));
  });

  test('two roles with one name in one account fail at synth', () => {
    const app = new App();
    const a = new Stack(app, 'A', { env: ENV });
    const b = new Stack(app, 'B', { env: ENV });
    new IrsaRemoteWriteRole(a, 'RW', { workspaceArn: WORKSPACE_ARN, clusters: [{ oidcIssuerUrl: issuer(1) }] });
    new IrsaRemoteWriteRole(b, 'RW', { workspaceArn: WORKSPACE_ARN, clusters: [{ oidcIssuerUrl: issuer(2) }] });
    expect(() => app.synth()).toThrow(/Role name "amp-remote-write-ws-.*" is also used by B\/RW\/Role\/Resource in account 111111111111/);
  });
});

test('cdk-nag AwsSolutions: no findings', () => {
  const { stack } = build({ clusters: Array.from({ length: 10 }, (_, i) => ({ oidcIssuerUrl: issuer(i + 1) })) });
  expectNagClean(stack);
});

test('snapshot', () => {
  const { stack } = build();
  expect(templateForSnapshot(stack)).toMatchSnapshot();
});

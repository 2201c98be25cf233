/**
 * Quotas found only at deploy before issue 22, now checked at synth with the quota's name and number:
 * CloudFormation's 200 Outputs and 500 resources per template (the providers the constructs created
 * counted), IAM's OIDC providers per account (100 by default, a warning; 700 at most, an error) and
 * roles per account (1,000 by default, adjustable: a warning), over every stack of the app in the account.
 */
import { App, Lazy, Stack } from 'aws-cdk-lib';
import * as lib from '../../src';

const TARGET = '111111111111';
const SOURCE = '222222222222';
const WORKSPACE = `arn:aws:aps:us-east-1:${TARGET}:workspace/ws-0123abcd-4567-89ef-0123-456789abcdef`;
const id = (n: number) => n.toString(16).toUpperCase().padStart(32, '0');
const issuer = (n: number) => `https://oidc.eks.us-east-1.amazonaws.com/id/${id(n)}`;
const env = (account = TARGET) => ({ env: { account, region: 'us-east-1' } });
const SERVICE_ACCOUNTS = [{ namespace: 'monitoring', name: 'prometheus' }];

function warningsOf(app: App): string {
  return app.synth().stacks.flatMap((s) => s.messages.filter((m) => m.level === 'warning').map((m) => String(m.entry.data))).join('\n');
}

test('1,000 clusters with existing providers: 250 remote-write roles and outputs, refused at synth with CloudFormation\'s 200 outputs per template', () => {
  const app = new App();
  const stack = new Stack(app, 'Wide', env());
  const clusters = Array.from({ length: 1000 }, (_, i) => ({
    oidcIssuerUrl: issuer(i + 1),
    oidcProviderArn: `arn:aws:iam::${TARGET}:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/${id(i + 1)}`,
  }));
  new lib.IrsaRemoteWriteRole(stack, 'RemoteWrite', { workspaceArn: WORKSPACE, clusters, serviceAccounts: SERVICE_ACCOUNTS });
  expect(() => app.synth()).toThrow(/Stack Wide has \d{3} Outputs, over CloudFormation's quota of 200 outputs per template\. This library's constructs in it: IrsaRemoteWriteRole 'Wide\/RemoteWrite' \(\d{3}\)/);
});

test('the 500-resource message counts the OIDC providers the constructs created for the stack', () => {
  const app = new App();
  const stack = new Stack(app, 'Big', env());
  const clusters = Array.from({ length: 480 }, (_, i) => ({ oidcIssuerUrl: issuer(i + 1) }));
  new lib.IrsaRemoteWriteRole(stack, 'RemoteWrite', { workspaceArn: WORKSPACE, clusters, serviceAccounts: SERVICE_ACCOUNTS });
  expect(() => app.synth()).toThrow(/over CloudFormation's quota of 500 resources per template\. This library's constructs in it: IrsaRemoteWriteRole 'Big\/RemoteWrite' \(\d+\), and 480 IAM OIDC providers they created for it/);
});

describe('OIDC providers per account, over every stack of the app in it', () => {
  const build = (app: App, stacks: number, perStack: number) => {
    for (let s = 0; s < stacks; s++) {
      const clusters = Array.from({ length: perStack }, (_, i) => ({ oidcIssuerUrl: issuer(s * perStack + i + 1) }));
      new lib.IrsaRemoteWriteRole(new Stack(app, `S${s}`, env()), 'RemoteWrite', { workspaceArn: WORKSPACE, clusters, serviceAccounts: SERVICE_ACCOUNTS, roleName: `remote-write-${s}` });
    }
  };

  test('60 + 60 in two stacks of one account: over the default 100, a warning naming the quota', () => {
    const app = new App();
    build(app, 2, 60);
    expect(warningsOf(app)).toMatch(/The stacks of this app in account 111111111111 register 120 IAM OIDC providers \(60 in this stack\); IAM's quota "OpenID Connect providers in an AWS account" is 100 by default \(adjustable up to 700\)/);
  });

  test('over 700 (the most the quota can be raised to): an error', () => {
    const app = new App();
    build(app, 3, 240);
    expect(() => app.synth()).toThrow(/register 720 IAM OIDC providers \(240 in S\d\), over the most IAM's quota "OpenID Connect providers in an AWS account" can be raised to \(700; 100 by default\)/);
  });
});

test('IAM roles per account over the default 1,000, over every stack of the app in the account: a warning naming the quota', () => {
  const app = new App();
  // 6 stacks of 167 roles: each inside CloudFormation's 200 outputs and 500 resources, 1,002 in the account.
  for (let s = 0; s < 6; s++) {
    const stack = new Stack(app, `Roles${s}`, env());
    for (let i = 0; i < 167; i++) new lib.CrossAccountWorkloadRole(stack, `R${i}`, { sourceRoleArn: `arn:aws:iam::${SOURCE}:role/ci-${s}-${i}`, roleName: `target-${s}-${i}` });
  }
  expect(warningsOf(app)).toMatch(/The stacks of this app create 1002 IAM roles in account 111111111111; IAM's quota "Roles in an AWS account" is 1000 by default \(adjustable in Service Quotas\)/);
});

test('ContainerInsightsAgentAccess: a deploy-time cluster name never becomes part of a role name (roleName left out, or null as Python passes None)', () => {
  for (const roleName of [undefined, null]) {
    const stack = new Stack(new App(), 'S', env(SOURCE));
    expect(() => new lib.ContainerInsightsAgentAccess(stack, 'A', {
      targetRoleArn: `arn:aws:iam::${TARGET}:role/containerinsights-acme`,
      clusterName: Lazy.string({ produce: () => 'prod' }),
      identityMode: lib.AgentIdentityMode.POD_IDENTITY,
      roleName: roleName as any,
    })).toThrow(/- clusterName: is a deploy-time value \(token\), but the default roleName is built from it/);
  }
});

import { CfnResource, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct, IConstruct } from 'constructs';
import { STS_AUDIENCE } from './irsa';
import { stableHash } from './naming';
import { warn } from './warnings';

const CONTAINER_ID = 'EksOidcProviders';

/**
 * The IAM OIDC provider for an issuer in the construct's stack, created once per stack and
 * shared by every construct of this library in that stack (IAM allows one provider per URL per
 * account, so two constructs trusting one cluster must not each create one).
 *
 * Uses the native `AWS::IAM::OIDCProvider` resource: no custom-resource Lambda, and no thumbprint,
 * which IAM no longer needs for issuers whose certificates chain to its trusted CAs (EKS issuers do).
 */
export function oidcProviderFor(scope: IConstruct, issuerUrl: string): iam.IOidcProvider {
  const stack = Stack.of(scope);
  const container = (stack.node.tryFindChild(CONTAINER_ID) as Construct | undefined) ?? newProviderContainer(stack);
  // Literal issuers are keyed by their URL, so every construct finds the same provider; a token
  // issuer cannot be compared, so it gets a provider keyed by the asking construct's path.
  const id = `Provider${stableHash(Token.isUnresolved(issuerUrl) ? `${scope.node.path}` : issuerUrl)}`;
  const existing = container.node.tryFindChild(id) as iam.IOidcProvider | undefined;
  return existing ?? new iam.OidcProviderNative(container, id, { url: issuerUrl, clientIds: [STS_AUDIENCE] });
}

/**
 * IAM quota "OpenID Connect providers in an AWS account" (IAM User Guide, "IAM and AWS STS quotas"):
 * 100 by default, adjustable in Service Quotas up to 700 (the team's REFERENCE.md, IAM). Over the
 * default is a warning (the account may have raised it); over the maximum is an error.
 */
export const OIDC_PROVIDERS_PER_ACCOUNT = 100;
export const OIDC_PROVIDERS_PER_ACCOUNT_MAX = 700;

/**
 * The stack's provider container, with checks: a provider for an issuer that another stack of the
 * same account also creates (IAM allows one per URL per account: the second deploy would fail), and
 * more providers in the account (every stack of the app in it) than IAM's quota.
 */
function newProviderContainer(stack: Stack): Construct {
  const container = new Construct(stack, CONTAINER_ID);
  container.node.addValidation({
    validate: () => {
      const account = stack.account;
      const ours = providersUnder(container);
      const inAccount = Token.isUnresolved(account)
        ? ours
        : providersUnder(stack.node.root).filter((p) => Stack.of(p).account === account);
      const where = Token.isUnresolved(account) ? 'This stack registers' : `The stacks of this app in account ${account} register`;
      if (inAccount.length > OIDC_PROVIDERS_PER_ACCOUNT_MAX) {
        return [`${where} ${inAccount.length} IAM OIDC providers (${ours.length} in ${stack.stackName}), over the most IAM's quota "OpenID Connect providers in an AWS account" can be raised to (${OIDC_PROVIDERS_PER_ACCOUNT_MAX}; ${OIDC_PROVIDERS_PER_ACCOUNT} by default). `
          + 'Spread the source clusters over several target accounts, or trust them through the organization instead of one provider each (see "Organization scale" in the README).'];
      }
      if (inAccount.length > OIDC_PROVIDERS_PER_ACCOUNT) {
        warn(container, 'tooManyOidcProviders',
          `${where} ${inAccount.length} IAM OIDC providers (${ours.length} in this stack); IAM's quota "OpenID Connect providers in an AWS account" is ${OIDC_PROVIDERS_PER_ACCOUNT} by default (adjustable up to ${OIDC_PROVIDERS_PER_ACCOUNT_MAX}). `
          + 'Raise the quota, or trust the source clusters through the organization instead of one provider each (see "Organization scale" in the README).');
      }
      if (Token.isUnresolved(account)) return [];
      const others = providersUnder(stack.node.root).filter((p) => !ours.includes(p) && Stack.of(p).account === account);
      return ours.flatMap((provider) => {
        const url = urlOf(provider);
        const clash = url === undefined ? undefined : others.find((other) => urlOf(other) === url);
        return clash ? [`The IAM OIDC provider for ${url} is also created by ${clash.node.path} in account ${account}; IAM allows one per issuer per account. Create it in one stack and pass its ARN (oidcProviderArn) to the other.`] : [];
      });
    },
  });
  return container;
}

function providersUnder(scope: IConstruct): CfnResource[] {
  return scope.node.findAll().filter((c): c is CfnResource => CfnResource.isCfnResource(c) && c.cfnResourceType === 'AWS::IAM::OIDCProvider');
}

function urlOf(provider: CfnResource): string | undefined {
  const url = (provider as unknown as { url?: unknown }).url;
  return typeof url === 'string' && !Token.isUnresolved(url) ? url : undefined;
}

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

/** IAM's default quota of OIDC providers per account. */
export const OIDC_PROVIDERS_PER_ACCOUNT = 100;

/**
 * The stack's provider container, with two checks: a provider for an issuer that another stack of
 * the same account also creates (IAM allows one per URL per account: the second deploy would fail),
 * and more providers than IAM's default quota per account.
 */
function newProviderContainer(stack: Stack): Construct {
  const container = new Construct(stack, CONTAINER_ID);
  container.node.addValidation({
    validate: () => {
      const account = stack.account;
      const ours = providersUnder(container);
      if (ours.length > OIDC_PROVIDERS_PER_ACCOUNT) {
        warn(container, 'tooManyOidcProviders',
          `This stack registers ${ours.length} IAM OIDC providers; IAM allows ${OIDC_PROVIDERS_PER_ACCOUNT} per account by default. `
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

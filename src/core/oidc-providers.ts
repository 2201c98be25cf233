import { Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct, IConstruct } from 'constructs';
import { STS_AUDIENCE } from './irsa';
import { stableHash } from './naming';

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
  const container = (stack.node.tryFindChild(CONTAINER_ID) as Construct | undefined) ?? new Construct(stack, CONTAINER_ID);
  // Literal issuers are keyed by their URL, so every construct finds the same provider; a token
  // issuer cannot be compared, so it gets a provider keyed by the asking construct's path.
  const id = `Provider${stableHash(Token.isUnresolved(issuerUrl) ? `${scope.node.path}` : issuerUrl)}`;
  const existing = container.node.tryFindChild(id) as iam.IOidcProvider | undefined;
  return existing ?? new iam.OidcProviderNative(container, id, { url: issuerUrl, clientIds: [STS_AUDIENCE] });
}

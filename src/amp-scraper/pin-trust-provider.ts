import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct, IConstruct } from 'constructs';
import { PinTrustFunction } from './pin-trust-function';
import { handlerProvider } from '../core/handler-provider';

const PROVIDER_ID = 'AmpScraperPinTrustProvider';

/**
 * The custom-resource provider that pins scraper source-role trusts: one per stack, shared by
 * every AmpCrossAccountScraper in it. Its function may read and update the trust of exactly the
 * roles registered with `allowPinning`, and nothing else.
 */
export class PinTrustProvider extends Construct {
  /** The service token of the custom resources. */
  public readonly serviceToken: string;

  private readonly functionRole: iam.Role;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    const logGroup = new logs.LogGroup(this, 'Logs', { retention: logs.RetentionDays.ONE_YEAR, removalPolicy: RemovalPolicy.DESTROY });
    this.functionRole = new iam.Role(this, 'FunctionRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'Pins AMP scraper source-role trusts to the scraper ARN',
    });
    const writeLogs = new iam.PolicyStatement({ actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [logGroup.logGroupArn] });
    this.functionRole.addToPrincipalPolicy(writeLogs);
    const fn = new PinTrustFunction(this, 'Function', {
      role: this.functionRole,
      logGroup,
      timeout: Duration.minutes(2),
      description: 'Pins an AMP scraper source role\'s trust to the scraper ARN (cdk-eks-cross-account-observability)',
    });
    this.serviceToken = handlerProvider(this, 'Provider', fn, 'the pin function').serviceToken;
  }

  /** Lets the function read and replace the trust of this role (and of no other). */
  public allowPinning(role: iam.IRole): void {
    this.functionRole.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['iam:GetRole', 'iam:UpdateAssumeRolePolicy'],
      resources: [role.roleArn],
    }));
  }
}

/** The stack's provider, created on first use. */
export function pinTrustProvider(scope: IConstruct): PinTrustProvider {
  const stack = Stack.of(scope);
  return (stack.node.tryFindChild(PROVIDER_ID) as PinTrustProvider | undefined) ?? new PinTrustProvider(stack, PROVIDER_ID);
}

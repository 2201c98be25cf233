import { Aws, Duration, Lazy, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct, IConstruct } from 'constructs';
import { PIN_ENV } from './pin-request';
import { PinTrustFunction } from './pin-trust-function';
import { handlerProvider } from '../core/handler-provider';
import { acknowledgeNagFinding } from '../core/nag';

const PROVIDER_ID = 'AmpScraperPinTrustProvider';

/**
 * The custom-resource provider that pins scraper source-role trusts: one per stack, shared by
 * every AmpCrossAccountScraper in it. Its function may read and update the trust of exactly the
 * roles registered with `allowPinning`, and describe this account's scrapers in this region; its
 * environment (fixed at deploy time) names those roles, and the handler touches no other.
 */
export class PinTrustProvider extends Construct {
  /** The service token of the custom resources. */
  public readonly serviceToken: string;

  private readonly functionRole: iam.Role;
  private readonly scrapers: Record<string, string> = {};

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
      environment: {
        [PIN_ENV.PARTITION]: Aws.PARTITION,
        [PIN_ENV.ACCOUNT]: Aws.ACCOUNT_ID,
        [PIN_ENV.REGION]: Aws.REGION,
        [PIN_ENV.SCRAPERS]: Lazy.string({ produce: () => Stack.of(this).toJsonString(this.scrapers) }),
      },
    });
    // The scraper ID exists only after the scraper is created; describing is read-only.
    const describeScrapers = new iam.PolicyStatement({
      actions: ['aps:DescribeScraper'],
      resources: [`arn:${Aws.PARTITION}:aps:${Aws.REGION}:${Aws.ACCOUNT_ID}:scraper/*`],
    });
    this.functionRole.addToPrincipalPolicy(describeScrapers);
    acknowledgeNagFinding(this.functionRole, 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:aps:<AWS::Region>:<AWS::AccountId>:scraper/*]',
      'aps:DescribeScraper (read-only) on this account\'s scrapers in this region: the handler checks a scraper ID that exists only after creation.');
    this.serviceToken = handlerProvider(this, 'Provider', fn, 'the pin function').serviceToken;
  }

  /** Lets the function read and replace the trust of this role (and of no other), pinned to this scraper only. */
  public allowPinning(role: iam.IRole, roleName: string, scraperArn: string): void {
    this.scrapers[roleName] = scraperArn;
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

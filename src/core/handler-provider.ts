import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { acknowledgeNagFinding, nagResourceName } from './nag';

/**
 * A custom-resource provider (aws-cdk-lib's Provider framework) for one of this library's Node.js
 * 22 handlers, with the cdk-nag findings of that machinery acknowledged, each with its reason:
 * the handler's runtime is our choice; the framework function's role and runtime are aws-cdk-lib's.
 */
export function handlerProvider(scope: Construct, id: string, handler: lambda.Function, purpose: string): cr.Provider {
  acknowledgeNagFinding(handler, 'AwsSolutions-L1',
    'The library targets the Node.js 22 Lambda runtime (supported until 2027-04-30) for its handlers; moving to a newer runtime is a deliberate release step.');
  const provider = new cr.Provider(scope, id, { onEventHandler: handler });
  const framework = provider.node.tryFindChild('framework-onEvent');
  if (framework) {
    acknowledgeNagFinding(framework, 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      `aws-cdk-lib's custom-resource Provider framework logs with the basic execution role; it only relays CloudFormation events to ${purpose}.`);
    acknowledgeNagFinding(framework, 'AwsSolutions-L1', 'aws-cdk-lib chooses the custom-resource Provider framework\'s runtime; it only relays CloudFormation events.');
    acknowledgeNagFinding(framework, `AwsSolutions-IAM5[Resource::${nagResourceName(provider, handler.functionArn)}:*]`,
      `The Provider framework may invoke any version of ${purpose}, and no other function.`);
  }
  return provider;
}

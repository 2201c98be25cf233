import { Stack, Validations } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * Acknowledges a cdk-nag finding on a construct, with the reason the library made that choice,
 * so users who run cdk-nag see our deliberate exceptions explained instead of flagged.
 *
 * The acknowledgement is recorded as the construct metadata cdk-nag v3 reads
 * (`Validations.ACKNOWLEDGED_RULES_METADATA_KEY`, an object of rule ID → reason).
 * `Validations.acknowledge()` would record the same, but before aws-cdk-lib 2.262 it rejects
 * finding IDs that contain "::", such as `AwsSolutions-IAM4[Policy::arn:...]`.
 */
export function acknowledgeNagFinding(construct: IConstruct, id: string, reason: string): void {
  construct.node.addMetadata(Validations.ACKNOWLEDGED_RULES_METADATA_KEY, { [id]: reason });
}

/**
 * A value as cdk-nag names it inside a finding ID (`AwsSolutions-IAM5[Resource::<this>]`): the
 * resolved CloudFormation value, with `{Ref: X}` written `<X>` and `Fn::GetAtt` written `<Id.Attr>`.
 */
export function nagResourceName(scope: IConstruct, value: string): string {
  return flatten(Stack.of(scope).resolve(value));
}

function flatten(node: any): string {
  if (node === undefined) return '';
  if (typeof node === 'string') return node.replace(/\$\{/g, '<').replace(/\}/g, '>');
  if (node['Fn::Join']) return (node['Fn::Join'][1] as any[]).map(flatten).join(node['Fn::Join'][0]);
  if (node['Fn::Sub']) return flatten(node['Fn::Sub']);
  if (node['Fn::GetAtt']) return `<${flatten(node['Fn::GetAtt'][0])}.${flatten(node['Fn::GetAtt'][1])}>`;
  if (node['Fn::ImportValue']) return flatten(node['Fn::ImportValue']);
  if (node.Ref) return `<${flatten(node.Ref)}>`;
  return JSON.stringify(node);
}

/** Checks shared by the customer templates: their props become text in a published file. */
import { Token } from 'aws-cdk-lib';
import { ArgumentChecker } from '../core/arguments';
import { PARTITIONS } from '../core/partition';
import { ACCOUNT_ID, REGION } from '../core/rules';
import { PropsValidator } from '../core/validation';

/** What every customer template takes. */
export interface CustomerTemplateBaseProps {
  /** The vendor's account: the template only accepts role ARNs of this account. */
  readonly vendorAccountId: string;

  /**
   * The regions the customer may launch the template in (a `Rules` assertion on `AWS::Region`).
   *
   * @default - any region
   */
  readonly regions?: string[];

  /**
   * The partition of the vendor's roles.
   *
   * @default 'aws'
   */
  readonly partition?: string;
}

/** Refuses a token anywhere in these props: a customer template is a file, not a stack of the vendor's app. */
export function refuseTokens(v: PropsValidator, props: object): void {
  const a = new ArgumentChecker('refuseTokens(v, props)');
  if (!(v instanceof PropsValidator)) a.problem('v', 'expected a PropsValidator (new PropsValidator(owner))');
  a.object('props', props, 'the props object');
  a.result(() => undefined);
  for (const [prop, value] of Object.entries(props)) {
    if (value !== undefined && value !== null && Token.isUnresolved(value)) {
      v.problem(prop, 'is a deploy-time value (token); a customer template is published as a file, so pass the literal value');
    }
  }
}

/** Validates the base props; returns the regions (safe to iterate). */
export function checkBaseProps(v: PropsValidator, props: CustomerTemplateBaseProps): readonly string[] {
  const a = new ArgumentChecker('checkBaseProps(v, props)');
  if (!(v instanceof PropsValidator)) a.problem('v', 'expected a PropsValidator (new PropsValidator(owner))');
  a.object('props', props, 'the props object');
  a.result(() => undefined);
  refuseTokens(v, props);
  if (v.required('vendorAccountId', props.vendorAccountId)) v.check('vendorAccountId', props.vendorAccountId, ACCOUNT_ID);
  const regions = v.list('regions', props.regions, 'string');
  regions.forEach((region, i) => v.check(`regions[${i}]`, region, REGION));
  if (props.partition !== undefined && props.partition !== null) v.oneOf('partition', props.partition, PARTITIONS);
  return regions;
}

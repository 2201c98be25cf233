/**
 * A stack whose template a customer launches as it is: from the CloudFormation console (a
 * quick-create link) or `aws cloudformation create-stack`, in an account that never ran `cdk bootstrap`.
 *
 * Self-contained the same way as the fleet's member template (`FleetMemberStack`): the
 * `BootstraplessSynthesizer` writes no `BootstrapVersion` parameter and no `CheckBootstrapVersion`
 * rule, and refuses any file or image asset at synth ("Cannot add assets to a Stack that uses the
 * BootstraplessSynthesizer"), so a flow with Lambda code must inline it. Account, region and
 * partition are pseudo parameters: one template serves every customer.
 */
import { Stack, Token } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { selfContainedStackProps } from '../core/self-contained-stack';
import { describeConstruct, describeValue, PropsValidator } from '../core/validation';

// Exported from here since issue 23 (the fleet's member template uses the same options).
export { selfContainedStackProps };

/**
 * Props of {@link CustomerTemplateStack}.
 */
export interface CustomerTemplateStackProps {
  /**
   * The template's description, as the CloudFormation console shows it.
   *
   * @default - none
   */
  readonly description?: string;
}

/**
 * The base of every customer template. Build it in an `App` of its own (one template per flow and
 * mode) and publish `app.synth()`'s template file, e.g. to an S3 bucket the quick-create link names.
 */
export class CustomerTemplateStack extends Stack {
  /**
   * @param scope the app
   * @param id the stack's ID (also the template's file name)
   * @param props the template's description
   */
  constructor(scope: Construct, id: string, props: CustomerTemplateStackProps = {}) {
    const description = (props ?? {}).description;
    super(scope, id, selfContainedStackProps(typeof description === 'string' && !Token.isUnresolved(description) ? description : undefined));
    const v = new PropsValidator(describeConstruct('CustomerTemplateStack', this.node.path));
    if (description !== undefined && description !== null) {
      if (typeof description !== 'string') v.problem('description', `got ${describeValue(description)}; expected a string`);
      else if (Token.isUnresolved(description)) v.problem('description', 'is a deploy-time value (token); a template\'s Description is a literal string');
    }
    v.throwIfAny();
  }
}

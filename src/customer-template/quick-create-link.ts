/**
 * The CloudFormation console's quick-create link: a URL that opens one "Quick create stack" page
 * with the template, the stack name and parameter values filled in.
 *
 * AWS CloudFormation User Guide, "Create quick-create links for stacks"
 * (cfn-console-create-stacks-quick-create-links.html): the form is
 * `https://<region>.console.aws.amazon.com/cloudformation/home?region=<region>#/stacks/create/review?templateURL=<url>&stackName=<name>&param_<Name>=<value>`;
 * `templateURL` is required (an S3 URL: `https://s3.<region>.amazonaws.com/<bucket>/<key>`,
 * `https://<bucket>.s3.<region>.amazonaws.com/<key>`, or the legacy `https://s3-<region>.amazonaws.com/...`),
 * and should be URL-encoded; `stackName` is optional (alphanumeric and hyphens, starting with a
 * letter, at most 128); `param_<Name>` must match a template parameter exactly (names are
 * case-sensitive), and CloudFormation ignores unknown parameters and every `NoEcho` one, so a secret
 * can never ride in a link. The user can still change every value before creating the stack.
 */
import { partitionOf } from '../core/partition';
import { REGION, Rule } from '../core/rules';
import { describeValue, PropsValidator, propsOrEmpty } from '../core/validation';

/**
 * Props of {@link QuickCreateLink.forTemplate}.
 */
export interface QuickCreateLinkProps {
  /** The region the customer creates the stack in (the console opens there). */
  readonly region: string;

  /** Where the template is published: an HTTPS URL of an S3 object. */
  readonly templateUrl: string;

  /**
   * The stack name, prefilled.
   *
   * @default - the customer types one
   */
  readonly stackName?: string;

  /**
   * Parameter values, prefilled, by parameter name. Never a secret: the console shows them, and
   * ignores `NoEcho` parameters.
   *
   * @default - none
   */
  readonly parameters?: Record<string, string>;
}

// Template parameter names: alphanumeric (CloudFormation template anatomy, Parameters).
const PARAMETER_NAME = /^[A-Za-z0-9]{1,255}$/;
const STACK_NAME: Rule = {
  expected: 'a stack name: letters, digits and "-", starting with a letter, at most 128 characters',
  check: (value) => (/^[A-Za-z][A-Za-z0-9-]{0,127}$/.test(value) ? undefined : 'does not match'),
};
// The S3 URL forms the user guide lists for templateURL, in any partition's DNS suffix.
export const TEMPLATE_URL: Rule = {
  expected: 'an S3 object URL: https://s3.<region>.<suffix>/<bucket>/<key>, https://<bucket>.s3.<region>.<suffix>/<key> or https://s3-<region>.<suffix>/<bucket>/<key>',
  check: (value) => {
    const match = /^https:\/\/(?:s3[.-]([a-z0-9-]+)|[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]\.s3\.([a-z0-9-]+))\.(amazonaws\.com(?:\.cn)?)\/[^\s?#]+$/.exec(value);
    if (!match) return 'does not match';
    const region = match[1] ?? match[2];
    return partitionOf(region).dnsSuffix === match[3] ? undefined : `the DNS suffix ${match[3]} is not ${region}'s`;
  },
};

/**
 * Builds CloudFormation console quick-create links.
 */
export class QuickCreateLink {
  /**
   * The quick-create URL. Every value is a literal (a link is text the customer opens); tokens are refused.
   *
   * @param props the region, the template's URL, the stack name and parameter values
   */
  public static forTemplate(props: QuickCreateLinkProps): string {
    props = propsOrEmpty(props);
    const v = PropsValidator.forChart('QuickCreateLink');
    if (v.required('region', props.region) && v.check('region', props.region, REGION) && typeof props.region === 'string'
      && partitionOf(props.region).partition !== 'aws') {
      // The user guide documents the console host of the aws partition only.
      v.problem('region', `is in partition ${partitionOf(props.region).partition}; quick-create links are built for the aws partition's console only`);
    }
    if (v.required('templateUrl', props.templateUrl)) v.check('templateUrl', props.templateUrl, TEMPLATE_URL);
    v.check('stackName', props.stackName, STACK_NAME);
    const parameters = props.parameters ?? {};
    if (parameters === null || typeof parameters !== 'object' || Array.isArray(parameters)) {
      v.problem('parameters', `got ${describeValue(parameters)}; expected an object of parameter name to value`);
    } else {
      for (const [name, value] of Object.entries(parameters)) {
        if (!PARAMETER_NAME.test(name)) v.problem(`parameters.${name}`, 'is not a template parameter name; expected letters and digits only');
        if (typeof value !== 'string') v.problem(`parameters.${name}`, `got ${describeValue(value)}; expected a string`);
        else v.check(`parameters.${name}`, value, { expected: 'a value', check: () => undefined });
      }
    }
    v.throwIfAny();
    const region = props.region;
    const query = [
      `templateURL=${encodeURIComponent(props.templateUrl)}`,
      ...(props.stackName ? [`stackName=${encodeURIComponent(props.stackName)}`] : []),
      ...Object.entries(parameters).map(([name, value]) => `param_${name}=${encodeURIComponent(value)}`),
    ].join('&');
    return `https://${region}.console.aws.amazon.com/cloudformation/home?region=${region}#/stacks/create/review?${query}`;
  }
}

import { CfnOutput, Stack, Token } from 'aws-cdk-lib';
import * as oam from 'aws-cdk-lib/aws-oam';
import { Construct } from 'constructs';
import { checkResourceTypes } from './container-insights-sharing';
import { ObservabilityResourceType } from './observability-resource-type';
import { OrganizationScope, organizationConditions, organizationScopeProblems } from '../core/organization-scope';
import { checkStackResourceBudget } from '../core/stack-budget';
import { describeConstruct, PropsValidator } from '../core/validation';

/**
 * Props of {@link OrganizationObservabilitySink}.
 */
export interface OrganizationObservabilitySinkProps {
  /** The organization (or its OUs) whose accounts may link to this sink. */
  readonly organization: OrganizationScope;

  /**
   * The sink's name, unique in this account and region.
   *
   * @default 'organization-observability'
   */
  readonly sinkName?: string;

  /**
   * What member accounts may share through their links.
   *
   * @default - metrics and log groups (what Container Insights writes)
   */
  readonly resourceTypes?: ObservabilityResourceType[];
}

/**
 * The monitoring-account side of CloudWatch cross-account observability for an organization: an
 * `AWS::Oam::Sink` whose policy lets any account of the organization (or of the listed OUs), and
 * no other, link to it and share only the listed kinds of telemetry. Container Insights agents then
 * write in their own accounts, with no cross-account role, and the monitoring account sees their
 * metrics and logs. The policy does not grow with the number of accounts (one sink takes links from
 * up to 100,000 source accounts).
 *
 * The sink ARN holds an ID that AWS assigns, so it is published as the `SinkArn` output for the
 * member accounts' `ObservabilityLink` (a StackSet parameter, for example).
 *
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch-Unified-Cross-Account.html
 */
export class OrganizationObservabilitySink extends Construct {
  /** The sink. */
  public readonly sink: oam.CfnSink;

  /** The sink's ARN (a deploy-time value: read it from the `SinkArn` output). */
  public readonly sinkArn: string;

  /** The sink policy, as written to the template. */
  public readonly policyDocument: { [key: string]: any };

  /**
   * @param scope a construct in the monitoring account's stack
   * @param id the construct ID
   * @param props the organization, the sink name and what may be shared
   */
  constructor(scope: Construct, id: string, props: OrganizationObservabilitySinkProps) {
    super(scope, id);
    checkStackResourceBudget(this, 'OrganizationObservabilitySink');
    const owner = describeConstruct('OrganizationObservabilitySink', this.node.path);
    const v = new PropsValidator(owner).inStackOf(this);
    const given = props ?? ({} as OrganizationObservabilitySinkProps);
    for (const [suffix, message] of organizationScopeProblems(given.organization, (value) => v.isLiteral(value))) v.problem(`organization${suffix}`, message);
    v.string('sinkName', given.sinkName);
    const sinkName = given.sinkName ?? 'organization-observability';
    if (v.isLiteral(sinkName) && !/^[a-zA-Z0-9_.-]{1,255}$/.test(sinkName)) {
      v.problem('sinkName', `got ${JSON.stringify(sinkName)}; expected 1-255 characters from A-Z a-z 0-9 _ . -`);
    }
    const resourceTypes = checkResourceTypes(v, given.resourceTypes);
    v.throwIfAny();

    this.policyDocument = {
      Version: '2012-10-17',
      Statement: [{
        Sid: 'OrganizationMembersLink',
        Effect: 'Allow',
        Principal: '*',
        Action: ['oam:CreateLink', 'oam:UpdateLink'],
        Resource: '*',
        Condition: {
          ...organizationConditions(given.organization),
          // Every type a link asks for must be one of these (an empty request is refused by OAM itself).
          'ForAllValues:StringEquals': { 'oam:ResourceTypes': [...resourceTypes] },
        },
      }],
    };
    this.sink = new oam.CfnSink(this, 'Resource', { name: sinkName, policy: this.policyDocument });
    this.sinkArn = this.sink.attrArn;
    new CfnOutput(this, 'SinkArn', {
      value: this.sinkArn,
      // A literal: an Output Description must be a plain string (cfn-lint E6003), and the region is a
      // pseudo parameter in an environment-agnostic stack.
      description: Token.isUnresolved(Stack.of(this).region)
        ? 'ObservabilityLink sinkArn for the member accounts in this stack\'s region'
        : `ObservabilityLink sinkArn for the member accounts in ${Stack.of(this).region}`,
    });
  }
}

import { Token } from 'aws-cdk-lib';
import * as oam from 'aws-cdk-lib/aws-oam';
import { Construct } from 'constructs';
import { checkResourceTypes, CONTAINER_INSIGHTS_LOG_GROUP_FILTER, CONTAINER_INSIGHTS_METRIC_FILTER } from './container-insights-sharing';
import { ObservabilityResourceType } from './observability-resource-type';
import { PARTITIONS } from '../core/partition';
import { parseArn, REGION } from '../core/rules';
import { checkStackResourceBudget } from '../core/stack-budget';
import { literalRegion } from '../core/stack-env';
import { describeConstruct, PropsValidator } from '../core/validation';

/**
 * Props of {@link ObservabilityLink}.
 */
export interface ObservabilityLinkProps {
  /** The monitoring account's sink (`OrganizationObservabilitySink`'s `SinkArn` output), in this stack's region. */
  readonly sinkArn: string;

  /**
   * What this account shares.
   *
   * @default - metrics and log groups (what Container Insights writes)
   */
  readonly resourceTypes?: ObservabilityResourceType[];

  /**
   * Which log groups are shared, in OAM's filter syntax (`LogGroupName LIKE '...'`, `OR`, `NOT LIKE`).
   *
   * @default "LogGroupName LIKE '/aws/containerinsights/%'" (Container Insights only); '' shares every log group
   */
  readonly logGroupFilter?: string;

  /**
   * Which metrics are shared, in OAM's filter syntax (`Namespace IN (...)`, `Namespace NOT LIKE '...'`).
   *
   * @default "Namespace IN ('ContainerInsights')"; '' shares every namespace
   */
  readonly metricFilter?: string;

  /**
   * How the account is labelled in the monitoring account.
   *
   * @default '$AccountName'
   */
  readonly labelTemplate?: string;
}

/**
 * The source-account side of CloudWatch cross-account observability: an `AWS::Oam::Link` to the
 * monitoring account's sink that shares, by default, Container Insights' metrics and log groups and
 * nothing else. It needs no IAM role: the sink's policy admits the account by its organization.
 */
export class ObservabilityLink extends Construct {
  /** The link. */
  public readonly link: oam.CfnLink;

  /**
   * @param scope a construct in the source (cluster) account's stack, in the sink's region
   * @param id the construct ID
   * @param props the sink and what to share
   */
  constructor(scope: Construct, id: string, props: ObservabilityLinkProps) {
    super(scope, id);
    checkStackResourceBudget(this, 'ObservabilityLink');
    const owner = describeConstruct('ObservabilityLink', this.node.path);
    const v = new PropsValidator(owner).inStackOf(this);
    const given = props ?? ({} as ObservabilityLinkProps);
    const hasSink = v.required('sinkArn', given.sinkArn);
    if (hasSink && typeof given.sinkArn !== 'string') {
      v.problem('sinkArn', 'is not a string');
    } else if (v.isLiteral(given.sinkArn)) {
      const sink = parseArn(given.sinkArn);
      const region = literalRegion(this);
      if (sink && !PARTITIONS.includes(sink.partition)) {
        v.problem('sinkArn', `is in partition "${sink.partition}", which is not an AWS partition (${PARTITIONS.join(', ')})`);
      } else if (!sink || sink.service !== 'oam' || !/^sink\/[\w-]+$/.test(sink.resource) || REGION.check(sink.region) || !/^\d{12}$/.test(sink.account)) {
        v.problem('sinkArn', `got ${JSON.stringify(given.sinkArn)}; expected a sink ARN: arn:<partition>:oam:<region>:<12-digit account>:sink/<id>`);
      } else if (region && sink.region !== region) {
        v.problem('sinkArn', `is in ${sink.region}; a link must be in its sink's region (this stack is in ${region})`);
      }
    }
    const resourceTypes = checkResourceTypes(v, given.resourceTypes);
    // AWS::Oam::Link registry schema: LabelTemplate 1-64 characters, each LinkFilter's Filter 1-2,000
    // (cfn-lint E3033); an empty filter means "no filter" here and is left out of the template.
    const lengths = { logGroupFilter: [0, 2000], metricFilter: [0, 2000], labelTemplate: [1, 64] } as const;
    for (const [prop, [min, max]] of Object.entries(lengths) as Array<[keyof typeof lengths, readonly [number, number]]>) {
      v.string(prop, given[prop]);
      const value = given[prop];
      if (v.isLiteral(value) && (value.length < min || value.length > max)) v.problem(prop, `is ${value.length} characters; AWS::Oam::Link takes ${min}-${max}`);
    }
    v.throwIfAny();

    const logGroupFilter = given.logGroupFilter ?? CONTAINER_INSIGHTS_LOG_GROUP_FILTER;
    const metricFilter = given.metricFilter ?? CONTAINER_INSIGHTS_METRIC_FILTER;
    const types = resourceTypes as string[];
    this.link = new oam.CfnLink(this, 'Resource', {
      sinkIdentifier: given.sinkArn,
      resourceTypes: [...types],
      labelTemplate: given.labelTemplate ?? '$AccountName',
      linkConfiguration: {
        logGroupConfiguration: types.includes(ObservabilityResourceType.LOG_GROUP) && (logGroupFilter !== '' || Token.isUnresolved(logGroupFilter))
          ? { filter: logGroupFilter } : undefined,
        metricConfiguration: types.includes(ObservabilityResourceType.METRIC) && (metricFilter !== '' || Token.isUnresolved(metricFilter))
          ? { filter: metricFilter } : undefined,
      },
    });
  }
}

/**
 * The customer's side of the AMP managed collector writing to the vendor's workspace (the cluster
 * account's side of `AmpCrossAccountScraper`), as a template the customer launches without CDK: the
 * collector's source role and the `AWS::APS::Scraper` itself.
 *
 * Role only, no pinning function: `AmpCrossAccountScraper` pins its source role's trust to the one
 * scraper ARN with a custom resource whose code is an asset. Here, as in the fleet's member template
 * (the same trust document: `scraperServiceTrustPolicy`), the source role admits the AMP scraper
 * service for scrapers of the customer's own account in this region only, and the pin is on the
 * vendor's side: AMP presents the scraper's ARN as the external ID, and the vendor's target role
 * (`VendorCustomer` `ampCollector.scraperArn`) is pinned to the `ScraperArn` output.
 */
import { Aws, CfnCondition, CfnOutput, CfnParameter, Fn } from 'aws-cdk-lib';
import * as aps from 'aws-cdk-lib/aws-aps';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { clusterNameParameter, roleNameFromCluster, supportedRegionsRule, vendorRoleArnParameter } from './customer-parameters';
import { CustomerTemplateStack } from './customer-template-stack';
import { checkBaseProps, CustomerTemplateBaseProps } from './template-props';
import { SCRAPER_SOURCE_ROLE_PREFIX, workspaceKey } from '../amp-scraper/names';
import { defaultScrapeConfig, scrapeConfigProblems, scrapeConfigYaml } from '../amp-scraper/scrape-config';
import { assumeTargetRolePolicy, scraperServiceTrustPolicy } from '../amp-scraper/scraper-source-trust';
import { ArnKind, arnRule, parseArn } from '../core/rules';
import { describeConstruct, PropsValidator, propsOrEmpty } from '../core/validation';

/**
 * Props of {@link AmpCollectorCustomerTemplate}.
 */
export interface AmpCollectorCustomerTemplateProps extends CustomerTemplateBaseProps {
  /**
   * The vendor's AMP workspace the collector writes to (in `vendorAccountId`). The template only
   * launches in its region: a collector writes to a workspace of its own region only.
   */
  readonly workspaceArn: string;

  /**
   * A Prometheus scrape configuration (YAML), checked against AMP's rules.
   *
   * @default - `AmpCrossAccountScraper.defaultScrapeConfiguration`, labelled with the cluster's ARN
   */
  readonly scrapeConfiguration?: string;
}

/**
 * A self-contained template of the AMP collector's source side. Parameters: `TargetRoleArn` (the
 * vendor's `amp-scraper-target-...` role of this customer; only the vendor's account is accepted),
 * `ClusterName`, `SubnetIds` (2 to 5, in two Availability Zones) and optional `SecurityGroupIds`.
 * Outputs `ScraperArn` (the vendor pins its target role to it) and `SourceRoleArn`.
 */
export class AmpCollectorCustomerTemplate extends CustomerTemplateStack {
  /** The collector's source role (named `amp-scraper-source-<cluster>-<workspace key>`, as `AmpScraperTargetRole` expects). */
  public readonly sourceRole: iam.CfnRole;

  /** The managed collector. */
  public readonly scraper: aps.CfnScraper;

  /**
   * @param scope an App of its own
   * @param id the stack ID (the template's file name)
   * @param props the vendor's account and workspace
   */
  constructor(scope: Construct, id: string, props: AmpCollectorCustomerTemplateProps) {
    super(scope, id, { description: 'An AMP managed collector that scrapes this account\'s EKS cluster into your vendor\'s workspace (cdk-eks-cross-account-observability)' });
    props = propsOrEmpty(props);
    const v = new PropsValidator(describeConstruct('AmpCollectorCustomerTemplate', this.node.path));
    const regions = checkBaseProps(v, props);
    let workspaceRegion: string | undefined;
    const before = v.problemCount;
    if (v.required('workspaceArn', props.workspaceArn) && v.check('workspaceArn', props.workspaceArn, arnRule(ArnKind.APS_WORKSPACE)).problemCount === before) {
      const workspace = parseArn(props.workspaceArn);
      workspaceRegion = workspace?.region;
      if (workspace && typeof props.vendorAccountId === 'string' && workspace.account !== props.vendorAccountId) {
        v.problem('workspaceArn', `is in account ${workspace.account}; expected the vendor's account ${props.vendorAccountId}`);
      }
      if (workspace && (props.partition ?? 'aws') !== workspace.partition) v.problem('workspaceArn', `is in partition ${workspace.partition}; expected ${props.partition ?? 'aws'}`);
      regions.forEach((region, i) => {
        if (region !== workspaceRegion) v.problem(`regions[${i}]`, `is ${region}; a collector writes only to a workspace of its own region (${workspaceRegion})`);
      });
    }
    v.string('scrapeConfiguration', props.scrapeConfiguration);
    if (typeof props.scrapeConfiguration === 'string') {
      for (const problem of scrapeConfigProblems(props.scrapeConfiguration)) v.problem('scrapeConfiguration', problem);
    }
    v.throwIfAny();

    supportedRegionsRule(this, [workspaceRegion!]);
    const targetRoleArn = vendorRoleArnParameter(this, 'TargetRoleArn', props.vendorAccountId, props.partition ?? 'aws',
      'The ARN of the AMP collector target role your vendor created for you (amp-scraper-target-...)').valueAsString;
    const key = workspaceKey(props.workspaceArn);
    const clusterName = clusterNameParameter(this, SCRAPER_SOURCE_ROLE_PREFIX, key);
    const subnets = new CfnParameter(this, 'SubnetIds', {
      type: 'List<AWS::EC2::Subnet::Id>',
      description: '2 to 5 subnets of the cluster\'s VPC, in at least two Availability Zones, for the collector\'s network interfaces',
    });
    const securityGroups = new CfnParameter(this, 'SecurityGroupIds', {
      type: 'CommaDelimitedList',
      default: '',
      description: 'Security groups for the collector\'s network interfaces (up to 5), comma-separated; empty: the VPC\'s default security group',
    });
    const hasSecurityGroups = new CfnCondition(this, 'HasSecurityGroups', {
      expression: Fn.conditionNot(Fn.conditionEquals(Fn.join('', securityGroups.valueAsList), '')),
    });

    this.sourceRole = new iam.CfnRole(this, 'SourceRole', {
      roleName: roleNameFromCluster(SCRAPER_SOURCE_ROLE_PREFIX, clusterName, key),
      description: 'Source role of this cluster\'s AMP collector: may assume the vendor\'s target role only',
      assumeRolePolicyDocument: scraperServiceTrustPolicy(),
      policies: [assumeTargetRolePolicy(targetRoleArn)],
    });
    const clusterArn = `arn:${Aws.PARTITION}:eks:${Aws.REGION}:${Aws.ACCOUNT_ID}:cluster/${clusterName.valueAsString}`;
    this.scraper = new aps.CfnScraper(this, 'Collector', {
      source: {
        eksConfiguration: {
          clusterArn,
          subnetIds: subnets.valueAsList,
          securityGroupIds: Fn.conditionIf(hasSecurityGroups.logicalId, securityGroups.valueAsList, Aws.NO_VALUE) as unknown as string[],
        },
      },
      destination: { ampConfiguration: { workspaceArn: props.workspaceArn } },
      // Plain YAML, as AmpCrossAccountScraper passes it (see its comment on configurationBlob).
      scrapeConfiguration: { configurationBlob: props.scrapeConfiguration ?? scrapeConfigYaml(defaultScrapeConfig(clusterArn)) },
      roleConfiguration: { sourceRoleArn: this.sourceRole.attrArn, targetRoleArn },
    });
    new CfnOutput(this, 'ScraperArn', { value: this.scraper.attrArn, description: 'Send this to your vendor: its target role is pinned to this scraper' });
    new CfnOutput(this, 'SourceRoleArn', { value: this.sourceRole.attrArn, description: 'The collector\'s source role' });
  }
}

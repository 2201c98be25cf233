/**
 * The customer's side of cross-account Container Insights (seed 000) as a template the customer
 * launches without CDK, in each identity mode of `ContainerInsightsAgentAccess`.
 */
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { clusterNameParameter, nodeRoleNamesParameter, roleNameFromCluster, supportedRegionsRule, vendorRoleArnParameter } from './customer-parameters';
import { CustomerTemplateStack } from './customer-template-stack';
import { checkBaseProps, CustomerTemplateBaseProps } from './template-props';
import { AgentIdentityMode, ContainerInsightsAgentAccess } from '../container-insights/container-insights-agent-access';
import { CLOUDWATCH_AGENT_SERVICE_ACCOUNT } from '../container-insights/names';
import { acknowledgeNagFinding } from '../core/nag';
import { OIDC_ISSUER_URL } from '../core/rules';
import { ServiceAccountRef } from '../core/service-account';
import { describeConstruct, PropsValidator, propsOrEmpty } from '../core/validation';

/** The prefix of the agent role's name: the same as `ContainerInsightsAgentAccess.agentRoleName`. */
export const CONTAINER_INSIGHTS_AGENT_ROLE_PREFIX = 'containerinsights-agent';

/**
 * Props of {@link ContainerInsightsCustomerTemplate}.
 */
export interface ContainerInsightsCustomerTemplateProps extends CustomerTemplateBaseProps {
  /** How the customer's CloudWatch agent gets credentials. */
  readonly identityMode: AgentIdentityMode;

  /**
   * The cluster's OIDC issuer URL (IRSA mode), fixed in the template: an IRSA trust's condition
   * keys contain the issuer, and CloudFormation can only compute a key from a parameter with a
   * custom resource (CfnJson, an asset). An IRSA template is therefore one cluster's.
   *
   * @default - required in IRSA mode, refused in the others
   */
  readonly oidcIssuerUrl?: string;

  /**
   * The agent's service account (IRSA and POD_IDENTITY modes).
   *
   * @default { namespace: 'amazon-cloudwatch', name: 'cloudwatch-agent' }
   */
  readonly serviceAccount?: ServiceAccountRef;
}

/**
 * A self-contained template of the customer's Container Insights side. Parameters:
 * `TargetRoleArn` (the vendor's `containerinsights-<customer>` role; only the vendor's account is
 * accepted), `ClusterName` (IRSA, POD_IDENTITY) or `NodeRoleNames` (NODE_ROLES).
 */
export class ContainerInsightsCustomerTemplate extends CustomerTemplateStack {
  /** The agent's access (IRSA and POD_IDENTITY modes): the same construct a CDK customer uses. */
  public readonly agentAccess?: ContainerInsightsAgentAccess;

  /**
   * @param scope an App of its own
   * @param id the stack ID (the template's file name)
   * @param props the vendor's account and the identity mode
   */
  constructor(scope: Construct, id: string, props: ContainerInsightsCustomerTemplateProps) {
    super(scope, id, { description: 'Sends this account\'s EKS Container Insights to your vendor\'s account (cdk-eks-cross-account-observability)' });
    props = propsOrEmpty(props);
    const v = new PropsValidator(describeConstruct('ContainerInsightsCustomerTemplate', this.node.path));
    const regions = checkBaseProps(v, props);
    v.oneOf('identityMode', props.identityMode, AgentIdentityMode);
    v.required('identityMode', props.identityMode);
    if (props.identityMode === AgentIdentityMode.IRSA) {
      if (v.required('oidcIssuerUrl', props.oidcIssuerUrl)) v.check('oidcIssuerUrl', props.oidcIssuerUrl, OIDC_ISSUER_URL);
    } else if (props.oidcIssuerUrl !== undefined && props.oidcIssuerUrl !== null) {
      v.problem('oidcIssuerUrl', 'only applies in IRSA mode');
    }
    if (props.identityMode === AgentIdentityMode.NODE_ROLES && props.serviceAccount) v.problem('serviceAccount', 'does not apply in NODE_ROLES mode');
    v.serviceAccount('serviceAccount', props.serviceAccount);
    v.throwIfAny();

    supportedRegionsRule(this, regions);
    const targetRoleArn = vendorRoleArnParameter(this, 'TargetRoleArn', props.vendorAccountId, props.partition ?? 'aws',
      'The ARN of the Container Insights role your vendor created for you (containerinsights-<your name>)').valueAsString;

    if (props.identityMode === AgentIdentityMode.NODE_ROLES) {
      this.nodeRoleAccess(targetRoleArn);
      return;
    }
    const clusterName = clusterNameParameter(this, CONTAINER_INSIGHTS_AGENT_ROLE_PREFIX);
    this.agentAccess = new ContainerInsightsAgentAccess(this, 'Agent', {
      targetRoleArn,
      clusterName: clusterName.valueAsString,
      identityMode: props.identityMode,
      oidcIssuerUrl: props.oidcIssuerUrl,
      serviceAccount: props.serviceAccount ?? CLOUDWATCH_AGENT_SERVICE_ACCOUNT,
      // No hash at deploy time: ClusterName's MaxLength keeps this the name agentRoleName computes.
      roleName: roleNameFromCluster(CONTAINER_INSIGHTS_AGENT_ROLE_PREFIX, clusterName),
    });
  }

  /**
   * NODE_ROLES mode on the customer's existing node roles (a list parameter; `ContainerInsightsAgentAccess`
   * takes a fixed list of roles). Attaching the AWS managed `CloudWatchAgentServerPolicy` to a role the
   * stack does not own needs a custom resource (an asset; CloudFormation has no resource that attaches a
   * managed policy to an existing role), so unlike `ContainerInsightsAgentAccess` (`attachAgentServerPolicy`)
   * the template does not attach it. It grants the node roles `sts:AssumeRole` on the vendor's role (the
   * agent's CloudWatch calls go through that role, `role_arn`: proven with the IAM engine in
   * test/customer-template/collector-and-cost-templates.test.ts) and the EC2 tag and volume lookups the
   * agent makes in this account. Anything else a node process writes into this account with the node
   * role itself (for example container logs of the add-on's Fluent Bit, which sends no `role_arn`) needs
   * the customer to attach `CloudWatchAgentServerPolicy` to the node roles (README, vendor onboarding).
   */
  private nodeRoleAccess(targetRoleArn: string): void {
    const nodeRoles = nodeRoleNamesParameter(this);
    const policy = new iam.CfnPolicy(this, 'NodeRolesAssumeVendorRole', {
      policyName: 'container-insights-vendor-role',
      roles: nodeRoles.valueAsList,
      policyDocument: {
        Version: '2012-10-17',
        Statement: [
          { Sid: 'AssumeVendorRole', Effect: 'Allow', Action: 'sts:AssumeRole', Resource: targetRoleArn },
          // Read-only, and without resource-level permissions (EC2 API reference).
          { Sid: 'AgentMetadataLookups', Effect: 'Allow', Action: ['ec2:DescribeTags', 'ec2:DescribeVolumes'], Resource: '*' },
        ],
      },
    });
    acknowledgeNagFinding(policy, 'AwsSolutions-IAM5[Resource::*]',
      'ec2:DescribeTags and ec2:DescribeVolumes (read-only) support no resource-level permissions; the CloudWatch agent reads node tags and volumes with them.');
  }
}

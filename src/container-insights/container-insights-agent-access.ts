import { CfnOutput, Resource, Stack, Token } from 'aws-cdk-lib';
import * as eks from 'aws-cdk-lib/aws-eks';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { PodIdentityTrust } from './cross-account-container-insights';
import { agentRoleName, CLOUDWATCH_AGENT_SERVICE_ACCOUNT } from './names';
import { ArgumentChecker } from '../core/arguments';
import { acknowledgeNagFinding } from '../core/nag';
import { validateRoleNamesUnique } from '../core/role-name-uniqueness';
import { createRoleWithTrust, TrustStatement } from '../core/role-trust';
import { ArnKind, arnRule, EKS_CLUSTER_NAME, IAM_ROLE_NAME, OIDC_ISSUER_URL } from '../core/rules';
import { ServiceAccountRef } from '../core/service-account';
import { checkStackResourceBudget } from '../core/stack-budget';
import { literalAccount, literalPartition, literalRegion, plainRoleArn } from '../core/stack-env';
import { describeConstruct, describeValue, PropsValidator, propsOrEmpty } from '../core/validation';
import { warn } from '../core/warnings';
import { irsaRoleTrust, podIdentityRoleTrust, warnCreatesProvider } from '../core/workload-identity';

/**
 * How the CloudWatch agent gets the credentials it uses to assume the target role.
 */
export enum AgentIdentityMode {
  /**
   * The nodes' instance roles (the vendor's published setup): every pod on those nodes can assume the target role.
   * The agent's configuration names the target role (`agent.credentials.role_arn`).
   */
  NODE_ROLES = 'NODE_ROLES',

  /**
   * IRSA: a role only the agent's service account can assume, which may assume the target role;
   * the agent's configuration names the target role.
   */
  IRSA = 'IRSA',

  /**
   * EKS Pod Identity with a target role: EKS assumes a Pod Identity role for the agent's service
   * account, chains into the target role and hands the pod the target role's credentials. The
   * agent's configuration names no role. Needs the EKS Pod Identity Agent add-on on the cluster.
   */
  POD_IDENTITY = 'POD_IDENTITY',
}

/**
 * Props of {@link ContainerInsightsAgentAccess}.
 */
export interface ContainerInsightsAgentAccessProps {
  /** The target role (`CrossAccountContainerInsights.roleArn`). */
  readonly targetRoleArn: string;

  /** The EKS cluster the agent runs in. */
  readonly clusterName: string;

  /** How the agent gets credentials. */
  readonly identityMode: AgentIdentityMode;

  /**
   * The node roles (NODE_ROLES mode); import existing ones with `iam.Role.fromRoleArn` or `iam.Role.fromRoleName`.
   *
   * @default - required in NODE_ROLES mode
   */
  readonly nodeRoles?: iam.IRole[];

  /**
   * Attach `CloudWatchAgentServerPolicy` to the node roles (NODE_ROLES mode), as the vendor's published setup does.
   * Roles imported into the app are attached through a custom resource that never detaches
   * (the policy may have been attached before); roles owned by the app get it directly.
   *
   * @default true
   */
  readonly attachAgentServerPolicy?: boolean;

  /**
   * The cluster's OIDC issuer URL (IRSA mode).
   *
   * @default - required in IRSA mode
   */
  readonly oidcIssuerUrl?: string;

  /**
   * The cluster's existing IAM OIDC provider in this account (IRSA mode). Most IRSA clusters have one.
   *
   * @default - the provider IRSA already registered for `oidcIssuerUrl` in this account, by its
   *   deterministic ARN (or a new one with `createOidcProvider`)
   */
  readonly oidcProviderArn?: string;

  /**
   * Create the IAM OIDC provider for `oidcIssuerUrl` in this stack (IRSA mode). Only for a cluster
   * whose issuer this account has not registered yet: a cluster that already uses IRSA has its
   * provider, and a second one fails the deploy with EntityAlreadyExists. Synth warns when set.
   *
   * @default false
   */
  readonly createOidcProvider?: boolean;

  /**
   * Whether the Pod Identity association passes session tags (POD_IDENTITY mode). With tags, the
   * Pod Identity role trusts only this cluster's agent service account.
   *
   * @default true
   */
  readonly sessionTags?: boolean;

  /**
   * The agent's service account.
   *
   * @default { namespace: 'amazon-cloudwatch', name: 'cloudwatch-agent' }
   */
  readonly serviceAccount?: ServiceAccountRef;

  /**
   * The name of the agent's role (IRSA and POD_IDENTITY modes).
   *
   * @default 'containerinsights-agent-<clusterName>'
   */
  readonly roleName?: string;
}

const AGENT_SERVER_POLICY = 'CloudWatchAgentServerPolicy';

/**
 * The source-account side of cross-account Container Insights: lets the CloudWatch agent of one
 * cluster assume the target account's role, and nothing else, in one of three identity modes.
 */
export class ContainerInsightsAgentAccess extends Construct {
  /**
   * The deterministic default name of the agent's role for a cluster (IRSA and POD_IDENTITY
   * modes), so the target account's app can trust it before the source stack exists.
   *
   * @param clusterName the EKS cluster name
   */
  public static agentRoleName(clusterName: string): string {
    const a = new ArgumentChecker('ContainerInsightsAgentAccess.agentRoleName(clusterName)');
    // Cut and hashed at 64 characters at synth: a deploy-time value cannot be.
    a.string('clusterName', clusterName, EKS_CLUSTER_NAME, { tokens: 'refused' });
    return a.result(() => a.roleName(agentRoleName(clusterName), 'clusterName'));
  }

  /** The identity mode. */
  public readonly identityMode: AgentIdentityMode;

  /** The agent's role (IRSA and POD_IDENTITY modes). */
  public readonly role?: iam.IRole;

  /** The Pod Identity association (POD_IDENTITY mode). */
  public readonly podIdentityAssociation?: eks.CfnPodIdentityAssociation;

  private readonly roleName?: string;
  private readonly props: ContainerInsightsAgentAccessProps;
  private readonly serviceAccount: ServiceAccountRef;

  /**
   * @param scope a construct in the cluster account's stack
   * @param id the construct ID
   * @param props the target role, the cluster and the identity mode
   */
  constructor(scope: Construct, id: string, props: ContainerInsightsAgentAccessProps) {
    super(scope, id);
    checkStackResourceBudget(this, 'ContainerInsightsAgentAccess');
    props = propsOrEmpty(props);
    this.props = props;
    this.identityMode = props.identityMode;
    this.serviceAccount = props.serviceAccount ?? CLOUDWATCH_AGENT_SERVICE_ACCOUNT;
    validate(describeConstruct('ContainerInsightsAgentAccess', this.node.path), props, this.serviceAccount, this);

    const assumeTarget = new iam.PolicyStatement({ actions: ['sts:AssumeRole'], resources: [props.targetRoleArn] });
    switch (props.identityMode) {
      case AgentIdentityMode.NODE_ROLES:
        this.grantNodeRoles(props.nodeRoles!, assumeTarget, props.attachAgentServerPolicy ?? true);
        return;
      case AgentIdentityMode.IRSA: {
        this.roleName = props.roleName ?? agentRoleName(props.clusterName);
        const trust = irsaRoleTrust(this, 'IrsaTrust', props.oidcIssuerUrl!, props.oidcProviderArn, [this.serviceAccount], props.createOidcProvider === true);
        if (props.createOidcProvider === true) warnCreatesProvider(this);
        const role = this.createAgentRole(this.roleName, [trust], assumeTarget);
        // The agent's EC2 tag and EBS volume lookups use its base credentials (this role), not role_arn:
        // allow them in the cluster account, or ASG and volume metadata goes missing. Describe calls take no resource.
        role.addToPolicy(new iam.PolicyStatement({ sid: 'AgentMetadataLookups', actions: ['ec2:DescribeTags', 'ec2:DescribeVolumes'], resources: ['*'] }));
        acknowledgeNagFinding(role, 'AwsSolutions-IAM5[Resource::*]',
          'ec2:DescribeTags and ec2:DescribeVolumes (read-only) support no resource-level permissions; the CloudWatch agent reads node tags and volumes with them.');
        this.role = role;
        return;
      }
      case AgentIdentityMode.POD_IDENTITY: {
        const sessionTags = props.sessionTags ?? true;
        this.roleName = props.roleName ?? agentRoleName(props.clusterName);
        const role = this.createAgentRole(this.roleName, [podIdentityRoleTrust(this, props.clusterName, this.serviceAccount, sessionTags)],
          new iam.PolicyStatement({ actions: ['sts:AssumeRole', 'sts:TagSession'], resources: [props.targetRoleArn] }));
        this.role = role;
        this.podIdentityAssociation = new eks.CfnPodIdentityAssociation(this, 'Association', {
          clusterName: props.clusterName,
          namespace: this.serviceAccount.namespace,
          serviceAccount: this.serviceAccount.name,
          roleArn: role.roleArn,
          targetRoleArn: props.targetRoleArn,
          disableSessionTags: !sessionTags,
        });
        if (!sessionTags) {
          warn(this, 'podIdentityWithoutSessionTags',
            'Without session tags the Pod Identity role cannot check which cluster and service account asks for it: any Pod Identity association of this account that names it can use it. The target role still checks the external ID.',
          );
        }
        return;
      }
    }
  }

  /**
   * The agent role's ARN as a plain string (IRSA and POD_IDENTITY modes): give it to
   * `CrossAccountContainerInsights` (`trustedPrincipalArns`, or `podIdentityTrusts`) and, in IRSA
   * mode, to `CloudWatchAgentChart`. Throws in NODE_ROLES mode and when the stack has no literal account.
   */
  public get roleArn(): string {
    if (!this.roleName) {
      throw new Error(`${describeConstruct('ContainerInsightsAgentAccess', this.node.path)}: NODE_ROLES mode creates no role; the target role trusts the node roles themselves`);
    }
    return plainRoleArn(this, describeConstruct('ContainerInsightsAgentAccess', this.node.path), this.roleName, '/', this.props.targetRoleArn);
  }

  /**
   * What the target side's `podIdentityTrusts` needs for this association (POD_IDENTITY mode), as plain strings.
   */
  public get podIdentityTrust(): PodIdentityTrust {
    if (this.identityMode !== AgentIdentityMode.POD_IDENTITY) {
      throw new Error(`${describeConstruct('ContainerInsightsAgentAccess', this.node.path)}: podIdentityTrust exists in POD_IDENTITY mode only`);
    }
    const owner = describeConstruct('ContainerInsightsAgentAccess', this.node.path);
    const region = literalRegion(this);
    if (!region) throw new Error(`${owner}: the cluster ARN is needed as a plain string, but the stack has no literal region`);
    const roleArn = this.roleArn;
    return {
      podIdentityRoleArn: roleArn,
      clusterArn: `arn:${literalPartition(this, roleArn)}:eks:${region}:${literalAccount(this)}:cluster/${this.props.clusterName}`,
      serviceAccount: this.serviceAccount,
      sessionTags: this.props.sessionTags ?? true,
    };
  }

  private createAgentRole(roleName: string, trust: TrustStatement[], permission: iam.PolicyStatement): iam.Role {
    const role = createRoleWithTrust(this, 'Role', {
      roleName,
      description: `CloudWatch agent of EKS cluster ${this.props.clusterName}: may assume the Container Insights target role only`,
      inlinePolicies: { AssumeTargetRole: new iam.PolicyDocument({ statements: [permission] }) },
    }, trust);
    validateRoleNamesUnique(this, [role.node.defaultChild as iam.CfnRole]);
    // An output's Description must be a literal string (CloudFormation template anatomy, Outputs).
    const of = Token.isUnresolved(this.props.clusterName) ? 'the cluster' : this.props.clusterName;
    new CfnOutput(this, 'RoleArnOutput', { value: role.roleArn, description: `CloudWatch agent role of ${of}` });
    return role;
  }

  private grantNodeRoles(nodeRoles: iam.IRole[], assumeTarget: iam.PolicyStatement, attachAgentServerPolicy: boolean): void {
    new iam.Policy(this, 'AssumeTargetRole', { roles: nodeRoles, statements: [assumeTarget] });
    warn(this, 'nodeRolesShareTargetRole',
      'NODE_ROLES mode: every pod on these nodes can assume the target role. IRSA or POD_IDENTITY mode gives it to the CloudWatch agent only.',
    );
    if (!attachAgentServerPolicy) return;
    const managed = iam.ManagedPolicy.fromAwsManagedPolicyName(AGENT_SERVER_POLICY);
    nodeRoles.filter((role) => Resource.isOwnedResource(role)).forEach((role) => role.addManagedPolicy(managed));
    nodeRoles.filter((role) => !Resource.isOwnedResource(role)).forEach((role, i) => {
      // CloudFormation cannot attach an AWS managed policy to a role it does not own. No onDelete:
      // detaching could break a setup that attached the policy before this stack existed.
      new cr.AwsCustomResource(this, `AttachAgentServerPolicy${i}`, {
        onUpdate: {
          service: 'IAM',
          action: 'attachRolePolicy',
          parameters: { RoleName: role.roleName, PolicyArn: managed.managedPolicyArn },
          physicalResourceId: cr.PhysicalResourceId.of(`${role.roleName}/${AGENT_SERVER_POLICY}`),
        },
        policy: cr.AwsCustomResourcePolicy.fromStatements([new iam.PolicyStatement({
          actions: ['iam:AttachRolePolicy'],
          resources: [role.roleArn],
          conditions: { ArnEquals: { 'iam:PolicyARN': managed.managedPolicyArn } },
        })]),
        installLatestAwsSdk: false,
      });
    });
    if (nodeRoles.some((role) => !Resource.isOwnedResource(role))) this.acknowledgeCustomResourceFindings();
  }

  private acknowledgeCustomResourceFindings(): void {
    // AwsCustomResource's singleton provider function, one per stack.
    const provider = Stack.of(this).node.tryFindChild(`AWS${cr.AwsCustomResource.PROVIDER_FUNCTION_UUID.replace(/-/g, '')}`);
    if (provider) {
      acknowledgeNagFinding(provider, 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        'aws-cdk-lib\'s AwsCustomResource provider writes its logs with the basic execution role; it runs only at deploy time.');
      acknowledgeNagFinding(provider, 'AwsSolutions-L1',
        'aws-cdk-lib picks the AwsCustomResource provider\'s runtime; it runs once per deploy to attach a managed policy.');
    }
  }
}

function validate(owner: string, props: ContainerInsightsAgentAccessProps, sa: ServiceAccountRef, scope: Construct): void {
  const v = new PropsValidator(owner).inStackOf(scope);
  if (v.required('targetRoleArn', props.targetRoleArn)) v.check('targetRoleArn', props.targetRoleArn, arnRule(ArnKind.IAM_ROLE));
  if (v.required('clusterName', props.clusterName)) v.check('clusterName', props.clusterName, EKS_CLUSTER_NAME);
  v.check('roleName', props.roleName, IAM_ROLE_NAME);
  v.serviceAccount('serviceAccount', sa);
  const mode = props.identityMode;
  const only = (prop: keyof ContainerInsightsAgentAccessProps, modes: AgentIdentityMode[]) => {
    if (props[prop] !== undefined && !modes.includes(mode)) v.problem(prop, `only applies in ${modes.join(' or ')} mode, not ${typeof mode === 'string' ? mode : describeValue(mode)}`);
  };
  only('nodeRoles', [AgentIdentityMode.NODE_ROLES]);
  only('attachAgentServerPolicy', [AgentIdentityMode.NODE_ROLES]);
  only('oidcIssuerUrl', [AgentIdentityMode.IRSA]);
  only('oidcProviderArn', [AgentIdentityMode.IRSA]);
  only('createOidcProvider', [AgentIdentityMode.IRSA]);
  v.boolean('createOidcProvider', props.createOidcProvider);
  if (props.createOidcProvider === true && props.oidcProviderArn !== undefined) v.problem('createOidcProvider', 'and oidcProviderArn exclude each other: use the existing provider, or create one');
  only('sessionTags', [AgentIdentityMode.POD_IDENTITY]);
  v.boolean('sessionTags', props.sessionTags).boolean('attachAgentServerPolicy', props.attachAgentServerPolicy);
  v.list('nodeRoles', props.nodeRoles, 'object').forEach((role, i) => v.instance(`nodeRoles[${i}]`, role, (r) => typeof r.roleArn === 'string' && typeof r.grantPrincipal === 'object', 'an IAM role (iam.Role.fromRoleArn(...), a Role)'));
  only('roleName', [AgentIdentityMode.IRSA, AgentIdentityMode.POD_IDENTITY]);
  // The default role name is built from the cluster name: a token there would become garbage text in it.
  if (mode !== AgentIdentityMode.NODE_ROLES && (props.roleName === undefined || props.roleName === null) && Token.isUnresolved(props.clusterName)) {
    v.problem('clusterName', 'is a deploy-time value (token), but the default roleName is built from it; give roleName, or pass a literal');
  }
  if (mode === AgentIdentityMode.NODE_ROLES) v.required('nodeRoles', props.nodeRoles);
  if (mode === AgentIdentityMode.IRSA && v.required('oidcIssuerUrl', props.oidcIssuerUrl)) {
    v.check('oidcIssuerUrl', props.oidcIssuerUrl, OIDC_ISSUER_URL);
    v.check('oidcProviderArn', props.oidcProviderArn, arnRule(ArnKind.IAM_OIDC_PROVIDER));
  }
  if (!Object.values(AgentIdentityMode).includes(mode)) v.problem('identityMode', `got ${JSON.stringify(mode)}; expected one of ${Object.values(AgentIdentityMode).join(', ')}`);
  v.throwIfAny();
}

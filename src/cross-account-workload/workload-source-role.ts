import { CfnOutput, Token } from 'aws-cdk-lib';
import * as eks from 'aws-cdk-lib/aws-eks';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { roleNameFromParts } from '../core/naming';
import { INLINE_POLICIES_PER_ROLE, policyDocument, policySize } from '../core/policy-size';
import { validateRoleNamesUnique } from '../core/role-name-uniqueness';
import { createRoleWithTrust } from '../core/role-trust';
import { ArnKind, arnRule, EKS_CLUSTER_NAME, IAM_ROLE_NAME, OIDC_ISSUER_URL, parseArn } from '../core/rules';
import { ServiceAccountRef } from '../core/service-account';
import { checkStackResourceBudget } from '../core/stack-budget';
import { literalAccount, plainRoleArn } from '../core/stack-env';
import { describeConstruct, PropsValidator, propsOrEmpty } from '../core/validation';
import { warn } from '../core/warnings';
import { irsaRoleTrust, podIdentityRoleTrust, warnCreatesProvider } from '../core/workload-identity';

/**
 * How the workload's pods get the source role's credentials.
 */
export enum WorkloadIdentityMode {
  /** IRSA: the service account is annotated with the role; the cluster's OIDC provider is trusted. */
  IRSA = 'IRSA',
  /** EKS Pod Identity: an association gives the service account the role (needs the Pod Identity Agent add-on). */
  POD_IDENTITY = 'POD_IDENTITY',
}

/**
 * Props of {@link WorkloadSourceRole}.
 */
export interface WorkloadSourceRoleProps {
  /** IRSA or EKS Pod Identity. */
  readonly identityMode: WorkloadIdentityMode;

  /** The workload's service account. */
  readonly serviceAccount: ServiceAccountRef;

  /** The roles in other accounts this role may assume (and nothing else). */
  readonly targetRoleArns: string[];

  /**
   * The cluster's OIDC issuer URL (IRSA mode).
   *
   * @default - required in IRSA mode
   */
  readonly oidcIssuerUrl?: string;

  /**
   * The cluster's existing IAM OIDC provider in this account (IRSA mode).
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
   * The cluster's name: required in POD_IDENTITY mode (the association is created on it).
   *
   * @default - none
   */
  readonly clusterName?: string;

  /**
   * Whether the Pod Identity association passes session tags (POD_IDENTITY mode); with them the
   * role trusts only this service account of this cluster.
   *
   * @default true
   */
  readonly sessionTags?: boolean;

  /**
   * The role's name.
   *
   * @default 'workload-<namespace>-<service account>' (with the cluster name in POD_IDENTITY mode), hashed at 64 characters
   */
  readonly roleName?: string;
}

/**
 * The source-account side of AWS's cross-account EKS access pattern: a role that exactly one service account of one
 * cluster gets (through IRSA or EKS Pod Identity) and whose only permission is to assume the listed
 * roles in other accounts. Pair it with {@link CrossAccountWorkloadRole} in each target account and
 * {@link CrossAccountWorkloadChart} in the cluster.
 */
export class WorkloadSourceRole extends Construct {
  /** The role. */
  public readonly role: iam.IRole;

  /** The role's name. */
  public readonly roleName: string;

  /** The identity mode. */
  public readonly identityMode: WorkloadIdentityMode;

  /** The Pod Identity association (POD_IDENTITY mode). */
  public readonly podIdentityAssociation?: eks.CfnPodIdentityAssociation;

  /**
   * @param scope a construct in the cluster account's stack
   * @param id the construct ID
   * @param props identity mode, service account and target roles
   */
  constructor(scope: Construct, id: string, props: WorkloadSourceRoleProps) {
    super(scope, id);
    checkStackResourceBudget(this, 'WorkloadSourceRole');
    props = propsOrEmpty(props);
    validate(describeConstruct('WorkloadSourceRole', this.node.path), props, literalAccount(this), this);
    this.identityMode = props.identityMode;
    const sa = props.serviceAccount;
    const podIdentity = props.identityMode === WorkloadIdentityMode.POD_IDENTITY;
    this.roleName = props.roleName ?? roleNameFromParts(['workload', ...(podIdentity ? [props.clusterName!] : []), sa.namespace, sa.name]);

    const trust = podIdentity
      ? podIdentityRoleTrust(this, props.clusterName!, sa, props.sessionTags ?? true)
      : irsaRoleTrust(this, 'IrsaTrust', props.oidcIssuerUrl!, props.oidcProviderArn, [sa], props.createOidcProvider === true);
    if (props.createOidcProvider === true) warnCreatesProvider(this);
    // A Pod Identity session carries session tags; chaining with them needs sts:TagSession.
    const actions = podIdentity ? ['sts:AssumeRole', 'sts:TagSession'] : ['sts:AssumeRole'];
    const role = createRoleWithTrust(this, 'Role', {
      roleName: this.roleName,
      description: `Workload ${sa.namespace}/${sa.name}: may assume ${props.targetRoleArns.length} cross-account role(s) only`,
      inlinePolicies: {
        AssumeTargetRoles: new iam.PolicyDocument({ statements: [new iam.PolicyStatement({ actions, resources: props.targetRoleArns })] }),
      },
    }, [trust]);
    this.role = role;
    validateRoleNamesUnique(this, [role.node.defaultChild as iam.CfnRole]);

    if (podIdentity) {
      this.podIdentityAssociation = new eks.CfnPodIdentityAssociation(this, 'Association', {
        clusterName: props.clusterName!,
        namespace: sa.namespace,
        serviceAccount: sa.name,
        roleArn: role.roleArn,
        disableSessionTags: !(props.sessionTags ?? true),
      });
      if (props.sessionTags === false) {
        warn(this, 'podIdentityWithoutSessionTags',
          'Without session tags the role cannot check which cluster and service account asks for it: any Pod Identity association of this account that names it can use it.');
      }
    }
    new CfnOutput(this, 'RoleArnOutput', { value: role.roleArn, description: `Source role of ${sa.namespace}/${sa.name}: the sourceRoleArn of CrossAccountWorkloadRole` });
  }

  /** The role's ARN as a plain string: the target accounts' `sourceRoleArn`. */
  public get roleArn(): string {
    return plainRoleArn(this, describeConstruct('WorkloadSourceRole', this.node.path), this.roleName, '/');
  }
}

function validate(owner: string, props: WorkloadSourceRoleProps, account: string | undefined, scope: Construct): void {
  const v = new PropsValidator(owner).inStackOf(scope);
  if (v.required('serviceAccount', props.serviceAccount)) {
    v.serviceAccount('serviceAccount', props.serviceAccount);
  }
  if (v.required('targetRoleArns', props.targetRoleArns)) {
    v.list('targetRoleArns', props.targetRoleArns, 'string').forEach((arn, i) => {
      v.check(`targetRoleArns[${i}]`, arn, arnRule(ArnKind.IAM_ROLE));
      // A * or ? in the path or name would let the workload assume any role so named, at any path.
      if (v.isLiteral(arn) && (arn === '*' || /[*?]/.test(arn.split(':').slice(5).join(':')))) v.problem(`targetRoleArns[${i}]`, 'is a wildcard; list each target role');
    });
    // All inline policies of one role share IAM's 10,240-character quota; the trust and this one policy are all the role has.
    const size = policySize(policyDocument([{ Effect: 'Allow', Action: ['sts:AssumeRole', 'sts:TagSession'], Resource: v.list('targetRoleArns', props.targetRoleArns) }]));
    if (size > INLINE_POLICIES_PER_ROLE) {
      v.problem('targetRoleArns', `${props.targetRoleArns.length} targets make an inline policy of ${size} characters, over IAM's ${INLINE_POLICIES_PER_ROLE} for a role's inline policies; split the targets over several WorkloadSourceRoles`);
    }
  }
  v.check('roleName', props.roleName, IAM_ROLE_NAME);
  v.check('clusterName', props.clusterName, EKS_CLUSTER_NAME);
  // Shapes first, whatever the mode (a wrong mode must not hide a wrong type).
  v.check('oidcIssuerUrl', props.oidcIssuerUrl, OIDC_ISSUER_URL);
  v.check('oidcProviderArn', props.oidcProviderArn, arnRule(ArnKind.IAM_OIDC_PROVIDER));
  v.boolean('sessionTags', props.sessionTags).boolean('createOidcProvider', props.createOidcProvider);
  switch (props.identityMode) {
    case WorkloadIdentityMode.IRSA:
      v.required('oidcIssuerUrl', props.oidcIssuerUrl);
      if (v.isLiteral(props.oidcProviderArn) && account && parseArn(props.oidcProviderArn)?.account !== account) {
        v.problem('oidcProviderArn', `is not in this stack's account ${account}; a role can only trust an OIDC provider of its own account`);
      }
      if (props.sessionTags !== undefined) v.problem('sessionTags', 'only applies in POD_IDENTITY mode');
      if (isGivenValue(props.clusterName)) v.problem('clusterName', 'only applies in POD_IDENTITY mode (IRSA trusts the cluster by its oidcIssuerUrl)');
      if (props.createOidcProvider === true && props.oidcProviderArn !== undefined) v.problem('createOidcProvider', 'and oidcProviderArn exclude each other: use the existing provider, or create one');
      break;
    case WorkloadIdentityMode.POD_IDENTITY:
      v.required('clusterName', props.clusterName);
      // The default role name is built from the cluster name: a token there would become garbage text in it.
      if (props.roleName === undefined && Token.isUnresolved(props.clusterName)) {
        v.problem('clusterName', 'is a deploy-time value (token), but the default roleName is built from it; give roleName, or pass a literal');
      }
      if (props.oidcIssuerUrl || props.oidcProviderArn) v.problem('oidcIssuerUrl', 'and oidcProviderArn only apply in IRSA mode');
      if (props.createOidcProvider !== undefined) v.problem('createOidcProvider', 'only applies in IRSA mode');
      break;
    default:
      v.problem('identityMode', `got ${JSON.stringify(props.identityMode)}; expected IRSA or POD_IDENTITY`);
  }
  v.throwIfAny();
}

function isGivenValue(value: unknown): boolean {
  return value !== undefined && value !== null;
}

import { CfnOutput, Duration, Stack } from 'aws-cdk-lib';
import * as eks from 'aws-cdk-lib/aws-eks';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { roleNameFromParts } from '../core/naming';
import { validateRoleNamesUnique } from '../core/role-name-uniqueness';
import { createRoleWithTrust, TrustStatement } from '../core/role-trust';
import { ArnKind, arnRule, EKS_CLUSTER_NAME, IAM_ROLE_NAME, K8S_NAMESPACE, parseArn } from '../core/rules';
import { checkStackResourceBudget } from '../core/stack-budget';
import { literalAccount, plainRoleArn } from '../core/stack-env';
import { describeConstruct, PropsValidator, propsOrEmpty } from '../core/validation';
import { warn } from '../core/warnings';

/**
 * Kubernetes access for the role on an EKS cluster of this (the target) account, through an EKS
 * access entry: the least-privilege replacement for an aws-auth entry in `system:masters`.
 */
export interface WorkloadEksAccess {
  /** The cluster, in this stack's account and region. */
  readonly clusterName: string;

  /**
   * The EKS access policy, by name: `AmazonEKSViewPolicy`, `AmazonEKSEditPolicy`, `AmazonEKSAdminPolicy`
   * or `AmazonEKSClusterAdminPolicy`.
   *
   * @see https://docs.aws.amazon.com/eks/latest/userguide/access-policy-permissions.html
   */
  readonly accessPolicy: string;

  /**
   * The namespaces the policy applies in.
   *
   * @default - required unless `clusterWide` is set
   */
  readonly namespaces?: string[];

  /**
   * Apply the policy to the whole cluster. With an admin policy this is cluster administration,
   * and synth warns.
   *
   * @default false
   */
  readonly clusterWide?: boolean;

  /**
   * Kubernetes groups for the principal, for your own RBAC bindings.
   *
   * @default - none
   */
  readonly kubernetesGroups?: string[];
}

/**
 * Props of {@link CrossAccountWorkloadRole}.
 */
export interface CrossAccountWorkloadRoleProps {
  /** The source role (`WorkloadSourceRole.roleArn`): the only principal this role trusts. */
  readonly sourceRoleArn: string;

  /**
   * What the workload may do in this account.
   *
   * @default - nothing beyond `managedPolicies` and `eksAccess`
   */
  readonly policyStatements?: iam.PolicyStatement[];

  /**
   * Managed policies to attach.
   *
   * @default - none
   */
  readonly managedPolicies?: iam.IManagedPolicy[];

  /**
   * An external ID the source must present (`sts:ExternalId`), for a third-party source account.
   *
   * @default - none
   */
  readonly externalId?: string;

  /**
   * Also trust `sts:TagSession` from the source role. A source that is an EKS Pod Identity role
   * carries its session tags (transitive) into the chained session, and its AssumeRole fails without
   * this. The target sees only the source's ARN, not its mode, so the default allows it, for exactly
   * that source role (it can already assume this role, so tagging adds no access). Set `false` for an
   * IRSA or plain role source to keep the trust minimal.
   *
   * @default true
   */
  readonly allowSessionTags?: boolean;

  /**
   * The role's name.
   *
   * @default 'xacct-<source account>-<source role name>', hashed at 64 characters
   */
  readonly roleName?: string;

  /**
   * The longest session the source may ask for (chained sessions last at most 1 hour anyway).
   *
   * @default Duration.hours(1)
   */
  readonly maxSessionDuration?: Duration;

  /**
   * Kubernetes access on a cluster of this account.
   *
   * @default - none
   */
  readonly eksAccess?: WorkloadEksAccess;
}

const ADMIN_POLICIES = ['AmazonEKSAdminPolicy', 'AmazonEKSClusterAdminPolicy'];

/**
 * The target-account side of AWS's cross-account EKS access pattern: a role that trusts exactly one source role of
 * another account (by `aws:PrincipalArn`, so it deploys before that role exists), with the
 * permissions the workload needs here and, optionally, an EKS access entry scoped to namespaces.
 */
export class CrossAccountWorkloadRole extends Construct {
  /** The role. */
  public readonly role: iam.IRole;

  /** The role's name. */
  public readonly roleName: string;

  /** The EKS access entry, when `eksAccess` is given. */
  public readonly accessEntry?: eks.CfnAccessEntry;

  /**
   * @param scope a construct in the target account's stack
   * @param id the construct ID
   * @param props the source role, the permissions and the optional EKS access
   */
  constructor(scope: Construct, id: string, props: CrossAccountWorkloadRoleProps) {
    super(scope, id);
    checkStackResourceBudget(this, 'CrossAccountWorkloadRole');
    props = propsOrEmpty(props);
    validate(describeConstruct('CrossAccountWorkloadRole', this.node.path), props, literalAccount(this), this);
    const source = parseArn(props.sourceRoleArn)!;
    this.roleName = props.roleName ?? roleNameFromParts(['xacct', source.account, source.resource.split('/').pop()!]);

    const fromSourceRole = {
      ArnEquals: { 'aws:PrincipalArn': props.sourceRoleArn },
      ...(props.externalId ? { StringEquals: { 'sts:ExternalId': props.externalId } } : {}),
    };
    const statements: TrustStatement[] = [{ principal: new iam.AccountPrincipal(source.account), actions: ['sts:AssumeRole'], conditions: fromSourceRole }];
    if (props.allowSessionTags ?? true) {
      statements.push({ principal: new iam.AccountPrincipal(source.account), actions: ['sts:TagSession'], conditions: { ArnEquals: { 'aws:PrincipalArn': props.sourceRoleArn } } });
    }
    const role = createRoleWithTrust(this, 'Role', {
      roleName: this.roleName,
      description: `Cross-account workload role for ${props.sourceRoleArn}`,
      maxSessionDuration: props.maxSessionDuration ?? Duration.hours(1),
      managedPolicies: props.managedPolicies,
      inlinePolicies: props.policyStatements?.length ? { Workload: new iam.PolicyDocument({ statements: props.policyStatements }) } : undefined,
    }, statements);
    this.role = role;
    validateRoleNamesUnique(this, [role.node.defaultChild as iam.CfnRole]);
    if (props.eksAccess) this.accessEntry = this.addAccessEntry(role, props.eksAccess);
    new CfnOutput(this, 'RoleArnOutput', { value: role.roleArn, description: 'The target role: a targetRoleArn of WorkloadSourceRole and a hop of the trust probe' });
  }

  /** The role's ARN as a plain string: a `targetRoleArns` entry of `WorkloadSourceRole`. */
  public get roleArn(): string {
    return plainRoleArn(this, describeConstruct('CrossAccountWorkloadRole', this.node.path), this.roleName, '/');
  }

  private addAccessEntry(role: iam.Role, access: WorkloadEksAccess): eks.CfnAccessEntry {
    const clusterWide = access.clusterWide ?? false;
    if (clusterWide && ADMIN_POLICIES.includes(access.accessPolicy)) {
      warn(this, 'clusterWideAdmin',
        `The workload gets ${access.accessPolicy} on the whole cluster ${access.clusterName}: cluster administration from another account. Prefer a namespaced or read-only policy.`);
    }
    return new eks.CfnAccessEntry(this, 'AccessEntry', {
      clusterName: access.clusterName,
      principalArn: role.roleArn,
      type: 'STANDARD',
      kubernetesGroups: access.kubernetesGroups,
      accessPolicies: [{
        policyArn: `arn:${Stack.of(this).partition}:eks::aws:cluster-access-policy/${access.accessPolicy}`,
        accessScope: clusterWide ? { type: 'cluster' } : { type: 'namespace', namespaces: access.namespaces! },
      }],
    });
  }
}

const CUSTOMER_ACCESS_POLICIES = ['AmazonEKSViewPolicy', 'AmazonEKSEditPolicy', 'AmazonEKSAdminPolicy', 'AmazonEKSClusterAdminPolicy', 'AmazonEKSAdminViewPolicy', 'AmazonEKSSecretReaderPolicy'];

function validate(owner: string, props: CrossAccountWorkloadRoleProps, account: string | undefined, scope: Construct): void {
  const v = new PropsValidator(owner).inStackOf(scope);
  if (v.required('sourceRoleArn', props.sourceRoleArn)) {
    v.check('sourceRoleArn', props.sourceRoleArn, arnRule(ArnKind.IAM_ROLE));
    if (typeof props.sourceRoleArn === 'string' && !v.isLiteral(props.sourceRoleArn)) {
      v.problem('sourceRoleArn', 'must be a literal: the trust names its account and the default role name is built from it');
    }
    // aws:PrincipalArn with ArnEquals treats * and ? as text, but a pattern here would mean "any role
    // named so at any path" to a reader, and ArnLike would make it so: refuse it.
    if (v.isLiteral(props.sourceRoleArn) && /[*?]/.test(props.sourceRoleArn.split(':').slice(5).join(':'))) {
      v.problem('sourceRoleArn', 'has a wildcard in its path or name; name exactly one source role');
    }
  }
  v.list('policyStatements', props.policyStatements, 'object').forEach((statement, i) => {
    if (!(statement instanceof iam.PolicyStatement)) v.problem(`policyStatements[${i}]`, 'is not an iam.PolicyStatement');
  });
  v.boolean('allowSessionTags', props.allowSessionTags);
  v.check('roleName', props.roleName, IAM_ROLE_NAME);
  v.externalId('externalId', props.externalId);
  const access = props.eksAccess;
  if (access) {
    v.check('eksAccess.clusterName', access.clusterName, EKS_CLUSTER_NAME);
    // EKS user guide, "Associate access policies with access entries": a customer-managed role may use only
    // these; others (AmazonEKSBlockStoragePolicy, ...) are for AWS-managed use and fail CreateAccessEntry.
    if (!CUSTOMER_ACCESS_POLICIES.includes(access.accessPolicy)) {
      v.problem('eksAccess.accessPolicy', `got ${JSON.stringify(access.accessPolicy)}; expected one of ${CUSTOMER_ACCESS_POLICIES.join(', ')}`);
    }
    if (access.clusterWide) {
      if (access.namespaces?.length) v.problem('eksAccess.namespaces', 'must be empty when clusterWide is set');
    } else {
      if (!access.namespaces?.length) v.problem('eksAccess.namespaces', 'is required unless clusterWide is set (cluster-wide access must be asked for explicitly)');
      if (access.accessPolicy === 'AmazonEKSClusterAdminPolicy') v.problem('eksAccess.accessPolicy', 'AmazonEKSClusterAdminPolicy applies only cluster-wide; set clusterWide: true to mean it, or use AmazonEKSAdminPolicy in namespaces');
    }
    (access.namespaces ?? []).forEach((ns, i) => v.check(`eksAccess.namespaces[${i}]`, ns, K8S_NAMESPACE));
    (access.kubernetesGroups ?? []).forEach((group, i) => {
      if (group.startsWith('system:')) v.problem(`eksAccess.kubernetesGroups[${i}]`, `"${group}" is a reserved group (system:masters is what this replaces); use your own group and bind it with RBAC`);
    });
  }
  const source = v.isLiteral(props.sourceRoleArn) ? parseArn(props.sourceRoleArn) : undefined;
  if (source && account && source.account === account) {
    v.problem('sourceRoleArn', `is in this stack's account ${account}; CrossAccountWorkloadRole is for a source in another account`);
  }
  v.throwIfAny();
}

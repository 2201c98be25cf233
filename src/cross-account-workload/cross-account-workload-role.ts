import { CfnOutput, Duration, Stack } from 'aws-cdk-lib';
import * as eks from 'aws-cdk-lib/aws-eks';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { roleNameFromParts } from '../core/naming';
import { OrganizationSourceTrust } from '../core/organization';
import { checkOrganizationSource, checkOrganizationTrustSize, isGiven, organizationSourceTrust, refuseWithOrganizationSource } from '../core/organization-source';
import { validateRoleNamesUnique } from '../core/role-name-uniqueness';
import { createRoleWithTrust, TrustStatement } from '../core/role-trust';
import { ArnKind, arnRule, EKS_CLUSTER_NAME, IAM_ROLE_NAME, K8S_NAMESPACE, parseArn, Rule } from '../core/rules';
import { checkStackResourceBudget } from '../core/stack-budget';
import { literalAccount, plainRoleArn } from '../core/stack-env';
import { describeConstruct, describeValue, PropsValidator, propsOrEmpty } from '../core/validation';
import { warn } from '../core/warnings';
import { MAX_FLOW_KEY_LENGTH, WORKLOAD_FLOW_KEY_PREFIX, workloadFlowKey } from '../organization/fleet-names';

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
  /**
   * The source role (`WorkloadSourceRole.roleArn`): the only principal this role trusts.
   *
   * @default - required unless `organizationSource` is given (and refused with it)
   */
  readonly sourceRoleArn?: string;

  /**
   * Trust the fleet's identities of this workload (flow key `FleetNames.workloadFlowKey(workloadName)`:
   * each member account's Pod Identity target role and per-cluster IRSA roles under
   * `/xacct-observability/workload-<workloadName>/`) in any account of an AWS Organization, or of some of
   * its OUs, instead of one `sourceRoleArn`: a trust of the same size for any number of accounts. It
   * always allows `sts:TagSession` (a member's identity may be a Pod Identity role, whose session tags
   * are transitive), so `allowSessionTags: false` is refused with it; an `externalId` still applies to
   * `sts:AssumeRole`. Give `workloadName` with it. `organizationId` and `sourcePrincipalPattern` may be
   * deploy-time values (tokens).
   *
   * @default - no organization trust: the role trusts `sourceRoleArn`
   */
  readonly organizationSource?: OrganizationSourceTrust;

  /**
   * The workload's name in the fleet, with `organizationSource`: its flow key is `workload-<workloadName>`
   * (the IAM path of its source identities, and the default role name `xacct-workload-<workloadName>`).
   * Lowercase letters, digits and "-", at most 27 characters (the flow key's limit). A literal: the path
   * and the name are built from it.
   *
   * @default - required with `organizationSource`, refused without it
   */
  readonly workloadName?: string;

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
   * IRSA or plain role source to keep the trust minimal. With `organizationSource` it is always allowed
   * (`false` is refused).
   *
   * @default true
   */
  readonly allowSessionTags?: boolean;

  /**
   * The role's name.
   *
   * @default 'xacct-<source account>-<source role name>', hashed at 64 characters; with
   * `organizationSource`, 'xacct-workload-<workloadName>'
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
 * With `organizationSource` and `workloadName` it trusts the fleet's identities of that workload in
 * every member account (or of listed OUs) instead.
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
    const owner = describeConstruct('CrossAccountWorkloadRole', this.node.path);
    const organizationMode = validate(owner, props, literalAccount(this), this);
    let statements: TrustStatement[];
    let description: string;
    if (organizationMode) {
      const flowKey = workloadFlowKey(props.workloadName!);
      this.roleName = props.roleName ?? roleNameFromParts(['xacct', flowKey]);
      description = `Cross-account workload role for the fleet's ${flowKey} identities in an AWS Organization's accounts`;
      statements = organizationSourceTrust(this, props.organizationSource!, {
        flowKey,
        // A member's identity may be a Pod Identity role chaining into this one: its session tags are transitive.
        tagSession: true,
        assumeRoleConditions: props.externalId ? { StringEquals: { 'sts:ExternalId': props.externalId } } : undefined,
      });
      if (props.externalId) {
        // EKS Pod Identity sends no external ID of ours when it chains into a TargetRoleArn.
        warn(this, 'externalIdExcludesPodIdentity',
          'With organizationSource, the external ID admits only callers that send it: the fleet\'s per-cluster IRSA roles can (external_id in the AWS config), '
          + 'but its Pod Identity associations (TargetRoleArn) send none, so workloads on clusters with the Pod Identity agent are refused. Leave externalId out to admit both.');
      }
    } else {
      const source = parseArn(props.sourceRoleArn!)!;
      this.roleName = props.roleName ?? roleNameFromParts(['xacct', source.account, source.resource.split('/').pop()!]);
      description = `Cross-account workload role for ${props.sourceRoleArn}`;
      const fromSourceRole = {
        ArnEquals: { 'aws:PrincipalArn': props.sourceRoleArn },
        ...(props.externalId ? { StringEquals: { 'sts:ExternalId': props.externalId } } : {}),
      };
      statements = [{ principal: new iam.AccountPrincipal(source.account), actions: ['sts:AssumeRole'], conditions: fromSourceRole }];
      if (props.allowSessionTags ?? true) {
        statements.push({ principal: new iam.AccountPrincipal(source.account), actions: ['sts:TagSession'], conditions: { ArnEquals: { 'aws:PrincipalArn': props.sourceRoleArn } } });
      }
    }
    const role = createRoleWithTrust(this, 'Role', {
      roleName: this.roleName,
      description,
      maxSessionDuration: props.maxSessionDuration ?? Duration.hours(1),
      managedPolicies: props.managedPolicies,
      inlinePolicies: props.policyStatements?.length ? { Workload: new iam.PolicyDocument({ statements: props.policyStatements }) } : undefined,
    }, statements);
    this.role = role;
    if (organizationMode) checkOrganizationTrustSize(role, owner);
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

/** `workload-<name>` must stay a valid, short IAM path segment and role-name part. */
const WORKLOAD_NAME: Rule = {
  expected: `a workload name: lowercase a-z, 0-9 and "-", starting and ending alphanumeric, at most ${MAX_FLOW_KEY_LENGTH - WORKLOAD_FLOW_KEY_PREFIX.length} characters`,
  check: (value) => {
    if (WORKLOAD_FLOW_KEY_PREFIX.length + value.length > MAX_FLOW_KEY_LENGTH) return `${value.length} characters, the limit is ${MAX_FLOW_KEY_LENGTH - WORKLOAD_FLOW_KEY_PREFIX.length}`;
    return /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/.test(value) ? undefined : 'does not match';
  },
};

function checkSourceRoleArn(v: PropsValidator, sourceRoleArn: string | undefined): void {
  if (!isGiven(sourceRoleArn) || sourceRoleArn === '') {
    v.problem('sourceRoleArn', 'is required (or organizationSource with workloadName, to trust the fleet\'s identities of the workload in an organization\'s accounts instead)');
    return;
  }
  v.check('sourceRoleArn', sourceRoleArn, arnRule(ArnKind.IAM_ROLE));
  if (typeof sourceRoleArn === 'string' && !v.isLiteral(sourceRoleArn)) {
    v.problem('sourceRoleArn', 'must be a literal: the trust names its account and the default role name is built from it');
  }
  // aws:PrincipalArn with ArnEquals treats * and ? as text, but a pattern here would mean "any role
  // named so at any path" to a reader, and ArnLike would make it so: refuse it.
  if (v.isLiteral(sourceRoleArn) && /[*?]/.test(sourceRoleArn.split(':').slice(5).join(':'))) {
    v.problem('sourceRoleArn', 'has a wildcard in its path or name; name exactly one source role');
  }
}

/** Validates the props; returns whether the role trusts an organization (`organizationSource`). */
function validate(owner: string, props: CrossAccountWorkloadRoleProps, account: string | undefined, scope: Construct): boolean {
  const v = new PropsValidator(owner).inStackOf(scope);
  const organizationMode = checkOrganizationSource(v, props.organizationSource);
  if (organizationMode) {
    refuseWithOrganizationSource(v, { sourceRoleArn: props.sourceRoleArn },
      'it trusts one source role, and organizationSource trusts the fleet\'s identities of this workload in the member accounts instead');
    if (props.allowSessionTags === false) {
      v.problem('allowSessionTags', 'cannot be false with organizationSource: a member\'s identity may be an EKS Pod Identity role, whose transitive session tags need sts:TagSession');
    }
    if (!isGiven(props.workloadName) || props.workloadName === '') {
      v.problem('workloadName', 'is required with organizationSource: the trusted path /xacct-observability/workload-<workloadName>/ and the default roleName are built from it');
    } else if (typeof props.workloadName === 'string' && !v.isLiteral(props.workloadName)) {
      v.problem('workloadName', 'is a deploy-time value (token), but the trusted path and the default roleName are built from it; pass a literal');
    } else {
      v.check('workloadName', props.workloadName, WORKLOAD_NAME);
    }
  } else {
    if (isGiven(props.workloadName)) {
      v.problem('workloadName', 'applies only with organizationSource (it names the fleet\'s identities of the workload); leave it out, or give organizationSource');
    }
    checkSourceRoleArn(v, props.sourceRoleArn);
  }
  v.duration('maxSessionDuration', props.maxSessionDuration);
  v.list('managedPolicies', props.managedPolicies, 'object').forEach((policy, i) => {
    v.instance(`managedPolicies[${i}]`, policy, (p) => typeof p.managedPolicyArn === 'string', 'an IAM managed policy (iam.ManagedPolicy.fromAwsManagedPolicyName(...), a ManagedPolicy)');
  });
  v.list('policyStatements', props.policyStatements, 'object').forEach((statement, i) => {
    if (!(statement instanceof iam.PolicyStatement)) v.problem(`policyStatements[${i}]`, 'is not an iam.PolicyStatement');
  });
  v.boolean('allowSessionTags', props.allowSessionTags);
  v.check('roleName', props.roleName, IAM_ROLE_NAME);
  if (props.externalId !== undefined && props.externalId !== null && typeof props.externalId !== 'string') {
    v.problem('externalId', `got ${describeValue(props.externalId)}; expected 2-1224 characters from A-Z a-z 0-9 and +=,.@:/-`);
  }
  v.externalId('externalId', props.externalId);
  const access = props.eksAccess;
  if (isGiven(access) && (typeof access !== 'object' || Array.isArray(access))) {
    v.problem('eksAccess', `got ${describeValue(access)}; expected { clusterName, accessPolicy, namespaces | clusterWide }`);
  } else if (access !== undefined && access !== null) {
    if (v.required('eksAccess.clusterName', access.clusterName)) v.check('eksAccess.clusterName', access.clusterName, EKS_CLUSTER_NAME);
    v.required('eksAccess.accessPolicy', access.accessPolicy);
    v.boolean('eksAccess.clusterWide', access.clusterWide);
    const namespaces = v.list<string>('eksAccess.namespaces', access.namespaces, 'string');
    const groups = v.list<string>('eksAccess.kubernetesGroups', access.kubernetesGroups, 'string');
    // EKS user guide, "Associate access policies with access entries": a customer-managed role may use only
    // these; others (AmazonEKSBlockStoragePolicy, ...) are for AWS-managed use and fail CreateAccessEntry.
    if (!CUSTOMER_ACCESS_POLICIES.includes(access.accessPolicy)) {
      v.problem('eksAccess.accessPolicy', `got ${JSON.stringify(access.accessPolicy)}; expected one of ${CUSTOMER_ACCESS_POLICIES.join(', ')}`);
    }
    if (access.clusterWide === true) {
      if (namespaces.length) v.problem('eksAccess.namespaces', 'must be empty when clusterWide is set');
    } else if (access.clusterWide === undefined || access.clusterWide === null || access.clusterWide === false) {
      if (!namespaces.length) v.problem('eksAccess.namespaces', 'is required unless clusterWide is set (cluster-wide access must be asked for explicitly)');
      if (access.accessPolicy === 'AmazonEKSClusterAdminPolicy') v.problem('eksAccess.accessPolicy', 'AmazonEKSClusterAdminPolicy applies only cluster-wide; set clusterWide: true to mean it, or use AmazonEKSAdminPolicy in namespaces');
    }
    namespaces.forEach((ns, i) => v.check(`eksAccess.namespaces[${i}]`, ns, K8S_NAMESPACE));
    groups.forEach((group, i) => {
      if (!v.isLiteral(group)) return;
      if (group.startsWith('system:')) v.problem(`eksAccess.kubernetesGroups[${i}]`, `"${group}" is a reserved group (system:masters is what this replaces); use your own group and bind it with RBAC`);
      // CloudFormation substitutes ${...} only inside Fn::Sub (cfn-lint E1029): here it would be the group's literal name.
      if (/\$\{[^}]*\}/.test(group)) v.problem(`eksAccess.kubernetesGroups[${i}]`, `${JSON.stringify(group)} holds a \${...} substitution, which CloudFormation leaves as text outside Fn::Sub; pass the resolved name`);
    });
    v.unique('eksAccess.namespaces', namespaces).unique('eksAccess.kubernetesGroups', groups);
  }
  const source = !organizationMode && v.isLiteral(props.sourceRoleArn) ? parseArn(props.sourceRoleArn) : undefined;
  if (source && account && source.account === account) {
    v.problem('sourceRoleArn', `is in this stack's account ${account}; CrossAccountWorkloadRole is for a source in another account`);
  }
  v.throwIfAny();
  return organizationMode;
}

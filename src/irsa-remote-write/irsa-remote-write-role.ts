import { CfnOutput, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { issuerHostPath, isWildcard } from '../core/irsa';
import { irsaPrincipal, irsaStatementForEstimate, IrsaTrustSource } from '../core/irsa-trust';
import { roleNameFromParts } from '../core/naming';
import { oidcProviderFor } from '../core/oidc-providers';
import { OrganizationSourceTrust } from '../core/organization';
import { checkOrganizationSource, checkOrganizationTrustSize, isGiven, organizationSourceTrust, refuseWithOrganizationSource } from '../core/organization-source';
import { DEFAULT_TRUST_POLICY_SIZE_LIMIT, MAX_TRUST_POLICY_SIZE_LIMIT } from '../core/policy-size';
import { validateRoleNamesUnique } from '../core/role-name-uniqueness';
import { createRoleWithTrust, TrustStatement } from '../core/role-trust';
import { ArnKind, arnRule, IAM_PATH, IAM_ROLE_NAME, K8S_SERVICE_ACCOUNT_PATTERN, OIDC_ISSUER_URL, parseArn } from '../core/rules';
import { ServiceAccountRef } from '../core/service-account';
import { checkStackResourceBudget } from '../core/stack-budget';
import { literalAccount, literalPartition, plainRoleArn } from '../core/stack-env';
import { planTrustShards } from '../core/trust-shards';
import { describeConstruct, PropsValidator, propsOrEmpty } from '../core/validation';
import { warn } from '../core/warnings';
import { FLEET_FLOW_KEYS } from '../organization/fleet-names';

/**
 * An EKS cluster whose Prometheus may remote-write through the role.
 */
export interface RemoteWriteCluster {
  /**
   * The cluster's OIDC issuer URL (`aws eks describe-cluster --query cluster.identity.oidc.issuer`).
   *
   * @example 'https://oidc.eks.us-east-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF'
   */
  readonly oidcIssuerUrl: string;

  /**
   * An IAM OIDC provider for this issuer that already exists in this (the workspace's) account.
   * Give it when the account already registered the issuer: IAM allows one provider per URL.
   *
   * @default - a provider is created in this stack (shared by every construct of this library in the stack)
   */
  readonly oidcProviderArn?: string;

  /**
   * The service accounts trusted for this cluster, instead of the construct's `serviceAccounts`.
   *
   * @default - the construct's `serviceAccounts`
   */
  readonly serviceAccounts?: ServiceAccountRef[];
}

/**
 * Props of {@link IrsaRemoteWriteRole}.
 */
export interface IrsaRemoteWriteRoleProps {
  /**
   * The AMP workspace the clusters write to. The role may call `aps:RemoteWrite` on it and on nothing else.
   *
   * @example 'arn:aws:aps:us-east-1:111111111111:workspace/ws-0123abcd-4567-89ef-0123-456789abcdef'
   */
  readonly workspaceArn: string;

  /**
   * The clusters (in any account) whose service accounts may assume the role.
   *
   * @default - required unless `organizationSource` is given (and refused with it)
   */
  readonly clusters?: RemoteWriteCluster[];

  /**
   * Trust the fleet's remote-write identities (`FleetNames.REMOTE_WRITE`: each member account's Pod
   * Identity target role and per-cluster IRSA roles under `/xacct-observability/remote-write/`) in any
   * account of an AWS Organization, or of some of its OUs, instead of listing `clusters`: exactly one
   * role, no OIDC provider, a trust of the same size for any number of accounts. The member's identity
   * assumes this role (Prometheus' `sigv4.role_arn`), so the trust allows `sts:AssumeRole` and
   * `sts:TagSession` (a Pod Identity role's session tags are transitive). `organizationId` and
   * `sourcePrincipalPattern` may be deploy-time values (tokens).
   *
   * @default - no organization trust: the role trusts the listed `clusters` through IRSA
   */
  readonly organizationSource?: OrganizationSourceTrust;

  /**
   * The Prometheus service accounts trusted in every cluster that does not list its own.
   * A name may be a pattern with `*` or `?` (trusted with `StringLike`). Refused with `organizationSource`.
   *
   * @default [{ namespace: 'monitoring', name: 'prometheus' }]
   */
  readonly serviceAccounts?: ServiceAccountRef[];

  /**
   * The role's name. When the clusters need several roles (see `trustPolicySizeLimit`), the
   * others are named `<roleName>-2`, `<roleName>-3`, ... (With `organizationSource` there is one role.)
   *
   * @default 'amp-remote-write-<workspace id>'
   */
  readonly roleName?: string;

  /**
   * The roles' IAM path.
   *
   * @default '/'
   */
  readonly rolePath?: string;

  /**
   * The trust-policy size quota of this account (IAM counts characters without white space).
   * When the trust for all clusters would exceed it, the clusters are spread over several roles.
   * With `organizationSource`, synth fails when the organization trust would exceed it.
   *
   * @default 2048 (the IAM default quota; it can be raised to 4096)
   * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html
   */
  readonly trustPolicySizeLimit?: number;

  /**
   * A permissions boundary for the roles.
   *
   * @default - none
   */
  readonly permissionsBoundary?: iam.IManagedPolicy;
}

/**
 * Which role serves which cluster.
 */
export interface RemoteWriteRoleAssignment {
  /** The cluster's OIDC issuer URL. */
  readonly oidcIssuerUrl: string;
  /** The name of the role its Prometheus assumes. */
  readonly roleName: string;
}

const ORGANIZATION_FROM = {
  description: 'the fleet\'s remote-write identities in an AWS Organization\'s accounts',
  output: 'the fleet\'s remote-write identities of the organization',
};

const DEFAULT_SERVICE_ACCOUNTS: ServiceAccountRef[] = [{ namespace: 'monitoring', name: 'prometheus' }];

/**
 * A role in the AMP workspace's (target) account that Prometheus pods in EKS clusters of other
 * (source) accounts assume directly through IRSA, to remote-write to the workspace.
 *
 * What it does:
 *
 * - registers each cluster's OIDC issuer as an IAM OIDC provider in this account (or uses a given one);
 * - trusts exactly the listed service accounts of exactly those clusters (`aud` and `sub` conditions);
 * - may call `aps:RemoteWrite` on the one workspace, nothing else;
 * - spreads the clusters over several roles when one trust policy would exceed the size quota.
 *
 * Pair it with {@link PrometheusRemoteWriteChart} in each cluster, passing `roleArnFor(issuer)`.
 *
 * With `organizationSource` it is instead one role that the fleet's remote-write identities of any
 * member account (or of listed OUs) assume (a role chain: Prometheus sets `sigv4.role_arn` to `roleArn`).
 */
export class IrsaRemoteWriteRole extends Construct {
  /** The workspace the roles may write to. */
  public readonly workspaceArn: string;

  /** The roles, in order; clusters were placed first-fit in the order given. */
  public readonly roles: iam.IRole[];

  /** The roles' names, in the order of `roles`. */
  public readonly roleNames: string[];

  /** Which role serves which cluster, in the order the clusters were given (empty with `organizationSource`). */
  public readonly assignments: RemoteWriteRoleAssignment[];

  /** Whether the role trusts an organization's fleet identities (`organizationSource`) rather than listed clusters. */
  public readonly organizationMode: boolean;

  private readonly rolePath: string;
  private readonly roleIndexByIssuer = new Map<string, number>();

  /**
   * @param scope a construct in the workspace account's stack
   * @param id the construct ID
   * @param props the workspace, the clusters and the service accounts to trust
   */
  constructor(scope: Construct, id: string, props: IrsaRemoteWriteRoleProps) {
    super(scope, id);
    checkStackResourceBudget(this, 'IrsaRemoteWriteRole');
    props = propsOrEmpty(props);
    const owner = describeConstruct('IrsaRemoteWriteRole', this.node.path);
    const v = new PropsValidator(owner).inStackOf(this);
    const sizeLimit = props.trustPolicySizeLimit ?? DEFAULT_TRUST_POLICY_SIZE_LIMIT;
    const defaultServiceAccounts = props.serviceAccounts ?? DEFAULT_SERVICE_ACCOUNTS;
    this.rolePath = props.rolePath ?? '/';
    const organizationMode = checkOrganizationSource(v, props.organizationSource);

    if (v.required('workspaceArn', props.workspaceArn)) v.check('workspaceArn', props.workspaceArn, arnRule(ArnKind.APS_WORKSPACE));
    v.check('roleName', props.roleName, IAM_ROLE_NAME);
    v.check('rolePath', props.rolePath, IAM_PATH);
    v.integer('trustPolicySizeLimit', props.trustPolicySizeLimit, 1, MAX_TRUST_POLICY_SIZE_LIMIT);
    v.instance('permissionsBoundary', props.permissionsBoundary, (p) => typeof p.managedPolicyArn === 'string', 'an IAM managed policy (iam.ManagedPolicy.fromManagedPolicyName(...), a ManagedPolicy)');
    if (organizationMode) {
      refuseWithOrganizationSource(v, { clusters: props.clusters, serviceAccounts: props.serviceAccounts },
        'it trusts service accounts of listed clusters through IRSA, and organizationSource trusts the member accounts\' fleet identities instead');
    } else {
      checkServiceAccounts(v, 'serviceAccounts', defaultServiceAccounts);
      if (isGiven(props.clusters)) this.checkClusters(v, v.list('clusters', props.clusters, 'object'));
      else v.problem('clusters', 'is required (or organizationSource, to trust the fleet\'s remote-write identities of an organization\'s accounts instead)');
    }
    if (props.roleName === undefined && Token.isUnresolved(props.workspaceArn)) {
      v.problem('workspaceArn', 'is a deploy-time value (token), but the default roleName is built from the workspace ID; give roleName, or pass a literal');
    }
    v.throwIfAny();

    this.workspaceArn = props.workspaceArn;
    const account = literalAccount(this);
    const partition = literalPartition(this, props.workspaceArn);
    this.warnIfWorkspaceInOtherAccount(account);
    const baseName = props.roleName ?? defaultRoleName(props.workspaceArn);

    if (organizationMode) {
      const role = this.createRole('', baseName, props, ORGANIZATION_FROM, organizationSourceTrust(this, props.organizationSource!, {
        flowKey: FLEET_FLOW_KEYS.REMOTE_WRITE,
        // The member's identity may be its Pod Identity target role: EKS passes that session's tags on.
        tagSession: true,
      }));
      checkOrganizationTrustSize(role, owner, sizeLimit);
      this.roles = [role];
      this.roleNames = [baseName];
      this.assignments = [];
      this.organizationMode = true;
      validateRoleNamesUnique(this, [role.node.defaultChild as iam.CfnRole]);
      return;
    }
    this.organizationMode = false;
    const clusters = props.clusters!;

    const sources: IrsaTrustSource[] = clusters.map((cluster) => ({
      issuerUrl: cluster.oidcIssuerUrl,
      providerArn: cluster.oidcProviderArn ?? oidcProviderFor(this, cluster.oidcIssuerUrl).oidcProviderArn,
      serviceAccounts: cluster.serviceAccounts ?? defaultServiceAccounts,
    }));
    this.warnAboutWildcards(sources);

    const plan = planTrustShards(sources.map((source) => irsaStatementForEstimate(source, { account, partition })), sizeLimit);
    for (const { index, size } of plan.oversized) {
      v.problem(`clusters[${index}]`, `its trust statement alone is ${size} characters, over trustPolicySizeLimit ${sizeLimit}; trust fewer service accounts for it or raise the account's quota`);
    }
    v.throwIfAny();

    const roles = plan.shards.map((clusterIndexes, shard) => {
      const roleName = shard === 0 ? baseName : roleNameFromParts([baseName, String(shard + 1)]);
      const suffix = shard === 0 ? '' : String(shard + 1);
      const shardSources = clusterIndexes.map((i) => sources[i]);
      const role = this.createRole(suffix, roleName, props, {
        description: `${shardSources.length} EKS cluster(s) through IRSA`,
        output: `${shardSources.length} cluster(s)`,
      }, shardSources.map((source, i) => ({
        principal: irsaPrincipal(this, `Role${suffix}Trust${i}`, source),
        actions: ['sts:AssumeRoleWithWebIdentity'],
      })));
      clusterIndexes.forEach((i) => this.roleIndexByIssuer.set(clusters[i].oidcIssuerUrl, shard));
      return { role, roleName };
    });
    this.roles = roles.map((r) => r.role);
    this.roleNames = roles.map((r) => r.roleName);
    this.assignments = clusters.map((cluster) => ({
      oidcIssuerUrl: cluster.oidcIssuerUrl,
      roleName: this.roleNames[this.roleIndexByIssuer.get(cluster.oidcIssuerUrl)!],
    }));
    validateRoleNamesUnique(this, this.roles.map((role) => role.node.defaultChild as iam.CfnRole));
  }

  /**
   * The role's ARN as a plain string, for the cluster account's app or chart.
   * Throws when the clusters were spread over several roles (use `roleArnFor`), or when the
   * stack has no literal account.
   */
  public get roleArn(): string {
    if (this.roles.length > 1) {
      throw new Error(
        `${describeConstruct('IrsaRemoteWriteRole', this.node.path)}: its clusters are spread over ${this.roles.length} roles `
        + `(${this.roleNames.join(', ')}) to keep each trust policy under the size quota; use roleArnFor(oidcIssuerUrl).`,
      );
    }
    return this.plainArn(0);
  }

  /** Every role's ARN as a plain string, in the order of `roles`. */
  public get roleArns(): string[] {
    return this.roles.map((_, index) => this.plainArn(index));
  }

  /**
   * The ARN (a plain string) of the role that trusts the cluster with this issuer.
   *
   * @param oidcIssuerUrl the issuer URL exactly as given in `clusters`
   */
  public roleArnFor(oidcIssuerUrl: string): string {
    return this.plainArn(this.roleIndexFor(oidcIssuerUrl));
  }

  /**
   * The role that trusts the cluster with this issuer.
   *
   * @param oidcIssuerUrl the issuer URL exactly as given in `clusters`
   */
  public roleFor(oidcIssuerUrl: string): iam.IRole {
    return this.roles[this.roleIndexFor(oidcIssuerUrl)];
  }

  private roleIndexFor(oidcIssuerUrl: string): number {
    if (this.organizationMode) {
      throw new Error(`${describeConstruct('IrsaRemoteWriteRole', this.node.path)}: the role trusts an organization's fleet identities, not clusters by issuer; use roleArn or roles[0]`);
    }
    const index = this.roleIndexByIssuer.get(oidcIssuerUrl);
    if (index === undefined) {
      throw new Error(
        `${describeConstruct('IrsaRemoteWriteRole', this.node.path)}: no cluster has the issuer ${JSON.stringify(oidcIssuerUrl)}; `
        + `known issuers: ${[...this.roleIndexByIssuer.keys()].join(', ')}`,
      );
    }
    return index;
  }

  private plainArn(index: number): string {
    return plainRoleArn(this, describeConstruct('IrsaRemoteWriteRole', this.node.path), this.roleNames[index], this.rolePath, this.workspaceArn);
  }

  private createRole(
    suffix: string, roleName: string, props: IrsaRemoteWriteRoleProps, from: { description: string; output: string }, trust: TrustStatement[],
  ): iam.Role {
    const role = createRoleWithTrust(this, `Role${suffix}`, {
      roleName,
      path: this.rolePath,
      description: `Prometheus remote write to ${workspaceId(props.workspaceArn)} from ${from.description}`,
      permissionsBoundary: props.permissionsBoundary,
      inlinePolicies: {
        RemoteWrite: new iam.PolicyDocument({
          statements: [new iam.PolicyStatement({ actions: ['aps:RemoteWrite'], resources: [props.workspaceArn] })],
        }),
      },
    }, trust);
    new CfnOutput(this, `RoleArnOutput${suffix}`, {
      value: role.roleArn,
      description: `Remote-write role for ${from.output}: give its ARN to PrometheusRemoteWriteChart`,
    });
    return role;
  }

  private checkClusters(v: PropsValidator, clusters: readonly RemoteWriteCluster[]): void {
    const seen = new Map<string, number>();
    const account = literalAccount(this);
    clusters.forEach((cluster, i) => {
      const prop = `clusters[${i}]`;
      if (v.required(`${prop}.oidcIssuerUrl`, cluster.oidcIssuerUrl)) v.check(`${prop}.oidcIssuerUrl`, cluster.oidcIssuerUrl, OIDC_ISSUER_URL);
      v.check(`${prop}.oidcProviderArn`, cluster.oidcProviderArn, arnRule(ArnKind.IAM_OIDC_PROVIDER));
      if (cluster.serviceAccounts) checkServiceAccounts(v, `${prop}.serviceAccounts`, cluster.serviceAccounts);
      if (v.isLiteral(cluster.oidcIssuerUrl)) {
        const earlier = seen.get(cluster.oidcIssuerUrl);
        if (earlier !== undefined) v.problem(`${prop}.oidcIssuerUrl`, `repeats clusters[${earlier}]; list each cluster once (per-cluster serviceAccounts can hold several)`);
        seen.set(cluster.oidcIssuerUrl, i);
      }
      if (v.isLiteral(cluster.oidcProviderArn) && v.isLiteral(cluster.oidcIssuerUrl)) {
        const arn = parseArn(cluster.oidcProviderArn);
        const providerHostPath = arn?.resource.replace(/^oidc-provider\//, '');
        if (providerHostPath && providerHostPath !== issuerHostPath(cluster.oidcIssuerUrl)) {
          v.problem(`${prop}.oidcProviderArn`, `is for ${providerHostPath}, not for the issuer ${issuerHostPath(cluster.oidcIssuerUrl)}`);
        }
        if (arn && account && arn.account !== account) {
          v.problem(`${prop}.oidcProviderArn`, `is in account ${arn.account}; a role can only trust an OIDC provider of its own account (${account})`);
        }
      }
    });
  }

  private warnIfWorkspaceInOtherAccount(account: string | undefined): void {
    if (!account || Token.isUnresolved(this.workspaceArn)) return;
    const workspaceAccount = parseArn(this.workspaceArn)?.account;
    if (workspaceAccount && workspaceAccount !== account) {
      warn(this, 'workspaceInOtherAccount',
        `The workspace is in account ${workspaceAccount} but this role is in ${account}. Deploy IrsaRemoteWriteRole in the workspace's account: an identity policy alone cannot grant aps:RemoteWrite on another account's workspace.`,
      );
    }
  }

  private warnAboutWildcards(sources: IrsaTrustSource[]): void {
    const patterns = [...new Set(sources.flatMap((s) => s.serviceAccounts.filter(isWildcard).map((sa) => `${sa.namespace}/${sa.name}`)))];
    if (patterns.length > 0) {
      warn(this, 'wildcardServiceAccount',
        `The trust accepts service-account patterns (${patterns.join(', ')}): every matching service account may write to the workspace. List exact names for least privilege.`,
      );
    }
  }
}

function checkServiceAccounts(v: PropsValidator, prop: string, serviceAccounts: ServiceAccountRef[]): void {
  if (!v.required(prop, serviceAccounts)) return;
  v.list(prop, serviceAccounts, 'object').forEach((sa, i) => {
    v.serviceAccount(`${prop}[${i}]`, sa, K8S_SERVICE_ACCOUNT_PATTERN);
  });
}

function workspaceId(workspaceArn: string): string {
  return Token.isUnresolved(workspaceArn) ? 'the AMP workspace' : workspaceArn.split('/').pop()!;
}

function defaultRoleName(workspaceArn: string): string {
  return roleNameFromParts(['amp-remote-write', workspaceId(workspaceArn)]);
}

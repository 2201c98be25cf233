/**
 * A reconciler's calls to IAM, EKS and CloudFormation, each retried on throttling. Clients are
 * passed in (one EKS client per region), so tests give fakes. Shared by every reconciler.
 */
import { CloudFormationClient, DescribeStackResourceCommand, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import {
  CreatePodIdentityAssociationCommand, DeletePodIdentityAssociationCommand, DescribeClusterCommand, DescribePodIdentityAssociationCommand, EKSClient,
  ListAddonsCommand, ListClustersCommand, ListPodIdentityAssociationsCommand, ResourceNotFoundException, UpdatePodIdentityAssociationCommand,
} from '@aws-sdk/client-eks';
import {
  CreateRoleCommand, DeleteRoleCommand, DeleteRolePolicyCommand, DetachRolePolicyCommand, GetAccountAuthorizationDetailsCommand, GetRoleCommand,
  GetRolePolicyCommand, IAMClient, RoleDetail,
  AttachedPolicy, ListAttachedRolePoliciesCommand, ListOpenIDConnectProvidersCommand, ListRolePoliciesCommand, NoSuchEntityException,
  PutRolePolicyCommand, UntagRoleCommand, UpdateAssumeRolePolicyCommand,
} from '@aws-sdk/client-iam';
import { mapWithConcurrency, RetryOptions, withRetry } from './concurrency';
import { ActualAssociation, AssociationAction } from './plan-associations';
import { Action, ActualRole, DesiredRole, RoleScheme } from './plan-roles';
import { decodeTrustDocument } from '../policy-document';

/** An EKS cluster found by a scan. */
export interface Cluster {
  readonly name: string;
  readonly region: string;
  readonly arn: string;
  /** The OIDC issuer URL; absent for a cluster without one. */
  readonly issuer?: string;
  /** The names of its EKS add-ons, when the scan asked for them. */
  readonly addons?: readonly string[];
}

export interface Clients {
  readonly iam: IAMClient;
  readonly eks: (region: string) => EKSClient;
  /** Only to confirm that a Delete comes from CloudFormation. */
  readonly cfn: CloudFormationClient;
}

export class SyncIo {
  constructor(
    protected readonly clients: Clients,
    private readonly retry: RetryOptions,
    private readonly log: (entry: Record<string, unknown>) => void,
  ) {}

  /** The stack's status, as CloudFormation reports it. */
  async stackStatus(stackId: string): Promise<string | undefined> {
    const { Stacks } = await this.call(() => this.clients.cfn.send(new DescribeStacksCommand({ StackName: stackId })));
    return Stacks?.[0]?.StackStatus;
  }

  /** One resource of the stack as CloudFormation reports it: its status and physical ID. */
  async stackResource(stackId: string, logicalResourceId: string): Promise<{ status?: string; physicalId?: string }> {
    const describe = new DescribeStackResourceCommand({ StackName: stackId, LogicalResourceId: logicalResourceId });
    const { StackResourceDetail: r } = await this.call(() => this.clients.cfn.send(describe));
    return { status: r?.ResourceStatus, physicalId: r?.PhysicalResourceId };
  }

  /** Every cluster of a region (ListClusters followed to its last page). */
  async listClusterNames(region: string): Promise<string[]> {
    const names: string[] = [];
    let nextToken: string | undefined;
    do {
      const page = await this.call(() => this.clients.eks(region).send(new ListClustersCommand({ nextToken })));
      names.push(...(page.clusters ?? []));
      nextToken = page.nextToken;
    } while (nextToken);
    return names;
  }

  /** A cluster, or undefined when it was deleted since ListClusters named it. */
  async describeCluster(region: string, name: string): Promise<Cluster | undefined> {
    try {
      const { cluster } = await this.call(() => this.clients.eks(region).send(new DescribeClusterCommand({ name })));
      return { name, region, arn: cluster!.arn!, issuer: cluster!.identity?.oidc?.issuer };
    } catch (error) {
      if (error instanceof ResourceNotFoundException) return undefined;
      throw error;
    }
  }

  /**
   * The names of a cluster's EKS add-ons (ListAddons followed to its last page), or undefined when
   * the cluster was deleted since DescribeCluster found it.
   */
  async listAddons(region: string, clusterName: string): Promise<string[] | undefined> {
    const names: string[] = [];
    let nextToken: string | undefined;
    try {
      do {
        const page = await this.call(() => this.clients.eks(region).send(new ListAddonsCommand({ clusterName, nextToken })));
        names.push(...(page.addons ?? []));
        nextToken = page.nextToken;
      } while (nextToken);
    } catch (error) {
      if (error instanceof ResourceNotFoundException) return undefined;
      throw error;
    }
    return names;
  }

  /** Every Pod Identity association of a cluster, with its roles and tags (one Describe each: List returns neither). */
  async listAssociations(region: string, clusterName: string, limit: number): Promise<ActualAssociation[]> {
    const ids: string[] = [];
    let nextToken: string | undefined;
    do {
      const page = await this.call(() => this.clients.eks(region).send(new ListPodIdentityAssociationsCommand({ clusterName, nextToken })));
      ids.push(...(page.associations ?? []).map((a) => a.associationId!));
      nextToken = page.nextToken;
    } while (nextToken);
    const read = await mapWithConcurrency(ids, limit, async (associationId): Promise<ActualAssociation | undefined> => {
      try {
        const describe = new DescribePodIdentityAssociationCommand({ clusterName, associationId });
        const { association: a } = await this.call(() => this.clients.eks(region).send(describe));
        return {
          region,
          clusterName,
          associationId,
          namespace: a!.namespace!,
          serviceAccount: a!.serviceAccount!,
          roleArn: a!.roleArn!,
          targetRoleArn: a!.targetRoleArn || undefined,
          tags: a!.tags ?? {},
        };
      } catch (error) {
        // Deleted since the list named it: not there.
        if (error instanceof ResourceNotFoundException) return undefined;
        throw error;
      }
    });
    return read.filter((a): a is ActualAssociation => a !== undefined);
  }

  async applyAssociation(action: AssociationAction): Promise<void> {
    switch (action.kind) {
      case 'create-association': {
        const a = action.association;
        await this.call(() => this.clients.eks(a.region).send(new CreatePodIdentityAssociationCommand({
          clusterName: a.clusterName,
          namespace: a.namespace,
          serviceAccount: a.serviceAccount,
          roleArn: a.roleArn,
          ...(a.targetRoleArn ? { targetRoleArn: a.targetRoleArn } : {}),
          tags: a.tags,
        })));
        break;
      }
      case 'update-association': {
        const a = action.association;
        await this.call(() => this.clients.eks(a.region).send(new UpdatePodIdentityAssociationCommand({
          clusterName: a.clusterName, associationId: action.associationId, roleArn: a.roleArn, targetRoleArn: a.targetRoleArn,
        })));
        break;
      }
      case 'replace-association': {
        const a = action.association;
        await this.applyAssociation({ kind: 'delete-association', region: a.region, clusterName: a.clusterName, associationId: action.associationId, serviceAccount: a.serviceAccount });
        await this.applyAssociation({ kind: 'create-association', association: a });
        break;
      }
      case 'delete-association':
        try {
          const remove = new DeletePodIdentityAssociationCommand({ clusterName: action.clusterName, associationId: action.associationId });
          await this.call(() => this.clients.eks(action.region).send(remove));
        } catch (error) {
          if (!(error instanceof ResourceNotFoundException)) throw error;
        }
        break;
      case 'skip':
        break;
    }
  }

  /** Host paths of the IAM OIDC providers registered in the account. */
  async oidcProviderHostPaths(): Promise<Set<string>> {
    const { OpenIDConnectProviderList } = await this.call(() => this.clients.iam.send(new ListOpenIDConnectProvidersCommand({})));
    return new Set((OpenIDConnectProviderList ?? []).map((p) => p.Arn!.split(':oidc-provider/')[1]));
  }

  /**
   * A role with its trust, tags, boundary and policies, or undefined when it does not exist, also
   * when it disappears while being read (a concurrent run deleting an orphan).
   */
  async readRole(roleName: string): Promise<ActualRole | undefined> {
    try {
      return await this.readExistingRole(roleName);
    } catch (error) {
      if (error instanceof NoSuchEntityException) return undefined;
      throw error;
    }
  }

  /**
   * Every role at exactly one of `paths`, read in full, and those nested deeper (path + name), from
   * GetAccountAuthorizationDetails pages: each page holds up to 1,000 roles of the account with their
   * trust, tags, boundary, inline policy documents and attached policies, all that `readRole` reads
   * with four calls per role (issue 24 item 6). The same facts, so drift is found the same way: a hand
   * edit of a trust or inline policy, an extra inline policy, an attached policy, a changed tag or
   * boundary. IAM has no path filter for this call: roles elsewhere in the account are skipped here.
   * (ListRoles has one, but returns neither tags, boundary nor policies.) Container cost's default
   * reads per role instead (src/container-cost/role-sync/per-role-io.ts), without this account-wide read.
   */
  async rolesUnder(paths: readonly string[]): Promise<{ roles: ActualRole[]; nested: Array<{ path: string; role: string }> }> {
    const roles: ActualRole[] = [];
    const nested: Array<{ path: string; role: string }> = [];
    let marker: string | undefined;
    do {
      const request = new GetAccountAuthorizationDetailsCommand({ Filter: ['Role'], MaxItems: 1000, Marker: marker });
      const page = await this.call(() => this.clients.iam.send(request));
      for (const detail of page.RoleDetailList ?? []) {
        const under = paths.find((path) => detail.Path!.startsWith(path));
        if (under === undefined) continue;
        if (detail.Path === under) roles.push(fromRoleDetail(detail));
        else nested.push({ path: under, role: `${detail.Path}${detail.RoleName}` });
      }
      marker = page.IsTruncated ? page.Marker : undefined;
    } while (marker);
    return { roles, nested };
  }

  /** Whether the reconciler's own role still carries the tag that lets runs create roles (the Delete handler removes it first). */
  async acceptsNewRoles(reconcilerRoleName: string, tagKey: string): Promise<boolean> {
    const { Role } = await this.call(() => this.clients.iam.send(new GetRoleCommand({ RoleName: reconcilerRoleName })));
    return (Role?.Tags ?? []).some((t) => t.Key === tagKey);
  }

  /** Removes that tag: from now on no run creates a role, and one that just did deletes it again. */
  async stopAcceptingNewRoles(reconcilerRoleName: string, tagKey: string): Promise<void> {
    await this.call(() => this.clients.iam.send(new UntagRoleCommand({ RoleName: reconcilerRoleName, TagKeys: [tagKey] })));
  }

  private async readExistingRole(roleName: string): Promise<ActualRole> {
    const role = (await this.call(() => this.clients.iam.send(new GetRoleCommand({ RoleName: roleName })))).Role!;
    const policies: Array<{ PolicyName: string; PolicyDocument: string }> = [];
    let marker: string | undefined;
    do {
      const page = await this.call(() => this.clients.iam.send(new ListRolePoliciesCommand({ RoleName: roleName, Marker: marker })));
      for (const policyName of page.PolicyNames ?? []) {
        const request = new GetRolePolicyCommand({ RoleName: roleName, PolicyName: policyName });
        const { PolicyDocument } = await this.call(() => this.clients.iam.send(request));
        policies.push({ PolicyName: policyName, PolicyDocument: PolicyDocument! });
      }
      marker = page.IsTruncated ? page.Marker : undefined;
    } while (marker);
    const attachedPolicies: AttachedPolicy[] = [];
    do {
      const page = await this.call(() => this.clients.iam.send(new ListAttachedRolePoliciesCommand({ RoleName: roleName, Marker: marker })));
      attachedPolicies.push(...(page.AttachedPolicies ?? []));
      marker = page.IsTruncated ? page.Marker : undefined;
    } while (marker);
    return fromRoleDetail({ ...role, RolePolicyList: policies, AttachedManagedPolicies: attachedPolicies });
  }

  async apply(action: Action, scheme: RoleScheme): Promise<void> {
    const writePolicyName = scheme.policyName;
    const iam = this.clients.iam;
    switch (action.kind) {
      case 'create':
        await this.call(() => iam.send(new CreateRoleCommand({
          RoleName: action.role.roleName,
          Path: action.role.path,
          AssumeRolePolicyDocument: JSON.stringify(action.role.trust),
          Description: scheme.describe(action.role.clusterArn),
          PermissionsBoundary: action.role.boundaryArn,
          Tags: tagList(action.role),
        })));
        await this.putPolicy(action.role, writePolicyName);
        break;
      case 'detach-policy':
        await ignoreMissing(this.call(() => iam.send(new DetachRolePolicyCommand({ RoleName: action.roleName, PolicyArn: action.policyArn }))));
        break;
      case 'update-trust':
        await this.call(() => iam.send(new UpdateAssumeRolePolicyCommand({
          RoleName: action.role.roleName,
          PolicyDocument: JSON.stringify(action.role.trust),
        })));
        break;
      case 'update-policy':
        await this.putPolicy(action.role, writePolicyName);
        break;
      case 'delete-extra-policy':
        await this.call(() => iam.send(new DeleteRolePolicyCommand({ RoleName: action.roleName, PolicyName: action.policyName })));
        break;
      case 'delete':
        // Gone already (a concurrent run, or a person) is the outcome we want.
        for (const policyArn of action.attachedPolicies) {
          await ignoreMissing(this.call(() => iam.send(new DetachRolePolicyCommand({ RoleName: action.roleName, PolicyArn: policyArn }))));
        }
        for (const policyName of action.policyNames) {
          await ignoreMissing(this.call(() => iam.send(new DeleteRolePolicyCommand({ RoleName: action.roleName, PolicyName: policyName }))));
        }
        await ignoreMissing(this.call(() => iam.send(new DeleteRoleCommand({ RoleName: action.roleName }))));
        break;
      case 'skip':
      case 'conflict':
        break;
    }
  }

  private async putPolicy(role: DesiredRole, policyName: string): Promise<void> {
    await this.call(() => this.clients.iam.send(new PutRolePolicyCommand({
      RoleName: role.roleName,
      PolicyName: policyName,
      PolicyDocument: JSON.stringify(role.policy),
    })));
  }

  protected call<T>(fn: () => Promise<T>): Promise<T> {
    return withRetry(fn, this.retry, (attempt, error) => this.log({ action: 'retry', attempt, error: (error as Error).name }));
  }
}

/** A role as the planner sees it, from a GetAccountAuthorizationDetails page or `readRole`'s reads. */
function fromRoleDetail(detail: RoleDetail): ActualRole {
  return {
    roleName: detail.RoleName!,
    path: detail.Path!,
    trust: decodeTrustDocument(detail.AssumeRolePolicyDocument!),
    tags: Object.fromEntries((detail.Tags ?? []).map((t) => [t.Key!, t.Value!])),
    policies: Object.fromEntries((detail.RolePolicyList ?? []).map((p) => [p.PolicyName!, decodeTrustDocument(p.PolicyDocument!)])),
    attachedPolicies: (detail.AttachedManagedPolicies ?? []).map((p) => p.PolicyArn!),
    boundaryArn: detail.PermissionsBoundary?.PermissionsBoundaryArn,
  };
}

function tagList(role: DesiredRole) {
  return Object.entries(role.tags).map(([Key, Value]) => ({ Key, Value }));
}

async function ignoreMissing(call: Promise<unknown>): Promise<void> {
  try {
    await call;
  } catch (error) {
    if (!(error instanceof NoSuchEntityException)) throw error;
  }
}

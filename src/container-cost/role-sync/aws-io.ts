/**
 * The reconciler's calls to IAM and EKS, each retried on throttling and logged as one JSON line
 * per change. Clients are passed in (one EKS client per region), so tests give fakes.
 */
import { DescribeClusterCommand, EKSClient, ListClustersCommand } from '@aws-sdk/client-eks';
import {
  CreateRoleCommand, DeleteRoleCommand, DeleteRolePolicyCommand, GetRoleCommand, GetRolePolicyCommand, IAMClient, ListOpenIDConnectProvidersCommand,
  ListRolePoliciesCommand, ListRolesCommand, NoSuchEntityException, PutRolePolicyCommand, TagRoleCommand, UpdateAssumeRolePolicyCommand,
} from '@aws-sdk/client-iam';
import { RetryOptions, withRetry } from './concurrency';
import { Cluster, DesiredRole } from './desired';
import { Action, ActualRole } from './plan';
import { decodeTrustDocument } from '../../core/policy-document';

export interface Clients {
  readonly iam: IAMClient;
  readonly eks: (region: string) => EKSClient;
}

export class SyncIo {
  constructor(
    private readonly clients: Clients,
    private readonly retry: RetryOptions,
    private readonly log: (entry: Record<string, unknown>) => void,
  ) {}

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

  async describeCluster(region: string, name: string): Promise<Cluster> {
    const { cluster } = await this.call(() => this.clients.eks(region).send(new DescribeClusterCommand({ name })));
    return { name, region, arn: cluster!.arn!, issuer: cluster!.identity?.oidc?.issuer };
  }

  /** Host paths of the IAM OIDC providers registered in the account. */
  async oidcProviderHostPaths(): Promise<Set<string>> {
    const { OpenIDConnectProviderList } = await this.call(() => this.clients.iam.send(new ListOpenIDConnectProvidersCommand({})));
    return new Set((OpenIDConnectProviderList ?? []).map((p) => p.Arn!.split(':oidc-provider/')[1]));
  }

  /** Names of the roles under a path (ListRoles followed to its last page; it returns no tags). */
  async roleNamesUnder(path: string): Promise<string[]> {
    const names: string[] = [];
    let marker: string | undefined;
    do {
      const page = await this.call(() => this.clients.iam.send(new ListRolesCommand({ PathPrefix: path, Marker: marker })));
      names.push(...(page.Roles ?? []).filter((r) => r.Path === path).map((r) => r.RoleName!));
      marker = page.IsTruncated ? page.Marker : undefined;
    } while (marker);
    return names;
  }

  /** A role with its trust, tags and inline policies, or undefined when it does not exist. */
  async readRole(roleName: string): Promise<ActualRole | undefined> {
    let role;
    try {
      role = (await this.call(() => this.clients.iam.send(new GetRoleCommand({ RoleName: roleName })))).Role!;
    } catch (error) {
      if (error instanceof NoSuchEntityException) return undefined;
      throw error;
    }
    const policies: Record<string, unknown> = {};
    let marker: string | undefined;
    do {
      const page = await this.call(() => this.clients.iam.send(new ListRolePoliciesCommand({ RoleName: roleName, Marker: marker })));
      for (const policyName of page.PolicyNames ?? []) {
        const request = new GetRolePolicyCommand({ RoleName: roleName, PolicyName: policyName });
        const { PolicyDocument } = await this.call(() => this.clients.iam.send(request));
        policies[policyName] = decodeTrustDocument(PolicyDocument!);
      }
      marker = page.IsTruncated ? page.Marker : undefined;
    } while (marker);
    return {
      roleName: role.RoleName!,
      path: role.Path!,
      trust: decodeTrustDocument(role.AssumeRolePolicyDocument!),
      tags: Object.fromEntries((role.Tags ?? []).map((t) => [t.Key!, t.Value!])),
      policies,
    };
  }

  async apply(action: Action, writePolicyName: string): Promise<void> {
    const iam = this.clients.iam;
    switch (action.kind) {
      case 'create':
        await this.call(() => iam.send(new CreateRoleCommand({
          RoleName: action.role.roleName,
          Path: action.role.path,
          AssumeRolePolicyDocument: JSON.stringify(action.role.trust),
          Description: `Container cost agent of ${action.role.clusterArn}`,
          Tags: tagList(action.role),
        })));
        await this.putPolicy(action.role, writePolicyName);
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
      case 'tag':
        await this.call(() => iam.send(new TagRoleCommand({ RoleName: action.role.roleName, Tags: tagList(action.role) })));
        break;
      case 'delete':
        // Gone already (a concurrent run, or a person) is the outcome we want.
        for (const policyName of action.policyNames) {
          await ignoreMissing(this.call(() => iam.send(new DeleteRolePolicyCommand({ RoleName: action.roleName, PolicyName: policyName }))));
        }
        await ignoreMissing(this.call(() => iam.send(new DeleteRoleCommand({ RoleName: action.roleName }))));
        break;
      case 'skip':
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

  private call<T>(fn: () => Promise<T>): Promise<T> {
    return withRetry(fn, this.retry, (attempt, error) => this.log({ action: 'retry', attempt, error: (error as Error).name }));
  }
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

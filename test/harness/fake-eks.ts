/**
 * A stateful in-memory EKS, per region, on aws-sdk-client-mock: ListClusters with nextToken
 * pagination, DescribeCluster with ResourceNotFound, each cluster's add-ons (ListAddons, paginated)
 * and EKS Pod Identity associations (List, paginated, returning summaries without roles or tags as
 * EKS does; Describe; Create, refused with ResourceInUse when the service account already has one;
 * Update; Delete; ResourceNotFound for unknown clusters and IDs), and injectable faults and hooks
 * per region or per cluster (AccessDenied for a region an SCP blocks, throttling, a concurrent change).
 */
import {
  CreatePodIdentityAssociationCommand, DeletePodIdentityAssociationCommand, DescribeClusterCommand, DescribePodIdentityAssociationCommand,
  EKSClient, EKSServiceException, ListAddonsCommand, ListClustersCommand, ListPodIdentityAssociationsCommand, ResourceInUseException,
  ResourceNotFoundException, UpdatePodIdentityAssociationCommand,
} from '@aws-sdk/client-eks';
import { AwsStub, mockClient } from 'aws-sdk-client-mock';

export interface FakeCluster {
  name: string;
  issuer?: string;
  /** Names of its EKS add-ons, in the order ListAddons returns them. */
  addons?: string[];
}

/** A Pod Identity association as EKS keeps it. */
export interface FakeAssociation {
  readonly associationId: string;
  readonly associationArn: string;
  readonly clusterName: string;
  readonly namespace: string;
  readonly serviceAccount: string;
  roleArn: string;
  targetRoleArn?: string;
  externalId?: string;
  tags: Record<string, string>;
}

/** What a hand-made association (state that existed before the code under test ran) is made of. */
export interface AssociationSeed {
  namespace: string;
  serviceAccount: string;
  roleArn: string;
  targetRoleArn?: string;
  tags?: Record<string, string>;
}

type Fault = () => Error;

/** Commands that change state (for `writes()`). */
const WRITES = new Set(['CreatePodIdentityAssociation', 'UpdatePodIdentityAssociation', 'DeletePodIdentityAssociation']);

export class FakeEks {
  /** Clusters by region. */
  readonly regions = new Map<string, FakeCluster[]>();
  /** Every call, as "Command(region)", or "Command(region/cluster)" for a cluster's add-ons and associations. */
  readonly calls: string[] = [];
  readonly stub: AwsStub<any, any, any>;
  pageSize = 3;
  latencyMs = 0;
  private readonly faults = new Map<string, Fault[]>();
  private readonly hooks = new Map<string, Array<() => void | Promise<void>>>();
  /** Associations by "region/cluster". */
  private readonly associationsByCluster = new Map<string, FakeAssociation[]>();
  private nextAssociation = 1;

  constructor(private readonly account = '222222222222', private readonly partition = 'aws') {
    this.stub = mockClient(EKSClient);
    this.stub.on(ListClustersCommand).callsFake(async (input: any, getClient: () => EKSClient) => {
      const region = await this.enter('ListClusters', getClient());
      const names = (this.regions.get(region) ?? []).map((c) => c.name).sort();
      return this.page(names, input.nextToken, undefined, (clusters) => ({ clusters }));
    });
    this.stub.on(DescribeClusterCommand).callsFake(async (input: any, getClient: () => EKSClient) => {
      const region = await this.enter('DescribeCluster', getClient());
      const cluster = this.findCluster(region, input.name);
      if (!cluster) throw new ResourceNotFoundException({ message: `No cluster found for name: ${input.name}.`, $metadata: {} });
      return {
        cluster: {
          name: cluster.name,
          arn: this.clusterArn(region, cluster.name),
          ...(cluster.issuer ? { identity: { oidc: { issuer: cluster.issuer } } } : {}),
        },
      };
    });
    this.stub.on(ListAddonsCommand).callsFake(async (input: any, getClient: () => EKSClient) => {
      const region = await this.enter('ListAddons', getClient(), input.clusterName);
      const cluster = this.cluster(region, input.clusterName);
      return this.page([...(cluster.addons ?? [])], input.nextToken, input.maxResults, (addons) => ({ addons }));
    });
    this.stub.on(ListPodIdentityAssociationsCommand).callsFake(async (input: any, getClient: () => EKSClient) => {
      const region = await this.enter('ListPodIdentityAssociations', getClient(), input.clusterName);
      this.cluster(region, input.clusterName);
      const matching = this.associations(region, input.clusterName)
        .filter((a) => input.namespace === undefined || a.namespace === input.namespace)
        .filter((a) => input.serviceAccount === undefined || a.serviceAccount === input.serviceAccount);
      // Like EKS, a summary carries no role ARNs and no tags: DescribePodIdentityAssociation does.
      return this.page(matching, input.nextToken, input.maxResults, (page) => ({
        associations: page.map((a) => ({
          clusterName: a.clusterName,
          namespace: a.namespace,
          serviceAccount: a.serviceAccount,
          associationArn: a.associationArn,
          associationId: a.associationId,
        })),
      }));
    });
    this.stub.on(DescribePodIdentityAssociationCommand).callsFake(async (input: any, getClient: () => EKSClient) => {
      const region = await this.enter('DescribePodIdentityAssociation', getClient(), input.clusterName);
      return { association: describe(this.associationById(region, input.clusterName, input.associationId)) };
    });
    this.stub.on(CreatePodIdentityAssociationCommand).callsFake(async (input: any, getClient: () => EKSClient) => {
      const region = await this.enter('CreatePodIdentityAssociation', getClient(), input.clusterName);
      this.cluster(region, input.clusterName);
      const association = this.insert(region, input.clusterName, input);
      return { association: describe(association) };
    });
    this.stub.on(UpdatePodIdentityAssociationCommand).callsFake(async (input: any, getClient: () => EKSClient) => {
      const region = await this.enter('UpdatePodIdentityAssociation', getClient(), input.clusterName);
      const association = this.associationById(region, input.clusterName, input.associationId);
      if (input.roleArn !== undefined) association.roleArn = input.roleArn;
      if (input.targetRoleArn !== undefined) {
        // An empty target role removes role chaining.
        association.targetRoleArn = input.targetRoleArn || undefined;
        association.externalId = input.targetRoleArn ? association.externalId ?? `ext-${association.associationId}` : undefined;
      }
      return { association: describe(association) };
    });
    this.stub.on(DeletePodIdentityAssociationCommand).callsFake(async (input: any, getClient: () => EKSClient) => {
      const region = await this.enter('DeletePodIdentityAssociation', getClient(), input.clusterName);
      const association = this.associationById(region, input.clusterName, input.associationId);
      const key = `${region}/${input.clusterName}`;
      this.associationsByCluster.set(key, this.associations(region, input.clusterName).filter((a) => a !== association));
      return { association: describe(association) };
    });
  }

  addCluster(region: string, cluster: FakeCluster): void {
    this.regions.set(region, [...(this.regions.get(region) ?? []), cluster]);
  }

  /** Removes a cluster, and with it its associations (as EKS does). */
  removeCluster(region: string, name: string): void {
    this.regions.set(region, (this.regions.get(region) ?? []).filter((c) => c.name !== name));
    this.associationsByCluster.delete(`${region}/${name}`);
  }

  /** Installs an add-on on a cluster (state changed outside the code under test). */
  addAddon(region: string, clusterName: string, addonName: string): void {
    const cluster = this.cluster(region, clusterName);
    cluster.addons = [...(cluster.addons ?? []).filter((a) => a !== addonName), addonName];
  }

  removeAddon(region: string, clusterName: string, addonName: string): void {
    const cluster = this.cluster(region, clusterName);
    cluster.addons = (cluster.addons ?? []).filter((a) => a !== addonName);
  }

  /** Adds an association directly (a hand-made one); refused, as EKS would, when the service account already has one. */
  addAssociation(region: string, clusterName: string, seed: AssociationSeed): FakeAssociation {
    this.cluster(region, clusterName);
    return this.insert(region, clusterName, seed);
  }

  /** The associations of a cluster, as EKS holds them (live objects: tests may change them as a person would). */
  associations(region: string, clusterName: string): FakeAssociation[] {
    return this.associationsByCluster.get(`${region}/${clusterName}`) ?? [];
  }

  /** Every association of a region, by cluster. */
  associationsIn(region: string): FakeAssociation[] {
    return (this.regions.get(region) ?? []).flatMap((c) => this.associations(region, c.name));
  }

  /** The association of a service account in a cluster, if any. */
  association(region: string, clusterName: string, namespace: string, serviceAccount: string): FakeAssociation | undefined {
    return this.associations(region, clusterName).find((a) => a.namespace === namespace && a.serviceAccount === serviceAccount);
  }

  /** Makes the next `times` calls of a command in a region (for one cluster, if named) fail. */
  failNext(command: string, region: string, error: Fault, times = 1, clusterName?: string): void {
    const key = faultKey(command, region, clusterName);
    this.faults.set(key, [...(this.faults.get(key) ?? []), ...Array(times).fill(error)]);
  }

  /**
   * Runs `fn` once (awaited, so it may be a whole concurrent handler run), just before the next call
   * of a command in a region (for one cluster, if named), then lets the call proceed: a concurrent change.
   */
  beforeNext(command: string, region: string, fn: () => void | Promise<void>, clusterName?: string): void {
    const key = faultKey(command, region, clusterName);
    this.hooks.set(key, [...(this.hooks.get(key) ?? []), fn]);
  }

  /** Calls that change state. */
  writes(): string[] {
    return this.calls.filter((c) => WRITES.has(c.split('(')[0]));
  }

  restore(): void {
    this.stub.restore();
  }

  private async enter(command: string, client: EKSClient, clusterName?: string): Promise<string> {
    const region = await client.config.region();
    this.calls.push(clusterName === undefined ? `${command}(${region})` : `${command}(${region}/${clusterName})`);
    if (this.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, this.latencyMs));
    // One cluster's queue first, then the region's.
    const next = <T>(queues: Map<string, T[]>): T | undefined => {
      const forCluster = clusterName === undefined ? undefined : queues.get(faultKey(command, region, clusterName))?.shift();
      return forCluster ?? queues.get(faultKey(command, region))?.shift();
    };
    await next(this.hooks)?.();
    const fault = next(this.faults);
    if (fault) throw fault();
    return region;
  }

  private insert(region: string, clusterName: string, seed: AssociationSeed): FakeAssociation {
    const existing = this.association(region, clusterName, seed.namespace, seed.serviceAccount);
    if (existing) {
      throw new ResourceInUseException({ message: `Association already exists: ${existing.associationId}`, $metadata: {}, clusterName });
    }
    const associationId = `a-${(this.nextAssociation++).toString(36).padStart(17, '0')}`;
    const association: FakeAssociation = {
      associationId,
      associationArn: `arn:${this.partition}:eks:${region}:${this.account}:podidentityassociation/${clusterName}/${associationId}`,
      clusterName,
      namespace: seed.namespace,
      serviceAccount: seed.serviceAccount,
      roleArn: seed.roleArn,
      ...(seed.targetRoleArn ? { targetRoleArn: seed.targetRoleArn, externalId: `ext-${associationId}` } : {}),
      tags: { ...(seed.tags ?? {}) },
    };
    this.associationsByCluster.set(`${region}/${clusterName}`, [...this.associations(region, clusterName), association]);
    return association;
  }

  private findCluster(region: string, name: string): FakeCluster | undefined {
    return (this.regions.get(region) ?? []).find((c) => c.name === name);
  }

  private cluster(region: string, name: string): FakeCluster {
    const cluster = this.findCluster(region, name);
    if (!cluster) throw eksClusterNotFound(name);
    return cluster;
  }

  private associationById(region: string, clusterName: string, associationId: string): FakeAssociation {
    this.cluster(region, clusterName);
    const association = this.associations(region, clusterName).find((a) => a.associationId === associationId);
    if (!association) throw new ResourceNotFoundException({ message: `No Pod Identity Association found for id: ${associationId}.`, $metadata: {} });
    return association;
  }

  private clusterArn(region: string, name: string): string {
    return `arn:${this.partition}:eks:${region}:${this.account}:cluster/${name}`;
  }

  private page<T, R>(items: T[], nextToken: string | undefined, maxResults: number | undefined, wrap: (page: T[]) => R): R & { nextToken?: string } {
    const start = nextToken ? Number(nextToken) : 0;
    const next = start + (maxResults ?? this.pageSize);
    return { ...wrap(items.slice(start, next)), ...(next < items.length ? { nextToken: String(next) } : {}) };
  }
}

function faultKey(command: string, region: string, clusterName?: string): string {
  return clusterName === undefined ? `${command}@${region}` : `${command}@${region}/${clusterName}`;
}

/** What Describe/Create/Update/Delete return: a copy, so callers never hold the fake's state. */
function describe(a: FakeAssociation) {
  return {
    clusterName: a.clusterName,
    namespace: a.namespace,
    serviceAccount: a.serviceAccount,
    roleArn: a.roleArn,
    associationArn: a.associationArn,
    associationId: a.associationId,
    tags: { ...a.tags },
    createdAt: new Date(0),
    modifiedAt: new Date(0),
    disableSessionTags: false,
    ...(a.targetRoleArn ? { targetRoleArn: a.targetRoleArn, externalId: a.externalId } : {}),
  };
}

export function eksAccessDenied(): Error {
  return new EKSServiceException({ name: 'AccessDeniedException', $fault: 'client', message: 'explicit deny in a service control policy', $metadata: { httpStatusCode: 403 } });
}

export function eksThrottling(): Error {
  return new EKSServiceException({ name: 'ThrottlingException', $fault: 'client', message: 'Rate exceeded', $metadata: { httpStatusCode: 429 } });
}

/** What DescribeCluster says for a cluster deleted since ListClusters named it. */
export function eksClusterNotFound(name = 'gone'): Error {
  return new ResourceNotFoundException({ message: `No cluster found for name: ${name}.`, $metadata: {} });
}

/**
 * A stateful in-memory EKS, per region, on aws-sdk-client-mock: ListClusters with nextToken
 * pagination, DescribeCluster with ResourceNotFound, and injectable faults per region
 * (AccessDenied for a region an SCP blocks, throttling).
 */
import { DescribeClusterCommand, EKSClient, EKSServiceException, ListClustersCommand, ResourceNotFoundException } from '@aws-sdk/client-eks';
import { AwsStub, mockClient } from 'aws-sdk-client-mock';

export interface FakeCluster {
  name: string;
  issuer?: string;
}

export class FakeEks {
  /** Clusters by region. */
  readonly regions = new Map<string, FakeCluster[]>();
  /** Every call, as "Command(region)". */
  readonly calls: string[] = [];
  readonly stub: AwsStub<any, any, any>;
  pageSize = 3;
  latencyMs = 0;
  private readonly faults = new Map<string, Array<() => Error>>();

  constructor(private readonly account = '222222222222', private readonly partition = 'aws') {
    this.stub = mockClient(EKSClient);
    this.stub.on(ListClustersCommand).callsFake(async (input: any, getClient: () => EKSClient) => {
      const region = await this.enter('ListClusters', getClient());
      const names = (this.regions.get(region) ?? []).map((c) => c.name).sort();
      const start = input.nextToken ? Number(input.nextToken) : 0;
      const next = start + this.pageSize;
      return { clusters: names.slice(start, next), ...(next < names.length ? { nextToken: String(next) } : {}) };
    });
    this.stub.on(DescribeClusterCommand).callsFake(async (input: any, getClient: () => EKSClient) => {
      const region = await this.enter('DescribeCluster', getClient());
      const cluster = (this.regions.get(region) ?? []).find((c) => c.name === input.name);
      if (!cluster) throw new ResourceNotFoundException({ message: `No cluster found for name: ${input.name}.`, $metadata: {} });
      return {
        cluster: {
          name: cluster.name,
          arn: `arn:${this.partition}:eks:${region}:${this.account}:cluster/${cluster.name}`,
          ...(cluster.issuer ? { identity: { oidc: { issuer: cluster.issuer } } } : {}),
        },
      };
    });
  }

  addCluster(region: string, cluster: FakeCluster): void {
    this.regions.set(region, [...(this.regions.get(region) ?? []), cluster]);
  }

  removeCluster(region: string, name: string): void {
    this.regions.set(region, (this.regions.get(region) ?? []).filter((c) => c.name !== name));
  }

  /** Makes the next `times` calls of a command in a region fail. */
  failNext(command: string, region: string, error: () => Error, times = 1): void {
    const key = `${command}@${region}`;
    this.faults.set(key, [...(this.faults.get(key) ?? []), ...Array(times).fill(error)]);
  }

  restore(): void {
    this.stub.restore();
  }

  private async enter(command: string, client: EKSClient): Promise<string> {
    const region = await client.config.region();
    this.calls.push(`${command}(${region})`);
    if (this.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, this.latencyMs));
    const fault = this.faults.get(`${command}@${region}`)?.shift();
    if (fault) throw fault();
    return region;
  }
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

import * as cdk8s from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { agentRoleName, agentRolePath, clusterPrefix, userClusterPrefix, userCredentialsSecretName } from './role-sync/naming';
import { IRSA_ROLE_ANNOTATION } from '../core/k8s';
import { partitionOf } from '../core/partition';
import { ACCOUNT_ID, EKS_CLUSTER_NAME, K8S_NAME, REGION } from '../core/rules';
import { ServiceAccountRef } from '../core/service-account';
import { PropsValidator } from '../core/validation';
import { FleetNames } from '../organization/fleet-names';

/**
 * How the agent of this cluster authenticates; must match the bucket's `agentIdentity` for it.
 */
export enum ContainerCostAgentChartIdentity {
  /** The IRSA role the reconciler keeps for this cluster (the service account is annotated with it). */
  IRSA_ROLE = 'IRSA_ROLE',
  /** The cluster's IAM user (`iamUserClusters`): its access key comes from a Kubernetes Secret, never from the manifest. */
  IAM_USER = 'IAM_USER',
  /**
   * A member cluster of an `ObservabilityFleetSource` with `containerCost`, running the Pod Identity
   * agent: the fleet's association gives the service account the account's cost role (no
   * annotation). The agent writes `<account>/<region>/<cluster>/` of the organization's bucket.
   * Also the mode for a vendor's customer with `ContainerCostCustomerTemplate` (same prefix, same default
   * service account; the customer creates the Pod Identity association itself).
   */
  FLEET_POD_IDENTITY = 'FLEET_POD_IDENTITY',
  /**
   * A member cluster of a fleet with `containerCost`, without the Pod Identity agent: the service
   * account is annotated with the fleet's per-cluster IRSA role (`FleetNames.irsaRoleArn`).
   */
  FLEET_IRSA = 'FLEET_IRSA',
}

/**
 * Props of {@link ContainerCostAgentChart}. Plain values only: the chart never depends on a CDK stack.
 */
export interface ContainerCostAgentChartProps {
  /** The account of the cluster and of its `ContainerCostBucket`. */
  readonly account: string;

  /**
   * `ContainerCostBucket.ownerKey`: it places the agent roles under `/container-cost/<ownerKey>/`.
   *
   * @default - required with IRSA_ROLE and IAM_USER; refused with the fleet identities (the fleet's names are fixed)
   */
  readonly ownerKey?: string;

  /** The cluster's EKS name. */
  readonly clusterName: string;

  /** The cluster's region. */
  readonly region: string;

  /**
   * The agent's service account; must match the bucket's `agentServiceAccount`.
   *
   * @default { namespace: 'container-cost', name: 'container-cost-agent' }
   */
  readonly serviceAccount?: ServiceAccountRef;

  /**
   * How the agent authenticates.
   *
   * @default ContainerCostAgentChartIdentity.IRSA_ROLE
   */
  readonly identity?: ContainerCostAgentChartIdentity;

  /**
   * User mode: the Kubernetes Secret (in the agent's namespace) that holds the user's key as
   * `AWS_ACCESS_KEY_ID` and `AWS_SECRET_ACCESS_KEY`. The chart never writes the key: either set
   * `externalSecretStore`, or create the Secret from the Secrets Manager secret
   * `ContainerCostBucket.userCredentialsSecretName(cluster, region)` yourself.
   *
   * @default 'container-cost-agent-credentials'
   */
  readonly credentialsSecretName?: string;

  /**
   * User mode: the name of an External Secrets Operator `ClusterSecretStore` for AWS Secrets
   * Manager. When set, the chart emits an `ExternalSecret` (external-secrets.io/v1) that copies the
   * user's key from `container-cost/<ownerKey>/<user>` into `credentialsSecretName`.
   *
   * @default - no ExternalSecret; you create the Secret
   */
  readonly externalSecretStore?: string;

  /**
   * Emit the Namespace object.
   *
   * @default true
   */
  readonly createNamespace?: boolean;

  /**
   * Labels added to every object of the chart.
   *
   * @default - none
   */
  readonly labels?: { [key: string]: string };
}

/**
 * The cluster side of container cost data: the agent's ServiceAccount annotated with the role the
 * `ContainerCostBucket` reconciler keeps for this cluster, named by the very rule the reconciler uses.
 */
export class ContainerCostAgentChart extends cdk8s.Chart {
  /** The annotated role ARN (role mode only). */
  public readonly roleArn?: string;

  /**
   * The bucket prefix this cluster's agent may write: `<region>/<cluster>/`, `iam-user/<region>/<cluster>/`
   * in user mode, `<account>/<region>/<cluster>/` (of the organization's bucket) with a fleet identity.
   */
  public readonly bucketPrefix: string;

  /** User mode: the Kubernetes Secret the agent reads its access key from. */
  public readonly credentialsSecretName?: string;

  /** User mode: the Secrets Manager secret that holds the key. */
  public readonly sourceSecretName?: string;

  /**
   * @param scope the cdk8s app (or a construct in it)
   * @param id the chart ID, also the manifest file name
   * @param props the account, owner key, cluster and region
   */
  constructor(scope: Construct, id: string, propsOrNull: ContainerCostAgentChartProps) {
    const props: ContainerCostAgentChartProps = propsOrNull ?? ({} as ContainerCostAgentChartProps);
    super(scope, id, { labels: props.labels });
    const sa = props.serviceAccount ?? { namespace: 'container-cost', name: 'container-cost-agent' };
    const v = PropsValidator.forChart(`ContainerCostAgentChart '${this.node.path}'`);
    v.required('account', props.account);
    v.required('clusterName', props.clusterName);
    v.required('region', props.region);
    const userMode = props.identity === ContainerCostAgentChartIdentity.IAM_USER;
    if (props.identity !== undefined && !Object.values(ContainerCostAgentChartIdentity).includes(props.identity)) {
      v.problem('identity', `got ${JSON.stringify(props.identity)}; expected one of ${Object.values(ContainerCostAgentChartIdentity).join(', ')}`);
    }
    v.check('credentialsSecretName', props.credentialsSecretName, K8S_NAME);
    v.check('externalSecretStore', props.externalSecretStore, K8S_NAME);
    if (!userMode && (props.credentialsSecretName !== undefined || props.externalSecretStore !== undefined)) {
      v.problem(props.credentialsSecretName !== undefined ? 'credentialsSecretName' : 'externalSecretStore', 'only applies with identity IAM_USER');
    }
    v.check('account', props.account, ACCOUNT_ID);
    v.check('clusterName', props.clusterName, EKS_CLUSTER_NAME);
    v.check('region', props.region, REGION);
    v.serviceAccount('serviceAccount', sa);
    v.labels('labels', props.labels).boolean('createNamespace', props.createNamespace);
    const fleet = [ContainerCostAgentChartIdentity.FLEET_POD_IDENTITY, ContainerCostAgentChartIdentity.FLEET_IRSA].includes(props.identity!);
    if (fleet && props.ownerKey !== undefined && props.ownerKey !== null) {
      v.problem('ownerKey', `is given with identity ${props.identity}, whose roles have the fleet's fixed names; leave it out`);
    } else if (!fleet && (typeof props.ownerKey !== 'string' || !/^[a-z0-9-]{4,32}$/.test(props.ownerKey))) {
      v.problem('ownerKey', `got ${JSON.stringify(props.ownerKey)}; expected ContainerCostBucket.ownerKey (4-32 characters from a-z 0-9 -)`);
    }
    v.throwIfAny();

    if (props.createNamespace ?? true) new kplus.Namespace(this, 'Namespace', { metadata: { name: sa.namespace } });
    const partition = partitionOf(props.region).partition;
    if (fleet) {
      this.bucketPrefix = FleetNames.costPrefix(props.account, props.region, props.clusterName);
      const irsa = props.identity === ContainerCostAgentChartIdentity.FLEET_IRSA;
      if (irsa) this.roleArn = FleetNames.irsaRoleArn(partition, props.account, FleetNames.CONTAINER_COST, props.clusterName, props.region);
      new kplus.ServiceAccount(this, 'ServiceAccount', {
        metadata: { name: sa.name, namespace: sa.namespace, ...(irsa ? { annotations: { [IRSA_ROLE_ANNOTATION]: this.roleArn! } } : {}) },
        automountToken: true,
      });
      return;
    }
    const ownerKey = props.ownerKey!;
    if (!userMode) {
      this.roleArn = `arn:${partition}:iam::${props.account}:role${agentRolePath(ownerKey)}${agentRoleName(props.clusterName, props.region)}`;
      this.bucketPrefix = clusterPrefix(props.clusterName, props.region);
      new kplus.ServiceAccount(this, 'ServiceAccount', {
        metadata: { name: sa.name, namespace: sa.namespace, annotations: { [IRSA_ROLE_ANNOTATION]: this.roleArn } },
        automountToken: true,
      });
      return;
    }
    this.bucketPrefix = userClusterPrefix(props.clusterName, props.region);
    this.credentialsSecretName = props.credentialsSecretName ?? 'container-cost-agent-credentials';
    this.sourceSecretName = userCredentialsSecretName(ownerKey, props.clusterName, props.region);
    new kplus.ServiceAccount(this, 'ServiceAccount', { metadata: { name: sa.name, namespace: sa.namespace }, automountToken: false });
    if (props.externalSecretStore) {
      new cdk8s.ApiObject(this, 'Credentials', {
        apiVersion: 'external-secrets.io/v1',
        kind: 'ExternalSecret',
        metadata: { name: this.credentialsSecretName, namespace: sa.namespace },
        spec: {
          refreshInterval: '1h',
          secretStoreRef: { kind: 'ClusterSecretStore', name: props.externalSecretStore },
          target: { name: this.credentialsSecretName, creationPolicy: 'Owner' },
          // The secret's JSON keys, as ContainerCostBucket writes them.
          data: [
            { secretKey: 'AWS_ACCESS_KEY_ID', remoteRef: { key: this.sourceSecretName, property: 'accessKeyId' } },
            { secretKey: 'AWS_SECRET_ACCESS_KEY', remoteRef: { key: this.sourceSecretName, property: 'secretAccessKey' } },
          ],
        },
      });
    }
  }
}

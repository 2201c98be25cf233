import * as cdk8s from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { agentRoleName, agentRolePath } from './role-sync/naming';
import { IRSA_ROLE_ANNOTATION } from '../core/k8s';
import { partitionOf } from '../core/partition';
import { ACCOUNT_ID, EKS_CLUSTER_NAME, REGION } from '../core/rules';
import { ServiceAccountRef } from '../core/service-account';
import { PropsValidator } from '../core/validation';

/**
 * Props of {@link ContainerCostAgentChart}. Plain values only: the chart never depends on a CDK stack.
 */
export interface ContainerCostAgentChartProps {
  /** The account of the cluster and of its `ContainerCostBucket`. */
  readonly account: string;

  /** `ContainerCostBucket.ownerKey`: it places the agent roles under `/container-cost/<ownerKey>/`. */
  readonly ownerKey: string;

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
  /** The annotated role ARN. */
  public readonly roleArn: string;

  /**
   * @param scope the cdk8s app (or a construct in it)
   * @param id the chart ID, also the manifest file name
   * @param props the account, owner key, cluster and region
   */
  constructor(scope: Construct, id: string, props: ContainerCostAgentChartProps) {
    super(scope, id, { labels: props.labels });
    const sa = props.serviceAccount ?? { namespace: 'container-cost', name: 'container-cost-agent' };
    const v = PropsValidator.forChart(`ContainerCostAgentChart '${this.node.path}'`);
    v.check('account', props.account, ACCOUNT_ID);
    v.check('clusterName', props.clusterName, EKS_CLUSTER_NAME);
    v.check('region', props.region, REGION);
    v.serviceAccount('serviceAccount', sa);
    if (!/^[a-z0-9-]{4,32}$/.test(props.ownerKey ?? '')) v.problem('ownerKey', `got ${JSON.stringify(props.ownerKey)}; expected ContainerCostBucket.ownerKey (4-32 characters from a-z 0-9 -)`);
    v.throwIfAny();

    this.roleArn = `arn:${partitionOf(props.region).partition}:iam::${props.account}:role${agentRolePath(props.ownerKey)}${agentRoleName(props.clusterName, props.region)}`;
    if (props.createNamespace ?? true) new kplus.Namespace(this, 'Namespace', { metadata: { name: sa.namespace } });
    new kplus.ServiceAccount(this, 'ServiceAccount', {
      metadata: { name: sa.name, namespace: sa.namespace, annotations: { [IRSA_ROLE_ANNOTATION]: this.roleArn } },
      automountToken: true,
    });
  }
}

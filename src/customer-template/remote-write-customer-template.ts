/**
 * The customer's side of Prometheus remote write into the vendor's AMP workspace, chained (seed 001):
 * the collector's pod gets a source role of the customer's account (IRSA or EKS Pod Identity), and its
 * sigv4 client assumes the vendor's remote-write role with it. The two roles differ, as they must (a
 * role cannot assume itself by default).
 */
import { Construct } from 'constructs';
import { clusterNameParameter, roleNameFromCluster, supportedRegionsRule, vendorRoleArnParameter } from './customer-parameters';
import { CustomerTemplateStack } from './customer-template-stack';
import { checkBaseProps, CustomerTemplateBaseProps } from './template-props';
import { ArgumentChecker } from '../core/arguments';
import { EKS_CLUSTER_NAME, OIDC_ISSUER_URL } from '../core/rules';
import { ServiceAccountRef } from '../core/service-account';
import { describeConstruct, PropsValidator, propsOrEmpty } from '../core/validation';
import { WorkloadIdentityMode, WorkloadSourceRole } from '../cross-account-workload/workload-source-role';

/** The prefix of every remote-write source role; the vendor's role trusts `role/remote-write-*` of the customer's account. */
export const REMOTE_WRITE_SOURCE_ROLE_PREFIX = 'remote-write';

/**
 * Props of {@link RemoteWriteCustomerTemplate}.
 */
export interface RemoteWriteCustomerTemplateProps extends CustomerTemplateBaseProps {
  /** IRSA or EKS Pod Identity for the collector's pod. */
  readonly identityMode: WorkloadIdentityMode;

  /** The collector's service account (Prometheus, the ADOT collector or Grafana Alloy). */
  readonly serviceAccount: ServiceAccountRef;

  /**
   * The cluster's OIDC issuer URL (IRSA mode), fixed in the template (see `ContainerInsightsCustomerTemplateProps.oidcIssuerUrl`).
   *
   * @default - required in IRSA mode, refused in POD_IDENTITY mode
   */
  readonly oidcIssuerUrl?: string;
}

/**
 * A self-contained template of the collector's source role. Parameters: `TargetRoleArn` (the
 * vendor's remote-write role; only the vendor's account is accepted) and `ClusterName`.
 */
export class RemoteWriteCustomerTemplate extends CustomerTemplateStack {
  /**
   * The source role's name for a cluster: `remote-write-<cluster>` (clusters up to 51 characters).
   *
   * @param clusterName the EKS cluster's name
   */
  public static sourceRoleName(clusterName: string): string {
    const a = new ArgumentChecker('RemoteWriteCustomerTemplate.sourceRoleName(clusterName)');
    a.string('clusterName', clusterName, EKS_CLUSTER_NAME);
    return a.result(() => a.roleName(`${REMOTE_WRITE_SOURCE_ROLE_PREFIX}-${clusterName}`, 'clusterName'));
  }

  /** The source role: the same construct a CDK customer uses. */
  public readonly sourceRole: WorkloadSourceRole;

  /**
   * @param scope an App of its own
   * @param id the stack ID (the template's file name)
   * @param props the vendor's account, the identity mode and the collector's service account
   */
  constructor(scope: Construct, id: string, props: RemoteWriteCustomerTemplateProps) {
    super(scope, id, { description: 'Lets this account\'s Prometheus collector write to your vendor\'s AMP workspace (cdk-eks-cross-account-observability)' });
    props = propsOrEmpty(props);
    const v = new PropsValidator(describeConstruct('RemoteWriteCustomerTemplate', this.node.path));
    const regions = checkBaseProps(v, props);
    v.required('identityMode', props.identityMode);
    v.oneOf('identityMode', props.identityMode, WorkloadIdentityMode);
    if (v.required('serviceAccount', props.serviceAccount)) v.serviceAccount('serviceAccount', props.serviceAccount);
    if (props.identityMode === WorkloadIdentityMode.IRSA) {
      if (v.required('oidcIssuerUrl', props.oidcIssuerUrl)) v.check('oidcIssuerUrl', props.oidcIssuerUrl, OIDC_ISSUER_URL);
    } else if (props.oidcIssuerUrl !== undefined && props.oidcIssuerUrl !== null) {
      v.problem('oidcIssuerUrl', 'only applies in IRSA mode');
    }
    v.throwIfAny();

    supportedRegionsRule(this, regions);
    const targetRoleArn = vendorRoleArnParameter(this, 'TargetRoleArn', props.vendorAccountId, props.partition ?? 'aws',
      'The ARN of the remote-write role your vendor created for you').valueAsString;
    const clusterName = clusterNameParameter(this, REMOTE_WRITE_SOURCE_ROLE_PREFIX);
    const podIdentity = props.identityMode === WorkloadIdentityMode.POD_IDENTITY;
    this.sourceRole = new WorkloadSourceRole(this, 'Collector', {
      identityMode: props.identityMode,
      serviceAccount: props.serviceAccount,
      targetRoleArns: [targetRoleArn],
      oidcIssuerUrl: props.oidcIssuerUrl,
      clusterName: podIdentity ? clusterName.valueAsString : undefined,
      roleName: roleNameFromCluster(REMOTE_WRITE_SOURCE_ROLE_PREFIX, clusterName),
    });
  }
}

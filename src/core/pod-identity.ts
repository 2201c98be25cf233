/**
 * EKS Pod Identity facts, as plain JSON builders. Pure: no aws-cdk-lib import.
 *
 * EKS user guide, "Create IAM role with trust policy required by EKS Pod Identity": the role trusts
 * the service principal pods.eks.amazonaws.com for sts:AssumeRole and sts:TagSession; the session
 * tags it sets (eks-cluster-arn, kubernetes-namespace, kubernetes-service-account) can narrow the
 * trust to one service account of one cluster.
 *
 * EKS user guide, "Access AWS Resources using EKS Pod Identity Target IAM Roles": with a target
 * role, EKS assumes the Pod Identity role, then the target role with it. The target role trusts
 * the cluster account's root for sts:AssumeRole and sts:TagSession with ArnEquals aws:PrincipalARN
 * = the Pod Identity role and the same session-tag conditions; when the association disables
 * session tags, EKS instead sends sts:ExternalId "<region>/<account>/<cluster>/<namespace>/<service account>".
 */
import { ServiceAccountRef } from './service-account';

export const POD_IDENTITY_SERVICE = 'pods.eks.amazonaws.com';

/** Conditions on the session tags EKS Pod Identity sets when it assumes a role. */
export function podIdentitySessionTagConditions(clusterArn: string, sa: ServiceAccountRef): Record<string, string> {
  return {
    'aws:RequestTag/eks-cluster-arn': clusterArn,
    'aws:RequestTag/kubernetes-namespace': sa.namespace,
    'aws:RequestTag/kubernetes-service-account': sa.name,
  };
}

/** The sts:ExternalId EKS Pod Identity sends to a target role when session tags are disabled. */
export function podIdentityExternalId(clusterArn: string, sa: ServiceAccountRef): string {
  const [, , , region, account, resource] = clusterArn.split(':');
  return `${region}/${account}/${resource.replace(/^cluster\//, '')}/${sa.namespace}/${sa.name}`;
}

/**
 * The IAM documents of a fleet member stack: the boundary of the per-cluster IRSA roles, the Pod
 * Identity roles' trust, and the member reconciler's own fences.
 *
 * Threat model (per StackSet instance: one account, one region). Who reaches the reconciler:
 * CloudFormation and the schedule invoke it; anyone in the member account with
 * `lambda:InvokeFunction` can run it (it only ever reconciles, from its fixed environment; a Delete is
 * acted on only while CloudFormation reports the stack deleting); anyone with
 * `lambda:UpdateFunctionCode` (PowerUserAccess) can replace its code and act with its role. Then:
 * - IAM: create roles only at exactly the configured flows' paths `/xacct-observability/<flow>/`
 *   (deeper paths denied), each with this instance's boundary and owner tag; change only roles there
 *   with both; never the Pod Identity roles (they carry no owner tag), never another region's roles
 *   (another owner key), never attach, pass (but below), retag, or edit a managed policy. Every role
 *   it can make can do at most what the boundary allows: `sts:AssumeRole` on the fleet's central roles.
 * - EKS: create Pod Identity associations in this account's clusters of this region only with its
 *   owner tag; update or delete only associations with that tag; pass only this region's Pod
 *   Identity roles of the configured flows, only to `pods.eks.amazonaws.com`.
 * Residual, as for the container-cost reconciler: the boundary caps permissions, not trust. A replaced
 * function can let any principal (or any pod, through an association) reach the central roles of the
 * configured flows from this account: write metrics or logs into the observability account as this
 * account's fleet identity. It cannot reach another flow's target through that flow's trust (the
 * target trusts one flow's path), another account's identity, or IAM beyond the fences. A member
 * account's IAM administrator can do the same without the reconciler: the organization-scoped target
 * trust admits whatever that account puts at the flow's path, by design.
 */
import { Aws } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { FLEET_PATH_ROOT } from './fleet-names';
import { FLEET_CLUSTER_TAG, FLEET_MANAGED_BY_TAG, FLEET_OWNER_TAG } from './fleet-sync/desired';
import { POD_IDENTITY_SERVICE } from '../core/pod-identity';
import { boundedRoleWriterStatements } from '../core/reconciler/fences';

/**
 * The boundary of every per-cluster IRSA role: assume the fleet's central roles, and (container
 * cost) write this account's prefix of this region in the organization's cost bucket; nothing else.
 */
export function fleetBoundaryStatements(targetRoleArns: string[], costBucketName?: string): iam.PolicyStatement[] {
  const statements = targetRoleArns.length > 0 ? [new iam.PolicyStatement({ sid: 'AssumeCentralRoles', actions: ['sts:AssumeRole'], resources: targetRoleArns })] : [];
  if (costBucketName) statements.push(...costStatements(costBucketName, `${Aws.ACCOUNT_ID}/${Aws.REGION}/`));
  return statements;
}

/**
 * Writes and lists under a prefix of the organization's cost bucket. The Pod Identity role of the cost
 * flow gets `<account>/<region>/${aws:PrincipalTag/eks-cluster-name}/`: EKS Pod Identity tags the
 * session with the cluster's name (EKS API reference, PodIdentityAssociation `disableSessionTags`:
 * "EKS Pod Identity attaches six tags, including tags for cluster name, namespace, and service
 * account name"; the EKS user guide lists them as eks-cluster-arn, eks-cluster-name, ...), and the
 * fleet never disables them.
 */
export function costStatements(bucketName: string, prefix: string): iam.PolicyStatement[] {
  const bucketArn = `arn:${Aws.PARTITION}:s3:::${bucketName}`;
  return [
    new iam.PolicyStatement({ sid: 'WriteCostPrefix', actions: ['s3:PutObject', 's3:AbortMultipartUpload'], resources: [`${bucketArn}/${prefix}*`] }),
    new iam.PolicyStatement({ sid: 'ListCostPrefix', actions: ['s3:ListBucket'], resources: [bucketArn], conditions: { StringLike: { 's3:prefix': `${prefix}*` } } }),
  ];
}

/** The cost flow's Pod Identity role prefix: this account and region, the cluster from the session tag. */
export const POD_IDENTITY_COST_PREFIX = `${Aws.ACCOUNT_ID}/${Aws.REGION}/\${aws:PrincipalTag/eks-cluster-name}/`;

/** The trust of a flow's Pod Identity role: EKS Pod Identity, for the flow's service account, in this account's clusters of this region. */
export function podIdentityRoleTrust(namespace: string, serviceAccount: string): Record<string, unknown> {
  return {
    Version: '2012-10-17',
    Statement: [{
      Effect: 'Allow',
      Principal: { Service: POD_IDENTITY_SERVICE },
      // EKS user guide, "Create IAM role with trust policy required by EKS Pod Identity": both actions,
      // narrowed by the session tags EKS sets ("restrict which service accounts, namespaces, and
      // clusters can use this role"; the tags are listed under "Enable or disable session tags", and
      // in the EKS Best Practices Guide, "Identity and Access Management": eks-cluster-arn is
      // arn:<partition>:eks:<region>:<account>:cluster/<name>). Those are what EKS documents, so they
      // carry the confused-deputy check: the cluster ARN pins this account and region. The guides do
      // not document aws:SourceAccount for pods.eks.amazonaws.com (the best-practices guide names
      // aws:SourceOrgId), so it is checked only if sent; a trust that required it would refuse every
      // association if EKS does not send it.
      Action: ['sts:AssumeRole', 'sts:TagSession'],
      Condition: {
        StringEquals: {
          'aws:RequestTag/kubernetes-namespace': namespace,
          'aws:RequestTag/kubernetes-service-account': serviceAccount,
        },
        StringEqualsIfExists: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
        StringLike: { 'aws:RequestTag/eks-cluster-arn': `arn:${Aws.PARTITION}:eks:${Aws.REGION}:${Aws.ACCOUNT_ID}:cluster/*` },
      },
    }],
  };
}

export interface MemberReconcilerFences {
  readonly rolePaths: string[];
  readonly ownerKey: string;
  readonly boundaryArn: string;
  /** This region's Pod Identity roles (empty when the fleet uses IRSA only). */
  readonly podIdentityRoleArns: string[];
  /** Every role CloudFormation makes at the flows' paths (the Pod Identity roles, the collector source role): never the reconciler's to change. */
  readonly fixedRoleArns: string[];
}

/** What the member reconciler may do: the shared role fences, plus associations in this region's clusters. */
export function memberReconcilerStatements(f: MemberReconcilerFences): iam.PolicyStatement[] {
  const clusters = `arn:${Aws.PARTITION}:eks:${Aws.REGION}:${Aws.ACCOUNT_ID}:cluster/*`;
  const associations = `arn:${Aws.PARTITION}:eks:${Aws.REGION}:${Aws.ACCOUNT_ID}:podidentityassociation/*`;
  const podIdentity = f.podIdentityRoleArns.length > 0;
  const associationStatements = [
    // Every mode reads and removes its own associations (an IRSA-only instance, those of an earlier mode).
    new iam.PolicyStatement({
      sid: 'ReadAssociations',
      actions: ['eks:ListPodIdentityAssociations', 'eks:DescribePodIdentityAssociation', 'eks:ListAddons'],
      resources: [clusters, associations],
    }),
    new iam.PolicyStatement({
      sid: 'ChangeOwnedAssociations',
      actions: podIdentity ? ['eks:UpdatePodIdentityAssociation', 'eks:DeletePodIdentityAssociation'] : ['eks:DeletePodIdentityAssociation'],
      resources: [associations],
      conditions: { StringEquals: { [`aws:ResourceTag/${FLEET_OWNER_TAG}`]: f.ownerKey } },
    }),
    ...(podIdentity ? [
      // No eks:TagResource: CreatePodIdentityAssociation takes the tags itself (aws:RequestTag and
      // aws:TagKeys on the action, Service Authorization Reference), and TagResource would let it
      // put its owner tag on someone else's association, and so take it over.
      new iam.PolicyStatement({
        sid: 'CreateOwnedAssociations',
        actions: ['eks:CreatePodIdentityAssociation'],
        resources: [clusters, associations],
        conditions: {
          'StringEquals': { [`aws:RequestTag/${FLEET_OWNER_TAG}`]: f.ownerKey },
          'ForAllValues:StringEquals': { 'aws:TagKeys': [FLEET_OWNER_TAG, FLEET_CLUSTER_TAG, FLEET_MANAGED_BY_TAG] },
        },
      }),
      new iam.PolicyStatement({
        sid: 'PassOnlyPodIdentityRoles',
        actions: ['iam:PassRole'],
        resources: f.podIdentityRoleArns,
        conditions: { StringEquals: { 'iam:PassedToService': POD_IDENTITY_SERVICE } },
      }),
    ] : []),
  ];
  return [
    ...boundedRoleWriterStatements({
      rolePaths: f.rolePaths,
      ownerTag: FLEET_OWNER_TAG,
      ownerKey: f.ownerKey,
      boundaryArn: f.boundaryArn,
      tagKeys: [FLEET_OWNER_TAG, FLEET_CLUSTER_TAG, FLEET_MANAGED_BY_TAG],
      // Passing roles is allowed above for exactly the Pod Identity roles, to EKS only.
      allowedEscalationActions: podIdentity ? ['iam:PassRole'] : [],
    }),
    ...(podIdentity ? [new iam.PolicyStatement({
      sid: 'DenyPassingOtherRoles',
      effect: iam.Effect.DENY,
      actions: ['iam:PassRole'],
      notResources: f.podIdentityRoleArns,
    })] : []),
    ...(f.fixedRoleArns.length > 0 ? [new iam.PolicyStatement({
      // They sit at the flows' paths without an owner tag: tagging one would make it "owned".
      sid: 'DenyChangingFixedRoles',
      effect: iam.Effect.DENY,
      notActions: ['iam:GetRole', 'iam:GetRolePolicy', 'iam:ListRolePolicies', 'iam:ListAttachedRolePolicies', 'iam:PassRole'],
      resources: f.fixedRoleArns,
    })] : []),
    ...associationStatements,
    // A flow dropped by an update leaves its per-cluster roles at a path no longer in rolePaths.
    new iam.PolicyStatement({
      sid: 'ReadFleetRoles',
      actions: ['iam:GetRole', 'iam:GetRolePolicy', 'iam:ListRolePolicies', 'iam:ListAttachedRolePolicies'],
      resources: [`arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:role${FLEET_PATH_ROOT}*`],
    }),
    new iam.PolicyStatement({
      sid: 'RemoveOwnedRolesOfDroppedFlows',
      actions: ['iam:DeleteRolePolicy', 'iam:DetachRolePolicy', 'iam:DeleteRole'],
      resources: [`arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:role${FLEET_PATH_ROOT}*`],
      conditions: { StringEquals: { 'iam:PermissionsBoundary': f.boundaryArn, [`iam:ResourceTag/${FLEET_OWNER_TAG}`]: f.ownerKey } },
    }),
    // The roles in pages (trust, tags, boundary, policies: the drift check) and the providers; read-only.
    new iam.PolicyStatement({ sid: 'ReadRolesAndProviders', actions: ['iam:GetAccountAuthorizationDetails', 'iam:ListOpenIDConnectProviders'], resources: ['*'] }),
    new iam.PolicyStatement({ sid: 'ListClusters', actions: ['eks:ListClusters'], resources: ['*'] }),
    new iam.PolicyStatement({ sid: 'DescribeClusters', actions: ['eks:DescribeCluster'], resources: [clusters] }),
    new iam.PolicyStatement({ sid: 'ConfirmDeletes', actions: ['cloudformation:DescribeStacks', 'cloudformation:DescribeStackResource'], resources: [Aws.STACK_ID] }),
  ];
}

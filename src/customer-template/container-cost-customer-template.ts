/**
 * The customer's side of container cost data written to the vendor's bucket, as a template the
 * customer launches without CDK: one EKS Pod Identity role per account, region and vendor
 * (`container-cost-writer-<vendorKey>-<region>`) that the cost agent of any of the customer's clusters there uses, writing only its own cluster's prefix
 * `<account>/<region>/<cluster>/` (the cluster from the session tag EKS Pod Identity sets).
 *
 * The same trust and policy as the organization fleet's container-cost role (`podIdentityRoleTrust`,
 * `costStatements` with `POD_IDENTITY_COST_PREFIX`: one source of truth), plus `s3:ResourceAccount`
 * pinned to the vendor, so a bucket of that name in another account is never written.
 *
 * Role only, no reconciler: `ContainerCostBucket`'s per-cluster IRSA roles are kept by a reconciler
 * whose code is an asset in the bucket's own account; Pod Identity needs no per-cluster role (EKS
 * chains the cluster into the session), so a customer template needs no Lambda at all.
 */
import { Aws, CfnOutput, Fn } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { CONTAINER_COST_WRITER_ROLE_PREFIX, VENDOR_KEY } from './container-cost-writer-names';
import { supportedRegionsRule } from './customer-parameters';
import { CustomerTemplateStack } from './customer-template-stack';
import { checkBaseProps, CustomerTemplateBaseProps } from './template-props';
import { ArgumentChecker } from '../core/arguments';
import { acknowledgeNagFinding } from '../core/nag';
import { REGION, Rule } from '../core/rules';
import { ServiceAccountRef } from '../core/service-account';
import { describeConstruct, PropsValidator, propsOrEmpty } from '../core/validation';
import { costStatements, POD_IDENTITY_COST_PREFIX, podIdentityRoleTrust } from '../organization/fleet-member-policy';

/** The prefix of the cost writer role's name: `container-cost-writer-<vendor key>-<region>`. */
export { CONTAINER_COST_WRITER_ROLE_PREFIX } from './container-cost-writer-names';

/** S3 general purpose bucket names (S3 user guide, "Bucket naming rules"): 3-63 of a-z 0-9 . -, starting and ending alphanumeric. */
export const S3_BUCKET_NAME: Rule = {
  expected: 'an S3 bucket name: 3-63 characters from a-z 0-9 . -, starting and ending with a letter or digit',
  check: (value) => (/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(value) && !value.includes('..') ? undefined : 'does not match'),
};

/**
 * Props of {@link ContainerCostCustomerTemplate}.
 */
export interface ContainerCostCustomerTemplateProps extends CustomerTemplateBaseProps {
  /** The vendor's cost bucket (in `vendorAccountId`; its policy admits this customer: `VendorCustomer` `containerCost`). */
  readonly bucketName: string;

  /**
   * The vendor's key in the writer role's name, `container-cost-writer-<vendorKey>-<region>`, so a
   * customer of two vendors that both use this library gets two roles, not a name collision. Give
   * `VendorCustomer`'s `containerCost.vendorKey` the same value.
   *
   * @default - the vendor's account ID (`vendorAccountId`), unique per vendor without coordination
   */
  readonly vendorKey?: string;

  /**
   * The cost agent's service account in the customer's clusters.
   *
   * @default { namespace: 'container-cost', name: 'container-cost-agent' }
   */
  readonly serviceAccount?: ServiceAccountRef;
}

/**
 * A self-contained template of the cost agent's Pod Identity role (one per account and region; no
 * parameters but the region rule). Output `AgentRoleArn`: associate it with the agent's service
 * account in each cluster (`aws eks create-pod-identity-association`).
 */
export class ContainerCostCustomerTemplate extends CustomerTemplateStack {
  /**
   * The writer role's name in a region.
   *
   * @param vendorKey the template's `vendorKey` (by default the vendor's account ID)
   * @param region the region
   */
  public static writerRoleName(vendorKey: string, region: string): string {
    const a = new ArgumentChecker('ContainerCostCustomerTemplate.writerRoleName(vendorKey, region)');
    a.string('vendorKey', vendorKey, VENDOR_KEY);
    a.string('region', region, REGION);
    return a.result(() => a.roleName(`${CONTAINER_COST_WRITER_ROLE_PREFIX}-${vendorKey}-${region}`, 'region'));
  }

  /** The agent's role. */
  public readonly agentRole: iam.CfnRole;

  /**
   * @param scope an App of its own
   * @param id the stack ID (the template's file name)
   * @param props the vendor's account and bucket
   */
  constructor(scope: Construct, id: string, props: ContainerCostCustomerTemplateProps) {
    super(scope, id, { description: 'Lets this account\'s container cost agents write their cluster\'s cost data to your vendor\'s bucket (cdk-eks-cross-account-observability)' });
    props = propsOrEmpty(props);
    const v = new PropsValidator(describeConstruct('ContainerCostCustomerTemplate', this.node.path));
    const regions = checkBaseProps(v, props);
    if (v.required('bucketName', props.bucketName)) v.check('bucketName', props.bucketName, S3_BUCKET_NAME);
    v.check('vendorKey', props.vendorKey, VENDOR_KEY);
    v.serviceAccount('serviceAccount', props.serviceAccount);
    v.throwIfAny();

    supportedRegionsRule(this, regions);
    const sa = props.serviceAccount ?? { namespace: 'container-cost', name: 'container-cost-agent' };
    const statements = costStatements(props.bucketName, POD_IDENTITY_COST_PREFIX);
    // s3:ResourceAccount, the bucket owner's account (AWS What's New 2020-12-21, "New IAM condition keys for
    // Amazon S3 ... buckets owned by specific AWS accounts"): only the vendor's bucket, whoever owns a bucket of that name later.
    statements.forEach((s) => s.addCondition('StringEquals', { 's3:ResourceAccount': props.vendorAccountId }));
    this.agentRole = new iam.CfnRole(this, 'AgentRole', {
      roleName: Fn.join('-', [CONTAINER_COST_WRITER_ROLE_PREFIX, props.vendorKey ?? props.vendorAccountId, Aws.REGION]),
      description: 'EKS Pod Identity role of the container cost agent: writes its own cluster\'s prefix of the vendor\'s bucket',
      assumeRolePolicyDocument: podIdentityRoleTrust(sa.namespace, sa.name),
      policies: [{ policyName: 'write-cost-prefix', policyDocument: new iam.PolicyDocument({ statements }) }],
    });
    acknowledgeNagFinding(this.agentRole, `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::${props.bucketName}/<AWS::AccountId>/<AWS::Region>/<aws:PrincipalTag/eks-cluster-name>/*]`,
      'The cost agent writes objects it names itself, under its own cluster\'s prefix (the cluster name from the Pod Identity session tag); the vendor\'s bucket policy admits only this account\'s prefix.');
    new CfnOutput(this, 'AgentRoleArn', {
      value: this.agentRole.attrArn,
      description: `Associate it with ${sa.namespace}/${sa.name} in each cluster (aws eks create-pod-identity-association)`,
    });
  }
}

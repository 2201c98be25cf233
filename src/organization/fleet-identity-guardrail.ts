import { Stack, Token } from 'aws-cdk-lib';
import * as organizations from 'aws-cdk-lib/aws-organizations';
import { Construct } from 'constructs';
import { FLEET_PATH_ROOT, FLEET_RECONCILER_PATH } from './fleet-names';
import { ArgumentChecker, PARTITION } from '../core/arguments';
import { partitionOf } from '../core/partition';
import { checkStackResourceBudget } from '../core/stack-budget';
import { describeConstruct, propsOrEmpty, PropsValidator } from '../core/validation';

/**
 * Props of {@link FleetIdentityGuardrail}.
 */
export interface FleetIdentityGuardrailProps {
  /**
   * Where the policy is attached: organizational-unit IDs (`ou-...`), the root (`r-...`) or accounts
   * (12 digits). Give the fleet's own `organizationalUnitIds`: the policy applies to every account
   * below them, those that join later too.
   */
  readonly targetIds: string[];

  /**
   * The policy's name in AWS Organizations.
   *
   * @default 'xacct-observability-fleet-identities'
   */
  readonly policyName?: string;

  /**
   * More principals that may still write the fleet's roles, as IAM role ARN patterns
   * (`arn:<partition>:iam::*:role/<path>/<name>`), such as the deploy role of a member stack that
   * passes a fleet role (`iam:PassRole`) to a service. Each one weakens the guardrail: the
   * principals it names can do what the policy keeps from member-account administrators.
   *
   * @default - none: only the StackSet execution roles and the fleet's reconcilers
   */
  readonly exemptPrincipalArns?: string[];
}

/**
 * The service control policy that closes the fleet's one residual: without it, an administrator of
 * any member account can create a role at a flow's path (`/xacct-observability/<flow>/`), which the
 * central roles trust in every account of the organization, and so assume the central role.
 *
 * It denies, on every role under `/xacct-observability/`, the writes that make or change such a
 * role or pass it to a service: CreateRole, DeleteRole, UpdateRole, UpdateRoleDescription,
 * UpdateAssumeRolePolicy, Put/DeleteRolePolicy, Attach/DetachRolePolicy,
 * Put/DeleteRolePermissionsBoundary, Tag/UntagRole and PassRole (a member's own Pod Identity
 * association with a fleet role needs PassRole), to everyone but:
 * - the StackSet execution role `stacksets-exec-*`, which CloudFormation uses in each member
 *   account of a service-managed StackSet (CloudFormation user guide, "Activate trusted access for
 *   StackSets with AWS Organizations": StackSets creates the `stacksets-exec-<id>` role in each
 *   target account, through the service-linked role AWSServiceRoleForCloudFormationStackSetsOrgMember);
 * - the fleet's reconcilers, by their path `/xacct-observability/fleet-reconciler/`, where only the
 *   execution role can create roles once this policy applies.
 *
 * A second statement keeps everyone from creating, changing or passing a role named
 * `stacksets-exec-*`, so the exemption cannot be borrowed by a look-alike role. The execution role
 * itself is made by the StackSets service-linked role, which service control policies do not
 * affect (AWS Organizations user guide, "Service control policies": SCPs do not affect
 * service-linked roles). SCPs never apply to the management account.
 *
 * Deploy it in the management account (or the Organizations delegated administrator), in the
 * stack that holds `ObservabilityFleetSource`. Service control policies must be enabled in the
 * organization.
 *
 * Not covered here: `lambda:UpdateFunctionCode` on the reconciler function (its role is fenced by
 * its own policy and boundary; see the README's organization section).
 *
 * @see https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps.html
 */
export class FleetIdentityGuardrail extends Construct {
  /** The policy in AWS Organizations. */
  public readonly policy: organizations.CfnPolicy;

  /** The service control policy, as written to the template. */
  public readonly policyDocument: { [key: string]: any };

  /**
   * @param scope a construct in the management account's stack
   * @param id the construct ID
   * @param props the OUs (or accounts) to attach it to, its name, any further exemptions
   */
  constructor(scope: Construct, id: string, props: FleetIdentityGuardrailProps) {
    super(scope, id);
    checkStackResourceBudget(this, 'FleetIdentityGuardrail');
    const owner = describeConstruct('FleetIdentityGuardrail', this.node.path);
    const v = new PropsValidator(owner).inStackOf(this);
    const given = propsOrEmpty(props);
    const targetIds = v.required('targetIds', given.targetIds) ? v.list<string>('targetIds', given.targetIds, 'string') : [];
    targetIds.forEach((target, i) => v.check(`targetIds[${i}]`, target, TARGET_ID));
    if (new Set(targetIds).size !== targetIds.length) v.problem('targetIds', 'names a target twice');
    const policyName = given.policyName ?? 'xacct-observability-fleet-identities';
    v.check('policyName', policyName, POLICY_NAME);
    const exempt = given.exemptPrincipalArns === undefined || given.exemptPrincipalArns === null
      ? [] : v.list<string>('exemptPrincipalArns', given.exemptPrincipalArns, 'string');
    exempt.forEach((arn, i) => v.check(`exemptPrincipalArns[${i}]`, arn, EXEMPT_PRINCIPAL));
    v.throwIfAny();

    const region = Stack.of(this).region;
    const partition = Token.isUnresolved(region) ? Stack.of(this).partition : partitionOf(region).partition;
    this.policyDocument = guardrailDocument(partition, exempt);
    this.policy = new organizations.CfnPolicy(this, 'Resource', {
      name: policyName,
      type: 'SERVICE_CONTROL_POLICY',
      description: 'Only the StackSet execution role and the fleet reconcilers write roles under /xacct-observability/ (cdk-eks-cross-account-observability)',
      content: this.policyDocument,
      targetIds: [...targetIds],
    });
  }
}

/** The writes that make, change or hand out a role. */
const ROLE_WRITES = [
  'iam:CreateRole', 'iam:DeleteRole', 'iam:UpdateRole', 'iam:UpdateRoleDescription', 'iam:UpdateAssumeRolePolicy',
  'iam:PutRolePolicy', 'iam:DeleteRolePolicy', 'iam:AttachRolePolicy', 'iam:DetachRolePolicy',
  'iam:PutRolePermissionsBoundary', 'iam:DeleteRolePermissionsBoundary', 'iam:TagRole', 'iam:UntagRole', 'iam:PassRole',
];

/** The service control policy (pure: the construct's content, and what the tests prove). */
export function fleetIdentityGuardrailDocument(partition: string, exemptPrincipalArns: readonly string[] = []): { [key: string]: any } {
  const a = new ArgumentChecker('fleetIdentityGuardrailDocument(partition, exemptPrincipalArns?)');
  // A deploy-time partition (`Aws.PARTITION`) is carried into the document, as the construct does.
  a.string('partition', partition, PARTITION);
  a.stringList('exemptPrincipalArns', exemptPrincipalArns ?? [], EXEMPT_PRINCIPAL);
  return a.result(() => guardrailDocument(partition, exemptPrincipalArns ?? []));
}

function guardrailDocument(partition: string, exemptPrincipalArns: readonly string[]): { [key: string]: any } {
  const execRoles = `arn:${partition}:iam::*:role/stacksets-exec-*`;
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'FleetRolesOnlyByTheFleet',
        Effect: 'Deny',
        Action: ROLE_WRITES,
        Resource: `arn:${partition}:iam::*:role${FLEET_PATH_ROOT}*`,
        Condition: { ArnNotLike: { 'aws:PrincipalArn': [execRoles, `arn:${partition}:iam::*:role${FLEET_RECONCILER_PATH}*`, ...exemptPrincipalArns] } },
      },
      {
        Sid: 'NoStackSetExecutionRoleLookalikes',
        Effect: 'Deny',
        Action: ROLE_WRITES,
        Resource: execRoles,
      },
    ],
  };
}

const TARGET_ID = {
  expected: 'an organizational unit ID (ou-<root>-<8 to 32 characters>), a root ID (r-<4 to 32 characters>) or a 12-digit account ID',
  check: (s: string) => (/^(ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}|r-[0-9a-z]{4,32}|\d{12})$/.test(s) ? undefined : 'does not match'),
};

const POLICY_NAME = {
  expected: '1 to 128 characters from letters, digits, spaces and _ . , + = @ -',
  check: (s: string) => (/^[\w .,+=@-]{1,128}$/.test(s) ? undefined : 'does not match'),
};

const EXEMPT_PRINCIPAL = {
  expected: 'an IAM role ARN pattern arn:<partition>:iam::<* or 12-digit account>:role/<path>/<name>',
  check: (s: string) => (/^arn:[a-z-]+:iam::(\*|\d{12}):role\/[\x21-\x7E]+$/.test(s) ? undefined : 'does not match'),
};

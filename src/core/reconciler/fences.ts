/**
 * The IAM fences every reconciler that writes roles runs inside (DESIGN.md, "Attack your own
 * work"): it may create roles only at exactly its paths, each with the stack's permissions boundary
 * and its owner tag; change only roles that carry both; never remove, put or swap a boundary (so it
 * cannot adopt a role it did not create, even one it tagged), attach a
 * managed policy, edit any managed policy, retag an owned role, or assume a role it made. Each
 * reconciler adds the conditions of its own flow (the container-cost prefix tag, for example).
 */
import { Aws } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';

export interface BoundedRoleWriter {
  /** The exact paths roles are created and changed at (`/a/b/`). */
  readonly rolePaths: readonly string[];
  readonly ownerTag: string;
  readonly ownerKey: string;
  /** The boundary every created or changed role must carry. */
  readonly boundaryArn: string;
  /** Every tag key a created role may carry. */
  readonly tagKeys: readonly string[];
  /** More conditions on CreateRole (merged into the owner and boundary ones). */
  readonly createConditions?: Record<string, Record<string, unknown>>;
  /** Actions the escalation Deny leaves out because the reconciler needs them narrowly (e.g. a scoped iam:PassRole). */
  readonly allowedEscalationActions?: readonly string[];
}

/** ARN pattern of the roles at exactly a path (the Deny on deeper paths makes it exact). */
export function rolesAtPath(rolePath: string): string {
  return `arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:role${rolePath}*`;
}

// PutRolePermissionsBoundary too: every role it makes gets the boundary at CreateRole, and putting one
// on a role it tagged would adopt someone else's role (issue 21): without it, a role at the path that
// lacks the boundary stays out of every change below.
const ESCALATION_ACTIONS = ['iam:DeleteRolePermissionsBoundary', 'iam:PutRolePermissionsBoundary', 'iam:AttachRolePolicy', 'iam:PassRole', 'iam:CreatePolicy', 'iam:CreatePolicyVersion',
  'iam:SetDefaultPolicyVersion', 'iam:DeletePolicy', 'iam:DeletePolicyVersion', 'iam:UpdateRole', 'iam:CreateUser', 'iam:CreateAccessKey'];

/** The statements that let a reconciler create and keep bounded roles, and nothing more. */
export function boundedRoleWriterStatements(f: BoundedRoleWriter): iam.PolicyStatement[] {
  const roles = f.rolePaths.map(rolesAtPath);
  const nested = f.rolePaths.map((path) => `arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:role${path}*/*`);
  const withBoundary = { 'iam:PermissionsBoundary': f.boundaryArn };
  const roleWrites = ['iam:CreateRole', 'iam:PutRolePolicy', 'iam:UpdateAssumeRolePolicy', 'iam:PutRolePermissionsBoundary',
    'iam:DeleteRolePolicy', 'iam:DetachRolePolicy', 'iam:DeleteRole'];
  const { StringEquals: extraEquals, ...extra } = f.createConditions ?? {};
  const escalation = ESCALATION_ACTIONS.filter((a) => !(f.allowedEscalationActions ?? []).includes(a));
  return [
    new iam.PolicyStatement({ sid: 'ReadAgentRoles', actions: ['iam:GetRole', 'iam:GetRolePolicy', 'iam:ListRolePolicies', 'iam:ListAttachedRolePolicies'], resources: roles }),
    new iam.PolicyStatement({
      sid: 'CreateBoundedAgentRoles',
      actions: ['iam:CreateRole'],
      resources: roles,
      conditions: {
        'StringEquals': { ...withBoundary, [`aws:RequestTag/${f.ownerTag}`]: f.ownerKey, ...(extraEquals ?? {}) },
        ...extra,
        'ForAllValues:StringEquals': { 'aws:TagKeys': [...f.tagKeys] },
      },
    }),
    new iam.PolicyStatement({
      // CreateRole with tags also authorizes iam:TagRole; retagging an owned role is denied below.
      sid: 'TagAtCreation',
      actions: ['iam:TagRole'],
      resources: roles,
      conditions: {
        'StringEquals': { [`aws:RequestTag/${f.ownerTag}`]: f.ownerKey },
        'ForAllValues:StringEquals': { 'aws:TagKeys': [...f.tagKeys] },
      },
    }),
    new iam.PolicyStatement({
      sid: 'ChangeBoundedOwnedRoles',
      actions: ['iam:PutRolePolicy', 'iam:UpdateAssumeRolePolicy', 'iam:DeleteRolePolicy', 'iam:DetachRolePolicy', 'iam:DeleteRole'],
      resources: roles,
      conditions: { StringEquals: { ...withBoundary, [`iam:ResourceTag/${f.ownerTag}`]: f.ownerKey } },
    }),
    new iam.PolicyStatement({
      sid: 'DenyRoleWritesWithoutThisBoundary',
      effect: iam.Effect.DENY,
      actions: roleWrites,
      resources: ['*'],
      conditions: { StringNotEquals: withBoundary },
    }),
    new iam.PolicyStatement({ sid: 'DenyNestedPaths', effect: iam.Effect.DENY, actions: ['iam:*'], resources: nested }),
    new iam.PolicyStatement({
      sid: 'DenyRetaggingOwnedRoles',
      effect: iam.Effect.DENY,
      actions: ['iam:TagRole', 'iam:UntagRole'],
      resources: roles,
      conditions: { Null: { [`aws:ResourceTag/${f.ownerTag}`]: 'false' } },
    }),
    // A role it creates could trust the reconciler itself (same account: the trust alone would do).
    new iam.PolicyStatement({ sid: 'DenyAssumingAgentRoles', effect: iam.Effect.DENY, actions: ['sts:AssumeRole', 'sts:TagSession'], resources: roles }),
    new iam.PolicyStatement({ sid: 'DenyEscalation', effect: iam.Effect.DENY, actions: escalation, resources: ['*'] }),
  ];
}

/** The reconciler may read and remove the tag on its own role that lets runs create, and nothing else there. */
export function creationFenceStatements(reconcilerRoleArn: string, tagKey: string): iam.PolicyStatement[] {
  return [
    new iam.PolicyStatement({ sid: 'ReadOwnRole', actions: ['iam:GetRole'], resources: [reconcilerRoleArn] }),
    new iam.PolicyStatement({
      sid: 'StopAcceptingNewRoles',
      actions: ['iam:UntagRole'],
      resources: [reconcilerRoleArn],
      conditions: { 'ForAllValues:StringEquals': { 'aws:TagKeys': [tagKey] } },
    }),
  ];
}

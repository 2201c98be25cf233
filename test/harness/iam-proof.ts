/**
 * Proofs with an independent IAM engine (@cloud-copilot/iam-simulate). Trust policies go through
 * `runUnsafeSimulation` wrapped by `createValidatedPolicy(doc, validateTrustPolicy)`: the strict
 * `runSimulation` drops EKS OIDC condition keys and would deny every web-identity call.
 */
import { createValidatedPolicy, validateIdentityPolicy, validateTrustPolicy } from '@cloud-copilot/iam-policy';
import { runUnsafeSimulation } from '@cloud-copilot/iam-simulate';
import { DeployEnv, evaluate, Template } from './cfn-eval';

export type Decision = 'Allowed' | 'ExplicitlyDenied' | 'ImplicitlyDenied';

/** A trust policy that IAM's own validator (as iam-policy implements it) accepts, or throws. */
export function validatedTrust(document: any) {
  const validated = createValidatedPolicy(document, validateTrustPolicy, { name: 'trust' });
  if (validated.errors.length > 0) throw new Error(`invalid trust policy: ${JSON.stringify(validated.errors)}\n${JSON.stringify(document, null, 2)}`);
  return validated;
}

function validatedIdentity(document: any, name: string) {
  const validated = createValidatedPolicy(document, validateIdentityPolicy, { name });
  if (validated.errors.length > 0) throw new Error(`invalid identity policy ${name}: ${JSON.stringify(validated.errors)}`);
  return document;
}

export interface AssumeRequest {
  /** The trust policy of the role being assumed (already evaluated to plain JSON). */
  readonly trustPolicy: any;
  /** The role being assumed. */
  readonly roleArn: string;
  /** Who asks: a role ARN, an OIDC provider ARN (web identity), a service principal, or an account root. */
  readonly principal: string;
  /** @default sts:AssumeRole */
  readonly action?: string;
  /** Request context keys, for example the OIDC `aud`/`sub` claims or aws:SourceArn. */
  readonly context?: Record<string, string | string[]>;
  /** The caller's identity policies (needed when the caller is in another account). */
  readonly callerPolicies?: any[];
}

/** Whether the principal may assume the role, as IAM would decide it. */
export function canAssume(request: AssumeRequest): Decision {
  const account = request.roleArn.split(':')[4];
  return runUnsafeSimulation({
    request: {
      principal: request.principal,
      action: request.action ?? 'sts:AssumeRole',
      resource: { resource: request.roleArn, accountId: account },
      contextVariables: request.context ?? {},
    },
    identityPolicies: (request.callerPolicies ?? []).map((policy, i) => ({ name: `caller${i}`, policy: validatedIdentity(policy, `caller${i}`) })),
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    resourcePolicy: validatedTrust(request.trustPolicy),
  }, {}) as Decision;
}

export interface IdentityRequest {
  /** The principal's identity policies (evaluated to plain JSON). */
  readonly policies: any[];
  readonly principal: string;
  readonly action: string;
  readonly resource: string;
  readonly context?: Record<string, string | string[]>;
  /** A resource policy, such as a bucket policy. */
  readonly resourcePolicy?: any;
  /**
   * The resource's account, where its ARN has none (an S3 bucket or object): without it the resource
   * is taken to be in the principal's account, and a cross-account request would look same-account.
   */
  readonly resourceAccount?: string;
}

/**
 * Whether the principal's identity policies (and the resource policy, if given) allow the action.
 * Set `identityOnly` to ask about the identity policies alone for a resource in another account,
 * where IAM also needs the resource's own policy (prove that side with `canAssume`).
 */
export function isAllowed(request: IdentityRequest & { identityOnly?: boolean }): Decision {
  const resourceAccount = request.identityOnly ? request.principal.split(':')[4] : request.resourceAccount ?? (request.resource.split(':')[4] || request.principal.split(':')[4]);
  return runUnsafeSimulation({
    request: {
      principal: request.principal,
      action: request.action,
      resource: { resource: request.resource, accountId: resourceAccount },
      contextVariables: request.context ?? {},
    },
    identityPolicies: request.policies.map((policy, i) => ({ name: `policy${i}`, policy: validatedIdentity(policy, `policy${i}`) })),
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    resourcePolicy: request.resourcePolicy ? createValidatedPolicy(request.resourcePolicy, () => [], { name: 'resource' }) : undefined,
  }, {}) as Decision;
}

/** The trust policy of a role in a template, with every intrinsic evaluated for the environment. */
export function trustPolicyOf(template: Template, roleLogicalId: string, env: DeployEnv): any {
  return evaluate(template.Resources[roleLogicalId].Properties.AssumeRolePolicyDocument, template, env);
}

/** Every identity policy of a role in a template (inline ones embedded in the role and AWS::IAM::Policy resources attached to it). */
export function identityPoliciesOf(template: Template, roleLogicalId: string, env: DeployEnv): any[] {
  const role = template.Resources[roleLogicalId];
  const inline = (role.Properties.Policies ?? []).map((p: any) => evaluate(p.PolicyDocument, template, env));
  const attached = Object.values<any>(template.Resources)
    .filter((r) => r.Type === 'AWS::IAM::Policy' && (r.Properties.Roles ?? []).some((x: any) => x.Ref === roleLogicalId))
    .map((r) => evaluate(r.Properties.PolicyDocument, template, env));
  return [...inline, ...attached];
}

/** Logical IDs of the resources of a type. */
export function logicalIdsOfType(template: Template, type: string): string[] {
  return Object.entries<any>(template.Resources).filter(([, r]) => r.Type === type).map(([id]) => id);
}

/**
 * Like `isAllowed`, for a principal that has a permissions boundary: IAM allows only what both
 * its identity policies and every boundary allow.
 */
export function isAllowedWithinBoundary(request: IdentityRequest & { boundaries: any[] }): Decision {
  return runUnsafeSimulation({
    request: {
      principal: request.principal,
      action: request.action,
      resource: { resource: request.resource, accountId: request.resourceAccount ?? (request.resource.split(':')[4] || request.principal.split(':')[4]) },
      contextVariables: request.context ?? {},
    },
    identityPolicies: request.policies.map((policy, i) => ({ name: `policy${i}`, policy: validatedIdentity(policy, `policy${i}`) })),
    permissionBoundaryPolicies: request.boundaries.map((policy, i) => ({ name: `boundary${i}`, policy: validatedIdentity(policy, `boundary${i}`) })),
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    resourcePolicy: request.resourcePolicy ? createValidatedPolicy(request.resourcePolicy, () => [], { name: 'resource' }) : undefined,
  }, {}) as Decision;
}

/**
 * An IAM privilege-escalation lint. For every role and user a synthesized template creates, the IAM
 * engine is asked whether that principal's identity policies allow the moves that turn IAM write
 * access into admin: create a role without a boundary (or with an admin one), write or attach
 * policies to, change the trust of, or strip the boundary of a role it does not own, edit managed
 * policy versions, pass a role, give a user a key or a policy, replace a function's code. Each
 * "Allowed" is a finding unless an acknowledgement names the principal, the move and its fence.
 *
 * Probing with the engine (rather than reading statements) catches wildcards that match more than
 * they seem to (`*` in an ARN matches `/`), conditions that do not hold, and Deny fences alike.
 */
import { createValidatedPolicy, validateIdentityPolicy } from '@cloud-copilot/iam-policy';
import { runUnsafeSimulation } from '@cloud-copilot/iam-simulate';
import { DeployEnv, evaluate, Template } from './cfn-eval';

export interface EscalationProbe {
  readonly id: string;
  readonly action: string;
  /** The resource, given the account and a role path the principal's policies mention. */
  readonly resource: (account: string, rolePath: string) => string;
  readonly context?: Record<string, string | string[]>;
}

/** The permissions boundary a real escalation would attach (or leave off). */
const ADMIN_BOUNDARY = 'arn:aws:iam::aws:policy/AdministratorAccess';

/** The moves, each asked at a victim name under every role path the principal may write (and at "/"). */
export const ESCALATION_PROBES: EscalationProbe[] = [
  { id: 'create-role-without-boundary', action: 'iam:CreateRole', resource: (a, p) => `arn:aws:iam::${a}:role${p}escalation-victim` },
  {
    id: 'create-role-with-admin-boundary',
    action: 'iam:CreateRole',
    resource: (a, p) => `arn:aws:iam::${a}:role${p}escalation-victim`,
    context: { 'iam:PermissionsBoundary': ADMIN_BOUNDARY },
  },
  { id: 'put-role-policy', action: 'iam:PutRolePolicy', resource: (a, p) => `arn:aws:iam::${a}:role${p}escalation-victim` },
  { id: 'attach-role-policy', action: 'iam:AttachRolePolicy', resource: (a, p) => `arn:aws:iam::${a}:role${p}escalation-victim`, context: { 'iam:PolicyARN': ADMIN_BOUNDARY } },
  { id: 'update-trust', action: 'iam:UpdateAssumeRolePolicy', resource: (a, p) => `arn:aws:iam::${a}:role${p}escalation-victim` },
  { id: 'delete-boundary', action: 'iam:DeleteRolePermissionsBoundary', resource: (a, p) => `arn:aws:iam::${a}:role${p}escalation-victim` },
  {
    id: 'put-admin-boundary',
    action: 'iam:PutRolePermissionsBoundary',
    resource: (a, p) => `arn:aws:iam::${a}:role${p}escalation-victim`,
    context: { 'iam:PermissionsBoundary': ADMIN_BOUNDARY },
  },
  { id: 'pass-role', action: 'iam:PassRole', resource: (a, p) => `arn:aws:iam::${a}:role${p}escalation-victim` },
  { id: 'create-policy-version', action: 'iam:CreatePolicyVersion', resource: (a) => `arn:aws:iam::${a}:policy/escalation-victim` },
  { id: 'set-default-policy-version', action: 'iam:SetDefaultPolicyVersion', resource: (a) => `arn:aws:iam::${a}:policy/escalation-victim` },
  { id: 'put-user-policy', action: 'iam:PutUserPolicy', resource: (a) => `arn:aws:iam::${a}:user/escalation-victim` },
  { id: 'attach-user-policy', action: 'iam:AttachUserPolicy', resource: (a) => `arn:aws:iam::${a}:user/escalation-victim` },
  { id: 'create-access-key', action: 'iam:CreateAccessKey', resource: (a) => `arn:aws:iam::${a}:user/escalation-victim` },
  { id: 'update-function-code', action: 'lambda:UpdateFunctionCode', resource: (a) => `arn:aws:lambda:us-east-1:${a}:function:escalation-victim` },
];

export interface EscalationFinding {
  /** The template's name and the principal's logical ID. */
  readonly principal: string;
  readonly probe: string;
  readonly resource: string;
}

/** AWS managed policies our constructs attach, checked by hand to grant none of the probed moves. */
const SAFE_AWS_MANAGED = new Set([
  'CloudWatchAgentServerPolicy', // cloudwatch, ec2:Describe*, logs, xray, ssm:GetParameter on AmazonCloudWatch-*
  'service-role/AWSLambdaBasicExecutionRole', // logs only
]);

/** Every finding in a template: principals (roles and users) whose policies allow a probed move. */
export function escalationFindings(name: string, template: Template, deployEnv: DeployEnv): EscalationFinding[] {
  const env = { ...deployEnv, lenient: true };
  const findings: EscalationFinding[] = [];
  for (const [logicalId, resource] of Object.entries<any>(template.Resources)) {
    if (resource.Type !== 'AWS::IAM::Role' && resource.Type !== 'AWS::IAM::User') continue;
    const principal = `${name}/${logicalId}`;
    const { policies, unknownManaged } = policiesOf(template, logicalId, env);
    for (const arn of unknownManaged) findings.push({ principal, probe: 'unreviewed-managed-policy', resource: arn });
    if (policies.length === 0) continue;
    const rolePaths = rolePathsMentioned(policies);
    const tags = tagsAnAttackerWouldSet(policies);
    for (const probe of ESCALATION_PROBES) {
      for (const path of rolePaths) {
        const target = probe.resource(env.account, path);
        if (allowed(policies, env.account, probe, target, tags)) findings.push({ principal, probe: probe.id, resource: target });
      }
    }
  }
  return dedupe(findings);
}

function allowed(policies: any[], account: string, probe: EscalationProbe, resource: string, tags: Record<string, string | string[]>): boolean {
  const decision = runUnsafeSimulation({
    request: {
      principal: `arn:aws:iam::${account}:role/probe-principal`,
      action: probe.action,
      resource: { resource, accountId: account },
      contextVariables: { ...tags, ...probe.context },
    },
    identityPolicies: policies.map((policy, i) => ({ name: `p${i}`, policy: createValidatedPolicy(policy, validateIdentityPolicy, { name: `p${i}` }) })),
    serviceControlPolicies: [],
    resourceControlPolicies: [],
  }, {});
  return decision === 'Allowed';
}

/** Inline, AWS::IAM::Policy and customer managed policies attached to the principal, evaluated. */
function policiesOf(template: Template, logicalId: string, env: DeployEnv): { policies: any[]; unknownManaged: string[] } {
  const resource = template.Resources[logicalId];
  const refersTo = (list: any[] | undefined) => (list ?? []).some((x: any) => x?.Ref === logicalId);
  const listKey = resource.Type === 'AWS::IAM::Role' ? 'Roles' : 'Users';
  const policies = [
    ...(resource.Properties?.Policies ?? []).map((p: any) => p.PolicyDocument),
    ...Object.values<any>(template.Resources)
      .filter((r) => (r.Type === 'AWS::IAM::Policy' || r.Type === 'AWS::IAM::ManagedPolicy') && refersTo(r.Properties?.[listKey]))
      .map((r) => r.Properties.PolicyDocument),
  ].map((doc) => evaluate(doc, template, env));
  const unknownManaged: string[] = [];
  for (const arn of resource.Properties?.ManagedPolicyArns ?? []) {
    const text = JSON.stringify(arn);
    const local = Object.entries<any>(template.Resources).find(([id, r]) => r.Type === 'AWS::IAM::ManagedPolicy' && text.includes(`"${id}"`));
    if (local) policies.push(evaluate(local[1].Properties.PolicyDocument, template, env));
    else if (![...SAFE_AWS_MANAGED].some((safe) => text.includes(`:iam::aws:policy/${safe}"`))) unknownManaged.push(text);
  }
  return { policies, unknownManaged };
}

/**
 * Tags are the attacker's to choose: on a role it creates (request tags) and so on the role it then
 * changes (resource tags). Every tag condition the policies name is satisfied with the value they
 * name, so only fences an attacker cannot meet (a boundary, an exact ARN, a Deny) count.
 */
function tagsAnAttackerWouldSet(policies: any[]): Record<string, string | string[]> {
  const context: Record<string, string | string[]> = {};
  const visit = (node: any): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (!node || typeof node !== 'object') return;
    for (const [key, value] of Object.entries<any>(node)) {
      const tag = /^(aws:RequestTag|iam:ResourceTag|aws:ResourceTag)\/(.+)$/.exec(key);
      if (tag && (typeof value === 'string' || Array.isArray(value))) {
        const first = Array.isArray(value) ? String(value[0]) : value;
        for (const prefix of ['aws:RequestTag', 'iam:ResourceTag', 'aws:ResourceTag']) context[`${prefix}/${tag[2]}`] = first;
      } else {visit(value);}
    }
  };
  for (const policy of policies) for (const statement of [policy?.Statement ?? []].flat()) if (statement?.Effect === 'Allow') visit(statement.Condition);
  const keys = Object.keys(context).filter((k) => k.startsWith('aws:RequestTag/')).map((k) => k.slice('aws:RequestTag/'.length));
  if (keys.length > 0) context['aws:TagKeys'] = keys;
  return context;
}

/** "/" and every role path the principal's statements name (the part before a `*` or a name), so victims sit where it may write. */
function rolePathsMentioned(policies: any[]): string[] {
  const paths = new Set<string>(['/']);
  const text = JSON.stringify(policies);
  for (const [, path] of text.matchAll(/:iam::[^:"]*:role(\/[^"*]*\/)/g)) {
    paths.add(path);
    paths.add(`${path}nested/`);
  }
  return [...paths];
}

function dedupe(findings: EscalationFinding[]): EscalationFinding[] {
  const seen = new Set<string>();
  return findings.filter((f) => {
    const key = `${f.principal}|${f.probe}|${f.resource}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

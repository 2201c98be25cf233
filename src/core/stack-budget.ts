import { CfnOutput, CfnResource, Stack, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { warn } from './warnings';

// The quotas below are checked at synth, each named with its number, so that a stack that would fail
// at deploy (after other stacks of the app already went out) fails here instead.

/** CloudFormation quota "Resources per template" (CloudFormation User Guide, "CloudFormation quotas"): 500, not adjustable. */
export const MAX_RESOURCES_PER_STACK = 500;

/** CloudFormation quota "Outputs per template" (same table): 200, not adjustable. */
export const MAX_OUTPUTS_PER_STACK = 200;

/**
 * IAM quota "Roles in an AWS account" (IAM User Guide, "IAM and AWS STS quotas", IAM object quotas):
 * 1,000 by default, adjustable through Service Quotas, so more is a warning, not an error.
 */
export const IAM_ROLES_PER_ACCOUNT = 1_000;

const REGISTERED = Symbol.for('cdk-eks-cross-account-observability.stackBudget');
const OIDC_PROVIDER = 'AWS::IAM::OIDCProvider';

const cfnResourcesUnder = (scope: IConstruct) => scope.node.findAll().filter((c): c is CfnResource => c instanceof CfnResource);
const outputsUnder = (scope: IConstruct) => scope.node.findAll().filter((c) => c instanceof CfnOutput).length;

/**
 * Registers, once per stack, synth-time checks that the stack stays within CloudFormation's 500
 * resources and 200 outputs, and that its account stays within IAM's default 1,000 roles. Unlike the
 * deploy-time errors, each says how much each of this library's constructs contributes (the OIDC
 * providers they created for the stack included), and how to split them.
 */
export function checkStackResourceBudget(scope: IConstruct, kind: string): void {
  const stack = Stack.of(scope);
  const owners: Array<[string, IConstruct]> = ((stack as any)[REGISTERED] ??= []);
  owners.push([kind, scope]);
  if (owners.length > 1) return;
  stack.node.addValidation({
    validate: () => {
      const resources = cfnResourcesUnder(stack);
      const errors: string[] = [];
      if (resources.length > MAX_RESOURCES_PER_STACK) {
        // The OIDC providers are shared by the stack's constructs, so they sit beside them, not under them.
        const providers = resources.filter((r) => r.cfnResourceType === OIDC_PROVIDER && !owners.some(([, c]) => isUnder(r, c))).length;
        const contributions = describeContributions(owners, (c) => cfnResourcesUnder(c).length);
        errors.push(
          `Stack ${stack.stackName} has ${resources.length} resources, over CloudFormation's quota of ${MAX_RESOURCES_PER_STACK} resources per template. `
          + `This library's constructs in it: ${contributions}${providers > 0 ? `, and ${providers} IAM OIDC providers they created for it` : ''}. `
          + 'Move some of them into another stack of the same account and region '
          + '(for IrsaRemoteWriteRole, split the clusters over several constructs; each cluster without oidcProviderArn adds an OIDC provider).',
        );
      }
      const outputs = outputsUnder(stack);
      if (outputs > MAX_OUTPUTS_PER_STACK) {
        errors.push(
          `Stack ${stack.stackName} has ${outputs} Outputs, over CloudFormation's quota of ${MAX_OUTPUTS_PER_STACK} outputs per template. `
          + `This library's constructs in it: ${describeContributions(owners, outputsUnder)}. `
          + 'Split them over several stacks (IrsaRemoteWriteRole writes one output per remote-write role it creates).',
        );
      }
      warnOnAccountRoles(stack);
      return errors;
    },
  });
}

/** The largest contributors first, five at most, then how many others and how much they add. */
function describeContributions(owners: Array<[string, IConstruct]>, count: (c: IConstruct) => number): string {
  const sorted = owners.map(([k, c]) => [k, c.node.path, count(c)] as const).sort((a, b) => b[2] - a[2]);
  const shown = sorted.slice(0, 5).map(([k, path, n]) => `${k} '${path}' (${n})`);
  const rest = sorted.slice(5);
  if (rest.length > 0) shown.push(`${rest.length} more (${rest.reduce((n, [, , m]) => n + m, 0)})`);
  return shown.join(', ');
}

function isUnder(node: IConstruct, ancestor: IConstruct): boolean {
  return node.node.scopes.includes(ancestor);
}

/** Roles that stacks of the app create in one literal account (the same account, all regions: IAM is global). */
function warnOnAccountRoles(stack: Stack): void {
  const account = stack.account;
  const stacks = Token.isUnresolved(account)
    ? [stack]
    : stack.node.root.node.findAll().filter((c): c is Stack => Stack.isStack(c) && c.account === account);
  const roles = stacks.reduce((n, s) => n + cfnResourcesUnder(s).filter((r) => r.cfnResourceType === 'AWS::IAM::Role' && Stack.of(r) === s).length, 0);
  if (roles <= IAM_ROLES_PER_ACCOUNT) return;
  warn(stack, 'tooManyRolesPerAccount',
    `The stacks of this app create ${roles} IAM roles in ${Token.isUnresolved(account) ? 'this stack\'s account' : `account ${account}`}; `
    + `IAM's quota "Roles in an AWS account" is ${IAM_ROLES_PER_ACCOUNT} by default (adjustable in Service Quotas). `
    + 'Raise it before deploying, or trust the source clusters through the organization instead of one role each (see "Organization scale" in the README).');
}

import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';

/** One statement of a role's trust policy. */
export interface TrustStatement {
  /** Who (without conditions: they go in `conditions`). */
  readonly principal: iam.IPrincipal;
  /** `sts:AssumeRole`, `sts:AssumeRoleWithWebIdentity`, with or without `sts:TagSession`, or `sts:TagSession` alone. */
  readonly actions: string[];
  readonly conditions?: iam.Conditions;
}

/**
 * A role whose trust policy is exactly the given statements, in order. CDK's Role takes one
 * principal; the rest are added as statements of their own, so conditions never mix.
 */
export function createRoleWithTrust(scope: Construct, id: string, props: Omit<iam.RoleProps, 'assumedBy'>, statements: TrustStatement[]): iam.Role {
  const [first, ...rest] = statements;
  const role = new iam.Role(scope, id, { ...props, assumedBy: assumedByPrincipal(first) });
  for (const statement of rest) {
    role.assumeRolePolicy!.addStatements(new iam.PolicyStatement({
      principals: [statement.principal],
      actions: statement.actions,
      conditions: statement.conditions,
    }));
  }
  return role;
}

function assumedByPrincipal(statement: TrustStatement): iam.IPrincipal {
  const [action, ...others] = statement.actions;
  if (action !== statement.principal.assumeRoleAction) {
    throw new Error(`the first trust statement must start with ${statement.principal.assumeRoleAction}, got ${statement.actions.join(', ')}`);
  }
  const conditioned = statement.conditions ? (statement.principal as iam.PrincipalBase).withConditions(statement.conditions) : statement.principal;
  if (others.length === 0) return conditioned;
  if (others.length === 1 && others[0] === 'sts:TagSession') return (conditioned as iam.PrincipalBase).withSessionTags();
  throw new Error(`unsupported trust actions ${statement.actions.join(', ')}`);
}

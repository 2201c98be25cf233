import { Stack, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { partitionOf } from './partition';
import { warn } from './warnings';

/**
 * The account of the construct's stack when it is a literal, else `undefined`
 * (an environment-agnostic stack: `env.account` not set).
 */
export function literalAccount(scope: IConstruct): string | undefined {
  const account = Stack.of(scope).account;
  return Token.isUnresolved(account) ? undefined : account;
}

/** The region of the construct's stack when it is a literal. */
export function literalRegion(scope: IConstruct): string | undefined {
  const region = Stack.of(scope).region;
  return Token.isUnresolved(region) ? undefined : region;
}

/**
 * The partition of the construct's stack as a literal: from the stack's region, else from a
 * literal ARN the caller knows lives in the same partition, else "aws" with a warning.
 */
export function literalPartition(scope: IConstruct, sameAccountArnHint?: string): string {
  const region = literalRegion(scope);
  if (region) return partitionOf(region).partition;
  if (sameAccountArnHint && !Token.isUnresolved(sameAccountArnHint)) {
    const partition = sameAccountArnHint.split(':')[1];
    if (partition) return partition;
  }
  warn(scope, 'partitionAssumed',
    'The stack has no literal env.region, so plain-string ARNs assume the "aws" partition. Set env.region on the stack.',
  );
  return 'aws';
}

/**
 * The ARN of a role with a physical name, as a plain string the other account's app can use.
 * Throws when the stack's account is not a literal: a token ARN cannot cross accounts.
 */
export function plainRoleArn(scope: IConstruct, owner: string, roleName: string, rolePath: string, partitionHint?: string): string {
  const account = literalAccount(scope);
  if (!account) {
    throw new Error(
      `${owner}: the role ARN is needed as a plain string (it is passed to another account's stack or to a chart), `
      + 'but the stack has no literal account. Give the stack env: { account: \'<12-digit id>\', region: \'<region>\' }, '
      + 'or use the .role property for same-stack references.',
    );
  }
  return `arn:${literalPartition(scope, partitionHint)}:iam::${account}:role${rolePath}${roleName}`;
}

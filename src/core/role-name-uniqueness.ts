import { CfnResource, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';

/**
 * Adds a synth-time check that no other role in the app, in a stack of the same literal
 * account, has the same name. IAM role names are unique per account and case-insensitive, so
 * such a pair would fail at deploy time, after the first stack already went out.
 */
export function validateRoleNamesUnique(construct: IConstruct, roles: iam.CfnRole[]): void {
  construct.node.addValidation({
    validate: () => {
      const account = Stack.of(construct).account;
      if (Token.isUnresolved(account)) return [];
      const ours = new Set(roles);
      const others = construct.node.root.node
        .findAll()
        .filter((c): c is iam.CfnRole => isCfnRole(c) && !ours.has(c) && Stack.of(c).account === account);
      const errors: string[] = [];
      for (const role of roles) {
        const name = role.roleName;
        if (name === undefined || Token.isUnresolved(name)) continue;
        const clash = others.find((other) => typeof other.roleName === 'string' && other.roleName.toLowerCase() === name.toLowerCase());
        if (clash) {
          errors.push(`Role name "${name}" is also used by ${clash.node.path} in account ${account}; IAM role names are unique per account (case-insensitive). Give one of them another name.`);
        }
      }
      return errors;
    },
  });
}

function isCfnRole(construct: IConstruct): construct is iam.CfnRole {
  return CfnResource.isCfnResource(construct) && construct.cfnResourceType === iam.CfnRole.CFN_RESOURCE_TYPE_NAME;
}

import { CfnResource, Stack } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/** CloudFormation's quota of resources in one stack. */
export const MAX_RESOURCES_PER_STACK = 500;

const REGISTERED = Symbol.for('cdk-eks-cross-account-observability.stackBudget');

/**
 * Registers, once per stack, a synth-time check that the stack stays within CloudFormation's 500
 * resources. Unlike CDK's generic error at deploy, it says how many resources each of this library's
 * constructs contributes, and how to split them.
 */
export function checkStackResourceBudget(scope: IConstruct, kind: string): void {
  const stack = Stack.of(scope);
  const owners: Array<[string, IConstruct]> = ((stack as any)[REGISTERED] ??= []);
  owners.push([kind, scope]);
  if (owners.length > 1) return;
  stack.node.addValidation({
    validate: () => {
      const total = stack.node.findAll().filter((c) => c instanceof CfnResource).length;
      if (total <= MAX_RESOURCES_PER_STACK) return [];
      const contributions = owners
        .map(([k, c]) => [k, c.node.path, c.node.findAll().filter((x) => x instanceof CfnResource).length] as const)
        .sort((a, b) => b[2] - a[2])
        .map(([k, path, n]) => `${k} '${path}' (${n})`);
      return [
        `Stack ${stack.stackName} has ${total} resources, over CloudFormation's ${MAX_RESOURCES_PER_STACK} per stack. `
        + `This library's constructs in it: ${contributions.join(', ')}. Move some of them into another stack of the same account and region `
        + '(for IrsaRemoteWriteRole, split the clusters over several constructs; each cluster without oidcProviderArn adds an OIDC provider).',
      ];
    },
  });
}

/**
 * cdk-nag v3 (AwsSolutions) over a construct tree: findings as data, so a test can require zero
 * unacknowledged ones and check that every acknowledgement says why.
 */
import { Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { IConstruct } from 'constructs';

/** "AwsSolutions-IAM5[Resource::*] at Stack/Role/Resource" for each unacknowledged finding. */
export function nagFindings(scope: IConstruct): string[] {
  const report = new AwsSolutionsChecks().validateScope(scope);
  return report.violations.flatMap((violation) =>
    violation.violatingResources.map((resource) => `${violation.ruleName} at ${resource.constructPath ?? resource.resourceLogicalId}: ${violation.description}`),
  );
}

export interface Acknowledgement {
  readonly path: string;
  readonly id: string;
  readonly reason: string;
}

/** Every rule acknowledged in the tree, with its reason. */
export function acknowledgements(scope: IConstruct): Acknowledgement[] {
  return scope.node.findAll().flatMap((construct) =>
    construct.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      // The metadata holds { "<rule id>": "<reason>" } (aws-cdk-lib Validations, read by cdk-nag v3).
      .flatMap((entry) => Object.entries(entry.data as Record<string, string>))
      .map(([id, reason]) => ({ path: construct.node.path, id, reason: String(reason) })),
  );
}

/** Fails with the list of findings unless there are none, and unless every acknowledgement has a real reason. */
export function expectNagClean(scope: IConstruct): void {
  expect(nagFindings(scope)).toEqual([]);
  for (const ack of acknowledgements(scope)) {
    expect(`${ack.id}: ${ack.reason}`).toMatch(/^\S+: .{20,}/);
  }
}

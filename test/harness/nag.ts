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

/**
 * The findings cdk-nag reports when no acknowledgement is read: the metadata key it looks them
 * up under is pointed elsewhere for the duration of the check.
 */
export function rawNagFindings(scope: IConstruct): Array<{ id: string; path: string }> {
  const key = Object.getOwnPropertyDescriptor(Validations, 'ACKNOWLEDGED_RULES_METADATA_KEY')!;
  Object.defineProperty(Validations, 'ACKNOWLEDGED_RULES_METADATA_KEY', { ...key, value: 'nag-harness:ignore-acknowledgements' });
  try {
    const report = new AwsSolutionsChecks().validateScope(scope);
    return report.violations.flatMap((violation) => violation.violatingResources.map((resource) => ({ id: violation.ruleName, path: resource.constructPath ?? '' })));
  } finally {
    Object.defineProperty(Validations, 'ACKNOWLEDGED_RULES_METADATA_KEY', key);
  }
}

/**
 * Zero unacknowledged findings; every acknowledgement gives a real reason; and every
 * acknowledgement silences a finding cdk-nag really reports at or below it (no blanket ones).
 */
export function expectNagClean(scope: IConstruct): void {
  expect(nagFindings(scope)).toEqual([]);
  const raw = rawNagFindings(scope);
  for (const ack of acknowledgements(scope)) {
    expect(`${ack.id}: ${ack.reason}`).toMatch(/^\S+: .{20,}/);
    const silenced = raw.some((finding) => finding.id === ack.id && (finding.path === ack.path || finding.path.startsWith(`${ack.path}/`)));
    const where = { acknowledgement: ack.id, at: ack.path };
    expect({ ...where, silencesAFinding: silenced }).toEqual({ ...where, silencesAFinding: true });
  }
}

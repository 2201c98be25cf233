/**
 * The names the container cost customer template and the vendor's bucket policy share (internal:
 * not in the barrel; the public form is `ContainerCostCustomerTemplate.writerRoleName`).
 */
import { Rule } from '../core/rules';

/** The prefix of the cost writer role's name: `container-cost-writer-<vendor key>-<region>`. */
export const CONTAINER_COST_WRITER_ROLE_PREFIX = 'container-cost-writer';

/**
 * The vendor key in the writer role's name: 1-24 of a-z 0-9. No "-", so the vendor's bucket-policy
 * pattern `container-cost-writer-<key>-*` matches no other key's roles; 24 keeps
 * `container-cost-writer-<key>-<region>` within IAM's 64 characters for every region (at most 16).
 */
export const VENDOR_KEY: Rule = {
  expected: 'a vendor key: 1-24 characters from a-z 0-9 (no "-")',
  check: (value) => (/^[a-z0-9]{1,24}$/.test(value) ? undefined : 'does not match'),
};

/** The `aws:PrincipalArn` pattern of one vendor's writer roles in a customer account. */
export function writerRolePattern(partition: string, customerAccountId: string, vendorKey: string): string {
  return `arn:${partition}:iam::${customerAccountId}:role/${CONTAINER_COST_WRITER_ROLE_PREFIX}-${vendorKey}-*`;
}


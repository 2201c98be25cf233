/**
 * The size a synthesized policy document will have once CloudFormation resolves it, at its worst:
 * the longest partition, a 12-digit account, a long region, and a generous length for any other
 * reference. Used to keep policies inside IAM's quotas before CloudFormation sees them.
 */
import { policySize } from './policy-size';

const WORST: Record<string, string> = {
  'AWS::Partition': 'aws-us-gov',
  'AWS::AccountId': '000000000000',
  'AWS::Region': 'ap-southeast-99',
  'AWS::URLSuffix': 'amazonaws.com.cn',
};

function worstCase(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(worstCase);
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 1) {
    const [fn, arg] = entries[0];
    if (fn === 'Ref') return WORST[arg as string] ?? 'x'.repeat(128);
    if (fn === 'Fn::GetAtt' || fn === 'Fn::ImportValue' || fn === 'Fn::Select') return 'x'.repeat(128);
    if (fn === 'Fn::Join') {
      const [separator, parts] = arg as [string, unknown[]];
      return (worstCase(parts) as unknown[]).map(String).join(separator);
    }
  }
  return Object.fromEntries(entries.map(([k, v]) => [k, worstCase(v)]));
}

/** Characters IAM will count (white space excluded) for a resolved document, at worst. */
export function worstCasePolicySize(resolvedDocument: unknown): number {
  return policySize(worstCase(resolvedDocument));
}

/**
 * Comparing IAM policy documents by content. Pure: shared by the Lambda handlers and their tests.
 */

/** IAM's GetRole returns the trust document URL-encoded; this gives the parsed JSON. */
export function decodeTrustDocument(encoded: string): unknown {
  return JSON.parse(decodeURIComponent(encoded));
}

/** JSON with keys sorted and one-element lists written as their element, so equal policies compare equal. */
export function canonicalPolicy(value: unknown): string {
  const normalize = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.length === 1 ? normalize(v[0]) : v.map(normalize);
    if (v && typeof v === 'object') {
      return Object.fromEntries(Object.keys(v).sort().map((k) => [k, normalize((v as Record<string, unknown>)[k])]));
    }
    return v;
  };
  return JSON.stringify(normalize(value));
}

/** Whether the role's current trust already is the desired one. */
export function sameTrust(current: unknown, desired: unknown): boolean {
  return canonicalPolicy(current) === canonicalPolicy(desired);
}

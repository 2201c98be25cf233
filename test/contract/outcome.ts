/** How the contract suites classify one call: refused with the one validation error, accepted, or crashed. */
export type Outcome = { kind: 'refused'; message: string } | { kind: 'accepted'; output: string } | { kind: 'crashed'; error: string };

/** Text that must never be written: a token's placeholder, an absent value, an object printed as text. */
export const GARBAGE_TEXT = /\$\{Token\[|#\{Token\[|\bundefined\b|\[object Object\]|\bNaN\b|-?\d(\.\d+)?e[+-]\d{3}/;

/** Runs `call`: a refusal is an Error in the PropsValidator form (or `validationError` form); anything else that throws is a crash. */
export function attempt(call: () => string, validationError = /: invalid props \(\d+ problems?\):\n/): Outcome {
  try {
    return { kind: 'accepted', output: call() };
  } catch (error) {
    const message = (error as Error)?.message ?? String(error);
    if (error instanceof TypeError || !validationError.test(message)) {
      return { kind: 'crashed', error: `${(error as Error)?.name}: ${message.split('\n').slice(0, 3).join(' | ')}` };
    }
    return { kind: 'refused', message };
  }
}

/** Whether a refusal names `prop` (or a path under it) on one of its problem lines. */
export function namesProp(outcome: Outcome, prop: string): boolean {
  if (outcome.kind !== 'refused') return false;
  const escaped = prop.replace(/[.[\]]/g, '\\$&');
  return new RegExp(`\\n  - ${escaped}(?=[:.\\[ ])`).test(outcome.message);
}

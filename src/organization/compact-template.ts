/**
 * Makes a synthesized template smaller without changing what CloudFormation deploys, so the fleet's
 * member template stays within CreateStackSet's 51,200 bytes inline: every `Fn::Join` with an empty
 * delimiter whose parts are literals, `Ref`s and `Fn::GetAtt`s becomes the equivalent `Fn::Sub`
 * (CloudFormation user guide, Fn::Sub: `${Name}` is a Ref, `${Name.Attribute}` a GetAtt, and
 * `${!Literal}` writes `${Literal}` itself). IAM policy variables in the literals (`${aws:...}`) are
 * written in that escaped form. Anything else is left as it is. Pure.
 */
export function compactTemplate<T>(value: T): T {
  if (Array.isArray(value)) return value.map(compactTemplate) as unknown as T;
  if (value === null || typeof value !== 'object') return value;
  const join = (value as Record<string, unknown>)['Fn::Join'];
  if (Object.keys(value).length === 1 && Array.isArray(join) && join[0] === '' && Array.isArray(join[1])) {
    const text = subText(join[1] as unknown[]);
    if (text !== undefined) return { 'Fn::Sub': text } as unknown as T;
  }
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, compactTemplate(v)])) as T;
}

/** The `Fn::Sub` text of a join's parts, or undefined when a part has no `Fn::Sub` form. */
function subText(parts: unknown[]): string | undefined {
  let text = '';
  for (const part of parts) {
    if (typeof part === 'string') {
      text += part.replace(/\$\{/g, '${!');
    } else if (isRef(part)) {
      text += `\${${part.Ref}}`;
    } else if (isGetAtt(part)) {
      text += `\${${part['Fn::GetAtt'][0]}.${part['Fn::GetAtt'][1]}}`;
    } else {
      return undefined;
    }
  }
  return text;
}

function isRef(part: unknown): part is { Ref: string } {
  return typeof part === 'object' && part !== null && Object.keys(part).length === 1 && typeof (part as { Ref?: unknown }).Ref === 'string';
}

function isGetAtt(part: unknown): part is { 'Fn::GetAtt': [string, string] } {
  const att = (part as Record<string, unknown> | null)?.['Fn::GetAtt'];
  return typeof part === 'object' && part !== null && Object.keys(part).length === 1
    && Array.isArray(att) && att.length === 2 && att.every((a) => typeof a === 'string' && /^[\w.]+$/.test(a));
}

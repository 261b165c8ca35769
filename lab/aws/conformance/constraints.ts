// The model's constraints on a decoded value: required members, enums, patterns, lengths, ranges.
// Values reach here already decoded from their wire (decode.ts): timestamps are Dates, blobs bytes.
import { type ServiceModel, type Shape, type ShapeRef, shapeOf } from './models.ts';
import type { Findings } from './violations.ts';

const patterns = new Map<string, RegExp | null>();

/** botocore patterns are ECMA-compatible but for a few; one that does not compile is not checked. */
function compiled(pattern: string): RegExp | null {
  if (!patterns.has(pattern)) {
    let re: RegExp | null = null;
    for (const flags of ['u', '']) {
      try {
        re = new RegExp(pattern, flags);
        break;
      } catch {}
    }
    patterns.set(pattern, re);
  }
  return patterns.get(pattern) ?? null;
}

function size(shape: Shape, value: unknown): number | undefined {
  if (shape.type === 'string' && typeof value === 'string') return [...value].length;
  if (shape.type === 'blob' && value instanceof Uint8Array) return value.length;
  if (shape.type === 'list' && Array.isArray(value)) return value.length;
  if (shape.type === 'map' && value && typeof value === 'object') return Object.keys(value).length;
  if (['integer', 'long', 'double', 'float'].includes(shape.type) && typeof value === 'number') return value;
  return undefined;
}

export function join(path: string, name: string): string {
  return path ? `${path}.${name}` : name;
}

/** Checks a present, decoded `value` against `ref`. `outside` names top-level members that travel outside the
 *  checked document (URI labels, headers): their absence is not a missing required member. */
export function checkConstraints(
  m: ServiceModel,
  ref: ShapeRef,
  value: unknown,
  path: string,
  findings: Findings,
  outside: ReadonlySet<string> = new Set(),
): void {
  const shape = shapeOf(m, ref);
  const n = size(shape, value);
  const what = ['string', 'blob'].includes(shape.type)
    ? 'length'
    : ['list', 'map'].includes(shape.type)
      ? 'count'
      : 'value';
  if (n !== undefined && shape.min !== undefined && n < shape.min)
    findings.add(path, `${what} ${n} below the model's min ${shape.min} (${ref.shape})`);
  if (n !== undefined && shape.max !== undefined && n > shape.max)
    findings.add(path, `${what} ${n} above the model's max ${shape.max} (${ref.shape})`);
  if (shape.type === 'string' && typeof value === 'string') {
    if (shape.enum && !shape.enum.includes(value))
      findings.add(path, `"${value}" is not one of ${ref.shape}'s values: ${shape.enum.join(', ')}`);
    const re = shape.pattern ? compiled(shape.pattern) : null;
    if (re && !re.test(value)) findings.add(path, `does not match ${ref.shape}'s pattern ${shape.pattern}`);
  }
  if (shape.type === 'structure' && value && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    for (const name of shape.required ?? [])
      if (record[name] === undefined && !outside.has(name))
        findings.add(join(path, name), `required member missing (${ref.shape})`);
    for (const [name, member] of Object.entries(shape.members ?? {}))
      if (record[name] !== undefined) checkConstraints(m, member, record[name], join(path, name), findings);
  }
  if (shape.type === 'list' && Array.isArray(value) && shape.member)
    for (const [i, item] of value.entries())
      checkConstraints(m, shape.member, item, `${path}[${i}]`, findings);
  if (shape.type === 'map' && value && typeof value === 'object' && shape.key && shape.value)
    for (const [key, item] of Object.entries(value)) {
      checkConstraints(m, shape.key, key, `${path}{key}`, findings);
      checkConstraints(m, shape.value, item, `${path}{${key}}`, findings);
    }
}

// Render plain result objects for either wire: JSON (Dates as epoch seconds) or Query XML (lists as <member>),
// and read a Query form body back into the same nested object shape JSON clients send.
import { escapeXml } from './xml.ts';

export function toJsonWire(value: unknown): unknown {
  if (value instanceof Date) return value.getTime() / 1000;
  if (Array.isArray(value)) return value.map(toJsonWire);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => [k, toJsonWire(v)]),
    );
  }
  return value;
}

export function toQueryXml(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map((item) => `<member>${toQueryXml(item)}</member>`).join('');
  if (typeof value === 'object') {
    return Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `<${k}>${toQueryXml(v)}</${k}>`)
      .join('');
  }
  return escapeXml(String(value));
}

type Nested = { [key: string]: Nested | Nested[] | string };

/** `A.member.1.B=x` → { A: [{ B: 'x' }] } (Action and Version are left out). */
export function queryToObject(values: Map<string, string>): Record<string, unknown> {
  const root: Nested = {};
  for (const [key, value] of values) {
    if (key === 'Action' || key === 'Version') continue;
    const parts = key.split('.');
    let cursor: Nested | Nested[] = root;
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i] as string;
      const last = i === parts.length - 1;
      if (part === 'member' && Array.isArray(cursor)) continue;
      if (Array.isArray(cursor)) {
        const index = Number(part) - 1;
        if (last) {
          (cursor as unknown[])[index] = value;
        } else {
          cursor[index] ??= {};
          cursor = cursor[index] as Nested;
        }
        continue;
      }
      const isList = parts[i + 1] === 'member';
      if (last) {
        cursor[part] = value;
      } else {
        cursor[part] ??= isList ? [] : {};
        cursor = cursor[part] as Nested | Nested[];
      }
    }
  }
  return root;
}

// Reads each wire format back into plain values the way an AWS SDK does, guided by the model: structures
// become objects, timestamps Dates, blobs bytes. Whatever the model does not allow is reported, not dropped.
import type { XmlElement } from '../protocol/xml.ts';
import { join } from './constraints.ts';
import { type ServiceModel, type ShapeRef, shapeOf } from './models.ts';
import type { Findings } from './violations.ts';

const NUMBER = /^-?\d+(\.\d+)?([eE][-+]?\d+)?$/;

/** A scalar written as text (query parameter, XML element, header): its type's textual form. */
export function scalarFromText(
  m: ServiceModel,
  ref: ShapeRef,
  text: string,
  path: string,
  findings: Findings,
  where: 'header' | 'text' = 'text',
): unknown {
  const shape = shapeOf(m, ref);
  switch (shape.type) {
    case 'string':
      return text;
    case 'boolean':
      if (text === 'true' || text === 'false') return text === 'true';
      findings.add(path, 'boolean is neither true nor false');
      return undefined;
    case 'integer':
    case 'long':
      if (/^-?\d+$/.test(text)) return Number(text);
      findings.add(path, `${shape.type} is not an integer`);
      return undefined;
    case 'double':
    case 'float':
      if (NUMBER.test(text) || ['NaN', 'Infinity', '-Infinity'].includes(text)) return Number(text);
      findings.add(path, `${shape.type} is not a number`);
      return undefined;
    case 'timestamp': {
      // https://smithy.io/2.0/spec/protocol-traits.html#timestampformat-trait: http-date in headers,
      // date-time in bodies and query strings, unless the member says otherwise.
      const format =
        ref.timestampFormat ?? shape.timestampFormat ?? (where === 'header' ? 'rfc822' : 'iso8601');
      const ok =
        format === 'unixTimestamp'
          ? NUMBER.test(text)
          : format === 'rfc822'
            ? /^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/.test(text)
            : /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(text);
      if (!ok) {
        findings.add(path, `timestamp is not in the ${format} format`);
        return undefined;
      }
      return new Date(format === 'unixTimestamp' ? Number(text) * 1000 : text);
    }
    case 'blob':
      return Buffer.from(text, where === 'header' ? 'utf8' : 'base64');
    default:
      findings.add(path, `${shape.type} (${ref.shape}) cannot be written as text`);
      return undefined;
  }
}

/** A JSON document (awsJson1.0/1.1, restJson1 bodies). */
export function fromJson(
  m: ServiceModel,
  ref: ShapeRef,
  value: unknown,
  path: string,
  findings: Findings,
): unknown {
  const shape = shapeOf(m, ref);
  if (value === null) return undefined;
  const wrong = (expected: string) => {
    findings.add(
      path,
      `expected ${expected} (${ref.shape}), got ${Array.isArray(value) ? 'array' : typeof value}`,
    );
    return undefined;
  };
  switch (shape.type) {
    case 'structure': {
      if (typeof value !== 'object' || Array.isArray(value)) return wrong('an object');
      const out: Record<string, unknown> = {};
      const byWire = new Map(
        Object.entries(shape.members ?? {}).map(([name, member]) => [member.locationName ?? name, name]),
      );
      for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
        const name = byWire.get(key);
        const member = name ? shape.members?.[name] : undefined;
        if (!name || !member || member.location) {
          // awsJson errors and query-compatible bodies carry __type; the check of errors reads it.
          if (key !== '__type') findings.add(join(path, key), `no such member in ${ref.shape}`);
          continue;
        }
        out[name] = fromJson(m, member, item, join(path, name), findings);
      }
      return out;
    }
    case 'list':
      if (!Array.isArray(value)) return wrong('an array');
      return value.map((item, i) => fromJson(m, shape.member as ShapeRef, item, `${path}[${i}]`, findings));
    case 'map':
      if (typeof value !== 'object' || Array.isArray(value)) return wrong('an object');
      return Object.fromEntries(
        Object.entries(value as Record<string, unknown>).map(([k, v]) => [
          k,
          fromJson(m, shape.value as ShapeRef, v, `${path}{${k}}`, findings),
        ]),
      );
    case 'string':
      return typeof value === 'string' ? value : wrong('a string');
    case 'boolean':
      return typeof value === 'boolean' ? value : wrong('a boolean');
    case 'integer':
    case 'long':
      return typeof value === 'number' && Number.isInteger(value) ? value : wrong('an integer');
    case 'double':
    case 'float':
      return typeof value === 'number' || ['NaN', 'Infinity', '-Infinity'].includes(value as string)
        ? Number(value)
        : wrong('a number');
    case 'timestamp':
      // JSON protocols: epoch seconds by default (https://smithy.io/2.0/aws/protocols/aws-json-1_0-protocol.html).
      if (typeof value === 'number') return new Date(value * 1000);
      if (typeof value === 'string' && (ref.timestampFormat ?? shape.timestampFormat) === 'iso8601')
        return scalarFromText(m, ref, value, path, findings);
      return wrong('epoch seconds');
    case 'blob':
      return typeof value === 'string' ? Buffer.from(value, 'base64') : wrong('a base64 string');
    default:
      // document types take any JSON.
      return value;
  }
}

/** An XML element (awsQuery responses, restXml bodies) read as `ref`. */
export function fromXml(
  m: ServiceModel,
  ref: ShapeRef,
  element: XmlElement,
  path: string,
  findings: Findings,
): unknown {
  const shape = shapeOf(m, ref);
  switch (shape.type) {
    case 'structure': {
      const out: Record<string, unknown> = {};
      const members = Object.entries(shape.members ?? {}).filter(
        ([, mr]) => !mr.location && !mr.xmlAttribute,
      );
      for (const el of element.children) {
        const found = members.find(([name, mr]) => {
          const inner = shapeOf(m, mr);
          const flat = inner.type === 'list' && (inner.flattened || mr.flattened);
          return (
            (flat ? (inner.member?.locationName ?? mr.locationName ?? name) : (mr.locationName ?? name)) ===
            el.name
          );
        });
        if (!found) {
          findings.add(join(path, el.name), `no such member in ${ref.shape}`);
          continue;
        }
        const [name, mr] = found;
        const inner = shapeOf(m, mr);
        if (inner.type === 'list' && (inner.flattened || mr.flattened)) {
          const items = (out[name] as unknown[] | undefined) ?? [];
          items.push(
            fromXml(m, inner.member as ShapeRef, el, `${join(path, name)}[${items.length}]`, findings),
          );
          out[name] = items;
        } else {
          if (out[name] !== undefined) findings.add(join(path, name), 'member appears twice');
          out[name] = fromXml(m, mr, el, join(path, name), findings);
        }
      }
      return out;
    }
    case 'list': {
      const itemName = shape.member?.locationName ?? 'member';
      return element.children.map((el, i) => {
        if (el.name !== itemName)
          findings.add(`${path}[${i}]`, `list item is <${el.name}>, the model says <${itemName}>`);
        return fromXml(m, shape.member as ShapeRef, el, `${path}[${i}]`, findings);
      });
    }
    case 'map': {
      const keyName = shape.key?.locationName ?? 'key';
      const valueName = shape.value?.locationName ?? 'value';
      const entries = shape.flattened ? [element] : element.children;
      const out: Record<string, unknown> = {};
      for (const entry of entries) {
        const key = entry.children.find((c) => c.name === keyName)?.text ?? '';
        const value = entry.children.find((c) => c.name === valueName);
        if (value) out[key] = fromXml(m, shape.value as ShapeRef, value, `${path}{${key}}`, findings);
      }
      return out;
    }
    default:
      if (element.children.length > 0) findings.add(path, `${shape.type} ${ref.shape} has child elements`);
      return scalarFromText(
        m,
        ref,
        shape.type === 'string' ? element.text : element.text.trim(),
        path,
        findings,
      );
  }
}

/** awsQuery input: form keys `Name`, `Name.member.N`, `Name.entry.N.key`, read as `ref`; marks the keys it reads. */
export function fromQuery(
  m: ServiceModel,
  ref: ShapeRef,
  params: Map<string, string>,
  key: string,
  used: Set<string>,
  findings: Findings,
): unknown {
  const shape = shapeOf(m, ref);
  const under = (prefix: string) => [...params.keys()].some((k) => k.startsWith(`${prefix}.`));
  switch (shape.type) {
    case 'structure': {
      if (key && !under(key)) return undefined;
      const out: Record<string, unknown> = {};
      for (const [name, mr] of Object.entries(shape.members ?? {})) {
        const wire = mr.locationName ?? name;
        const value = fromQuery(m, mr, params, key ? `${key}.${wire}` : wire, used, findings);
        if (value !== undefined) out[name] = value;
      }
      return out;
    }
    case 'list': {
      // An empty list is sent as the bare key with an empty value (botocore's query serializer).
      if (params.get(key) === '') {
        used.add(key);
        return [];
      }
      const flat = shape.flattened || ref.flattened;
      const prefix = flat ? key : `${key}.${shape.member?.locationName ?? 'member'}`;
      const items: unknown[] = [];
      for (let n = 1; params.has(`${prefix}.${n}`) || under(`${prefix}.${n}`); n++)
        items.push(fromQuery(m, shape.member as ShapeRef, params, `${prefix}.${n}`, used, findings));
      return items.length > 0 ? items : undefined;
    }
    case 'map': {
      const prefix = shape.flattened ? key : `${key}.entry`;
      const keyName = shape.key?.locationName ?? 'key';
      const valueName = shape.value?.locationName ?? 'value';
      const out: Record<string, unknown> = {};
      for (let n = 1; params.has(`${prefix}.${n}.${keyName}`); n++) {
        used.add(`${prefix}.${n}.${keyName}`);
        out[params.get(`${prefix}.${n}.${keyName}`) as string] = fromQuery(
          m,
          shape.value as ShapeRef,
          params,
          `${prefix}.${n}.${valueName}`,
          used,
          findings,
        );
      }
      return Object.keys(out).length > 0 ? out : undefined;
    }
    default: {
      const text = params.get(key);
      if (text === undefined) return undefined;
      used.add(key);
      return scalarFromText(m, ref, text, key, findings);
    }
  }
}

// Just enough XML for the AWS wire: escaping, a string builder, and a parser for small request bodies.

export function escapeXml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

export type XmlScalar = string | number | boolean | Date | null | undefined;

/** `<tag>value</tag>`, or '' when value is undefined/null (absent members are omitted, as AWS does). */
export function el(tag: string, value: XmlScalar): string {
  if (value === undefined || value === null) return '';
  const text = value instanceof Date ? value.toISOString() : String(value);
  return `<${tag}>${escapeXml(text)}</${tag}>`;
}

/** `<tag>…already rendered children…</tag>`. */
export function node(tag: string, ...children: string[]): string {
  return `<${tag}>${children.join('')}</${tag}>`;
}

/** `<tag><item>…</item>…</tag>` with each item rendered by `render` (items are wrapped in `itemTag`). */
export function list<T>(
  tag: string,
  itemTag: string,
  items: readonly T[],
  render: (item: T) => string,
): string {
  return `<${tag}>${items.map((item) => `<${itemTag}>${render(item)}</${itemTag}>`).join('')}</${tag}>`;
}

export interface XmlElement {
  name: string;
  children: XmlElement[];
  text: string;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-z]+);/g, (whole, entity: string) => {
    if (entity.startsWith('#x')) return String.fromCodePoint(Number.parseInt(entity.slice(2), 16));
    if (entity.startsWith('#')) return String.fromCodePoint(Number.parseInt(entity.slice(1), 10));
    return ENTITIES[entity] ?? whole;
  });
}

/** Parse a small XML document (no DTDs); namespaces prefixes are dropped from names. Throws on malformed input. */
export function parseXml(source: string): XmlElement {
  const root: XmlElement = { name: '#document', children: [], text: '' };
  const stack: XmlElement[] = [root];
  const token =
    /<!\[CDATA\[([\s\S]*?)\]\]>|<!--[\s\S]*?-->|<\?[\s\S]*?\?>|<(\/?)([A-Za-z_][\w.:-]*)([^>]*?)(\/?)>|([^<]+)/g;
  for (let match = token.exec(source); match; match = token.exec(source)) {
    const top = stack[stack.length - 1] as XmlElement;
    const [, cdata, closing, rawName, , selfClosing, text] = match;
    if (cdata !== undefined) top.text += cdata;
    else if (text !== undefined) top.text += decodeEntities(text);
    else if (rawName !== undefined) {
      const name = rawName.includes(':') ? rawName.slice(rawName.indexOf(':') + 1) : rawName;
      if (closing) {
        if (top.name !== name) throw new Error(`malformed XML: </${name}> closes <${top.name}>`);
        stack.pop();
      } else {
        const element: XmlElement = { name, children: [], text: '' };
        top.children.push(element);
        if (!selfClosing) stack.push(element);
      }
    }
  }
  if (stack.length !== 1)
    throw new Error(`malformed XML: <${stack[stack.length - 1]?.name}> is never closed`);
  const [documentElement] = root.children;
  if (!documentElement) throw new Error('malformed XML: no root element');
  return documentElement;
}

export function child(element: XmlElement | undefined, name: string): XmlElement | undefined {
  return element?.children.find((c) => c.name === name);
}

export function children(element: XmlElement | undefined, name: string): XmlElement[] {
  return element?.children.filter((c) => c.name === name) ?? [];
}

/** Trimmed text of a child element, or undefined if absent. */
export function childText(element: XmlElement | undefined, name: string): string | undefined {
  const found = child(element, name);
  return found ? found.text.trim() : undefined;
}

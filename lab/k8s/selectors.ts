// Label and field selectors, as list/watch/delete-collection take them in the query string.
import { badRequest } from './errors.ts';
import type { KubeObject, LabelSelectorSpec } from './types.ts';

type Requirement =
  | { key: string; op: 'in' | 'notin'; values: string[] }
  | { key: string; op: 'exists' | '!exists' };

export type Matcher = (obj: KubeObject) => boolean;

function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of text) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      parts.push(current);
      current = '';
    } else current += ch;
  }
  parts.push(current);
  return parts.map((p) => p.trim()).filter((p) => p !== '');
}

function parseRequirement(text: string): Requirement {
  const set = /^([\w./-]+)\s+(in|notin)\s*\(([\w.,\s-]*)\)$/.exec(text);
  if (set) {
    const values = set[3]!.split(',').map((v) => v.trim());
    return { key: set[1]!, op: set[2] as 'in' | 'notin', values };
  }
  const cmp = /^([\w./-]+)\s*(==|=|!=)\s*([\w.-]*)$/.exec(text);
  if (cmp) return { key: cmp[1]!, op: cmp[2] === '!=' ? 'notin' : 'in', values: [cmp[3]!] };
  if (/^![\w./-]+$/.test(text)) return { key: text.slice(1), op: '!exists' };
  if (/^[\w./-]+$/.test(text)) return { key: text, op: 'exists' };
  throw badRequest(`unable to parse requirement: found '${text}', expected: in, notin, =, ==, !=, gt, lt`);
}

function matches(labels: Record<string, string>, req: Requirement): boolean {
  const has = Object.hasOwn(labels, req.key);
  switch (req.op) {
    case 'exists':
      return has;
    case '!exists':
      return !has;
    case 'in':
      return has && req.values.includes(labels[req.key]!);
    case 'notin':
      return !has || !req.values.includes(labels[req.key]!);
  }
}

/** A matcher for a `labelSelector` query value such as `app=luneo-api,tier notin (db)`. */
export function parseLabelSelector(text: string | null | undefined): Matcher {
  if (!text) return () => true;
  const reqs = splitTopLevel(text).map(parseRequirement);
  return (obj) => reqs.every((r) => matches(obj.metadata.labels ?? {}, r));
}

/** Does a label set satisfy a LabelSelector object (matchLabels + matchExpressions)? */
export function selectorMatches(
  selector: LabelSelectorSpec,
  labels: Record<string, string> | undefined,
): boolean {
  const have = labels ?? {};
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (have[k] !== v) return false;
  for (const e of selector.matchExpressions ?? []) {
    const op = e.operator.toLowerCase();
    const req: Requirement =
      op === 'exists'
        ? { key: e.key, op: 'exists' }
        : op === 'doesnotexist'
          ? { key: e.key, op: '!exists' }
          : { key: e.key, op: op === 'notin' ? 'notin' : 'in', values: e.values ?? [] };
    if (!matches(have, req)) return false;
  }
  return true;
}

/** A LabelSelector object as the text form kubectl shows (`app=luneo-api`). */
export function selectorToString(selector: LabelSelectorSpec): string {
  const parts = Object.entries(selector.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
  for (const e of selector.matchExpressions ?? []) {
    const op = e.operator.toLowerCase();
    if (op === 'exists') parts.push(e.key);
    else if (op === 'doesnotexist') parts.push(`!${e.key}`);
    else parts.push(`${e.key} ${op} (${(e.values ?? []).join(',')})`);
  }
  return parts.join(',');
}

function fieldValue(obj: KubeObject, path: string): string {
  let current: unknown = obj;
  for (const part of path.split('.')) {
    if (current === null || typeof current !== 'object') return '';
    current = (current as Record<string, unknown>)[part];
  }
  return current === undefined || current === null ? '' : String(current);
}

/** A matcher for a `fieldSelector` such as `metadata.name=x,status.phase!=Running` (any dotted path). */
export function parseFieldSelector(text: string | null | undefined): Matcher {
  if (!text) return () => true;
  const reqs = splitTopLevel(text).map((part) => {
    const m = /^([^=!]+)(==|=|!=)(.*)$/.exec(part);
    if (!m) throw badRequest(`invalid selector: '${text}'; can't understand '${part}'`);
    return { path: m[1]!.trim(), negate: m[2] === '!=', value: m[3]!.trim() };
  });
  return (obj) => reqs.every((r) => (fieldValue(obj, r.path) === r.value) !== r.negate);
}

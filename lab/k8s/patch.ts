// The patch formats kubectl and client-node send: JSON merge patch (RFC 7386), strategic merge patch
// (merge patch plus list merging by key for the fields Kubernetes marks so), JSON patch (RFC 6902).
import { KubeApiError } from './errors.ts';
import { isObject } from './types.ts';

type Obj = Record<string, unknown>;

/** RFC 7386: objects merge recursively, null deletes, everything else replaces. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return structuredClone(patch);
  const out: Obj = isObject(target) ? structuredClone(target) : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else out[key] = mergePatch(out[key], value);
  }
  return out;
}

// Lists Kubernetes merges by key in a strategic merge patch (patchStrategy=merge, patchMergeKey).
const MERGE_KEYS: Record<string, string> = {
  containers: 'name',
  initContainers: 'name',
  ephemeralContainers: 'name',
  env: 'name',
  ports: 'containerPort',
  volumes: 'name',
  volumeMounts: 'mountPath',
  imagePullSecrets: 'name',
  conditions: 'type',
  hostAliases: 'ip',
  ownerReferences: 'uid',
};
// Primitive lists merged as sets.
const MERGED_PRIMITIVE_LISTS = new Set(['finalizers']);

function mergeList(field: string, current: unknown, patch: unknown[]): unknown[] {
  if (patch.some((item) => isObject(item) && item.$patch === 'replace')) {
    return patch
      .filter((item) => !(isObject(item) && item.$patch === 'replace'))
      .map((i) => strategicMergePatch(undefined, i));
  }
  const base = Array.isArray(current) ? structuredClone(current) : [];
  if (MERGED_PRIMITIVE_LISTS.has(field)) {
    for (const item of patch) if (!base.includes(item)) base.push(item);
    return base;
  }
  const key = MERGE_KEYS[field];
  if (!key) return patch.map((item) => strategicMergePatch(undefined, item));
  for (const item of patch) {
    if (!isObject(item)) continue;
    const index = base.findIndex((existing) => isObject(existing) && existing[key] === item[key]);
    if (item.$patch === 'delete') {
      if (index >= 0) base.splice(index, 1);
    } else if (index >= 0) base[index] = strategicMergePatch(base[index], item);
    else base.push(strategicMergePatch(undefined, item));
  }
  return base;
}

/** Strategic merge patch: a merge patch whose keyed lists (containers, env, ports ...) merge item by item. */
export function strategicMergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return structuredClone(patch);
  if (patch.$patch === 'replace') {
    const { $patch: _, ...rest } = patch;
    return strategicMergePatch(undefined, rest);
  }
  const out: Obj = isObject(target) ? structuredClone(target) : {};
  const retain = Array.isArray(patch.$retainKeys) ? (patch.$retainKeys as string[]) : undefined;
  for (const [key, value] of Object.entries(patch)) {
    if (key === '$patch' || key === '$retainKeys' || key.startsWith('$setElementOrder/')) continue;
    if (key.startsWith('$deleteFromPrimitiveList/')) {
      const field = key.slice('$deleteFromPrimitiveList/'.length);
      const list = out[field];
      if (Array.isArray(list) && Array.isArray(value)) out[field] = list.filter((v) => !value.includes(v));
      continue;
    }
    if (value === null) delete out[key];
    else if (isObject(value) && value.$patch === 'delete') delete out[key];
    else if (Array.isArray(value)) out[key] = mergeList(key, out[key], value);
    else out[key] = strategicMergePatch(out[key], value);
  }
  if (retain) for (const key of Object.keys(out)) if (!retain.includes(key)) delete out[key];
  return out;
}

export interface JsonPatchOperation {
  op: 'add' | 'remove' | 'replace' | 'test' | 'move' | 'copy';
  path: string;
  value?: unknown;
  from?: string;
}

function patchError(message: string): KubeApiError {
  return new KubeApiError('Invalid', message);
}

function parsePointer(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw patchError(`json patch: path "${pointer}" must start with "/"`);
  return pointer
    .slice(1)
    .split('/')
    .map((t) => t.replaceAll('~1', '/').replaceAll('~0', '~'));
}

function resolveParent(
  doc: unknown,
  tokens: string[],
  pointer: string,
): { parent: Obj | unknown[]; last: string } {
  let current: unknown = doc;
  for (const token of tokens.slice(0, -1)) {
    if (Array.isArray(current)) current = current[Number(token)];
    else if (isObject(current)) current = current[token];
    else current = undefined;
    if (current === undefined) throw patchError(`json patch: path "${pointer}" does not exist`);
  }
  if (!Array.isArray(current) && !isObject(current))
    throw patchError(`json patch: path "${pointer}" does not exist`);
  return { parent: current, last: tokens[tokens.length - 1]! };
}

function arrayIndex(list: unknown[], token: string, pointer: string, forAdd: boolean): number {
  if (forAdd && token === '-') return list.length;
  const index = Number(token);
  const max = forAdd ? list.length : list.length - 1;
  if (!/^\d+$/.test(token) || index > max)
    throw patchError(`json patch: index "${token}" out of range in "${pointer}"`);
  return index;
}

function getAt(doc: unknown, pointer: string): unknown {
  const tokens = parsePointer(pointer);
  if (tokens.length === 0) return doc;
  const { parent, last } = resolveParent(doc, tokens, pointer);
  const value = Array.isArray(parent) ? parent[arrayIndex(parent, last, pointer, false)] : parent[last];
  if (value === undefined) throw patchError(`json patch: path "${pointer}" does not exist`);
  return value;
}

function removeAt(doc: unknown, pointer: string): unknown {
  const tokens = parsePointer(pointer);
  const { parent, last } = resolveParent(doc, tokens, pointer);
  if (Array.isArray(parent)) return parent.splice(arrayIndex(parent, last, pointer, false), 1)[0];
  if (!Object.hasOwn(parent, last))
    throw patchError(`json patch: cannot remove "${pointer}": it does not exist`);
  const value = parent[last];
  delete parent[last];
  return value;
}

function addAt(doc: unknown, pointer: string, value: unknown, replace: boolean): unknown {
  const tokens = parsePointer(pointer);
  if (tokens.length === 0) return structuredClone(value);
  const { parent, last } = resolveParent(doc, tokens, pointer);
  if (Array.isArray(parent)) {
    const index = arrayIndex(parent, last, pointer, !replace);
    parent.splice(index, replace ? 1 : 0, structuredClone(value));
  } else {
    if (replace && !Object.hasOwn(parent, last))
      throw patchError(`json patch: cannot replace "${pointer}": it does not exist`);
    parent[last] = structuredClone(value);
  }
  return doc;
}

/** RFC 6902 JSON patch: add, remove, replace, test, move, copy. A failed operation is a 422. */
export function jsonPatch(target: unknown, operations: unknown): unknown {
  if (!Array.isArray(operations))
    throw new KubeApiError('BadRequest', 'json patch: the body must be an array of operations');
  let doc = structuredClone(target);
  for (const raw of operations as JsonPatchOperation[]) {
    switch (raw.op) {
      case 'add':
        doc = addAt(doc, raw.path, raw.value, false);
        break;
      case 'replace':
        doc = addAt(doc, raw.path, raw.value, true);
        break;
      case 'remove':
        removeAt(doc, raw.path);
        break;
      case 'test': {
        const actual = getAt(doc, raw.path);
        if (JSON.stringify(actual) !== JSON.stringify(raw.value)) {
          throw patchError(
            `json patch: test failed at "${raw.path}": expected ${JSON.stringify(raw.value)}, found ${JSON.stringify(actual)}`,
          );
        }
        break;
      }
      case 'move': {
        const value = removeAt(doc, raw.from ?? '');
        doc = addAt(doc, raw.path, value, false);
        break;
      }
      case 'copy':
        doc = addAt(doc, raw.path, getAt(doc, raw.from ?? ''), false);
        break;
      default:
        throw new KubeApiError(
          'BadRequest',
          `json patch: unknown operation "${String((raw as { op?: unknown }).op)}"`,
        );
    }
  }
  return doc;
}

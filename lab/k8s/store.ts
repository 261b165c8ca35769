// The API server's storage: objects by kind/namespace/name, one increasing resourceVersion, and a
// bounded log of changes so watches can resume from a resourceVersion (or get 410 Gone).
import { randomUUID } from 'node:crypto';
import { alreadyExists, KubeApiError, notFound } from './errors.ts';
import { canonicalJson } from './names.ts';
import { resourceByKind } from './resources.ts';
import type { KubeObject } from './types.ts';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface StoreEvent {
  type: WatchEventType;
  object: KubeObject;
  resourceVersion: number;
}

const EVENT_LOG_SIZE = 5000;
// Kinds whose metadata.generation counts spec changes (kubectl rollout status compares it).
const GENERATION_KINDS = new Set([
  'Deployment',
  'ReplicaSet',
  'Rollout',
  'ScaledObject',
  'HorizontalPodAutoscaler',
]);

function keyOf(kind: string, namespace: string | undefined, name: string): string {
  return `${kind}/${namespace ?? ''}/${name}`;
}

function describe(kind: string): { plural: string; group: string } {
  const r = resourceByKind(kind);
  return { plural: r?.plural ?? kind.toLowerCase(), group: r?.group ?? '' };
}

export class ObjectStore {
  private readonly objects = new Map<string, KubeObject>();
  private readonly events: StoreEvent[] = [];
  private readonly listeners = new Set<(event: StoreEvent) => void>();
  private version = 0;

  /** The newest resourceVersion handed out (the list resourceVersion). */
  get resourceVersion(): number {
    return this.version;
  }

  get(kind: string, namespace: string | undefined, name: string): KubeObject | undefined {
    const found = this.objects.get(keyOf(kind, namespace, name));
    return found ? structuredClone(found) : undefined;
  }

  /** Like get, but a missing object is the API's 404. */
  require(kind: string, namespace: string | undefined, name: string): KubeObject {
    const found = this.get(kind, namespace, name);
    if (!found) {
      const { plural, group } = describe(kind);
      throw notFound(plural, group, name);
    }
    return found;
  }

  /** Objects of a kind, in one namespace or all, sorted by namespace then name (as etcd lists them). */
  list(kind: string, namespace?: string): KubeObject[] {
    const prefix = namespace === undefined ? `${kind}/` : `${kind}/${namespace}/`;
    const out: KubeObject[] = [];
    for (const [key, obj] of this.objects) if (key.startsWith(prefix)) out.push(structuredClone(obj));
    return out.sort((a, b) => {
      const an = `${a.metadata.namespace ?? ''}/${a.metadata.name}`;
      const bn = `${b.metadata.namespace ?? ''}/${b.metadata.name}`;
      return an < bn ? -1 : an > bn ? 1 : 0;
    });
  }

  create(input: KubeObject): KubeObject {
    const obj = structuredClone(input);
    const key = keyOf(obj.kind, obj.metadata.namespace, obj.metadata.name);
    if (this.objects.has(key)) {
      const { plural, group } = describe(obj.kind);
      throw alreadyExists(plural, group, obj.metadata.name);
    }
    obj.metadata.uid = randomUUID();
    obj.metadata.creationTimestamp = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    if (GENERATION_KINDS.has(obj.kind)) obj.metadata.generation = 1;
    else delete obj.metadata.generation;
    delete obj.metadata.deletionTimestamp;
    return this.commit(key, obj, 'ADDED');
  }

  /** Replace a stored object. A resourceVersion in the input must match (optimistic concurrency). */
  update(input: KubeObject): KubeObject {
    const obj = structuredClone(input);
    const key = keyOf(obj.kind, obj.metadata.namespace, obj.metadata.name);
    const current = this.objects.get(key);
    const { plural, group } = describe(obj.kind);
    if (!current) throw notFound(plural, group, obj.metadata.name);
    const expected = obj.metadata.resourceVersion;
    if (expected && expected !== current.metadata.resourceVersion) {
      throw new KubeApiError(
        'Conflict',
        `Operation cannot be fulfilled on ${group ? `${plural}.${group}` : plural} "${obj.metadata.name}": the object has been modified; please apply your changes to the latest version and try again`,
        { name: obj.metadata.name, ...(group ? { group } : {}), kind: plural },
      );
    }
    obj.metadata.uid = current.metadata.uid;
    obj.metadata.creationTimestamp = current.metadata.creationTimestamp;
    if (current.metadata.deletionTimestamp)
      obj.metadata.deletionTimestamp = current.metadata.deletionTimestamp;
    if (GENERATION_KINDS.has(obj.kind)) {
      const generation = current.metadata.generation ?? 1;
      const specChanged = canonicalJson(obj.spec) !== canonicalJson(current.spec);
      obj.metadata.generation = specChanged ? generation + 1 : generation;
    }
    // An update that changes nothing keeps its resourceVersion, as in Kubernetes (no event either).
    const withoutVersion = (o: KubeObject) =>
      canonicalJson({ ...o, metadata: { ...o.metadata, resourceVersion: '' } });
    if (withoutVersion(obj) === withoutVersion(current)) return structuredClone(current);
    return this.commit(key, obj, 'MODIFIED');
  }

  delete(kind: string, namespace: string | undefined, name: string): KubeObject {
    const key = keyOf(kind, namespace, name);
    const current = this.objects.get(key);
    if (!current) {
      const { plural, group } = describe(kind);
      throw notFound(plural, group, name);
    }
    this.objects.delete(key);
    const gone = structuredClone(current);
    gone.metadata.resourceVersion = String(++this.version);
    this.record({ type: 'DELETED', object: gone, resourceVersion: this.version });
    return structuredClone(gone);
  }

  /** Changes after `resourceVersion`, or undefined when they are older than the log keeps (410 Gone). */
  eventsSince(resourceVersion: number): StoreEvent[] | undefined {
    const oldest = this.events[0]?.resourceVersion ?? this.version + 1;
    if (resourceVersion < oldest - 1 && resourceVersion < this.version) return undefined;
    return this.events.filter((e) => e.resourceVersion > resourceVersion).map((e) => structuredClone(e));
  }

  subscribe(listener: (event: StoreEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private commit(key: string, obj: KubeObject, type: WatchEventType): KubeObject {
    obj.metadata.resourceVersion = String(++this.version);
    this.objects.set(key, obj);
    this.record({ type, object: structuredClone(obj), resourceVersion: this.version });
    return structuredClone(obj);
  }

  private record(event: StoreEvent): void {
    this.events.push(event);
    if (this.events.length > EVENT_LOG_SIZE) this.events.shift();
    for (const listener of this.listeners) listener(event);
  }
}

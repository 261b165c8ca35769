// REST semantics of the API server, free of HTTP: list, get, create, replace, patch, delete, and the
// scale and status subresources, with kube-apiserver's status codes and messages.
import { badRequest, KubeApiError, notFound } from './errors.ts';
import { jsonPatch, mergePatch, strategicMergePatch } from './patch.ts';
import { deletePodGracefully } from './pod-delete.ts';
import { apiVersionOf, RESOURCES, type ResourceType } from './resources.ts';
import { parseFieldSelector, parseLabelSelector, selectorToString } from './selectors.ts';
import type { ObjectStore } from './store.ts';
import { type Deployment, isObject, type KubeObject, type Pod } from './types.ts';
import { prepareObject } from './validate.ts';

export const PATCH_TYPES = [
  'application/merge-patch+json',
  'application/strategic-merge-patch+json',
  'application/json-patch+json',
  'application/apply-patch+yaml',
] as const;
export type PatchType = (typeof PATCH_TYPES)[number];

// Kinds whose status only the controllers (or the /status subresource) write.
const STATUS_KINDS = new Set([
  'Deployment',
  'ReplicaSet',
  'Pod',
  'Node',
  'Namespace',
  'HorizontalPodAutoscaler',
  'Rollout',
  'ScaledObject',
]);

export interface Target {
  resource: ResourceType;
  namespace: string | undefined;
  name: string;
}

function qualified(resource: ResourceType): string {
  return resource.group ? `${resource.plural}.${resource.group}` : resource.plural;
}

async function parseApplyBody(text: string): Promise<unknown> {
  try {
    return JSON.parse(text);
  } catch {
    const { loadYaml } = await import('@kubernetes/client-node'); // YAML only when the body is not JSON
    return loadYaml(text);
  }
}

export class KubeApi {
  constructor(private readonly store: ObjectStore) {}

  list(resource: ResourceType, namespace: string | undefined, query: URLSearchParams) {
    const labels = parseLabelSelector(query.get('labelSelector'));
    const fields = parseFieldSelector(query.get('fieldSelector'));
    if (namespace && resource.namespaced) this.requireNamespace(namespace);
    const items = this.store
      .list(resource.kind, resource.namespaced ? namespace : undefined)
      .filter((o) => labels(o) && fields(o));
    return {
      kind: `${resource.kind}List`,
      apiVersion: apiVersionOf(resource),
      metadata: { resourceVersion: String(this.store.resourceVersion) },
      items,
    };
  }

  get(t: Target): KubeObject {
    const found = this.store.get(t.resource.kind, t.resource.namespaced ? t.namespace : undefined, t.name);
    if (!found) throw notFound(t.resource.plural, t.resource.group, t.name);
    return found;
  }

  create(
    resource: ResourceType,
    namespace: string | undefined,
    body: unknown,
    query: URLSearchParams,
  ): KubeObject {
    const obj = this.checkBody(resource, namespace, body, undefined);
    if (resource.namespaced) this.requireNamespace(namespace!);
    if (STATUS_KINDS.has(resource.kind)) delete obj.status;
    const prepared = prepareObject(resource, obj, undefined);
    if (query.get('dryRun') === 'All') return prepared;
    return this.store.create(prepared);
  }

  replace(t: Target, body: unknown, query: URLSearchParams): KubeObject {
    const current = this.get(t);
    const obj = this.checkBody(t.resource, t.namespace, body, t.name);
    if (STATUS_KINDS.has(t.resource.kind)) obj.status = current.status;
    return this.save(t.resource, obj, current, query);
  }

  async patch(t: Target, contentType: string, text: string, query: URLSearchParams): Promise<KubeObject> {
    const type = PATCH_TYPES.find((p) => contentType.startsWith(p));
    if (!type) {
      throw new KubeApiError(
        'UnsupportedMediaType',
        `the body of the request was in an unknown format - accepted media types include: ${PATCH_TYPES.join(', ')}`,
      );
    }
    // Custom resources have no strategic merge patch (no patchStrategy in a CRD's schema).
    // https://kubernetes.io/docs/tasks/manage-kubernetes-objects/update-api-object-kubectl-patch/#use-a-json-merge-patch-to-update-a-deployment
    if (t.resource.crd && type === 'application/strategic-merge-patch+json') {
      const accepted = PATCH_TYPES.filter((p) => p !== 'application/strategic-merge-patch+json');
      throw new KubeApiError(
        'UnsupportedMediaType',
        `the body of the request was in an unknown format - accepted media types include: ${accepted.join(', ')}`,
      );
    }
    const current = this.store.get(t.resource.kind, t.resource.namespaced ? t.namespace : undefined, t.name);
    if (type === 'application/apply-patch+yaml') {
      if (!query.get('fieldManager')) throw badRequest('fieldManager is required for apply requests');
      const applied = await parseApplyBody(text);
      if (!current) return this.create(t.resource, t.namespace, applied, query);
      return this.save(
        t.resource,
        this.patched(t, current, strategicMergePatch(current, applied)),
        current,
        query,
      );
    }
    if (!current) throw notFound(t.resource.plural, t.resource.group, t.name);
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch (error) {
      throw badRequest(`error decoding patch: ${(error as Error).message}`);
    }
    const result =
      type === 'application/json-patch+json'
        ? jsonPatch(current, body)
        : type === 'application/merge-patch+json'
          ? mergePatch(current, body)
          : strategicMergePatch(current, body);
    return this.save(t.resource, this.patched(t, current, result), current, query);
  }

  /** Pods are deleted gracefully (the kubelet stops the processes, then removes the object). */
  delete(t: Target, body: unknown, query: URLSearchParams): KubeObject | object {
    const current = this.get(t);
    const options = isObject(body) ? body : {};
    const grace = Number(options.gracePeriodSeconds ?? query.get('gracePeriodSeconds') ?? Number.NaN);
    if (query.get('dryRun') === 'All') return current;
    if (t.resource.kind === 'Pod')
      return deletePodGracefully(this.store, current as Pod, Number.isFinite(grace) ? grace : undefined);
    if (t.resource.kind === 'Namespace') this.emptyNamespace(t.name);
    this.store.delete(t.resource.kind, current.metadata.namespace, t.name);
    return {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Success',
      details: {
        name: t.name,
        ...(t.resource.group ? { group: t.resource.group } : {}),
        kind: t.resource.plural,
        uid: current.metadata.uid,
      },
    };
  }

  deleteCollection(resource: ResourceType, namespace: string | undefined, query: URLSearchParams) {
    const list = this.list(resource, namespace, query);
    for (const item of list.items)
      this.delete({ resource, namespace, name: item.metadata.name }, undefined, query);
    return list;
  }

  getScale(t: Target) {
    const d = this.get(t) as Deployment;
    return {
      kind: 'Scale',
      apiVersion: 'autoscaling/v1',
      metadata: {
        name: d.metadata.name,
        namespace: d.metadata.namespace,
        uid: d.metadata.uid,
        resourceVersion: d.metadata.resourceVersion,
        creationTimestamp: d.metadata.creationTimestamp,
      },
      spec: { replicas: d.spec.replicas ?? 1 },
      status: { replicas: d.status?.replicas ?? 0, selector: selectorToString(d.spec.selector) },
    };
  }

  /** PUT or PATCH of /scale: only spec.replicas of the result counts. */
  async updateScale(t: Target, method: 'PUT' | 'PATCH', contentType: string, text: string) {
    const scale = this.getScale(t);
    let next: unknown;
    if (method === 'PUT') next = JSON.parse(text);
    else {
      const body = JSON.parse(text);
      next = contentType.startsWith('application/json-patch+json')
        ? jsonPatch(scale, body)
        : mergePatch(scale, body);
    }
    const replicas = isObject(next) && isObject(next.spec) ? next.spec.replicas : undefined;
    const rv = isObject(next) && isObject(next.metadata) ? next.metadata.resourceVersion : undefined;
    if (!Number.isInteger(replicas) || (replicas as number) < 0) {
      throw new KubeApiError(
        'Invalid',
        `Scale.autoscaling "${t.name}" is invalid: spec.replicas: Invalid value: ${JSON.stringify(replicas)}: must be greater than or equal to 0`,
      );
    }
    const d = this.get(t) as Deployment;
    if (typeof rv === 'string' && rv !== '' && rv !== d.metadata.resourceVersion) {
      this.store.update({ ...d, metadata: { ...d.metadata, resourceVersion: rv } }); // throws the 409
    }
    d.spec.replicas = replicas as number;
    delete d.metadata.resourceVersion;
    this.store.update(d);
    return this.getScale(t);
  }

  /** PUT or PATCH of /status: only the status of the result counts. */
  async updateStatus(
    t: Target,
    method: 'PUT' | 'PATCH',
    contentType: string,
    text: string,
  ): Promise<KubeObject> {
    const current = this.get(t);
    let next: KubeObject;
    if (method === 'PUT') next = this.checkBody(t.resource, t.namespace, JSON.parse(text), t.name);
    else {
      const body = JSON.parse(text);
      next = (
        contentType.startsWith('application/json-patch+json')
          ? jsonPatch(current, body)
          : mergePatch(current, body)
      ) as KubeObject;
    }
    const updated = { ...current, status: next.status };
    if (next.metadata?.resourceVersion)
      updated.metadata = { ...current.metadata, resourceVersion: next.metadata.resourceVersion };
    return this.store.update(updated);
  }

  private save(
    resource: ResourceType,
    obj: KubeObject,
    current: KubeObject,
    query: URLSearchParams,
  ): KubeObject {
    if (STATUS_KINDS.has(resource.kind)) obj.status = current.status;
    delete obj.metadata.deletionTimestamp;
    const prepared = prepareObject(resource, obj, current);
    if (query.get('dryRun') === 'All') return prepared;
    return this.store.update(prepared);
  }

  private patched(t: Target, current: KubeObject, result: unknown): KubeObject {
    if (!isObject(result) || !isObject(result.metadata))
      throw badRequest('the patch removed the object metadata');
    const obj = result as KubeObject;
    if (obj.metadata.name !== current.metadata.name)
      throw badRequest(
        `the name of the object (${String(obj.metadata.name)}) does not match the name on the URL (${t.name})`,
      );
    obj.apiVersion = current.apiVersion;
    obj.kind = current.kind;
    if (current.metadata.namespace) obj.metadata.namespace = current.metadata.namespace;
    return obj;
  }

  private checkBody(
    resource: ResourceType,
    namespace: string | undefined,
    body: unknown,
    urlName: string | undefined,
  ): KubeObject {
    if (!isObject(body)) throw badRequest(`the body of the request must be a ${resource.kind} object`);
    const obj = structuredClone(body) as KubeObject;
    obj.metadata = isObject(obj.metadata) ? obj.metadata : ({} as KubeObject['metadata']);
    if (obj.kind !== undefined && obj.kind !== resource.kind) {
      throw badRequest(
        `the API version in the data (${String(obj.apiVersion)}) and kind (${String(obj.kind)}) do not match the ${qualified(resource)} resource`,
      );
    }
    obj.kind = resource.kind;
    obj.apiVersion = apiVersionOf(resource);
    if (resource.namespaced) {
      if (obj.metadata.namespace && obj.metadata.namespace !== namespace) {
        throw badRequest(
          'the namespace of the provided object does not match the namespace sent on the request',
        );
      }
      obj.metadata.namespace = namespace;
    } else delete obj.metadata.namespace;
    if (urlName !== undefined && obj.metadata.name !== urlName) {
      throw badRequest(
        `the name of the object (${String(obj.metadata.name)}) does not match the name on the URL (${urlName})`,
      );
    }
    return obj;
  }

  private requireNamespace(namespace: string): void {
    if (!this.store.get('Namespace', undefined, namespace)) throw notFound('namespaces', '', namespace);
  }

  private emptyNamespace(namespace: string): void {
    for (const r of RESOURCES) {
      if (!r.namespaced) continue;
      for (const o of this.store.list(r.kind, namespace)) {
        if (r.kind === 'Pod') deletePodGracefully(this.store, o as Pod);
        else this.store.delete(r.kind, namespace, o.metadata.name);
      }
    }
  }
}

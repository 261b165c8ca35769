// REST semantics over the store: status shapes, conflicts, validation, patches, 410 for old watches.
import { describe, expect, it } from 'vitest';
import { KubeApi } from './api.ts';
import type { KubeApiError } from './errors.ts';
import { resourceByKind } from './resources.ts';
import { ObjectStore } from './store.ts';

const q = new URLSearchParams();
const configmaps = resourceByKind('ConfigMap')!;

function setup() {
  const store = new ObjectStore();
  const api = new KubeApi(store);
  api.create(resourceByKind('Namespace')!, undefined, { metadata: { name: 'ns' } }, q);
  api.create(configmaps, 'ns', { metadata: { name: 'dr-overrides' }, data: { dr_mode: 'normal' } }, q);
  return { store, api, target: { resource: configmaps, namespace: 'ns', name: 'dr-overrides' } };
}

function caught(fn: () => unknown): KubeApiError {
  try {
    fn();
  } catch (error) {
    return error as KubeApiError;
  }
  throw new Error('expected an error');
}

describe('KubeApi', () => {
  it('defaults a pod template to the real 30 s termination grace period', () => {
    const { api } = setup();
    const created = api.create(
      resourceByKind('Deployment')!,
      'ns',
      {
        metadata: { name: 'ai-worker' },
        spec: {
          selector: { matchLabels: { app: 'ai-worker' } },
          template: { metadata: { labels: { app: 'ai-worker' } }, spec: { containers: [{ name: 'main' }] } },
        },
      },
      q,
    ) as unknown as { spec: { template: { spec: { terminationGracePeriodSeconds: number } } } };
    expect(created.spec.template.spec.terminationGracePeriodSeconds).toBe(30);
  });

  it('refuses a strategic merge patch on a custom resource (415), as for any CRD', async () => {
    const { api } = setup();
    const scaledObjects = resourceByKind('ScaledObject')!;
    api.create(scaledObjects, 'ns', { metadata: { name: 'w' }, spec: { scaleTargetRef: { name: 'w' } } }, q);
    const target = { resource: scaledObjects, namespace: 'ns', name: 'w' };
    const error = await api
      .patch(target, 'application/strategic-merge-patch+json', '{"metadata":{"labels":{"a":"b"}}}', q)
      .catch((e: KubeApiError) => e);
    expect((error as KubeApiError).toStatus().code).toBe(415);
    const merged = await api.patch(
      target,
      'application/merge-patch+json',
      '{"metadata":{"labels":{"a":"b"}}}',
      q,
    );
    expect(merged.metadata.labels).toEqual({ a: 'b' });
  });

  it('answers a missing object with a NotFound Status', () => {
    const { api } = setup();
    expect(caught(() => api.get({ resource: configmaps, namespace: 'ns', name: 'x' })).toStatus()).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'configmaps "x" not found',
      reason: 'NotFound',
      details: { name: 'x', kind: 'configmaps' },
      code: 404,
    });
    expect(caught(() => api.create(configmaps, 'nope', { metadata: { name: 'a' } }, q)).message).toBe(
      'namespaces "nope" not found',
    );
  });

  it('bumps resourceVersion on every change and rejects a stale one with 409 Conflict', () => {
    const { api, target } = setup();
    const before = api.get(target);
    const after = api.replace(target, { ...before, data: { dr_mode: 'failover' } }, q);
    expect(Number(after.metadata.resourceVersion)).toBeGreaterThan(Number(before.metadata.resourceVersion));
    const stale = caught(() => api.replace(target, { ...before, data: { dr_mode: 'x' } }, q));
    expect([stale.httpStatus, stale.code]).toEqual([409, 'Conflict']);
    expect(stale.message).toBe(
      'Operation cannot be fulfilled on configmaps "dr-overrides": the object has been modified; please apply your changes to the latest version and try again',
    );
  });

  it('rejects invalid names and a body for another namespace', () => {
    const { api } = setup();
    const bad = caught(() => api.create(configmaps, 'ns', { metadata: { name: 'Bad_Name' } }, q));
    expect(bad.httpStatus).toBe(422);
    expect(bad.message).toMatch(/^ConfigMap "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name"/);
    const other = caught(() =>
      api.create(configmaps, 'ns', { metadata: { name: 'a', namespace: 'other' } }, q),
    );
    expect([other.httpStatus, other.message]).toEqual([
      400,
      'the namespace of the provided object does not match the namespace sent on the request',
    ]);
  });

  it('applies server-side: creates when missing (fieldManager required), merges when present', async () => {
    const { api } = setup();
    const target = { resource: configmaps, namespace: 'ns', name: 'ssa' };
    const body = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ssa\ndata:\n  a: "1"\n';
    await expect(api.patch(target, 'application/apply-patch+yaml', body, q)).rejects.toThrow(
      'fieldManager is required for apply requests',
    );
    const manager = new URLSearchParams({ fieldManager: 'test' });
    expect((await api.patch(target, 'application/apply-patch+yaml', body, manager)).data).toEqual({ a: '1' });
    const merged = await api.patch(
      target,
      'application/apply-patch+yaml',
      '{"metadata":{"name":"ssa"},"data":{"b":"2"}}',
      manager,
    );
    expect(merged.data).toEqual({ a: '1', b: '2' });
  });

  it('refuses an unknown patch content type with 415', async () => {
    const { api, target } = setup();
    await expect(api.patch(target, 'text/plain', '{}', q)).rejects.toMatchObject({
      httpStatus: 415,
      code: 'UnsupportedMediaType',
    });
  });

  it('replays watch events after a resourceVersion, or says Gone when they are no longer kept', () => {
    const { store, api, target } = setup();
    const rv = store.resourceVersion;
    api.replace(target, { ...api.get(target), data: { dr_mode: 'failover' } }, q);
    expect(store.eventsSince(rv)!.map((e) => [e.type, e.object.metadata.name])).toEqual([
      ['MODIFIED', 'dr-overrides'],
    ]);
    for (let i = 0; i < 5001; i++)
      api.replace(
        target,
        { ...api.get(target), metadata: { name: 'dr-overrides', labels: { n: String(i) } } },
        q,
      );
    expect(store.eventsSince(rv)).toBeUndefined();
  });
});

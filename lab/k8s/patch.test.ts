import { describe, expect, it } from 'vitest';
import { KubeApiError } from './errors.ts';
import { jsonPatch, mergePatch, strategicMergePatch } from './patch.ts';

const deployment = {
  spec: {
    replicas: 2,
    template: {
      metadata: { labels: { app: 'api' } },
      spec: {
        containers: [
          {
            name: 'api',
            command: ['node', 'api.js'],
            env: [
              { name: 'A', value: '1' },
              { name: 'B', value: '2' },
            ],
          },
          { name: 'sidecar', command: ['node', 'side.js'] },
        ],
      },
    },
  },
};

describe('mergePatch (RFC 7386)', () => {
  it('merges objects, deletes on null and replaces lists whole', () => {
    expect(mergePatch({ a: { b: 1, c: 2 }, l: [1, 2] }, { a: { c: null, d: 3 }, l: [9] })).toEqual({
      a: { b: 1, d: 3 },
      l: [9],
    });
  });
});

describe('strategicMergePatch', () => {
  it('merges containers and env by name instead of replacing the lists', () => {
    const patched = strategicMergePatch(deployment, {
      spec: {
        template: {
          spec: {
            containers: [
              {
                name: 'api',
                env: [
                  { name: 'B', value: 'two' },
                  { name: 'C', value: '3' },
                ],
              },
            ],
          },
        },
      },
    }) as typeof deployment;
    expect(patched.spec.template.spec.containers).toEqual([
      {
        name: 'api',
        command: ['node', 'api.js'],
        env: [
          { name: 'A', value: '1' },
          { name: 'B', value: 'two' },
          { name: 'C', value: '3' },
        ],
      },
      { name: 'sidecar', command: ['node', 'side.js'] },
    ]);
  });

  it('honours $patch: delete in a keyed list and $patch: replace on a map', () => {
    const patched = strategicMergePatch(deployment, {
      spec: {
        template: {
          metadata: { labels: { $patch: 'replace', tier: 'web' } },
          spec: { containers: [{ name: 'sidecar', $patch: 'delete' }] },
        },
      },
    }) as typeof deployment;
    expect(patched.spec.template.spec.containers.map((c) => c.name)).toEqual(['api']);
    expect(patched.spec.template.metadata.labels).toEqual({ tier: 'web' });
  });

  it('adds the restartedAt annotation kubectl rollout restart sends', () => {
    const at = '2026-11-26T04:34:10Z';
    const patched = strategicMergePatch(deployment, {
      spec: { template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': at } } } },
    }) as { spec: { template: { metadata: object } } };
    expect(patched.spec.template.metadata).toEqual({
      labels: { app: 'api' },
      annotations: { 'kubectl.kubernetes.io/restartedAt': at },
    });
  });
});

describe('jsonPatch (RFC 6902)', () => {
  it('adds, replaces, removes, tests, moves and copies', () => {
    const doc = { data: { a: '1', b: '2' }, list: ['x'] };
    const out = jsonPatch(doc, [
      { op: 'test', path: '/data/a', value: '1' },
      { op: 'replace', path: '/data/a', value: 'one' },
      { op: 'add', path: '/list/-', value: 'y' },
      { op: 'add', path: '/list/0', value: 'w' },
      { op: 'remove', path: '/data/b' },
      { op: 'copy', from: '/data/a', path: '/data/c' },
      { op: 'move', from: '/data/c', path: '/data/a~1b' },
    ]);
    expect(out).toEqual({ data: { a: 'one', 'a/b': 'one' }, list: ['w', 'x', 'y'] });
    expect(doc).toEqual({ data: { a: '1', b: '2' }, list: ['x'] });
  });

  it('rejects a failed test and a missing path with a 422 that names the path', () => {
    const failed = (() => {
      try {
        jsonPatch({ data: { a: '1' } }, [{ op: 'test', path: '/data/a', value: '2' }]);
      } catch (error) {
        return error;
      }
    })() as KubeApiError;
    expect(failed).toBeInstanceOf(KubeApiError);
    expect(failed.httpStatus).toBe(422);
    expect(failed.message).toBe('json patch: test failed at "/data/a": expected "2", found "1"');
    expect(() => jsonPatch({ data: {} }, [{ op: 'replace', path: '/data/zz', value: 1 }])).toThrow(
      'json patch: cannot replace "/data/zz": it does not exist',
    );
    expect(() => jsonPatch({}, [{ op: 'remove', path: '/spec/replicas' }])).toThrow(
      'json patch: path "/spec/replicas" does not exist',
    );
  });
});

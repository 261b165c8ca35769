import { describe, expect, it } from 'vitest';
import type { RunContext, Target } from '../core/model.ts';
import { connection } from './connection.ts';

interface Res {
  zone: string;
  url: string;
}

function run(target: Target<Res>, state = new Map<string, unknown>()): RunContext<Res> {
  return {
    runId: 'r1',
    scenario: { name: 's' } as RunContext<Res>['scenario'],
    target,
    signal: new AbortController().signal,
    dryRun: false,
    clock: { now: () => 0, wall: () => new Date(0), t0: undefined },
    log: { info() {}, warn() {}, debug() {} },
    audit: { mutate: (_call, perform) => perform() },
    state,
    attach: async (name, contentType) => ({ name, contentType, path: name }),
  };
}

describe('connection', () => {
  it('uses what the target resolves on connecting, once per run, in place of its static bindings', async () => {
    let connects = 0;
    const target: Target<Res> = {
      name: 't',
      description: 't',
      kind: 'lab',
      aws: { regions: ['eu-west-1'], accountIds: ['111122223333'] },
      kube: { contexts: { a: 'ctx-a' }, kubeconfig: '/static/kubeconfig' },
      resources: { zone: '<unknown>', url: 'static' },
      async connect({ resources }) {
        connects++;
        return {
          aws: { endpoint: 'http://127.0.0.1:1', accountId: '444455556666' },
          kube: { kubeconfig: '/lab/kubeconfig' },
          resources: { zone: `Z-for-${resources.url}` },
        };
      },
    };
    const state = new Map<string, unknown>();
    const [a, b] = await Promise.all([connection(run(target, state)), connection(run(target, state))]);
    expect(connects).toBe(1);
    expect(a.r).toEqual({ zone: 'Z-for-static', url: 'static' });
    expect(a.accountId).toBe('444455556666');
    expect(a.kubeconfig).toBe('/lab/kubeconfig');
    expect(b.r).toEqual(a.r);
    expect(await a.aws.factory.config.endpoint).toBe('http://127.0.0.1:1');
  });

  it('a target that resolves nothing runs on its static bindings and the default credential chain', async () => {
    const conn = await connection(
      run({
        name: 't',
        description: 't',
        kind: 'live',
        aws: { regions: ['us-east-1'], accountIds: ['111122223333'] },
        resources: { zone: 'Z1', url: 'u' },
      }),
    );
    expect(conn.r).toEqual({ zone: 'Z1', url: 'u' });
    expect(conn.accountId).toBe('111122223333');
    expect(conn.kubeconfig).toBeUndefined();
    expect(conn.aws.factory.config.endpoint).toBeUndefined();
  });
});

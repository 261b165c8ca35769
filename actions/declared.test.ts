import { describe, expect, it } from 'vitest';
import type { PlannedCall, RunContext } from '../core/model.ts';
import { declaredProbe, declaredStep, isDeclared } from './declared.ts';

const scale = (replicas: number | string): PlannedCall => ({
  service: 'kubernetes',
  operation: 'scale deployment/api',
  scope: 'ctx-primary',
  params: { replicas },
  mutating: true,
});

function run(sent: PlannedCall[]): RunContext<unknown> {
  return {
    runId: 'r1',
    scenario: { name: 's' } as RunContext<unknown>['scenario'],
    target: { name: 't' } as RunContext<unknown>['target'],
    signal: new AbortController().signal,
    dryRun: false,
    clock: { now: () => 0, wall: () => new Date(0), t0: undefined },
    log: { info() {}, warn() {}, debug() {} },
    audit: {
      async mutate(call, perform) {
        sent.push(call);
        return perform();
      },
    },
    state: new Map(),
    attach: async (name, contentType) => ({ name, contentType, path: name }),
  };
}

describe('declared calls', () => {
  const step = (makes: PlannedCall) =>
    declaredStep({
      title: 'Scale api to 0',
      calls: () => [{ service: 'kubernetes', operation: 'get deployment/api', mutating: false }, scale(0)],
      async run(ctx) {
        await ctx.audit.mutate(makes, async () => undefined);
        return { detail: 'done' };
      },
    });

  it('the plan is the declaration', () => {
    const s = step(scale(0));
    expect(s.plan?.(run([]))).toEqual([
      { service: 'kubernetes', operation: 'get deployment/api', mutating: false },
      scale(0),
    ]);
  });

  it('run makes a declared change (whatever its parameters)', async () => {
    const sent: PlannedCall[] = [];
    await expect(step(scale(3)).run(run(sent))).resolves.toEqual({ detail: 'done' });
    expect(sent).toEqual([scale(3)]);
  });

  it('an undeclared change is refused before it is sent, naming it and what was declared', async () => {
    const sent: PlannedCall[] = [];
    const other = { ...scale(0), operation: 'scale deployment/worker' };
    await expect(step(other).run(run(sent))).rejects.toThrow(
      'step "Scale api to 0" made an undeclared call, refused before it was sent: kubernetes scale deployment/worker @ctx-primary (its calls declare kubernetes scale deployment/api @ctx-primary)',
    );
    // Same operation in another context, or a declared read made as a change: refused too.
    await expect(step({ ...scale(0), scope: 'ctx-secondary' }).run(run(sent))).rejects.toThrow(/undeclared/);
    await expect(
      step({ service: 'kubernetes', operation: 'get deployment/api', mutating: true }).run(run(sent)),
    ).rejects.toThrow(/undeclared/);
    expect(sent).toEqual([]);
  });

  it('<...> in a declared operation or scope stands for a value known at run time; no declared scope: any', () => {
    const declared: PlannedCall[] = [
      {
        service: 'kubernetes',
        operation: 'annotate scaledobject/<ScaledObjects of api>',
        scope: 'c',
        mutating: true,
      },
      { service: 'statuspage', operation: 'PATCH /v1/pages/p/incidents/<id>', mutating: true },
    ];
    const call = (service: string, operation: string, scope?: string): PlannedCall => ({
      service,
      operation,
      ...(scope ? { scope } : {}),
      mutating: true,
    });
    expect(isDeclared(declared, call('kubernetes', 'annotate scaledobject/api-scaler', 'c'))).toBe(true);
    expect(isDeclared(declared, call('kubernetes', 'annotate deployment/api-scaler', 'c'))).toBe(false);
    expect(
      isDeclared(declared, call('statuspage', 'PATCH /v1/pages/p/incidents/4f50', 'http://127.0.0.1:1')),
    ).toBe(true);
    expect(isDeclared(declared, call('statuspage', 'PATCH /v1/pages/q/incidents/4f50'))).toBe(false);
  });

  describe('a probe', () => {
    const post: PlannedCall = { service: 'http', operation: 'POST http://shop/api/orders', mutating: true };
    const get: PlannedCall = {
      service: 'http',
      operation: 'GET http://shop/api/orders/<id>',
      mutating: false,
    };
    const contexts: RunContext<unknown>[] = [];
    const probe = (makes: PlannedCall) =>
      declaredProbe({
        name: 'order',
        interval: '250ms',
        offThread: { module: 'm', factory: 'f' },
        calls: () => [post, get],
        async check(ctx) {
          contexts.push(ctx);
          await ctx.audit.mutate(makes, async () => undefined);
          return { ok: true, detail: 'ordered' };
        },
      });
    const signal = new AbortController().signal;

    it('plans its declaration and keeps its own fields', () => {
      const p = probe(post);
      expect(p.plan?.(run([]))).toEqual([post, get]);
      expect(p).toMatchObject({ name: 'order', interval: '250ms', offThread: { module: 'm', factory: 'f' } });
      expect(p).not.toHaveProperty('calls');
    });

    it('checks with the declared change; every check of one context sees the same guarded context', async () => {
      const sent: PlannedCall[] = [];
      const ctx = run(sent);
      const p = probe({ ...post, operation: 'POST http://shop/api/orders' });
      await expect(p.check(ctx, { signal })).resolves.toEqual({ ok: true, detail: 'ordered' });
      await p.check(ctx, { signal });
      expect(sent).toEqual([post, post]);
      expect(contexts.at(-1)).toBe(contexts.at(-2));
    });

    it('refuses an undeclared change before it is sent', async () => {
      const sent: PlannedCall[] = [];
      const del = { service: 'http', operation: 'DELETE http://shop/api/orders/7', mutating: true };
      await expect(probe(del).check(run(sent), { signal })).rejects.toThrow(
        'probe "order" made an undeclared call, refused before it was sent: http DELETE http://shop/api/orders/7 (its calls declare http POST http://shop/api/orders)',
      );
      expect(sent).toEqual([]);
    });
  });
});

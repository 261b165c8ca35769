// The §8 queue probes' verdicts and failure messages, against an in-process stand-in for the API's queue routes.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testRun } from '../testing.ts';
import { queuesDrained, renderJobsLost } from './cache-probes.ts';

let queue: Record<string, number | string> = {};
const renders = new Map<string, { status: number; body: Record<string, string> }>();
let server: Server;
let base = '';

beforeAll(async () => {
  server = createServer((req, res) => {
    const url = req.url ?? '';
    const found =
      url === '/api/queue' ? { status: 200, body: queue } : renders.get(url.replace('/api/renders/', ''));
    res.writeHead(found?.status ?? 404, { 'content-type': 'application/json' });
    res.end(JSON.stringify(found?.body ?? { error: 'render_not_found' }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => server.close());

const run = (
  state: { acked?: { seq: number; id: string }[]; failedBefore?: number; lostJobs?: number } = {},
) => {
  const ctx = testRun({ publicUrl: base, hostedZone: { name: 'luneo.app.', id: 'Z1' } });
  ctx.state.set('luneo:render-sentinels', {
    acked: state.acked ?? [],
    refused: 0,
    failedBefore: state.failedBefore ?? 0,
  });
  if (state.lostJobs !== undefined) ctx.state.set('luneo:render-jobs-lost', state.lostJobs);
  return ctx;
};
const check = (probe: ReturnType<typeof queuesDrained>, ctx: ReturnType<typeof run>) =>
  probe.check(ctx, { signal: ctx.signal });

describe('queues-drained', () => {
  it('passes on an empty queue and says what it saw', async () => {
    queue = { waiting: 0, active: 0, failed: 2, completed: 9, redis: 'us-east-1' };
    const outcome = await check(queuesDrained(), run({ failedBefore: 2 }));
    expect(outcome).toEqual({
      ok: true,
      detail: 'queue drained: HTTP 200 waiting 0 active 0 delayed 0 failed 2 completed 9 (Redis us-east-1)',
      data: { waiting: 0, active: 0, failed: 2, newFailed: 0, completed: 9 },
    });
  });

  it('fails on jobs that failed during the drill beyond the lost sentinels, pointing at bull-board', async () => {
    queue = { waiting: 0, active: 0, failed: 5, completed: 9, redis: 'us-east-1' };
    const outcome = await check(queuesDrained(), run({ failedBefore: 2, lostJobs: 1 }));
    expect(outcome.ok).toBe(false);
    expect(outcome.detail).toBe(
      'queue drained but 3 job(s) failed since the drill started, 1 of them lost sentinel jobs: look at the failed jobs in bull-board (HTTP 200 waiting 0 active 0 delayed 0 failed 5 completed 9 (Redis us-east-1))',
    );
  });

  it('is not drained while a job waits delayed (put back during the outage, or in its retry backoff)', async () => {
    queue = { waiting: 0, active: 0, delayed: 1, failed: 0, completed: 3, redis: 'us-east-1' };
    const outcome = await check(queuesDrained({ timeout: '1500ms' }), run());
    expect(outcome.ok).toBe(false);
    expect(outcome.detail).toMatch(
      /^queue not drained: .*waiting 0 active 0 delayed 1 failed 0 completed 3 \(Redis us-east-1\)/,
    );
  });

  it('fails with the last counts seen when jobs stay waiting', async () => {
    queue = { waiting: 4, active: 1, failed: 0, completed: 0, redis: 'us-east-1' };
    const outcome = await check(queuesDrained({ timeout: '1500ms' }), run());
    expect(outcome.ok).toBe(false);
    expect(outcome.detail).toMatch(
      /^queue not drained: .*waiting 4 active 1 delayed 0 failed 0 completed 0 \(Redis us-east-1\)/,
    );
  });
});

describe('render-jobs-lost', () => {
  it('counts sentinels whose record is gone or that Redis never heard of as lost, and reports them as a loss', async () => {
    renders.set('r1', { status: 200, body: { status: 'done', queue: 'completed' } });
    renders.set('r3', { status: 200, body: { status: 'queued', queue: 'absent' } });
    const acked = [
      { seq: 1, id: 'r1' },
      { seq: 2, id: 'r2' },
      { seq: 3, id: 'r3' },
    ];
    const outcome = await renderJobsLost().check(run({ acked }), { signal: new AbortController().signal });
    expect(outcome).toEqual({
      ok: true,
      detail: '2 of 3 acknowledged sentinel render jobs lost (#2, #3); the others completed',
      data: { loss: { what: 'render jobs', count: 2, items: [2, 3] }, acknowledged: 3, refusedBeforeT0: 0 },
    });
  });

  it('fails when no sentinel was acknowledged before T0: nothing to measure', async () => {
    const outcome = await renderJobsLost().check(run(), { signal: new AbortController().signal });
    expect(outcome.ok).toBe(false);
    expect(outcome.detail).toBe('no sentinel render job was acknowledged before T0: nothing to measure');
  });
});

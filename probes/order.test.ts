// The order probe says when the service took the order (its POST answered), before the read-back answered: the
// RTO's evidence that the service served, for a check that makes two requests.
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { offThreadOf } from '../core/measure/index.ts';
import { closeProbeAgent } from './http.ts';
import { order, orderCheck } from './order.ts';
import { createTestRun } from './testing/context.ts';

const run = createTestRun({});
let server: Server;
let base: string;
/** When the read-back GET reached the server (run clock). */
let readReceivedAt = 0;

beforeAll(async () => {
  const stored = {
    id: 'o-1',
    sku: 'LUN-MUG-002',
    quantity: 1,
    email: 'buyer@example.com',
    totalCents: 1200,
    regionCreated: 'us-east-1',
    createdAt: '2026-01-01T00:00:00Z',
  };
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const status = req.method === 'POST' ? 201 : 200;
      if (req.method === 'GET') readReceivedAt = run.clock.now();
      // The read-back is slow, as a read on a warming replica can be.
      setTimeout(
        () => {
          res.writeHead(status, { 'content-type': 'application/json' });
          res.end(JSON.stringify(stored));
        },
        req.method === 'GET' ? 80 : 0,
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(async () => {
  await closeProbeAgent();
  await new Promise((resolve) => server.close(resolve));
});

describe('order probe', () => {
  it('reports servedAt: after it was sent, before the read-back was asked', async () => {
    const probe = order({ url: base, email: 'buyer@example.com' });
    const sentAt = run.clock.now();
    const outcome = await probe.check(run.ctx, { signal: run.ctx.signal });
    const answeredAt = run.clock.now();
    expect(outcome.ok, outcome.detail).toBe(true);
    expect(outcome.servedAt).toBeDefined();
    expect(outcome.servedAt!).toBeGreaterThanOrEqual(sentAt);
    expect(outcome.servedAt!).toBeLessThanOrEqual(readReceivedAt);
    expect(outcome.servedAt!).toBeLessThan(answeredAt);
  });

  it('can be sampled on a probe thread: its options resolve once to plain data, and its check places the order there', async () => {
    const spec = offThreadOf(order({ url: base, email: 'buyer@example.com' }));
    expect(spec?.factory).toBe('orderCheck');
    const options = structuredClone(await spec!.options(run.ctx));
    const now = () => run.clock.now();
    const sentAt = now();
    const outcome = await orderCheck(options, now)(run.ctx.signal);
    expect(outcome.ok, outcome.detail).toBe(true);
    expect(outcome.servedAt!).toBeGreaterThanOrEqual(sentAt);
    expect(outcome.servedAt!).toBeLessThanOrEqual(readReceivedAt);
    expect(outcome.data).toMatchObject({ orderId: 'o-1', sku: 'LUN-MUG-002' });
  });
});

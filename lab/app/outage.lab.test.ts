import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Link } from '../net/link.ts';
import { DB_TIMEOUTS } from './db.ts';
import { type AppFixture, SECRET_ID, startAppFixture, waitFor } from './testing/fixture.ts';
import type { AppProcess } from './testing/processes.ts';

// The database reached through a Link, as in the lab: a blackhole cut (packets dropped, nothing
// refused) must make the app fail fast and come back by itself, never hang.
let fx: AppFixture;
let link: Link;
let api: AppProcess;
let worker: AppProcess;

const get = async (proc: AppProcess, path: string) => {
  const res = await fetch(`http://127.0.0.1:${proc.port}${path}`);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};
const post = async (proc: AppProcess, path: string, body: unknown) => {
  const res = await fetch(`http://127.0.0.1:${proc.port}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};

beforeAll(async () => {
  fx = await startAppFixture();
  link = new Link({
    name: 'db-eu-west-1',
    target: { host: '127.0.0.1', port: fx.pg.port },
    cutMode: 'blackhole',
  });
  const port = await link.start();
  const viaLink = new URL(fx.pg.url);
  viaLink.port = String(port);
  fx.secrets.setSecret(SECRET_ID, viaLink.toString());
  [api, worker] = await Promise.all([
    fx.start('api', 'luneo-api-link-a'),
    fx.start('worker', 'ai-worker-link-a'),
  ]);
});

afterAll(async () => {
  await link?.close();
  await fx?.close();
});

describe('luneo-api and ai-worker behind a database link that is cut', () => {
  it('answer within their timeouts while the link is a blackhole, and recover when it is restored', async () => {
    expect((await get(api, '/health')).body).toMatchObject({ status: 'ok', database: { role: 'writer' } });
    link.cut();

    let started = Date.now();
    const health = await get(api, '/health');
    const healthMs = Date.now() - started;
    expect(health.status).toBe(503);
    expect(health.body).toMatchObject({ status: 'degraded', database: { role: 'unreachable' } });
    expect(healthMs).toBeLessThan(2000);

    started = Date.now();
    const order = await post(api, '/api/orders', {
      sku: 'LUN-MUG-002',
      quantity: 1,
      email: 'ada@example.com',
    });
    const orderMs = Date.now() - started;
    expect([order.status, order.body.error]).toEqual([503, 'database_unreachable']);
    // The pool gives up opening a connection after DB_TIMEOUTS.connectionTimeoutMillis; the rest is slack.
    expect(orderMs).toBeLessThan(DB_TIMEOUTS.connectionTimeoutMillis + 1500);
    console.log(
      `blackholed database: /health answered 503 in ${healthMs} ms, POST /api/orders 503 in ${orderMs} ms`,
    );
    await waitFor('ai-worker to report not ready', async () =>
      (await get(worker, '/health')).status === 503 ? true : undefined,
    );

    link.restore();
    await waitFor('luneo-api to be healthy again', async () =>
      (await get(api, '/health')).status === 200 ? true : undefined,
    );
    const again = await post(api, '/api/orders', {
      sku: 'LUN-MUG-002',
      quantity: 1,
      email: 'ada@example.com',
    });
    expect(again.status).toBe(201);
    const render = await post(api, '/api/renders', { prompt: 'after the cut', sandbox: true });
    await waitFor('the worker to render after the link is back', async () =>
      (await get(api, `/api/renders/${render.body.id}`)).body.status === 'done' ? true : undefined,
    );
    // Its readiness follows its own database poll and Redis connection, not the render: it comes back, not at once.
    await waitFor('ai-worker to report ready again', async () =>
      (await get(worker, '/health')).status === 200 ? true : undefined,
    );
  });
});

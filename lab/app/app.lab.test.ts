import { inflateSync } from 'node:zlib';
import { Queue } from 'bullmq';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RENDER_QUEUE } from './queue/render-queue.ts';
import { renderSandboxImage } from './render/sandbox.ts';
import { upscale2x } from './render/upscale.ts';
import { type AppFixture, startAppFixture, waitFor } from './testing/fixture.ts';
import type { AppProcess } from './testing/processes.ts';

let fx: AppFixture;
let api: AppProcess;
let worker: AppProcess;
const url = (proc: AppProcess, path: string) => `http://127.0.0.1:${proc.port}${path}`;
const getJson = async (proc: AppProcess, path: string) => {
  const res = await fetch(url(proc, path));
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};
const postJson = async (proc: AppProcess, path: string, body: unknown) => {
  const res = await fetch(url(proc, path), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};

beforeAll(async () => {
  fx = await startAppFixture();
  [api, worker] = await Promise.all([
    fx.start('api', 'luneo-api-7f9c-a'),
    fx.start('worker', 'ai-worker-5d2e-a'),
  ]);
  console.log(`start-up (spawn → ready): luneo-api ${api.readyMs} ms, ai-worker ${worker.readyMs} ms`);
});

afterAll(async () => {
  await fx?.close();
});

describe('luneo-api + ai-worker on a real PostgreSQL', () => {
  it('reports health with its region, pod, version, dr_mode and database role', async () => {
    const port = fx.pg.port;
    expect(await getJson(api, '/health')).toEqual({
      status: 200,
      body: {
        status: 'ok',
        region: 'eu-west-1',
        pod: 'luneo-api-7f9c-a',
        version: '2.7.0-lab',
        dr_mode: false,
        database: { role: 'writer', host: `127.0.0.1:${port}` },
      },
    });
    expect(await getJson(api, '/version')).toEqual({
      status: 200,
      body: { version: '2.7.0-lab', region: 'eu-west-1', commit: 'lab' },
    });
    expect(fx.secrets.reads.get('prod/luneo/DATABASE_URL')).toBe(2); // once per pod, at start
  });

  it('creates an order, stores it in PostgreSQL and reads it back', async () => {
    const created = await postJson(api, '/api/orders', {
      sku: 'LUN-TEE-001',
      quantity: 3,
      email: 'ada@example.com',
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      sku: 'LUN-TEE-001',
      quantity: 3,
      email: 'ada@example.com',
      totalCents: 8700,
      regionCreated: 'eu-west-1',
    });
    const id = created.body.id as string;
    expect(await getJson(api, `/api/orders/${id}`)).toEqual({ status: 200, body: created.body });
    const client = new pg.Client({ connectionString: fx.pg.url });
    await client.connect();
    const rows = await client.query('select sku, quantity, total_cents from orders where id = $1', [id]);
    await client.end();
    expect(rows.rows).toEqual([{ sku: 'LUN-TEE-001', quantity: 3, total_cents: 8700 }]);
  });

  it('refuses bad orders with 400 and unknown ids with 404', async () => {
    expect(
      await postJson(api, '/api/orders', { sku: 'NOPE', quantity: 1, email: 'ada@example.com' }),
    ).toEqual({
      status: 400,
      body: { error: 'unknown_sku', message: 'sku: no product "NOPE" (see GET /api/products)' },
    });
    expect(
      (await postJson(api, '/api/orders', { sku: 'LUN-TEE-001', quantity: 0, email: 'x' })).body,
    ).toEqual({
      error: 'invalid_order',
      message:
        'quantity: expected an integer from 1 to 100, got 0; email: expected an email address like name@example.com',
    });
    expect(await getJson(api, '/api/orders/00000000-0000-4000-8000-000000000000')).toEqual({
      status: 404,
      body: { error: 'order_not_found', message: 'no order with id "00000000-0000-4000-8000-000000000000"' },
    });
  });

  it('lists products and serves one by sku', async () => {
    const list = await getJson(api, '/api/products');
    expect((list.body.products as { sku: string }[]).map((p) => p.sku)).toEqual([
      'LUN-CAS-004',
      'LUN-MUG-002',
      'LUN-PST-003',
      'LUN-TEE-001',
    ]);
    expect(await getJson(api, '/api/products/LUN-MUG-002')).toEqual({
      status: 200,
      body: {
        sku: 'LUN-MUG-002',
        name: 'Luneo Mug',
        description: 'Ceramic mug, 330 ml, printed on both sides.',
        priceCents: 1450,
      },
    });
  });

  it('runs a sandbox render job to a valid PNG through the ai-worker', async () => {
    const prompt = 'a red fox on a ceramic mug';
    const queued = await postJson(api, '/api/renders', { prompt, sandbox: true });
    expect(queued.status).toBe(202);
    expect(queued.body.status).toBe('queued');
    const id = queued.body.id as string;
    const done = await waitFor('render to be done', async () => {
      const job = await getJson(api, `/api/renders/${id}`);
      return job.body.status === 'done' ? job.body : undefined;
    });
    expect(done).toMatchObject({
      id,
      prompt,
      sandbox: true,
      region: 'eu-west-1',
      renderedBy: 'ai-worker-5d2e-a',
      attempts: 1,
      error: null,
    });
    expect(done.imageUrl).toBe(`/api/renders/${id}/image`);
    const image = await fetch(url(api, done.imageUrl as string));
    expect(image.headers.get('content-type')).toBe('image/png');
    const png = Buffer.from(await image.arrayBuffer());
    expect(png.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
    expect([png.toString('ascii', 12, 16), png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([
      'IHDR',
      64,
      64,
    ]);
    expect(png).toEqual(renderSandboxImage(prompt));
    const idatLength = png.readUInt32BE(33);
    expect(inflateSync(png.subarray(41, 41 + idatLength)).length).toBe(64 * (64 * 3 + 1));
    // BullMQ's counts in Redis (the job moves to completed just after its record is stored).
    const counts = await waitFor('BullMQ to count the job completed', async () => {
      const queue = await getJson(api, '/api/queue');
      return queue.body.completed === 1 ? queue : undefined;
    });
    expect(counts).toEqual({
      status: 200,
      body: {
        waiting: 0,
        active: 0,
        failed: 0,
        completed: 1,
        delayed: 0,
        done: 1,
        redis: `127.0.0.1:${fx.redis.port}`,
      },
    });
    expect((await getJson(api, `/api/renders/${id}`)).body).toMatchObject({
      kind: 'render',
      queue: 'completed',
    });
    expect((await getJson(worker, '/health')).body).toMatchObject({
      status: 'ok',
      service: 'ai-worker',
      processed: 1,
    });
  });

  it('refuses non-sandbox renders and answers 409 for an image that was never rendered', async () => {
    expect(await postJson(api, '/api/renders', { prompt: 'x', sandbox: false })).toEqual({
      status: 400,
      body: {
        error: 'sandbox_required',
        message: 'sandbox: only sandbox renders run here; send "sandbox": true',
      },
    });
    const client = new pg.Client({ connectionString: fx.pg.url });
    await client.connect();
    const inserted = await client.query<{ id: string }>(
      "insert into render_jobs (prompt, region, status, error) values ('broken', 'eu-west-1', 'failed', 'gpu lost') returning id",
    );
    await client.end();
    const id = inserted.rows[0]!.id;
    expect(await getJson(api, `/api/renders/${id}/image`)).toEqual({
      status: 409,
      body: {
        error: 'render_failed',
        message: `render ${id} failed: gpu lost`,
      },
    });
    expect((await getJson(api, `/api/renders/${id}`)).body).toMatchObject({
      status: 'failed',
      error: 'gpu lost',
      imageUrl: null,
    });
    expect(
      await postJson(api, '/api/renders', { prompt: 'up', sandbox: true, kind: 'upscale', sourceId: id }),
    ).toEqual({
      status: 409,
      body: { error: 'source_not_ready', message: `sourceId: render ${id} is failed, not done` },
    });
  });

  it('upscales a finished render to a 2× PNG through BullMQ', async () => {
    const prompt = 'a fox to upscale';
    const source = await postJson(api, '/api/renders', { prompt, sandbox: true });
    await waitFor('the source render', async () =>
      (await getJson(api, `/api/renders/${source.body.id}`)).body.status === 'done' ? true : undefined,
    );
    const up = await postJson(api, '/api/renders', {
      prompt,
      sandbox: true,
      kind: 'upscale',
      sourceId: source.body.id,
    });
    expect(up.status).toBe(202);
    const done = await waitFor('the upscale', async () => {
      const job = await getJson(api, `/api/renders/${up.body.id}`);
      return job.body.status === 'done' ? job.body : undefined;
    });
    expect(done).toMatchObject({ kind: 'upscale', sourceId: source.body.id, attempts: 1 });
    const png = Buffer.from(await (await fetch(url(api, done.imageUrl as string))).arrayBuffer());
    expect(png).toEqual(upscale2x(renderSandboxImage(prompt)));
    expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([128, 128]);
  });

  it('fails at once a queued job whose record is gone (a job the database lost), and counts it failed', async () => {
    const queue = new Queue(RENDER_QUEUE, { connection: { url: fx.redis.url } });
    const ghost = '00000000-0000-4000-8000-000000000001';
    await queue.add('render', { id: ghost, kind: 'render' }, { jobId: ghost, attempts: 3 });
    await waitFor('the ghost job to fail', async () =>
      (await queue.getJobState(ghost)) === 'failed' ? true : undefined,
    );
    const job = await queue.getJob(ghost);
    expect([job?.attemptsMade, job?.failedReason]).toEqual([
      1,
      `render_jobs has no record ${ghost} (lost with the database's last writes?)`,
    ]);
    await queue.close();
    expect((await getJson(api, '/api/queue')).body).toMatchObject({ waiting: 0, active: 0, failed: 1 });
    expect(await getJson(api, `/api/renders/${ghost}`)).toMatchObject({ status: 404 });
  });

  it('reads dr_mode at start, answers 503 to writes on a read-only database, and its worker stands by', async () => {
    const readOnlyUrl = `${fx.pg.url}?options=${encodeURIComponent('-c default_transaction_read_only=on')}`;
    fx.secrets.setSecret('prod/luneo/DATABASE_URL_RO', readOnlyUrl);
    const readOnlyEnv = { dr_mode: 'true', DATABASE_URL_SECRET_ID: 'prod/luneo/DATABASE_URL_RO' };
    const [drApi, standbyWorker] = await Promise.all([
      fx.start('api', 'luneo-api-7f9c-dr', readOnlyEnv),
      fx.start('worker', 'ai-worker-5d2e-standby', readOnlyEnv),
    ]);
    // A standby region's worker is ready (its database answers) but takes no job.
    const standby = await waitFor('the standby worker to report its read-only database', async () => {
      const health = await getJson(standbyWorker, '/health');
      return (health.body.database as { role?: string }).role === 'reader' ? health : undefined;
    });
    expect(standby.status).toBe(200);
    expect(standbyWorker.output()).toContain('database is read-only (standby): standing by');
    expect(standbyWorker.output()).not.toContain('database error');
    expect(await standbyWorker.stop()).toBe(0);
    expect((await getJson(drApi, '/health')).body).toMatchObject({ status: 'ok', dr_mode: true });
    const order = await postJson(drApi, '/api/orders', {
      sku: 'LUN-MUG-002',
      quantity: 1,
      email: 'ada@example.com',
    });
    expect(order.status).toBe(503);
    expect(order.body.error).toBe('database_read_only');
    expect(await drApi.stop()).toBe(0);
  });

  it('goes degraded (503) within 2 s when the database is down, and recovers when it is back', async () => {
    await fx.pg.stop();
    const started = Date.now();
    const health = await getJson(api, '/health');
    expect(Date.now() - started).toBeLessThan(2000);
    expect(health.status).toBe(503);
    expect(health.body).toMatchObject({
      status: 'degraded',
      database: { role: 'unreachable', host: `127.0.0.1:${fx.pg.port}` },
    });
    const order = await postJson(api, '/api/orders', {
      sku: 'LUN-MUG-002',
      quantity: 1,
      email: 'ada@example.com',
    });
    expect([order.status, order.body.error]).toEqual([503, 'database_unreachable']);
    await waitFor('ai-worker readiness to fail', async () =>
      (await getJson(worker, '/health')).status === 503 ? true : undefined,
    );

    await fx.pg.start();
    await waitFor('luneo-api health to recover', async () =>
      (await getJson(api, '/health')).status === 200 ? true : undefined,
    );
    const queued = await postJson(api, '/api/renders', { prompt: 'after the outage', sandbox: true });
    await waitFor('the worker to render again after backing off', async () => {
      const job = await getJson(api, `/api/renders/${queued.body.id}`);
      return job.body.status === 'done' ? true : undefined;
    });
    // The worker's readiness follows its own database heartbeat, not the job: wait for it, do not race it.
    await waitFor('ai-worker readiness to recover', async () =>
      (await getJson(worker, '/health')).status === 200 ? true : undefined,
    );
  });

  it('never prints the database password, and exits 0 on SIGTERM', async () => {
    expect(api.output()).toContain(`database=127.0.0.1:${fx.pg.port}/luneo`);
    expect(api.output()).toMatch(/GET \/health 200 \d+ms/);
    for (const proc of [api, worker]) expect(proc.output()).not.toContain(fx.password);
    expect(await api.stop()).toBe(0);
    expect(await worker.stop()).toBe(0);
  });
});

import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { health, version } from './health.ts';
import { closeProbeAgent } from './http.ts';
import { order } from './order.ts';
import { render } from './render.ts';
import { createTestRun } from './testing/context.ts';
import { APP_VERSION, type ProbePlatform, startProbePlatform } from './testing/platform.ts';

let platform: ProbePlatform;
const resources = () => ({ publicUrl: platform.publicUrl });
const run = () => createTestRun(resources(), 'run-api-probes');
const publicUrl = (ctx: { target: { resources: { publicUrl: string } } }) => ctx.target.resources.publicUrl;
const check = async (probe: ReturnType<typeof health<{ publicUrl: string }>>) => {
  const { ctx } = run();
  return probe.check(ctx, { signal: ctx.signal });
};

beforeAll(async () => {
  platform = await startProbePlatform(['api', 'worker', 'frontend']);
});
afterAll(async () => {
  await closeProbeAgent();
  await platform?.close();
});

describe('health and version against luneo-api behind the public URL', () => {
  it('passes with the region, role, dr_mode and version the pod reports', async () => {
    const outcome = await check(
      health({
        url: publicUrl,
        expect: { region: 'eu-west-1', role: 'writer', drMode: false, version: APP_VERSION },
      }),
    );
    expect(outcome).toMatchObject({
      ok: true,
      data: {
        status: 200,
        region: 'eu-west-1',
        pod: 'api-probe-test',
        version: APP_VERSION,
        role: 'writer',
        drMode: false,
      },
    });
    expect(outcome.latencyMs).toBeGreaterThanOrEqual(0);
    expect(outcome.latencyMs).toBeLessThan(2000);
  });

  it('names every field that differs from what was expected', async () => {
    const outcome = await check(
      health({ url: publicUrl, expect: { region: 'us-east-1', role: 'reader', drMode: true } }),
    );
    expect(outcome.ok).toBe(false);
    expect(outcome.detail).toBe(
      `GET ${platform.publicUrl}/health returned 200 but region is "eu-west-1" (expected "us-east-1"), database.role is "writer" (expected "reader"), dr_mode is false (expected true)`,
    );
  });

  it('fails with the 503 body when the database is down, without the database password', async () => {
    await platform.pg.stop();
    try {
      const outcome = await check(health({ url: publicUrl }));
      expect(outcome.ok).toBe(false);
      expect(outcome.detail).toMatch(
        new RegExp(
          `^GET ${platform.publicUrl}/health returned 503, expected 200: \\{"status":"degraded","region":"eu-west-1","pod":"api-probe-test","version":"${APP_VERSION.replace(/\./g, '\\.')}","dr_mode":false,"database":\\{"role":"unreachable","host":"127\\.0\\.0\\.1:${platform.pg.port}"`,
        ),
      );
      expect(outcome.detail).not.toContain(platform.password);
    } finally {
      await platform.pg.start();
    }
  });

  it('reads the version', async () => {
    const { ctx } = run();
    const ok = await version({ url: publicUrl, expect: { version: APP_VERSION } }).check(ctx, {
      signal: ctx.signal,
    });
    expect(ok).toMatchObject({
      ok: true,
      data: { version: APP_VERSION, region: 'eu-west-1', commit: 'lab' },
    });
    const wrong = await version({ url: publicUrl, expect: { version: '9.9.9' } }).check(ctx, {
      signal: ctx.signal,
    });
    expect(wrong.detail).toBe(
      `GET ${platform.publicUrl}/version returned 200 but version is "${APP_VERSION}" (expected "9.9.9")`,
    );
  });
});

describe('order against luneo-api', () => {
  it('creates an order, reads it back and finds it in PostgreSQL', async () => {
    const { ctx } = run();
    const outcome = await order({ url: publicUrl, sku: 'LUN-TEE-001', quantity: 2 }).check(ctx, {
      signal: ctx.signal,
    });
    expect(outcome).toMatchObject({
      ok: true,
      data: { sku: 'LUN-TEE-001', quantity: 2, totalCents: 5800, regionCreated: 'eu-west-1' },
    });
    const id = (outcome.data as { orderId: string }).orderId;
    const client = new pg.Client({ connectionString: platform.pg.url });
    await client.connect();
    const rows = await client.query('select email, quantity from orders where id = $1', [id]);
    await client.end();
    expect(rows.rows).toEqual([{ email: 'drill-run-api-probes@example.com', quantity: 2 }]);
  });

  it('says which region took the order when another was expected', async () => {
    const { ctx } = run();
    const outcome = await order({ url: publicUrl, region: 'us-east-1' }).check(ctx, { signal: ctx.signal });
    expect(outcome.ok).toBe(false);
    expect(outcome.detail).toBe(
      `POST ${platform.publicUrl}/api/orders returned 201 but regionCreated is "eu-west-1" (expected "us-east-1")`,
    );
  });

  it('reports the API error of an order it cannot place', async () => {
    const { ctx } = run();
    const outcome = await order({ url: publicUrl, sku: 'NOPE-000' }).check(ctx, { signal: ctx.signal });
    expect(outcome.detail).toBe(
      `POST ${platform.publicUrl}/api/orders returned 400, expected 201: {"error":"unknown_sku","message":"sku: no product \\"NOPE-000\\" (see GET /api/products)"}`,
    );
  });
});

describe('render against luneo-api + ai-worker', () => {
  it('submits a sandbox render, waits for it and validates the PNG', async () => {
    const { ctx } = run();
    const outcome = await render({ url: publicUrl }).check(ctx, { signal: ctx.signal });
    expect(outcome.detail).toBeUndefined();
    expect(outcome.ok).toBe(true);
    const data = outcome.data as Record<string, unknown>;
    expect(data.status).toBe('done');
    expect(data.width).toBeGreaterThan(0);
    expect(data.height).toBeGreaterThan(0);
    expect(data.polls).toBeGreaterThanOrEqual(1);
  });

  it('times out naming the job and its last status when no worker renders it', async () => {
    await platform.stopPod('worker');
    const { ctx } = run();
    const outcome = await render({ url: publicUrl, timeout: '1200ms' }).check(ctx, { signal: ctx.signal });
    expect(outcome.ok).toBe(false);
    const id = (outcome.data as { renderId: string }).renderId;
    // polls at 0, 100, 350, 850 ms (backoff 100 → 250 → 500), then waits 1000 ms: 4 polls (3 on a slow machine).
    expect(outcome.detail).toMatch(
      new RegExp(
        `^render timed out after 1\\.2s while waiting for render ${id} \\(last status "queued", [34] polls\\); raise it with \`render\\.timeout\`$`,
      ),
    );
  });
});

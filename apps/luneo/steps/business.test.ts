// The §10 probes against an in-process API that can misbehave: each failure message is exact.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { encodePng } from '../../../lab/app/render/png.ts';
import { testRun } from '../testing.ts';
import { billingUsage, compareUsage, usageMeter } from './billing.ts';
import { aiPipelines, ecommerceWebhooks } from './business.ts';

type Handler = (req: IncomingMessage, body: string, res: ServerResponse) => void;
let handler: Handler;
let server: Server;
let base: string;
const ENV = 'DRILL_TEST_WEBHOOK_SECRETS';

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => {
      body += c.toString();
    });
    req.on('end', () => handler(req, body, res));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
afterEach(() => {
  delete process.env[ENV];
});

const json = (res: ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
};
const run = (business = true) =>
  testRun({
    publicUrl: base,
    hostedZone: { name: 'luneo.app.', id: 'Z1' },
    ...(business ? { business: { webhookSecrets: { env: ENV } } } : {}),
  });
const signal = new AbortController().signal;

describe('ecommerce-webhooks', () => {
  it('fails when the target binds no signing secret, or the variable is unset', async () => {
    expect(await ecommerceWebhooks().check(run(false), { signal })).toMatchObject({
      ok: false,
      detail: 'cannot sign webhooks: target test binds no resources.business.webhookSecrets',
    });
    expect(await ecommerceWebhooks().check(run(), { signal })).toMatchObject({
      ok: false,
      detail: `cannot sign webhooks: environment variable ${ENV} is not set`,
    });
  });

  it('fails when a forged signature is accepted', async () => {
    process.env[ENV] = JSON.stringify({ shopify: 's1', woocommerce: 'w1' });
    handler = (_req, _body, res) => json(res, 200, { received: true });
    expect(await ecommerceWebhooks().check(run(), { signal })).toMatchObject({
      ok: false,
      detail:
        'shopify: a delivery signed with the wrong secret got HTTP 200, expected 401: signatures are not verified',
    });
  });

  it('fails when a redelivery is processed again, and passes when processed once', async () => {
    process.env[ENV] = JSON.stringify({ shopify: 's1', woocommerce: 'w1' });
    let rows = 2;
    handler = (req, _body, res) => {
      if (req.method === 'POST') {
        const forged = !String(
          req.headers['x-shopify-webhook-id'] ?? req.headers['x-wc-webhook-delivery-id'],
        ).endsWith('-forged');
        return json(res, forged ? 200 : 401, {});
      }
      json(res, 200, { deliveries: 2, rows, usageEvents: rows, region: 'eu-west-1' });
    };
    expect(await ecommerceWebhooks().check(run(), { signal })).toMatchObject({
      ok: false,
      detail:
        'shopify: delivery drill-run-test-1-shopify sent twice was processed 2 time(s) with 2 usage event(s) (received 2), expected exactly once',
    });
    rows = 1;
    expect(await ecommerceWebhooks().check(run(), { signal })).toMatchObject({
      ok: true,
      detail:
        'forged signatures refused (401); shopify drill-run-test-1-shopify received 2×, processed once in eu-west-1; woocommerce drill-run-test-1-woocommerce received 2×, processed once in eu-west-1',
    });
  });
});

describe('ai-pipelines', () => {
  const png = (size: number) => encodePng(size, size, new Uint8Array(size * size * 3));
  function pipelineApi(upscaleSize: number, fail?: string): Handler {
    const jobs = new Map<string, number>();
    return (req, body, res) => {
      const path = req.url ?? '';
      if (req.method === 'POST') {
        const id = `job${jobs.size + 1}`;
        jobs.set(id, JSON.parse(body).kind === 'upscale' ? upscaleSize : 64);
        return json(res, 202, { id, status: 'queued' });
      }
      const id = path.split('/')[3]!;
      if (path.endsWith('/image')) {
        res.writeHead(200, { 'content-type': 'image/png' });
        return res.end(png(jobs.get(id)!));
      }
      if (fail && id === 'job2') return json(res, 200, { id, status: 'failed', attempts: 3, error: fail });
      json(res, 200, { id, status: 'done', region: 'eu-west-1' });
    };
  }

  it('fails when the upscale fails or is not twice the size, passes when it is', async () => {
    handler = pipelineApi(128, 'upscale source image missing');
    expect(await aiPipelines().check(run(), { signal })).toMatchObject({
      ok: false,
      detail: 'upscale job2 failed after 3 attempt(s): upscale source image missing',
    });
    handler = pipelineApi(64);
    expect(await aiPipelines().check(run(), { signal })).toMatchObject({
      ok: false,
      detail: 'upscale job2 of render job1 is 64×64, expected 128×128',
    });
    handler = pipelineApi(128);
    expect(await aiPipelines().check(run(), { signal })).toMatchObject({
      ok: true,
      detail: 'render job1 64×64, upscale job2 128×128',
    });
  });
});

describe('billing-usage', () => {
  it('compares acknowledged with stored events', () => {
    expect(compareUsage(['a', 'b', 'c'], ['a', 'c', 'c', 'd'])).toEqual({
      lost: ['b'],
      duplicated: ['c'],
      unacknowledged: ['d'],
    });
  });

  it('fails when no meter ran', async () => {
    expect(await billingUsage().check(run(), { signal })).toMatchObject({
      ok: false,
      detail: 'no usage meter ran in this drill: add usageMeter() to the scenario background',
    });
  });

  it('re-delivers events the writer lost, counts them, and fails on an API that stores a key twice', async () => {
    const stored: string[] = [];
    let dropFirst = true;
    let storeTwice = false;
    handler = (req, body, res) => {
      if (req.method === 'POST') {
        const key = JSON.parse(body).idempotencyKey as string;
        if (stored.includes(key) && !storeTwice) return json(res, 200, { stored: 'duplicate' });
        // The first acknowledged event never reaches the new writer: the failover lost it.
        if (dropFirst) dropFirst = false;
        else stored.push(key);
        return json(res, 201, { stored: 'created' });
      }
      json(res, 200, {
        count: stored.length,
        events: stored.map((k) => ({ idempotencyKey: k, region: 'us-east-1' })),
      });
    };
    const ctx = run();
    const meter = usageMeter({ interval: '10ms' });
    await meter.start(ctx);
    // Not a sleep: until the meter has had three events acknowledged by the in-process API.
    await vi.waitFor(() => {
      const meter = ctx.state.get('luneo:usage-meter') as { acked: Map<number, number | null> };
      expect([...meter.acked.values()].filter((at) => at !== null).length).toBeGreaterThanOrEqual(3);
    });
    const summary = (await meter.stop(ctx)) as { acked: number; pending: number };
    expect(summary.pending).toBe(0);
    const outcome = await billingUsage().check(ctx, { signal });
    expect(outcome.ok).toBe(true);
    expect(outcome.detail).toBe(
      `${summary.acked} usage events acknowledged, ${summary.acked} stored exactly once on the writer (us-east-1); 1 lost in the failover and re-delivered from the meter's outbox (meter:run-test-1:1); 0 duplicated`,
    );
    expect(outcome.data).toMatchObject({
      loss: { what: 'usage events', count: 1, items: ['meter:run-test-1:1'] },
    });
    storeTwice = true;
    stored.push(stored[1]!);
    expect(await billingUsage().check(ctx, { signal })).toMatchObject({
      ok: false,
      detail: `usage events not stored exactly once on the writer (us-east-1): 0 missing after re-delivery (), 1 duplicated (meter:run-test-1:3)`,
    });
  });
});

// Through real HTTP on a real PostgreSQL: signed webhooks verified and processed exactly once, usage events deduped.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AppFixture, startAppFixture } from '../testing/fixture.ts';
import type { AppProcess } from '../testing/processes.ts';
import { signWebhook } from './webhooks.ts';

const SECRETS = { shopify: 'shpss_test_secret_1', woocommerce: 'wc_test_secret_2' };
// The app fixture (PostgreSQL, Secrets Manager stand-in, and whatever else a luneo-api pod needs to start).
let fx: AppFixture;
let api: AppProcess;

beforeAll(async () => {
  fx = await startAppFixture();
  fx.secrets.setSecret('prod/luneo/ECOMMERCE_WEBHOOK_SECRETS', JSON.stringify(SECRETS));
  api = await fx.start('api', 'luneo-api-wh-a', {
    WEBHOOK_SECRETS_SECRET_ID: 'prod/luneo/ECOMMERCE_WEBHOOK_SECRETS',
  });
}, 60_000);

afterAll(async () => {
  await fx?.close();
});

const base = (p: AppProcess) => `http://127.0.0.1:${p.port}`;
async function deliver(
  provider: 'shopify' | 'woocommerce',
  id: string,
  opts: { secret?: string; body?: string } = {},
) {
  const body =
    opts.body ?? JSON.stringify({ id: 820982911946154500, email: 'jon@example.com', total_price: '29.00' });
  const signature = signWebhook(body, opts.secret ?? SECRETS[provider]);
  const headers: Record<string, string> =
    provider === 'shopify'
      ? {
          'x-shopify-hmac-sha256': signature,
          'x-shopify-webhook-id': id,
          'x-shopify-topic': 'orders/create',
          'x-shopify-shop-domain': 'luneo-sandbox.myshopify.com',
        }
      : {
          'x-wc-webhook-signature': signature,
          'x-wc-webhook-delivery-id': id,
          'x-wc-webhook-topic': 'order.created',
          'x-wc-webhook-source': 'https://sandbox.luneo.shop/',
        };
  const res = await fetch(`${base(api)}/api/webhooks/${provider}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}
const getJson = async (path: string) => {
  const res = await fetch(`${base(api)}${path}`);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};

describe('POST /api/webhooks/:provider', () => {
  it.each(['shopify', 'woocommerce'] as const)(
    '%s: a delivery sent twice is stored and billed once',
    async (provider) => {
      const id = `${provider}-dup-1`;
      const first = await deliver(provider, id);
      const second = await deliver(provider, id);
      expect([first.status, first.body.duplicate, first.body.deliveries]).toEqual([200, false, 1]);
      expect([second.status, second.body.duplicate, second.body.deliveries]).toEqual([200, true, 2]);
      const read = await getJson(`/api/webhooks/${provider}/${id}`);
      expect(read.body).toMatchObject({
        provider,
        deliveryId: id,
        deliveries: 2,
        rows: 1,
        usageEvents: 1,
        region: 'eu-west-1',
      });
      const client = new pg.Client({ connectionString: fx.pg.url });
      await client.connect();
      try {
        const rows = await client.query(
          'select count(*)::int as n from webhook_deliveries where delivery_id = $1',
          [id],
        );
        const usage = await client.query('select count(*)::int as n from usage_events where ref = $1', [id]);
        expect([rows.rows[0].n, usage.rows[0].n]).toEqual([1, 1]);
      } finally {
        await client.end();
      }
    },
  );

  it('answers 401 invalid_signature for a wrong secret, a tampered body or no signature, and stores nothing', async () => {
    const wrong = await deliver('shopify', 'bad-1', { secret: 'not-the-secret' });
    expect(wrong).toEqual({
      status: 401,
      body: {
        error: 'invalid_signature',
        message:
          'x-shopify-hmac-sha256 does not match: it must be base64 HMAC-SHA256 of the raw body with the shopify secret',
      },
    });
    const woo = await deliver('woocommerce', 'bad-2', { secret: SECRETS.shopify });
    expect([woo.status, woo.body.error]).toEqual([401, 'invalid_signature']);
    const unsigned = await fetch(`${base(api)}/api/webhooks/woocommerce`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-wc-webhook-delivery-id': 'bad-3' },
      body: '{}',
    });
    expect([unsigned.status, ((await unsigned.json()) as { message: string }).message]).toEqual([
      401,
      'x-wc-webhook-signature is missing: it must be base64 HMAC-SHA256 of the raw body with the woocommerce secret',
    ]);
    for (const [provider, id] of [
      ['shopify', 'bad-1'],
      ['woocommerce', 'bad-2'],
      ['woocommerce', 'bad-3'],
    ]) {
      expect((await getJson(`/api/webhooks/${provider}/${id}`)).status).toBe(404);
    }
  });
});

describe('usage events', () => {
  it('stores one event per idempotency key, and one per order', async () => {
    const post = (key: string) =>
      fetch(`${base(api)}/api/usage`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ idempotencyKey: key, kind: 'meter', ref: 'r1' }),
      }).then(async (r) => [r.status, ((await r.json()) as { stored: string }).stored]);
    expect(await post('meter:t1:1')).toEqual([201, 'created']);
    expect(await post('meter:t1:1')).toEqual([200, 'duplicate']);
    expect(await post('meter:t1:2')).toEqual([201, 'created']);
    const listed = await getJson('/api/usage?prefix=meter:t1:');
    expect(listed.body.count).toBe(2);
    const order = await fetch(`${base(api)}/api/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ sku: 'LUN-MUG-002', quantity: 3, email: 'usage@example.com' }),
    }).then((r) => r.json() as Promise<{ id: string }>);
    const events = await getJson(`/api/usage?prefix=order:${order.id}`);
    expect(events.body.events).toMatchObject([
      { idempotencyKey: `order:${order.id}`, kind: 'order', ref: order.id, quantity: 3, region: 'eu-west-1' },
    ]);
    expect((await getJson('/api/usage?prefix=a')).body).toEqual({
      error: 'invalid_usage_query',
      message: 'prefix: at least 3 characters of A-Z a-z 0-9 : . _ -',
    });
  });
});

// Signed e-commerce webhooks (runbook §10): Shopify and WooCommerce sign the raw body with HMAC-SHA256 (base64);
// a bad signature is 401; each delivery id is processed exactly once (a redelivery is counted, not processed again).
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpError, sendJson } from '../http/respond.ts';
import { type ApiContext, withDb } from './context.ts';
import { webhookSecrets } from './webhook-secrets.ts';

export type Provider = 'shopify' | 'woocommerce';

/** The headers each provider sends: signature, delivery id (the dedupe key), topic, source shop. */
export const PROVIDER_HEADERS: Record<
  Provider,
  { signature: string; id: string; topic: string; shop: string }
> = {
  shopify: {
    signature: 'x-shopify-hmac-sha256',
    id: 'x-shopify-webhook-id',
    topic: 'x-shopify-topic',
    shop: 'x-shopify-shop-domain',
  },
  woocommerce: {
    signature: 'x-wc-webhook-signature',
    id: 'x-wc-webhook-delivery-id',
    topic: 'x-wc-webhook-topic',
    shop: 'x-wc-webhook-source',
  },
};

const MAX_BODY_BYTES = 256 * 1024;

/** base64(HMAC-SHA256(body, secret)): what both providers put in their signature header. */
export function signWebhook(body: Buffer | string, secret: string): string {
  return createHmac('sha256', secret).update(body).digest('base64');
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

async function rawBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES)
      throw new HttpError(413, 'body_too_large', `body exceeds ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function signatureMatches(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** POST /api/webhooks/:provider → 200 {received, duplicate, deliveries}; 401 invalid_signature; 400 missing_delivery_id. */
export async function receiveWebhook(
  ctx: ApiContext,
  provider: Provider,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const names = PROVIDER_HEADERS[provider];
  const body = await rawBody(req);
  const secrets = await webhookSecrets();
  const signature = header(req, names.signature);
  if (!signature || !signatureMatches(signature, signWebhook(body, secrets[provider]))) {
    throw new HttpError(
      401,
      'invalid_signature',
      `${names.signature} ${signature ? 'does not match' : 'is missing'}: it must be base64 HMAC-SHA256 of the raw body with the ${provider} secret`,
    );
  }
  const deliveryId = header(req, names.id)?.trim();
  if (!deliveryId)
    throw new HttpError(400, 'missing_delivery_id', `${names.id} is required: it is the dedupe key`);
  let payload: unknown;
  try {
    payload = JSON.parse(body.toString('utf8'));
  } catch {
    throw new HttpError(400, 'invalid_json', 'the webhook body is not valid JSON');
  }
  const topic = header(req, names.topic) ?? 'unknown';
  // One statement: the delivery row and its usage event are written together, and only on first delivery.
  const result = await withDb(ctx, (pool) =>
    pool.query<{ inserted: boolean; deliveries: number }>(
      `with d as (
         insert into webhook_deliveries (provider, delivery_id, topic, shop, payload, region)
         values ($1, $2, $3, $4, $5, $6)
         on conflict (provider, delivery_id)
           do update set deliveries = webhook_deliveries.deliveries + 1, last_received_at = now()
         returning (xmax = 0) as inserted, deliveries
       ), u as (
         insert into usage_events (idempotency_key, kind, ref, region)
         select 'webhook:' || $1 || ':' || $2, 'webhook', $2, $6 from d where d.inserted
         on conflict (idempotency_key) do nothing
       )
       select inserted, deliveries from d`,
      [provider, deliveryId, topic, header(req, names.shop) ?? null, JSON.stringify(payload), ctx.pod.region],
    ),
  );
  const row = result.rows[0]!;
  sendJson(res, 200, {
    received: true,
    provider,
    deliveryId,
    topic,
    duplicate: !row.inserted,
    deliveries: row.deliveries,
  });
}

/** GET /api/webhooks/:provider/:deliveryId → how often it came, how many rows and usage events it made. */
export async function getDelivery(
  ctx: ApiContext,
  res: ServerResponse,
  provider: string,
  deliveryId: string,
): Promise<void> {
  const result = await withDb(ctx, (pool) =>
    pool.query<{
      topic: string;
      deliveries: number;
      region: string;
      received_at: Date;
      rows: number;
      usage: number;
    }>(
      `select min(topic) as topic, coalesce(sum(deliveries), 0)::int as deliveries, min(region) as region,
              min(received_at) as received_at, count(*)::int as rows,
              (select count(*)::int from usage_events where idempotency_key = 'webhook:' || $1 || ':' || $2) as usage
         from webhook_deliveries where provider = $1 and delivery_id = $2`,
      [provider, deliveryId],
    ),
  );
  const row = result.rows[0];
  if (!row || row.rows === 0) {
    throw new HttpError(404, 'delivery_not_found', `no ${provider} webhook delivery "${deliveryId}"`);
  }
  sendJson(res, 200, {
    provider,
    deliveryId,
    topic: row.topic,
    deliveries: row.deliveries,
    rows: row.rows,
    usageEvents: row.usage,
    region: row.region,
    receivedAt: row.received_at.toISOString(),
  });
}

// Usage billing events (runbook §10 "usage billing"): one per order, render and webhook (written by the database
// with the row that causes it) and those the metering client posts, each stored once under its idempotency key.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpError, readJsonObject, sendJson } from '../http/respond.ts';
import { type ApiContext, withDb } from './context.ts';

export const USAGE_KINDS = ['order', 'render', 'webhook', 'meter'] as const;
const KEY = /^[A-Za-z0-9:._-]{1,200}$/;

interface UsageRow {
  idempotency_key: string;
  kind: string;
  ref: string | null;
  quantity: number;
  region: string;
  created_at: Date;
}

/** POST /api/usage {idempotencyKey, kind, ref?, quantity?} → 201 stored 'created' | 200 stored 'duplicate'. */
export async function recordUsage(ctx: ApiContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const body = await readJsonObject(req);
  const key = body.idempotencyKey;
  if (typeof key !== 'string' || !KEY.test(key)) {
    throw new HttpError(400, 'invalid_usage', 'idempotencyKey: 1-200 characters of A-Z a-z 0-9 : . _ -');
  }
  if (!(USAGE_KINDS as readonly unknown[]).includes(body.kind)) {
    throw new HttpError(400, 'invalid_usage', `kind: one of ${USAGE_KINDS.join(', ')}`);
  }
  const quantity = body.quantity ?? 1;
  if (!Number.isInteger(quantity) || (quantity as number) < 1) {
    throw new HttpError(400, 'invalid_usage', 'quantity: a positive integer');
  }
  const ref = typeof body.ref === 'string' ? body.ref : null;
  const result = await withDb(ctx, (pool) =>
    pool.query<{ id: string }>(
      `insert into usage_events (idempotency_key, kind, ref, quantity, region) values ($1, $2, $3, $4, $5)
       on conflict (idempotency_key) do nothing returning id`,
      [key, body.kind, ref, quantity, ctx.pod.region],
    ),
  );
  const created = result.rows.length === 1;
  sendJson(res, created ? 201 : 200, {
    idempotencyKey: key,
    stored: created ? 'created' : 'duplicate',
    region: ctx.pod.region,
  });
}

/** GET /api/usage?prefix=<key prefix> → {count, events}: what the billing dashboard would sum. */
export async function listUsage(ctx: ApiContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const prefix = new URL(req.url ?? '/', 'http://x').searchParams.get('prefix') ?? '';
  if (prefix.length < 3 || !KEY.test(prefix)) {
    throw new HttpError(400, 'invalid_usage_query', 'prefix: at least 3 characters of A-Z a-z 0-9 : . _ -');
  }
  const result = await withDb(ctx, (pool) =>
    pool.query<UsageRow>(
      `select idempotency_key, kind, ref, quantity, region, created_at from usage_events
        where starts_with(idempotency_key, $1) order by id limit 10000`,
      [prefix],
    ),
  );
  sendJson(res, 200, {
    count: result.rows.length,
    events: result.rows.map((r) => ({
      idempotencyKey: r.idempotency_key,
      kind: r.kind,
      ref: r.ref,
      quantity: r.quantity,
      region: r.region,
      createdAt: r.created_at.toISOString(),
    })),
  });
}

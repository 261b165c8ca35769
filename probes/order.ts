// order(): the runbook's "une commande e-commerce peut être créée": create through the API, read it back.
import type { Duration, ProbeDefinition } from '../core/model.ts';
import { expectFields, scalar } from './expect.ts';
import { expectStatus, httpCall, jsonObject } from './http.ts';
import { guardProbe, ProbeFailure } from './outcome.ts';
import { type FromContext, joinUrl, resolveOption, safeText } from './resolve.ts';
import { ms } from './timing.ts';

export const ORDER_TIMEOUT = '10s';

export interface OrderOptions<R> {
  /** Base URL of the API, e.g. the public URL. */
  url: FromContext<string, R>;
  /** Default "LUN-MUG-002". */
  sku?: string;
  /** Default 1. */
  quantity?: number;
  /** Default "drill-<runId>@example.com". */
  email?: FromContext<string, R>;
  /** Region expected to take the order (`regionCreated`), e.g. "us-east-1" after failover. */
  region?: FromContext<string | undefined, R>;
  /** Default "order". */
  name?: string;
  interval?: Duration;
  /** Default "10s". */
  timeout?: Duration;
}

/** POST /api/orders → 201, then GET /api/orders/:id → 200 with the same id, sku, quantity, email and total. */
export function order<R = unknown>(options: OrderOptions<R>): ProbeDefinition<R> {
  const name = options.name ?? 'order';
  const timeout = options.timeout ?? ORDER_TIMEOUT;
  return {
    name,
    description: 'An e-commerce order can be created and read back',
    runbook: '§7',
    ...(options.interval ? { interval: options.interval } : {}),
    timeout,
    check: (ctx, { signal }) =>
      guardProbe(
        signal,
        { name, timeoutMs: ms(timeout, ORDER_TIMEOUT), setting: `${name}.timeout` },
        async (run) => {
          const base = await resolveOption(options.url, ctx);
          const wanted = {
            sku: options.sku ?? 'LUN-MUG-002',
            quantity: options.quantity ?? 1,
            email: options.email ? await resolveOption(options.email, ctx) : `drill-${ctx.runId}@example.com`,
          };
          const region = options.region ? await resolveOption(options.region, ctx) : undefined;
          const createUrl = joinUrl(base, '/api/orders');
          run.data.step = `POST ${createUrl}`;
          const created = await httpCall({ method: 'POST', url: createUrl, json: wanted }, run.signal);
          expectStatus(created, 201);
          const body = jsonObject(created);
          if (typeof body.id !== 'string' || body.id === '') {
            throw new ProbeFailure(
              `POST ${safeText(createUrl)} returned 201 without an order id: ${JSON.stringify(body)}`,
            );
          }
          run.data.orderId = body.id;
          expectFields(created, [
            { label: 'sku', got: body.sku, want: wanted.sku },
            { label: 'quantity', got: body.quantity, want: wanted.quantity },
            { label: 'email', got: body.email, want: wanted.email },
            { label: 'regionCreated', got: body.regionCreated, want: region },
          ]);
          // The service took the order: proven serving now, if the read-back below confirms it.
          const servedAt = ctx.clock.now();
          const readUrl = joinUrl(base, `/api/orders/${encodeURIComponent(body.id)}`);
          run.data.step = `GET ${readUrl}`;
          const read = await httpCall({ url: readUrl }, run.signal);
          expectStatus(read, 200);
          const stored = jsonObject(read);
          const data = {
            orderId: body.id,
            sku: scalar(stored.sku),
            quantity: scalar(stored.quantity),
            totalCents: scalar(stored.totalCents),
            regionCreated: scalar(stored.regionCreated),
            createMs: created.latencyMs,
            readMs: read.latencyMs,
          };
          expectFields(
            read,
            ['id', 'sku', 'quantity', 'email', 'totalCents', 'regionCreated', 'createdAt'].map((key) => ({
              label: key,
              got: stored[key],
              want: body[key],
            })),
            data,
          );
          return { ok: true, latencyMs: created.latencyMs + read.latencyMs, data, servedAt };
        },
      ),
  };
}

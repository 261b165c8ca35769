// order(): the runbook's "une commande e-commerce peut être créée": create through the API, read it back.
import { Agent, type Dispatcher } from 'undici';
import type { OffThreadFactory, OffThreadProbe } from '../core/measure/index.ts';
import type { Duration, JsonValue, ProbeOutcome, RunContext } from '../core/model.ts';
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

/** One order to place: the options of a run, resolved (structured-cloneable, for the probe's own thread). */
interface OrderCall {
  base: string;
  wanted: { sku: string; quantity: number; email: string };
  region?: string;
  name: string;
  timeout: Duration;
}

/**
 * POST /api/orders → 201, then GET /api/orders/:id → 200 with the same id, sku, quantity, email and total.
 * As a recovery probe it is sampled on its own thread (orderCheck), each check as a new user: its send, servedAt and
 * answer instants cannot drift with the engine's busy event loop. Its options are then resolved once, when sampling
 * starts.
 */
export function order<R = unknown>(options: OrderOptions<R>): OffThreadProbe<R> {
  const name = options.name ?? 'order';
  const timeout = options.timeout ?? ORDER_TIMEOUT;
  const resolve = async (ctx: RunContext<R>): Promise<OrderCall> => {
    const region = options.region ? await resolveOption(options.region, ctx) : undefined;
    return {
      base: await resolveOption(options.url, ctx),
      wanted: {
        sku: options.sku ?? 'LUN-MUG-002',
        quantity: options.quantity ?? 1,
        email: options.email ? await resolveOption(options.email, ctx) : `drill-${ctx.runId}@example.com`,
      },
      ...(region === undefined ? {} : { region }),
      name,
      timeout,
    };
  };
  return {
    name,
    description: 'An e-commerce order can be created and read back',
    runbook: '§7',
    ...(options.interval ? { interval: options.interval } : {}),
    timeout,
    check: (ctx, { signal }) =>
      placeOrder(
        () => resolve(ctx),
        () => ctx.clock.now(),
        signal,
      ),
    offThread: {
      module: import.meta.url,
      factory: 'orderCheck',
      options: async (ctx) => (await resolve(ctx)) as unknown as JsonValue,
    },
  };
}

/** The order check on a probe thread (OffThreadFactory): each order placed on connections of its own, as a new user. */
export const orderCheck: OffThreadFactory = (options, now) => {
  const call = options as unknown as OrderCall;
  return async (signal) => {
    const own = new Agent({ pipelining: 0 });
    try {
      return await placeOrder(async () => call, now, signal, own);
    } finally {
      void own.destroy();
    }
  };
};

/** Places one order and reads it back; servedAt (on `now`'s clock) when the POST took it. */
function placeOrder(
  resolve: () => Promise<OrderCall>,
  now: () => number,
  signal: AbortSignal,
  dispatcher?: Dispatcher,
): Promise<ProbeOutcome> {
  const pool = dispatcher ? { dispatcher } : {};
  return resolve().then((call) =>
    guardProbe(
      signal,
      { name: call.name, timeoutMs: ms(call.timeout, ORDER_TIMEOUT), setting: `${call.name}.timeout` },
      async (run) => {
        const { base, wanted, region } = call;
        const createUrl = joinUrl(base, '/api/orders');
        run.data.step = `POST ${createUrl}`;
        const created = await httpCall({ method: 'POST', url: createUrl, json: wanted, ...pool }, run.signal);
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
        const servedAt = now();
        const readUrl = joinUrl(base, `/api/orders/${encodeURIComponent(body.id)}`);
        run.data.step = `GET ${readUrl}`;
        const read = await httpCall({ url: readUrl, ...pool }, run.signal);
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
  );
}

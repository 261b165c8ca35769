// Runbook §10, post-restore business checks: signed e-commerce webhooks processed exactly once, and the AI
// pipelines (render, then upscale of it) on the serving region. Billing lives in billing.ts; alarms in detection.ts.

import { createHmac } from 'node:crypto';
import { declaredProbe } from '../../../actions/declared.ts';
import type { JsonValue, PlannedCall, ProbeDefinition } from '../../../core/model.ts';
import { guardProbe, ProbeFailure } from '../../../probes/outcome.ts';
import { checkPng } from '../../../probes/png.ts';
import { backoffStep, delay, ms } from '../../../probes/timing.ts';
import { type LuneoRun, luneo } from '../context.ts';
import type { LuneoResources } from '../resources.ts';
import { readSecretRef } from '../secret-ref.ts';

type Provider = 'shopify' | 'woocommerce';

/** How each shop signs and names a delivery (base64 HMAC-SHA256 of the raw body with the shared secret). */
export function webhookHeaders(
  provider: Provider,
  body: string,
  secret: string,
  id: string,
): Record<string, string> {
  const signature = createHmac('sha256', secret).update(body).digest('base64');
  return provider === 'shopify'
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
}

interface Reply {
  status: number;
  text: string;
  json: Record<string, unknown>;
  bytes: Buffer;
}

async function call(
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: string },
  signal: AbortSignal,
): Promise<Reply> {
  const response = await fetch(url, {
    method: init.method ?? 'GET',
    headers: { ...(init.body ? { 'content-type': 'application/json' } : {}), ...init.headers },
    ...(init.body ? { body: init.body } : {}),
    signal,
  }).catch((error: Error) => {
    if (signal.aborted) throw error;
    throw new ProbeFailure(`${init.method ?? 'GET'} ${url} failed: ${error.message}`);
  });
  const bytes = Buffer.from(await response.arrayBuffer());
  const text = bytes.toString('utf8');
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {}
  return { status: response.status, text, json, bytes };
}

function expect(reply: Reply, status: number, what: string): void {
  if (reply.status !== status) {
    throw new ProbeFailure(
      `${what} returned HTTP ${reply.status}, expected ${status}: ${reply.text.slice(0, 200)}`,
    );
  }
}

const httpPlan =
  (...requests: string[]) =>
  (ctx: LuneoRun): PlannedCall[] =>
    requests.map((r) => {
      const [method, path] = r.split(' ');
      return {
        service: 'http',
        operation: `${method} ${ctx.target.resources.publicUrl}${path}`,
        mutating: method === 'POST',
      };
    });

/**
 * §10 "valider les webhooks e-commerce": per shop, a signed orders/create delivery sent twice (a redelivery) is
 * processed once, and a delivery signed with the wrong secret is refused with 401.
 */
export function ecommerceWebhooks(opts: { timeout?: string } = {}): ProbeDefinition<LuneoResources> {
  const name = 'ecommerce-webhooks';
  const timeout = opts.timeout ?? '20s';
  return declaredProbe<LuneoResources>({
    name,
    description:
      'Signed Shopify and WooCommerce webhooks are verified and processed exactly once (runbook §10)',
    runbook: '§10',
    timeout,
    calls: httpPlan(
      'POST /api/webhooks/shopify',
      'POST /api/webhooks/woocommerce',
      'GET /api/webhooks/<provider>/<delivery-id>',
    ),
    check: (ctx, { signal }) =>
      guardProbe(signal, { name, timeoutMs: ms(timeout, '20s'), setting: `${name}.timeout` }, async (run) => {
        const ref = ctx.target.resources.business?.webhookSecrets;
        if (!ref)
          throw new ProbeFailure(
            `cannot sign webhooks: target ${ctx.target.name} binds no resources.business.webhookSecrets`,
          );
        const read = await readSecretRef(ctx, ref);
        if ('missing' in read) throw new ProbeFailure(`cannot sign webhooks: ${read.missing}`);
        let secrets: Record<Provider, string>;
        try {
          secrets = JSON.parse(read.value) as Record<Provider, string>;
        } catch {
          throw new ProbeFailure(
            'cannot sign webhooks: the webhook secret is not JSON {"shopify", "woocommerce"}',
          );
        }
        const base = (await luneo(ctx)).publicUrl;
        const lines: string[] = [];
        for (const provider of ['shopify', 'woocommerce'] as const) {
          const id = `drill-${ctx.runId}-${provider}`;
          const body = JSON.stringify({
            id,
            email: `drill-${ctx.runId}@example.com`,
            total_price: '14.50',
            test: true,
          });
          const url = `${base}/api/webhooks/${provider}`;
          run.data.step = `POST ${url}`;
          const forged = await call(
            url,
            {
              method: 'POST',
              body,
              headers: webhookHeaders(provider, body, 'not-the-secret', `${id}-forged`),
            },
            run.signal,
          );
          if (forged.status !== 401) {
            throw new ProbeFailure(
              `${provider}: a delivery signed with the wrong secret got HTTP ${forged.status}, expected 401: signatures are not verified`,
            );
          }
          for (let attempt = 1; attempt <= 2; attempt++) {
            const sent = await call(
              url,
              { method: 'POST', body, headers: webhookHeaders(provider, body, secrets[provider], id) },
              run.signal,
            );
            expect(sent, 200, `${provider}: delivery ${attempt} of ${id}`);
          }
          const stored = await call(
            `${base}/api/webhooks/${provider}/${encodeURIComponent(id)}`,
            {},
            run.signal,
          );
          expect(stored, 200, `${provider}: reading delivery ${id} back`);
          const { deliveries, rows, usageEvents, region } = stored.json;
          run.data[provider] = {
            deliveries: deliveries as JsonValue,
            rows: rows as JsonValue,
            usageEvents: usageEvents as JsonValue,
          };
          if (rows !== 1 || usageEvents !== 1 || typeof deliveries !== 'number' || deliveries < 2) {
            throw new ProbeFailure(
              `${provider}: delivery ${id} sent twice was processed ${String(rows)} time(s) with ${String(usageEvents)} usage event(s) (received ${String(deliveries)}), expected exactly once`,
              run.data,
            );
          }
          lines.push(`${provider} ${id} received ${deliveries}×, processed once in ${String(region)}`);
        }
        const { step: _step, ...data } = run.data;
        return { ok: true, detail: `forged signatures refused (401); ${lines.join('; ')}`, data };
      }),
  });
}

async function renderJob(
  base: string,
  body: Record<string, unknown>,
  what: string,
  run: { signal: AbortSignal; data: Record<string, JsonValue> },
): Promise<{ id: string; width: number; height: number; region: unknown }> {
  const submitted = await call(
    `${base}/api/renders`,
    { method: 'POST', body: JSON.stringify(body) },
    run.signal,
  );
  expect(submitted, 202, `${what}: POST /api/renders`);
  const id = String(submitted.json.id);
  for (let polls = 0; ; polls++) {
    run.data.step = `waiting for ${what} ${id}`;
    const job = await call(`${base}/api/renders/${id}`, {}, run.signal);
    expect(job, 200, `${what}: GET /api/renders/${id}`);
    if (job.json.status === 'failed') {
      throw new ProbeFailure(
        `${what} ${id} failed after ${String(job.json.attempts)} attempt(s): ${String(job.json.error)}`,
      );
    }
    if (job.json.status === 'done') {
      const image = await call(`${base}/api/renders/${id}/image`, {}, run.signal);
      expect(image, 200, `${what}: GET /api/renders/${id}/image`);
      const png = checkPng(image.bytes);
      if (!png.ok) throw new ProbeFailure(`${what} ${id}: the image is not a valid PNG: ${png.problem}`);
      return {
        id,
        width: png.info.width,
        height: png.info.height,
        region: job.json.renderedBy ?? job.json.region,
      };
    }
    await delay(backoffStep(polls), run.signal);
  }
}

/** §10 "pipelines IA (génération d'image, upscale)": a sandbox render, then an upscale of it to twice its size. */
export function aiPipelines(
  opts: { timeout?: string; upscale?: boolean } = {},
): ProbeDefinition<LuneoResources> {
  const name = 'ai-pipelines';
  const upscale = opts.upscale ?? true;
  const timeout = opts.timeout ?? '90s';
  return declaredProbe<LuneoResources>({
    name,
    description: `A sandbox AI render${upscale ? ' and an upscale of it' : ''} complete on the serving region (runbook §10)`,
    runbook: '§10',
    timeout,
    calls: httpPlan('POST /api/renders', 'GET /api/renders/<id>', 'GET /api/renders/<id>/image'),
    check: (ctx, { signal }) =>
      guardProbe(signal, { name, timeoutMs: ms(timeout, '90s'), setting: `${name}.timeout` }, async (run) => {
        const base = (await luneo(ctx)).publicUrl;
        const prompt = `drill ${ctx.runId} post-restore render`;
        const source = await renderJob(base, { prompt, sandbox: true }, 'render', run);
        run.data.render = { id: source.id, width: source.width, height: source.height };
        if (!upscale)
          return {
            ok: true,
            detail: `render ${source.id} ${source.width}×${source.height} (upscale not checked)`,
            data: run.data.render,
          };
        const up = await renderJob(
          base,
          { prompt, sandbox: true, kind: 'upscale', sourceId: source.id },
          'upscale',
          run,
        );
        run.data.upscale = { id: up.id, width: up.width, height: up.height };
        if (up.width !== source.width * 2 || up.height !== source.height * 2) {
          throw new ProbeFailure(
            `upscale ${up.id} of render ${source.id} is ${up.width}×${up.height}, expected ${source.width * 2}×${source.height * 2}`,
            run.data,
          );
        }
        const { step: _step, ...data } = run.data;
        return {
          ok: true,
          detail: `render ${source.id} ${source.width}×${source.height}, upscale ${up.id} ${up.width}×${up.height}`,
          data,
        };
      }),
  });
}

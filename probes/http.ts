// HTTP for probes: one pooled keep-alive undici Agent, whole-body reads, failures that name the URL.
import { AsyncLocalStorage } from 'node:async_hooks';
import { Agent, type Dispatcher, request } from 'undici';
import type { ProbeDefinition } from '../core/model.ts';
import { ProbeFailure } from './outcome.ts';
import { safeText } from './resolve.ts';
import { stopwatch } from './timing.ts';

let shared: Agent | undefined;

/** The probes' connection pool (keep-alive), created on first use. */
export function probeAgent(): Agent {
  shared ??= new Agent({ keepAliveTimeout: 4_000, keepAliveMaxTimeout: 10_000, connections: 128 });
  return shared;
}

/** Closes the shared pool (end of a run or a test file); the next request opens a new one. */
export async function closeProbeAgent(): Promise<void> {
  const agent = shared;
  shared = undefined;
  await agent?.close();
}

export interface HttpReply {
  method: string;
  url: string;
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  latencyMs: number;
}

export interface HttpCall {
  method?: 'GET' | 'POST';
  url: string;
  /** Sent as JSON. */
  json?: unknown;
  accept?: string;
  dispatcher?: Dispatcher;
}

/** The connection pool of the check running now, when it runs as a new user (asNewUser). */
const checkPool = new AsyncLocalStorage<Dispatcher>();

/**
 * Each check of `probe` comes as a new user would, on connections of its own: a pooled keep-alive connection
 * opened before a DNS flip or a failover keeps talking to the old region, and would show that region's state,
 * not the one users now reach. Requests within one check share its connections.
 */
export function asNewUser<R>(probe: ProbeDefinition<R>): ProbeDefinition<R> {
  return {
    ...probe,
    async check(ctx, opts) {
      const own = new Agent({ pipelining: 0 });
      try {
        return await checkPool.run(own, () => probe.check(ctx, opts));
      } finally {
        void own.destroy();
      }
    },
  };
}

/** One request, body read whole. Network failures throw a ProbeFailure: "GET <url> failed: <cause>". */
export async function httpCall(call: HttpCall, signal: AbortSignal): Promise<HttpReply> {
  const method = call.method ?? 'GET';
  const elapsed = stopwatch();
  try {
    const res = await request(call.url, {
      method,
      signal,
      dispatcher: call.dispatcher ?? checkPool.getStore() ?? probeAgent(),
      headers: {
        accept: call.accept ?? 'application/json',
        ...(call.json === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(call.json === undefined ? {} : { body: JSON.stringify(call.json) }),
    });
    const body = Buffer.from(await res.body.arrayBuffer());
    return {
      method,
      url: call.url,
      status: res.statusCode,
      headers: res.headers,
      body,
      latencyMs: elapsed(),
    };
  } catch (error) {
    if (signal.aborted) throw error;
    throw new ProbeFailure(`${method} ${safeText(call.url)} failed: ${describeNetworkError(error)}`);
  }
}

/** "ECONNREFUSED (connect ECONNREFUSED 127.0.0.1:1)" style: the code first, then undici's words. */
export function describeNetworkError(error: unknown): string {
  const e = error as { code?: unknown; message?: unknown; cause?: unknown };
  const message = typeof e.message === 'string' ? e.message : String(error);
  const code = typeof e.code === 'string' ? e.code : undefined;
  const inner = e.cause ? describeNetworkError(e.cause) : undefined;
  const own = code && !message.includes(code) ? `${code}: ${message}` : message;
  return inner && !own.includes(inner) ? `${own} (${inner})` : own;
}

/** The body as text, cut to `max` characters, for failure messages. */
export function excerpt(reply: HttpReply, max = 200): string {
  const text = reply.body.toString('utf8').replace(/\s+/g, ' ').trim();
  if (text === '') return '(empty body)';
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

/** Parses a JSON object body, or throws "… returned <status> with a body that is not a JSON object: …". */
export function jsonObject(reply: HttpReply): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(reply.body.toString('utf8'));
  } catch {
    parsed = undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ProbeFailure(
      `${reply.method} ${safeText(reply.url)} returned ${reply.status} with a body that is not a JSON object: ${excerpt(reply)}`,
    );
  }
  return parsed as Record<string, unknown>;
}

/** Throws "<method> <url> returned <status>, expected <wanted>: <body excerpt>" unless the status is `wanted`. */
export function expectStatus(reply: HttpReply, wanted: number): void {
  if (reply.status !== wanted) {
    throw new ProbeFailure(
      `${reply.method} ${safeText(reply.url)} returned ${reply.status}, expected ${wanted}: ${excerpt(reply)}`,
    );
  }
}

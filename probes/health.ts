// health() and version(): what the public endpoint says about itself (steady state, continuous, verify).
import type { Dispatcher } from 'undici';
import type { Duration, JsonValue, ProbeDefinition, ProbeOutcome } from '../core/model.ts';
import { expectFields, pick, scalar } from './expect.ts';
import { expectStatus, httpCall, jsonObject } from './http.ts';
import { guardProbe } from './outcome.ts';
import { type FromContext, joinUrl, resolveOption } from './resolve.ts';
import { ms } from './timing.ts';

export const HEALTH_TIMEOUT = '5s';

export interface HealthExpectation {
  /** HTTP status (default 200). */
  status?: number;
  /** `region` of the pod that answered, e.g. "us-east-1" after failover. */
  region?: string;
  /** `database.role` as the pod sees it. */
  role?: 'writer' | 'reader';
  /** `dr_mode` read from the dr-overrides configmap. */
  drMode?: boolean;
  version?: string;
}

export interface HealthOptions<R> {
  /** Base URL, e.g. the public URL: `(ctx) => ctx.target.resources.publicUrl`. */
  url: FromContext<string, R>;
  /** Default "/health". */
  path?: string;
  expect?: FromContext<HealthExpectation, R>;
  /** Default "health". */
  name?: string;
  description?: string;
  interval?: Duration;
  /** Default "5s". */
  timeout?: Duration;
  /** Connection pool (default: the probes' shared keep-alive pool). */
  dispatcher?: Dispatcher;
}

/** GET /health → status, region, pod, version, dr_mode, database.role checked against `expect`. */
export function health<R = unknown>(options: HealthOptions<R>): ProbeDefinition<R> {
  const name = options.name ?? 'health';
  const timeout = options.timeout ?? HEALTH_TIMEOUT;
  return {
    name,
    description: options.description ?? `GET ${options.path ?? '/health'} answers as expected`,
    ...(options.interval ? { interval: options.interval } : {}),
    timeout,
    check: (ctx, { signal }) =>
      guardHealth(name, timeout, signal, async () => ({
        url: joinUrl(await resolveOption(options.url, ctx), options.path ?? '/health'),
        want: options.expect ? await resolveOption(options.expect, ctx) : {},
        ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}),
      })),
  };
}

/** One GET of a health URL already resolved (`url` includes the path), under the probe's timeout. */
export interface HealthRequest {
  url: string;
  want: HealthExpectation;
  dispatcher?: Dispatcher;
}

/** One health check of a resolved request: what health() does once its options are resolved (also off-thread). */
export function checkHealth(
  request: HealthRequest,
  opts: { name: string; timeout: Duration },
  signal: AbortSignal,
): Promise<ProbeOutcome> {
  return guardHealth(opts.name, opts.timeout, signal, async () => request);
}

function guardHealth(
  name: string,
  timeout: Duration,
  signal: AbortSignal,
  resolve: () => Promise<HealthRequest>,
): Promise<ProbeOutcome> {
  return guardProbe(
    signal,
    { name, timeoutMs: ms(timeout, HEALTH_TIMEOUT), setting: `${name}.timeout` },
    async (run) => {
      const { url, want, dispatcher } = await resolve();
      run.data.step = `GET ${url}`;
      const reply = await httpCall({ url, ...(dispatcher ? { dispatcher } : {}) }, run.signal);
      expectStatus(reply, want.status ?? 200);
      const body = jsonObject(reply);
      const data: Record<string, JsonValue> = {
        status: reply.status,
        region: scalar(body.region),
        pod: scalar(body.pod),
        version: scalar(body.version),
        role: scalar(pick(body, 'database', 'role')),
        drMode: scalar(body.dr_mode),
      };
      expectFields(
        reply,
        [
          { label: 'region', got: body.region, want: want.region },
          { label: 'database.role', got: pick(body, 'database', 'role'), want: want.role },
          { label: 'dr_mode', got: body.dr_mode, want: want.drMode },
          { label: 'version', got: body.version, want: want.version },
        ],
        data,
      );
      return { ok: true, latencyMs: reply.latencyMs, data };
    },
  );
}

export interface VersionOptions<R> {
  url: FromContext<string, R>;
  /** Default "/version". */
  path?: string;
  expect?: FromContext<{ version?: string; region?: string }, R>;
  /** Default "version". */
  name?: string;
  timeout?: Duration;
}

/** GET /version → { version, region, commit }, checked against `expect`. */
export function version<R = unknown>(options: VersionOptions<R>): ProbeDefinition<R> {
  const name = options.name ?? 'version';
  const timeout = options.timeout ?? HEALTH_TIMEOUT;
  return {
    name,
    description: 'GET /version names the deployed version',
    timeout,
    check: (ctx, { signal }) =>
      guardProbe(
        signal,
        { name, timeoutMs: ms(timeout, HEALTH_TIMEOUT), setting: `${name}.timeout` },
        async (run) => {
          const url = joinUrl(await resolveOption(options.url, ctx), options.path ?? '/version');
          const want = options.expect ? await resolveOption(options.expect, ctx) : {};
          run.data.step = `GET ${url}`;
          const reply = await httpCall({ url }, run.signal);
          expectStatus(reply, 200);
          const body = jsonObject(reply);
          const data = {
            version: scalar(body.version),
            region: scalar(body.region),
            commit: scalar(body.commit),
          };
          if (typeof body.version !== 'string' || body.version === '') {
            expectFields(reply, [{ label: 'version', got: body.version, want: 'a non-empty string' }], data);
          }
          expectFields(
            reply,
            [
              { label: 'version', got: body.version, want: want.version },
              { label: 'region', got: body.region, want: want.region },
            ],
            data,
          );
          return { ok: true, latencyMs: reply.latencyMs, data };
        },
      ),
  };
}

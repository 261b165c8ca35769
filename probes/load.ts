// load(): background load through the drill with the built-in generator; its summary lands in the result.
import { DrillError } from '../core/errors.ts';
import type { BackgroundActivity, Duration, JsonValue, RunContext } from '../core/model.ts';
import { LoadGenerator } from './load-generator.ts';
import { type FromContext, joinUrl, resolveOption } from './resolve.ts';
import { ms } from './timing.ts';

export interface LoadOptions<R> {
  /** Default "load". */
  name?: string;
  /** Base URL, e.g. the public URL. */
  url: FromContext<string, R>;
  /** Default "/health". */
  path?: string;
  /** Requests per second (default 20). */
  rate?: number;
  /** Most requests in flight (default 16). */
  concurrency?: number;
  /** Stop by itself after this long (default: at the end of the drill). */
  duration?: Duration;
  /** Per request (default "2s"). */
  timeout?: Duration;
}

export function loadSettings<R>(options: LoadOptions<R>, url: string) {
  const rate = options.rate ?? 20;
  if (!(rate > 0))
    throw new DrillError(
      'E_VALIDATION',
      `load rate must be a positive number of requests per second, got ${rate}`,
    );
  return {
    url: joinUrl(url, options.path ?? '/health'),
    rate,
    concurrency: options.concurrency ?? 16,
    ...(options.duration ? { durationMs: ms(options.duration, '0ms') } : {}),
    timeoutMs: ms(options.timeout, '2s'),
  };
}

/** A BackgroundActivity: starts the built-in undici generator at preflight, summarises at stop. */
export function load<R = unknown>(options: LoadOptions<R>): BackgroundActivity<R> {
  const name = options.name ?? 'load';
  const key = `probes:load:${name}`;
  return {
    name,
    async start(ctx: RunContext<R>) {
      const generator = new LoadGenerator(loadSettings(options, await resolveOption(options.url, ctx)));
      generator.start();
      ctx.state.set(key, generator);
    },
    async stop(ctx: RunContext<R>): Promise<JsonValue> {
      const generator = ctx.state.get(key) as LoadGenerator | undefined;
      if (!generator)
        throw new DrillError('E_INTERNAL', `load "${name}" was not started in run ${ctx.runId}`);
      const summary = await generator.stop();
      await ctx.attach(`${name}-summary.json`, 'application/json', JSON.stringify(summary, null, 2));
      return summary;
    },
  };
}

// Recovery probes sampled off the engine's thread (issue 14): a probe whose check is a plain request (the
// availability GET) can be sent and answered on a worker thread of its own, so the engine's busy or starved event
// loop delays neither its send nor its answer instant. The probe says how to build its check there.
import type { JsonValue, ProbeDefinition, ProbeOutcome, RunContext } from '../model.ts';

/** How a probe's check is built on a worker thread: the named export `factory` of `module`, called with `options`. */
export interface OffThreadCheck<R = unknown> {
  /** URL of the module that exports the factory (the probe file's import.meta.url). */
  module: string;
  /** Named export of type OffThreadFactory. */
  factory: string;
  /** The factory's options for this run (structured-cloneable), resolved once when sampling starts. */
  options: (ctx: RunContext<R>) => Promise<JsonValue>;
}

/** Builds one check from its resolved options; `now` is the run's clock on the worker (for ProbeOutcome.servedAt). */
export type OffThreadFactory = (
  options: JsonValue,
  now: () => number,
) => (signal: AbortSignal) => Promise<ProbeOutcome>;

/** A probe definition that can also be sampled off the engine's thread. */
export type OffThreadProbe<R> = ProbeDefinition<R> & { offThread: OffThreadCheck<R> };

/** The probe's off-thread check, if it has one (kept by spreads such as asNewUser and planned). */
export function offThreadOf<R>(probe: ProbeDefinition<R>): OffThreadCheck<R> | undefined {
  const spec = (probe as Partial<OffThreadProbe<R>>).offThread;
  return spec && typeof spec.module === 'string' && typeof spec.options === 'function' ? spec : undefined;
}

/** One sample taken on the worker, on the run's clock (see ProbeSample). */
export interface ThreadSample {
  at: number;
  answeredAt: number;
  servedAt?: number;
  /** How long the worker's own event loop was stalled while the sample was in flight. */
  stalledMs: number;
  ok: boolean;
  latencyMs: number;
  detail?: string;
  data?: JsonValue;
}

/** What the worker needs to start sampling. */
export interface ThreadSampling {
  options: JsonValue;
  intervalMs: number;
  timeoutMs: number;
  /** `probe "<name>"`, for the timeout message. */
  what: string;
  /** The setting that raises the timeout, e.g. `recovery[0].timeout`. */
  setting: string;
}

export interface ThreadBoot {
  module: string;
  factory: string;
  /** performance.timeOrigin + performance.now() at the run clock's 0: the worker reads the same clock. */
  originAbsMs: number;
}

export type ToThread = { type: 'start'; sampling: ThreadSampling } | { type: 'stop' };

export type FromThread =
  /** raised: the thread runs ahead of normal work (thread-priority.ts). */
  | { type: 'ready'; raised: boolean }
  | { type: 'boot-failed'; message: string }
  | { type: 'sample'; sample: ThreadSample }
  | { type: 'done' };

// Waiters: poll with stepped backoff until a condition holds or a deadline passes, and say what was awaited.

import { formatDuration } from '../core/duration.ts';
import { type CallSite, sleep, throwIfAborted } from './abort.ts';
import { ClientError } from './errors.ts';

export interface WaitOptions {
  /** Give up after this long (milliseconds). */
  timeoutMs?: number;
  /** First pause between polls; grows ×2 up to maxIntervalMs. */
  intervalMs?: number;
  maxIntervalMs?: number;
  signal?: AbortSignal;
}

/** One observation: done with a value, failed for good (stop waiting), or not yet with what was seen. */
export type PollResult<T> = { done: true; value: T } | { done: false; seen: string; failed?: boolean };

export interface PollSpec<T> extends WaitOptions {
  site: CallSite;
  /** What we wait for, e.g. `global cluster "g" to have writer arn:…`. */
  what: string;
  check: () => Promise<PollResult<T>>;
  /** Injected for tests. */
  now?: () => number;
}

export const DEFAULT_WAIT = { timeoutMs: 300_000, intervalMs: 1_000, maxIntervalMs: 10_000 } as const;

export async function pollUntil<T>(spec: PollSpec<T>): Promise<T> {
  const now = spec.now ?? Date.now;
  const timeoutMs = spec.timeoutMs ?? DEFAULT_WAIT.timeoutMs;
  const maxInterval = spec.maxIntervalMs ?? Math.max(spec.intervalMs ?? 0, DEFAULT_WAIT.maxIntervalMs);
  let interval = spec.intervalMs ?? DEFAULT_WAIT.intervalMs;
  const deadline = now() + timeoutMs;
  for (;;) {
    throwIfAborted(spec.site, spec.signal);
    const result = await spec.check();
    if (result.done) return result.value;
    if (result.failed) {
      throw new ClientError({
        code: 'E_WAIT_FAILED',
        message: `stopped waiting for ${spec.what}: ${result.seen}`,
        ...spec.site,
      });
    }
    const remaining = deadline - now();
    if (remaining <= 0) {
      throw new ClientError({
        code: 'E_TIMEOUT',
        message: `timed out after ${formatDuration(timeoutMs)} waiting for ${spec.what}; last seen: ${result.seen} (raise timeoutMs to wait longer)`,
        ...spec.site,
        retryable: true,
      });
    }
    await sleep(Math.min(interval, remaining), spec.site, spec.signal);
    interval = Math.min(interval * 2, maxInterval);
  }
}

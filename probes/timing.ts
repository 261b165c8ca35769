// Each probe honours the signal it is given and its own timeout, whichever fires first.

import { performance } from 'node:perf_hooks';
import { parseDuration } from '../core/duration.ts';

/** A signal that fires when `parent` aborts or `timeoutMs` passes. */
export function probeSignal(parent: AbortSignal, timeoutMs: number): AbortSignal {
  return AbortSignal.any([parent, AbortSignal.timeout(timeoutMs)]);
}

/** Milliseconds of a duration option, with the probe's default. */
export function ms(duration: string | undefined, fallback: string): number {
  return parseDuration(duration ?? fallback);
}

/** A stopwatch on the monotonic clock, whole ms. */
export function stopwatch(): () => number {
  const start = performance.now();
  return () => Math.round(performance.now() - start);
}

/** Resolves after `delayMs`, or rejects with the signal's reason as soon as it aborts. */
export function delay(delayMs: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, delayMs);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** The stepped backoff of every poll (Playwright's waitFor): 100 → 250 → 500 → 1000 ms, then 1000 ms. */
export const BACKOFF_MS = [100, 250, 500, 1000] as const;

export function backoffStep(attempt: number): number {
  return BACKOFF_MS[Math.min(attempt, BACKOFF_MS.length - 1)]!;
}

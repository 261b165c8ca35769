// Runs one piece of scenario code under a deadline and the run's signal, even if the code ignores its signal.
import { DrillError, TimeoutError } from '../errors.ts';

export interface DeadlineOptions {
  ms: number;
  /** What timed out, e.g. `step "Promote"`. */
  what: string;
  /** The setting that raises it, e.g. `failover[1].timeout`. */
  setting: string;
  file?: string;
  /** Usually the run's signal; undos pass none (they must finish even after an abort). */
  parent?: AbortSignal;
}

export function abortedError(what: string, reason?: unknown): DrillError {
  return new DrillError('E_ABORTED', `${what} was aborted`, { cause: reason });
}

/**
 * Calls `work` with a signal that fires on the deadline or when `parent` aborts, and settles at that
 * moment even if `work` never looks at its signal (the late result is dropped).
 */
export async function withDeadline<T>(
  work: (signal: AbortSignal) => Promise<T>,
  opts: DeadlineOptions,
): Promise<T> {
  if (opts.parent?.aborted) throw abortedError(opts.what, opts.parent.reason);
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  let onParentAbort: (() => void) | undefined;
  const stop = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = new TimeoutError(opts.what, opts.ms, opts.setting, opts.file);
      controller.abort(error);
      reject(error);
    }, opts.ms);
    onParentAbort = () => {
      const error = abortedError(opts.what, opts.parent?.reason);
      controller.abort(error);
      reject(error);
    };
    opts.parent?.addEventListener('abort', onParentAbort, { once: true });
  });
  try {
    return await Promise.race([work(controller.signal), stop]);
  } finally {
    clearTimeout(timer);
    if (onParentAbort) opts.parent?.removeEventListener('abort', onParentAbort);
  }
}

/** Resolves after `ms`, or rejects as soon as `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortedError('sleep', signal.reason));
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortedError('sleep', signal?.reason));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

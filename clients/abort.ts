// Abort plumbing shared by every client: fail fast on an aborted signal, and make sleeps and waits cancellable.

import { ClientError } from './errors.ts';

export interface CallOptions {
  /** The run's signal: aborting it rejects the call promptly with code E_ABORTED. */
  signal?: AbortSignal;
  /**
   * Give up on one attempt after this many ms and retry (a retryable E_UNAVAILABLE), instead of waiting for the
   * client's 30 s request timeout. For reads under a short deadline (probes): a read is always safe to resend.
   */
  attemptTimeoutMs?: number;
}

export interface CallSite {
  service: string;
  operation: string;
  scope?: string;
}

export function abortedError(site: CallSite, signal: AbortSignal): ClientError {
  const where = site.scope ? ` in ${site.scope}` : '';
  return new ClientError({
    code: 'E_ABORTED',
    message: `${site.service} ${site.operation}${where} aborted`,
    ...site,
    cause: signal.reason,
  });
}

export function throwIfAborted(site: CallSite, signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw abortedError(site, signal);
}

/** Settles with `promise`, or rejects as soon as `signal` aborts (the underlying request is aborted by its own handler). */
export function raceAbort<T>(
  promise: Promise<T>,
  site: CallSite,
  signal: AbortSignal | undefined,
): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) {
    promise.catch(() => {});
    return Promise.reject(abortedError(site, signal));
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortedError(site, signal));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(signal.aborted ? abortedError(site, signal) : err);
      },
    );
  });
}

/** Waits `ms`, rejecting with E_ABORTED as soon as the signal aborts. */
export function sleep(ms: number, site: CallSite, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(abortedError(site, signal));
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortedError(site, signal!));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

// Our retry layer: exponential backoff with full jitter, bounded attempts, cancellable backoff.
// SDK clients are built with maxAttempts 1 so retries happen here only: visible to tests and the audit,
// and abortable during backoff (the FIS 3.523 client's own retry middleware sleeps through an abort).

import { abortedError, type CallSite, sleep } from './abort.ts';
import { isClientError } from './errors.ts';

export interface RetryPolicy {
  /** Total attempts including the first (1 = no retry). */
  maxAttempts: number;
  /** Ceiling of the first backoff; doubles every attempt. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** Injected for tests; defaults to Math.random. */
  random?: () => number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 5, baseDelayMs: 250, maxDelayMs: 20_000 };

// Error names the AWS SDK itself classes as throttling (smithy THROTTLING_ERROR_CODES) plus Route 53's.
export const THROTTLING_CODES: ReadonlySet<string> = new Set([
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'RequestThrottledException',
  'RequestThrottled',
  'TooManyRequestsException',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'BandwidthLimitExceeded',
  'SlowDown',
  'PriorRequestNotComplete',
  'EC2ThrottledException',
  'TransactionInProgressException',
]);

export const TRANSIENT_CODES: ReadonlySet<string> = new Set([
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
  'InternalFailure',
  'InternalError',
  'ServiceUnavailable',
  'ServiceUnavailableException',
]);

const NETWORK_CODES: ReadonlySet<string> = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
]);

export type ErrorClass = 'throttling' | 'transient' | 'server' | 'client';

/** Classifies a raw SDK or network error the way the SDK's standard strategy does. */
export function classifyError(err: unknown): ErrorClass {
  const e = err as {
    name?: string;
    code?: string;
    $metadata?: { httpStatusCode?: number };
    $retryable?: { throttling?: boolean };
  } | null;
  const status = e?.$metadata?.httpStatusCode ?? 0;
  if (e?.$retryable?.throttling || THROTTLING_CODES.has(e?.name ?? '') || status === 429) return 'throttling';
  if (TRANSIENT_CODES.has(e?.name ?? '') || NETWORK_CODES.has(e?.code ?? '') || e?.$retryable)
    return 'transient';
  if ([500, 502, 503, 504].includes(status)) return 'server';
  return 'client';
}

/** Ceiling doubles per attempt; the delay is uniformly drawn below it (full jitter). */
export function backoffDelay(retryNumber: number, policy: RetryPolicy): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (retryNumber - 1));
  return Math.floor((policy.random ?? Math.random)() * ceiling);
}

export interface RetryOptions {
  policy: RetryPolicy;
  site: CallSite;
  signal?: AbortSignal;
  /** Defaults to ClientError.retryable. */
  isRetryable?: (err: unknown) => boolean;
  onRetry?: (info: { attempt: number; delayMs: number; error: unknown }) => void;
}

/** Runs `fn(attempt)` until it succeeds, fails with a non-retryable error, or attempts run out. */
export async function withRetry<T>(fn: (attempt: number) => Promise<T>, opts: RetryOptions): Promise<T> {
  const isRetryable = opts.isRetryable ?? ((err: unknown) => isClientError(err) && err.retryable);
  const maxAttempts = Math.max(1, Math.floor(opts.policy.maxAttempts));
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (error) {
      if (attempt >= maxAttempts || !isRetryable(error)) throw error;
      if (opts.signal?.aborted) throw abortedError(opts.site, opts.signal);
      const delayMs = backoffDelay(attempt, opts.policy);
      opts.onRetry?.({ attempt, delayMs, error });
      await sleep(delayMs, opts.site, opts.signal);
    }
  }
}

// One AWS call: abort signal passed to the SDK, errors mapped to ClientError naming the resource, retries, audit.

import type { AuditLog, PlannedCall } from '../../core/model.ts';
import { type CallOptions, type CallSite, raceAbort, throwIfAborted } from '../abort.ts';
import {
  ClientError,
  type ClientErrorCode,
  describeResource,
  isClientError,
  type ResourceRef,
} from '../errors.ts';
import { classifyError, DEFAULT_RETRY_POLICY, type RetryPolicy, withRetry } from '../retry.ts';

const ACCESS_DENIED =
  /^(AccessDenied|UnrecognizedClient|InvalidClientTokenId|ExpiredToken|SignatureDoesNotMatch)/;

function codeFor(name: string, status: number, cls: ReturnType<typeof classifyError>): ClientErrorCode {
  if (cls === 'throttling') return 'E_THROTTLED';
  if (cls === 'transient' || cls === 'server') return 'E_UNAVAILABLE';
  if (/NotFound|^NoSuch/.test(name) || status === 404) return 'E_NOT_FOUND';
  if (ACCESS_DENIED.test(name) || status === 401 || status === 403) return 'E_ACCESS_DENIED';
  if (/^Invalid.*State/.test(name)) return 'E_INVALID_STATE';
  if (/Conflict|VersionMismatch/.test(name) || status === 409) return 'E_CONFLICT';
  if (status >= 400 && status < 500) return 'E_BAD_REQUEST';
  return 'E_REQUEST_FAILED';
}

/** Maps an SDK error to a ClientError whose message names the resource and the region. */
export function toClientError(err: unknown, site: CallSite, resource?: ResourceRef): ClientError {
  if (isClientError(err)) return err;
  const e = err as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } } | null;
  const name = e?.name ?? 'Error';
  const status = e?.$metadata?.httpStatusCode ?? 0;
  const cls = classifyError(err);
  const code = codeFor(name, status, cls);
  const where = site.scope ? ` in ${site.scope}` : '';
  const what = describeResource(resource);
  const message =
    code === 'E_NOT_FOUND' && what
      ? `${what} not found${where} (${name})`
      : `${site.service} ${site.operation}${what ? ` on ${what}` : ''}${where} failed: ${e?.message || name} (${name})`;
  return new ClientError({
    code,
    message,
    ...site,
    remoteCode: name,
    ...(status ? { status } : {}),
    retryable: cls !== 'client',
    cause: err,
  });
}

/** A timer-based deadline (not AbortSignal.timeout) so tests can drive it with fake timers. */
function attemptDeadline(ms: number | undefined): { signal: AbortSignal; clear: () => void } | undefined {
  if (ms === undefined) return undefined;
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new Error(`no answer within ${ms} ms`)), ms);
  return { signal: controller.signal, clear: () => clearTimeout(timer) };
}

/** Binds one service wrapper to its region, audit log and retry policy. */
export class AwsCaller {
  readonly retry: RetryPolicy;
  constructor(
    readonly service: string,
    readonly region: string,
    readonly audit?: AuditLog,
    retry?: RetryPolicy,
  ) {
    this.retry = retry ?? DEFAULT_RETRY_POLICY;
  }

  site(operation: string): CallSite {
    return { service: this.service, operation, scope: this.region };
  }

  /** One attempt: the SDK receives the signal, and we also stop waiting the instant it aborts. */
  async once<T>(
    operation: string,
    resource: ResourceRef | undefined,
    send: (abortSignal: AbortSignal | undefined) => Promise<T>,
    opts: CallOptions = {},
  ): Promise<T> {
    const site = this.site(operation);
    throwIfAborted(site, opts.signal);
    const attempt = attemptDeadline(opts.attemptTimeoutMs);
    const signal =
      attempt && opts.signal
        ? AbortSignal.any([opts.signal, attempt.signal])
        : (attempt?.signal ?? opts.signal);
    try {
      return await raceAbort(send(signal), site, signal);
    } catch (err) {
      if (attempt?.signal.aborted && !opts.signal?.aborted) {
        const where = site.scope ? ` in ${site.scope}` : '';
        throw new ClientError({
          code: 'E_UNAVAILABLE',
          message: `${site.service} ${site.operation}${where}: no answer within ${opts.attemptTimeoutMs} ms`,
          ...site,
          retryable: true,
          cause: err,
        });
      }
      throw toClientError(err, site, resource);
    } finally {
      attempt?.clear();
    }
  }

  /** `once`, retried on throttling, 5xx and timeouts with backoff. */
  send<T>(
    operation: string,
    resource: ResourceRef | undefined,
    send: (abortSignal: AbortSignal | undefined) => Promise<T>,
    opts: CallOptions = {},
  ): Promise<T> {
    return withRetry(() => this.once(operation, resource, send, opts), {
      policy: this.retry,
      site: this.site(operation),
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
  }

  /** Runs a mutation through the audit log when there is one. */
  mutate<T>(call: PlannedCall, perform: () => Promise<T>): Promise<T> {
    return this.audit ? this.audit.mutate(call, perform) : perform();
  }

  /** A PlannedCall scoped to this wrapper's region. */
  plan(operation: string, params: PlannedCall['params'], mutating = true): PlannedCall {
    return { service: this.service, operation, scope: this.region, params, mutating };
  }
}

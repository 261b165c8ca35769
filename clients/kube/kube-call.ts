// One Kubernetes API call: the run's signal reaches undici's fetch, errors name the object and context, retries.

import {
  ApiException,
  type ConfigurationOptions,
  Observable,
  PatchStrategy,
  type RequestContext,
} from '@kubernetes/client-node';
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

/** Per-request options: the abort signal (and optionally a content type) set by middleware on the request. */
export function requestOptions(signal: AbortSignal | undefined, contentType?: string): ConfigurationOptions {
  const middleware = [
    {
      pre: (ctx: RequestContext) => {
        if (signal) ctx.setSignal(signal);
        if (contentType) ctx.setHeaderParam('Content-Type', contentType);
        return new Observable(Promise.resolve(ctx));
      },
      post: <T>(response: T) => new Observable(Promise.resolve(response)),
    },
  ];
  return { middleware, middlewareMergeStrategy: 'append' } as ConfigurationOptions;
}

export const MERGE_PATCH = PatchStrategy.MergePatch;

function codeForStatus(status: number): ClientErrorCode {
  if (status === 404) return 'E_NOT_FOUND';
  if (status === 409) return 'E_CONFLICT';
  if (status === 401 || status === 403) return 'E_ACCESS_DENIED';
  if (status === 429) return 'E_THROTTLED';
  if (status >= 500) return 'E_UNAVAILABLE';
  if (status >= 400) return 'E_BAD_REQUEST';
  return 'E_REQUEST_FAILED';
}

/** The Status message the API server put in the body, if any. */
function statusMessage(body: unknown): string | undefined {
  if (typeof body === 'string') {
    try {
      return (JSON.parse(body) as { message?: string }).message ?? undefined;
    } catch {
      return body.slice(0, 200) || undefined;
    }
  }
  return (body as { message?: string } | null)?.message;
}

export function toKubeError(err: unknown, site: CallSite, resource?: ResourceRef): ClientError {
  if (isClientError(err)) return err;
  const where = site.scope ? ` in context ${site.scope}` : '';
  const what = describeResource(resource);
  if (err instanceof ApiException) {
    const status = err.code;
    const code = codeForStatus(status);
    const detail = statusMessage(err.body);
    const message =
      code === 'E_NOT_FOUND' && what
        ? `${what} not found${where} (HTTP 404)`
        : `kubernetes ${site.operation}${what ? ` on ${what}` : ''}${where} failed: HTTP ${status}${detail ? ` ${detail}` : ''}`;
    return new ClientError({
      code,
      message,
      ...site,
      remoteCode: String(status),
      status,
      retryable: status === 429 || status >= 500,
      cause: err,
    });
  }
  // fetch failures: TypeError("fetch failed") with the socket error as cause.
  const cause = (err as { cause?: unknown } | null)?.cause ?? err;
  const retryable = classifyError(cause) !== 'client' || classifyError(err) !== 'client';
  const text = (cause as Error | null)?.message ?? String(err);
  return new ClientError({
    code: retryable ? 'E_UNAVAILABLE' : 'E_REQUEST_FAILED',
    message: `kubernetes ${site.operation}${what ? ` on ${what}` : ''}${where} failed: ${text}`,
    ...site,
    retryable,
    cause: err,
  });
}

export class KubeCaller {
  constructor(
    readonly context: string,
    readonly audit?: AuditLog,
    readonly retry: RetryPolicy = DEFAULT_RETRY_POLICY,
  ) {}

  site(operation: string): CallSite {
    return { service: 'kubernetes', operation, scope: this.context };
  }

  /** Retried on 429, 5xx and connection errors; `call` receives the per-request options carrying the signal. */
  send<T>(
    operation: string,
    resource: ResourceRef | undefined,
    call: (options: ConfigurationOptions) => Promise<T>,
    opts: CallOptions & { contentType?: string } = {},
  ): Promise<T> {
    const site = this.site(operation);
    return withRetry(
      async () => {
        throwIfAborted(site, opts.signal);
        try {
          return await raceAbort(call(requestOptions(opts.signal, opts.contentType)), site, opts.signal);
        } catch (err) {
          throw toKubeError(err, site, resource);
        }
      },
      { policy: this.retry, site, ...(opts.signal ? { signal: opts.signal } : {}) },
    );
  }

  mutate<T>(call: PlannedCall, perform: () => Promise<T>): Promise<T> {
    return this.audit ? this.audit.mutate(call, perform) : perform();
  }
}

/** A PlannedCall against one kube context, e.g. operation "patch deployment/luneo-api". */
export function planKube(context: string, operation: string, params: PlannedCall['params']): PlannedCall {
  return { service: 'kubernetes', operation, scope: context, params, mutating: true };
}

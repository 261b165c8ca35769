// One error type for every client call: a stable code, the resource it concerns, and whether a retry can help.

export type ClientErrorCode =
  | 'E_NOT_FOUND'
  | 'E_CONFLICT'
  | 'E_INVALID_STATE'
  | 'E_THROTTLED'
  | 'E_UNAVAILABLE'
  | 'E_ACCESS_DENIED'
  | 'E_BAD_REQUEST'
  | 'E_REQUEST_FAILED'
  | 'E_ABORTED'
  | 'E_TIMEOUT'
  | 'E_WAIT_FAILED'
  | 'E_CONFIG';

export interface ClientErrorInit {
  code: ClientErrorCode;
  message: string;
  /** "rds", "route53", "fis", "secretsmanager", "cloudwatch", "sts", "kubernetes". */
  service: string;
  operation: string;
  /** AWS region or kube context. */
  scope?: string;
  /** The remote error name, e.g. "GlobalClusterNotFoundFault", or the HTTP status for Kubernetes. */
  remoteCode?: string;
  status?: number;
  retryable?: boolean;
  cause?: unknown;
}

export class ClientError extends Error {
  readonly code: ClientErrorCode;
  readonly service: string;
  readonly operation: string;
  readonly scope: string | undefined;
  readonly remoteCode: string | undefined;
  readonly status: number | undefined;
  /** True when the same call may succeed if retried (throttling, 5xx, timeouts). */
  readonly retryable: boolean;
  /** One line for the terminal. */
  readonly shortMessage: string;

  constructor(init: ClientErrorInit) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = 'ClientError';
    this.code = init.code;
    this.service = init.service;
    this.operation = init.operation;
    this.scope = init.scope;
    this.remoteCode = init.remoteCode;
    this.status = init.status;
    this.retryable = init.retryable ?? false;
    this.shortMessage = init.message.split('\n')[0] ?? init.message;
  }
}

export function isClientError(err: unknown, code?: ClientErrorCode): err is ClientError {
  return err instanceof ClientError && (code === undefined || err.code === code);
}

/** True for our E_ABORTED errors and for the AbortError/TimeoutError DOMExceptions that fetch and the SDK throw. */
export function isAbortError(err: unknown): boolean {
  if (isClientError(err, 'E_ABORTED')) return true;
  const name = (err as { name?: unknown } | null)?.name;
  return name === 'AbortError';
}

/** A resource named in messages: `global cluster "luneo-prod-global"`. */
export interface ResourceRef {
  kind: string;
  id: string;
}

export function describeResource(resource: ResourceRef | undefined): string {
  return resource ? `${resource.kind} "${resource.id}"` : '';
}

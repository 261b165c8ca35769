// One connection of the built-in load generator: an undici Client (one keep-alive socket) with one
// request in flight, and the request's own handler, reused from request to request.
import { performance } from 'node:perf_hooks';
import { Client, type Dispatcher } from 'undici';

export interface LoadReport {
  /** A whole response was read: its status and latency (dispatch to last byte). */
  response(connection: LoadConnection, status: number, latencyMs: number): void;
  /** No whole response: a network error code (ECONNREFUSED, UND_ERR_…) or TIMEOUT. */
  failure(connection: LoadConnection, key: string): void;
}

const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT']);

export class LoadConnection {
  readonly #client: Client;
  readonly #options: Dispatcher.DispatchOptions;
  readonly #report: LoadReport;
  readonly #handler: Dispatcher.DispatchHandler;
  #startedAt = 0;
  #status = 0;

  constructor(url: URL, timeoutMs: number, report: LoadReport) {
    this.#client = new Client(url.origin, {
      keepAliveTimeout: 10_000,
      connectTimeout: timeoutMs,
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
    });
    this.#options = { method: 'GET', path: `${url.pathname}${url.search}` };
    this.#report = report;
    // undici's own handler shape (what its request() API wraps): the status without parsing every
    // header into an object, the body counted and dropped without a stream, no promise per request.
    this.#handler = {
      onConnect: () => {},
      onHeaders: (statusCode) => {
        this.#status = statusCode;
        return true;
      },
      onData: () => true,
      onComplete: () => this.#report.response(this, this.#status, performance.now() - this.#startedAt),
      onError: (error) => this.#report.failure(this, failureKey(error)),
    };
  }

  /** Sends the next request; its outcome comes back through the report. */
  send(): void {
    this.#status = 0;
    this.#startedAt = performance.now();
    this.#client.dispatch(this.#options, this.#handler);
  }

  close(): Promise<void> {
    return this.#client.close().catch(() => {});
  }
}

function failureKey(error: Error): string {
  const code = (error as { code?: unknown }).code;
  if (typeof code !== 'string') return 'ERROR';
  return TIMEOUT_CODES.has(code) ? 'TIMEOUT' : code;
}

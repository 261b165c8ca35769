// The built-in load generator: undici, a fixed arrival rate (open model) or as fast as `concurrency`
// allows (closed model, for throughput benchmarks), with latency percentiles and a status histogram.
import { performance } from 'node:perf_hooks';
import { percentile } from '../core/measure/index.ts';
import type { JsonValue } from '../core/model.ts';
import { LoadConnection } from './load-connection.ts';

export interface LoadSettings {
  url: string;
  /** Requests per second, or "max" for back-to-back requests on `concurrency` connections. */
  rate: number | 'max';
  /** Most requests in flight at once (default 16). */
  concurrency?: number;
  /** Stop by itself after this long (ms); otherwise at stop(). */
  durationMs?: number;
  /** Per request (default 2000 ms). */
  timeoutMs?: number;
}

export interface LoadSummary {
  [key: string]: JsonValue;
  engine: 'builtin-undici';
  url: string;
  targetRate: number | 'max';
  concurrency: number;
  durationMs: number;
  requests: number;
  ok: number;
  errors: number;
  errorRate: number;
  achievedRate: number;
  /** Arrivals not sent because `concurrency` requests were already in flight (open model only). */
  dropped: number;
  /** Arrivals due before the stop that were never sent because the event loop was busy (open model only). */
  missed: number;
  /** Status code, or network error code (ECONNREFUSED, UND_ERR_…, TIMEOUT), → count. */
  statusHistogram: Record<string, number>;
  latencyMs: { p50: number | null; p95: number | null; p99: number | null; max: number | null };
}

const TICK_MS = 10;

export class LoadGenerator {
  readonly #s: Required<Omit<LoadSettings, 'durationMs'>> & { durationMs: number | undefined };
  /** One undici Client (one keep-alive connection) per request slot: at most `concurrency` in flight. */
  readonly #connections: LoadConnection[];
  readonly #idle: LoadConnection[];
  readonly #latencies: number[] = [];
  readonly #histogram: Record<string, number> = {};
  #stopped = false;
  #sent = 0;
  #ok = 0;
  #due = 0;
  #dropped = 0;
  #missed = 0;
  #startedAt = 0;
  #endedAt: number | undefined;
  #ticker: NodeJS.Timeout | undefined;
  #done: Promise<void> | undefined;
  #resolveDone: (() => void) | undefined;

  constructor(settings: LoadSettings) {
    this.#s = {
      url: settings.url,
      rate: settings.rate,
      concurrency: settings.concurrency ?? 16,
      durationMs: settings.durationMs,
      timeoutMs: settings.timeoutMs ?? 2_000,
    };
    const url = new URL(settings.url);
    const report = {
      response: (c: LoadConnection, status: number, latencyMs: number) =>
        this.#onResponse(c, status, latencyMs),
      failure: (c: LoadConnection, key: string) => this.#onFailure(c, key),
    };
    this.#connections = Array.from(
      { length: this.#s.concurrency },
      () => new LoadConnection(url, this.#s.timeoutMs, report),
    );
    this.#idle = [...this.#connections];
  }

  start(): void {
    this.#startedAt = performance.now();
    this.#done = new Promise((resolve) => {
      this.#resolveDone = resolve;
    });
    const { durationMs, rate } = this.#s;
    if (durationMs !== undefined) {
      setTimeout(() => this.#halt(this.#startedAt + durationMs), durationMs).unref();
    }
    if (rate === 'max') {
      // Closed model: every connection sends its next request as soon as the last one is answered.
      for (const c of this.#idle.splice(0)) this.#send(c);
    } else {
      this.#ticker = setInterval(() => this.#arrivals(rate), TICK_MS);
    }
  }

  /** Stops sending, waits for requests in flight, closes the connections, and summarises. */
  async stop(): Promise<LoadSummary> {
    this.#halt(performance.now());
    await this.#done;
    this.#endedAt ??= performance.now();
    await Promise.all(this.#connections.map((c) => c.close()));
    return this.summary();
  }

  /** Resolves when a duration-bounded run has finished by itself. */
  finished(): Promise<void> {
    return this.#done ?? Promise.resolve();
  }

  summary(): LoadSummary {
    const durationMs = Math.round((this.#endedAt ?? performance.now()) - this.#startedAt);
    const errors = this.#sent - this.#ok;
    const pick = (p: number) => round(percentile(this.#latencies, p));
    return {
      engine: 'builtin-undici',
      url: this.#s.url,
      targetRate: this.#s.rate,
      concurrency: this.#s.concurrency,
      durationMs,
      requests: this.#sent,
      ok: this.#ok,
      errors,
      errorRate: this.#sent === 0 ? 0 : errors / this.#sent,
      achievedRate: durationMs === 0 ? 0 : Math.round((this.#sent / durationMs) * 1000 * 10) / 10,
      dropped: this.#dropped,
      missed: this.#missed,
      statusHistogram: { ...this.#histogram },
      latencyMs: { p50: pick(50), p95: pick(95), p99: pick(99), max: pick(100) },
    };
  }

  #halt(at: number): void {
    if (this.#stopped) return;
    this.#stopped = true;
    if (this.#ticker) {
      clearInterval(this.#ticker);
      const stoppedAfterMs = Math.round(at - this.#startedAt);
      const rate = this.#s.rate as number;
      this.#missed = Math.max(0, Math.floor((stoppedAfterMs * rate) / 1000) - this.#due);
    }
    this.#settleIfIdle();
  }

  /** Open model: arrivals on schedule (rate × elapsed), sent unless `concurrency` are already in flight. */
  #arrivals(rate: number): void {
    // Arrivals end at the duration even when this tick runs late.
    const elapsed = Math.min(
      performance.now() - this.#startedAt,
      this.#s.durationMs ?? Number.POSITIVE_INFINITY,
    );
    const shouldHave = Math.floor((elapsed / 1000) * rate);
    for (; this.#due < shouldHave; this.#due++) {
      const c = this.#idle.pop();
      if (c) this.#send(c);
      else this.#dropped++;
    }
  }

  #send(c: LoadConnection): void {
    this.#sent++;
    c.send();
  }

  #onResponse(c: LoadConnection, status: number, latencyMs: number): void {
    this.#latencies.push(latencyMs);
    if (status < 400) this.#ok++;
    const key = String(status);
    this.#histogram[key] = (this.#histogram[key] ?? 0) + 1;
    this.#next(c, false);
  }

  #onFailure(c: LoadConnection, key: string): void {
    this.#histogram[key] = (this.#histogram[key] ?? 0) + 1;
    this.#next(c, true);
  }

  #next(c: LoadConnection, afterError: boolean): void {
    if (this.#stopped || this.#s.rate !== 'max') {
      this.#idle.push(c);
      this.#settleIfIdle();
    } else if (afterError) {
      // A failure can be synchronous (a refused or closed client): yield before retrying.
      setImmediate(() => (this.#stopped ? this.#next(c, true) : this.#send(c)));
    } else {
      this.#send(c);
    }
  }

  #settleIfIdle(): void {
    if (!this.#stopped || this.#idle.length < this.#connections.length || !this.#resolveDone) return;
    this.#endedAt ??= performance.now();
    this.#resolveDone();
    this.#resolveDone = undefined;
  }
}

function round(value: number | null): number | null {
  return value === null ? null : Math.round(value * 10) / 10;
}

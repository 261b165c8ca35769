// The built-in load generator: undici, a fixed arrival rate (open model) or as fast as `concurrency`
// allows (closed model, for throughput benchmarks), with latency percentiles and a status histogram.
import { performance } from 'node:perf_hooks';
import { Agent, request } from 'undici';
import { percentile } from '../core/measure/index.ts';
import type { JsonValue } from '../core/model.ts';

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
  readonly #agent: Agent;
  readonly #latencies: number[] = [];
  readonly #histogram: Record<string, number> = {};
  readonly #stop = new AbortController();
  #inFlight = 0;
  #sent = 0;
  #ok = 0;
  #dropped = 0;
  #missed = 0;
  #stoppedAt: number | undefined;
  #startedAt = 0;
  #endedAt: number | undefined;
  #done: Promise<void> | undefined;

  constructor(settings: LoadSettings) {
    this.#s = {
      url: settings.url,
      rate: settings.rate,
      concurrency: settings.concurrency ?? 16,
      durationMs: settings.durationMs,
      timeoutMs: settings.timeoutMs ?? 2_000,
    };
    this.#agent = new Agent({ connections: this.#s.concurrency, keepAliveTimeout: 10_000 });
  }

  start(): void {
    this.#startedAt = performance.now();
    const { durationMs } = this.#s;
    if (durationMs !== undefined) {
      setTimeout(() => this.#halt(this.#startedAt + durationMs), durationMs).unref();
    }
    this.#done = this.#s.rate === 'max' ? this.#closed() : this.#open(this.#s.rate);
  }

  /** Stops sending, waits for requests in flight, closes the connections, and summarises. */
  async stop(): Promise<LoadSummary> {
    this.#halt(performance.now());
    await this.#done;
    this.#endedAt ??= performance.now();
    await this.#agent.close().catch(() => {});
    return this.summary();
  }

  #halt(at: number): void {
    if (this.#stop.signal.aborted) return;
    this.#stoppedAt = at;
    this.#stop.abort();
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

  /** Open model: arrivals on schedule (rate × elapsed), sent unless `concurrency` are already in flight. */
  async #open(rate: number): Promise<void> {
    const pending = new Set<Promise<void>>();
    let due = 0;
    while (!this.#stop.signal.aborted) {
      // Arrivals end at the duration even when this tick runs late.
      const elapsed = Math.min(
        performance.now() - this.#startedAt,
        this.#s.durationMs ?? Number.POSITIVE_INFINITY,
      );
      const shouldHave = Math.floor((elapsed / 1000) * rate);
      for (; due < shouldHave; due++) {
        if (this.#inFlight >= this.#s.concurrency) {
          this.#dropped++;
          continue;
        }
        const p = this.#one().finally(() => pending.delete(p));
        pending.add(p);
      }
      await new Promise((resolve) => setTimeout(resolve, TICK_MS));
    }
    this.#endedAt = performance.now();
    const stoppedAfterMs = Math.round((this.#stoppedAt ?? this.#endedAt) - this.#startedAt);
    const dueByStop = Math.floor((stoppedAfterMs * rate) / 1000);
    this.#missed = Math.max(0, dueByStop - due);
    await Promise.all(pending);
  }

  /** Closed model: `concurrency` workers, each sending its next request when the last one answered. */
  async #closed(): Promise<void> {
    const worker = async () => {
      while (!this.#stop.signal.aborted) await this.#one();
    };
    await Promise.all(Array.from({ length: this.#s.concurrency }, worker));
    this.#endedAt = performance.now();
  }

  async #one(): Promise<void> {
    this.#inFlight++;
    this.#sent++;
    const start = performance.now();
    let key: string;
    try {
      const res = await request(this.#s.url, {
        dispatcher: this.#agent,
        // undici's own timers, not a per-request AbortSignal: cheaper at thousands of requests per second.
        headersTimeout: this.#s.timeoutMs,
        bodyTimeout: this.#s.timeoutMs,
      });
      await res.body.dump();
      key = String(res.statusCode);
      if (res.statusCode < 400) this.#ok++;
      this.#latencies.push(performance.now() - start);
    } catch (error) {
      const e = error as { code?: unknown; name?: unknown };
      const timedOut = e.code === 'UND_ERR_HEADERS_TIMEOUT' || e.code === 'UND_ERR_BODY_TIMEOUT';
      key = timedOut ? 'TIMEOUT' : typeof e.code === 'string' ? e.code : 'ERROR';
    } finally {
      this.#inFlight--;
    }
    this.#histogram[key] = (this.#histogram[key] ?? 0) + 1;
  }
}

function round(value: number | null): number | null {
  return value === null ? null : Math.round(value * 10) / 10;
}

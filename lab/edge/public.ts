import { Agent, createServer, type Server } from 'node:http';
import { closeServer, listenLocal, sendProxyError } from './http.ts';
import { forward, type Upstream } from './proxy.ts';
import { TrafficCounter, type TrafficStats } from './stats.ts';

/** A DNS answer: the record's value (an ALB hostname) and its TTL in seconds. */
export interface DnsAnswer {
  value: string;
  ttl: number;
}

export interface PublicEdgeOptions {
  /** The public name, e.g. 'api.luneo.app.'. */
  name: string;
  /** What Route 53 answers for `name` now (failover records + health checks); null = no answer. */
  resolve: (name: string) => DnsAnswer | null | Promise<DnsAnswer | null>;
  /** Where an answered hostname (an ALB) is reachable; null = unknown host. */
  hosts: (hostname: string) => Upstream | null;
  port?: number;
  /** No response headers from the ALB within this time → 504. Default 5000. */
  upstreamTimeoutMs?: number;
  /** Milliseconds clock for TTL expiry (injectable for tests); default Date.now. */
  now?: () => number;
}

export interface PublicEdgeStats extends TrafficStats {
  /** How many times the name was resolved (cache misses). */
  resolutions: number;
  /** Requests sent to each resolved hostname. */
  byResolved: Record<string, number>;
}

/**
 * The stand-in for api.luneo.app: resolves the name like a DNS client, caches the answer for its
 * TTL (so a failover shows only once the TTL expires), and proxies each request to that host.
 */
export class PublicEdge {
  readonly name: string;
  readonly #options: PublicEdgeOptions;
  readonly #now: () => number;
  readonly #agent = new Agent({ keepAlive: true, maxSockets: 64 });
  readonly #counter = new TrafficCounter();
  readonly #byResolved: Record<string, number> = {};
  readonly #server: Server;
  #cache: { answer: DnsAnswer; expiresAt: number } | null = null;
  #resolutions = 0;

  constructor(options: PublicEdgeOptions) {
    this.name = options.name;
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#server = createServer((req, res) => {
      this.#counter.track(res);
      this.lookup().then(
        (answer) => {
          if (!answer) {
            const message = `${this.name} has no DNS answer (no healthy record)`;
            sendProxyError(res, 502, { error: 'dns_no_answer', message });
            return;
          }
          const resolvedHeader = { 'x-edge-resolved': answer.value };
          const upstream = options.hosts(answer.value);
          if (!upstream) {
            const message = `${this.name} resolved to ${answer.value}, which is not a known host`;
            sendProxyError(res, 502, { error: 'unknown_host', message }, resolvedHeader);
            return;
          }
          this.#byResolved[answer.value] = (this.#byResolved[answer.value] ?? 0) + 1;
          forward(req, res, upstream, {
            agent: this.#agent,
            timeoutMs: options.upstreamTimeoutMs ?? 5000,
            responseHeaders: resolvedHeader,
            label: answer.value,
          });
        },
        (error: unknown) => {
          const message = `resolving ${this.name} failed: ${error instanceof Error ? error.message : String(error)}`;
          sendProxyError(res, 502, { error: 'dns_error', message });
        },
      );
    });
  }

  /** The answer in use: the cached one while its TTL runs, else a fresh resolution (not cached when null). */
  async lookup(): Promise<DnsAnswer | null> {
    const now = this.#now();
    if (this.#cache && now < this.#cache.expiresAt) return this.#cache.answer;
    this.#resolutions++;
    const answer = await this.#options.resolve(this.name);
    this.#cache = answer ? { answer, expiresAt: this.#now() + answer.ttl * 1000 } : null;
    return answer;
  }

  /** Forgets the cached answer (tests; like flushing a resolver's cache). */
  flushCache(): void {
    this.#cache = null;
  }

  start(): Promise<number> {
    return listenLocal(this.#server, this.#options.port ?? 0);
  }

  stats(): PublicEdgeStats {
    return {
      ...this.#counter.snapshot(),
      resolutions: this.#resolutions,
      byResolved: { ...this.#byResolved },
    };
  }

  async close(): Promise<void> {
    await closeServer(this.#server);
    this.#agent.destroy();
  }
}

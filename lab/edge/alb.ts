import { Agent, createServer, type Server } from 'node:http';
import { closeServer, listenLocal, sendProxyError } from './http.ts';
import { forward } from './proxy.ts';
import { TrafficCounter, type TrafficStats } from './stats.ts';

/** A ready pod behind the load balancer. */
export interface PodEndpoint {
  pod: string;
  port: number;
  /** Defaults to 127.0.0.1. */
  host?: string;
}

export interface RegionalLoadBalancerOptions {
  region: string;
  /** The ready endpoints of a deployment right now (asked on every request). */
  endpoints: (deployment: string) => PodEndpoint[];
  /** Which deployment serves a path; default: /health, /version, /api/* → luneo-api, else luneo-frontend. */
  routes?: (path: string) => string;
  /** Listening port on 127.0.0.1; default: a free one. */
  port?: number;
  /** No response headers from a pod within this time → 504 (AWS ALB's idle timeout is 60 s). */
  upstreamTimeoutMs?: number;
}

/** The routing rule of Luneo's ingress: API paths go to luneo-api, everything else to the shop. */
export function defaultRoute(path: string): string {
  if (path === '/health' || path === '/version' || path === '/api' || path.startsWith('/api/'))
    return 'luneo-api';
  return 'luneo-frontend';
}

/** One region's "ALB": an HTTP reverse proxy, round-robin over each deployment's ready pods. */
export class RegionalLoadBalancer {
  readonly region: string;
  readonly #options: RegionalLoadBalancerOptions;
  readonly #agent = new Agent({ keepAlive: true, maxSockets: 64 });
  readonly #counter = new TrafficCounter();
  readonly #next = new Map<string, number>();
  readonly #server: Server;

  constructor(options: RegionalLoadBalancerOptions) {
    this.region = options.region;
    this.#options = options;
    this.#server = createServer((req, res) => {
      this.#counter.track(res);
      const path = new URL(req.url ?? '/', 'http://alb').pathname;
      const deployment = (options.routes ?? defaultRoute)(path);
      const regionHeader = { 'x-luneo-region': this.region };
      let ready: PodEndpoint[];
      try {
        ready = options.endpoints(deployment);
      } catch (error) {
        sendProxyError(
          res,
          503,
          { error: 'no_ready_endpoints', message: `${deployment}: ${String(error)}` },
          regionHeader,
        );
        return;
      }
      if (ready.length === 0) {
        const message = `no ready pod of ${deployment} in ${this.region}`;
        sendProxyError(res, 503, { error: 'no_ready_endpoints', message }, regionHeader);
        return;
      }
      const turn = this.#next.get(deployment) ?? 0;
      this.#next.set(deployment, turn + 1);
      const target = ready[turn % ready.length]!;
      forward(
        req,
        res,
        { host: target.host ?? '127.0.0.1', port: target.port },
        {
          agent: this.#agent,
          timeoutMs: options.upstreamTimeoutMs ?? 60_000,
          responseHeaders: { ...regionHeader, 'x-luneo-pod': target.pod },
          label: `${deployment} pod ${target.pod}`,
        },
      );
    });
  }

  /** Starts listening on 127.0.0.1 and resolves the port. */
  start(): Promise<number> {
    return listenLocal(this.#server, this.#options.port ?? 0);
  }

  stats(): TrafficStats {
    return this.#counter.snapshot();
  }

  async close(): Promise<void> {
    await closeServer(this.#server);
    this.#agent.destroy();
  }
}

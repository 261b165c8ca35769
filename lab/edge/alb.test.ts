import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '../net/ports.ts';
import { defaultRoute, type PodEndpoint, RegionalLoadBalancer } from './alb.ts';
import { echoServer, startTestServer, type TestServer } from './test-servers.ts';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function serve(server: Promise<TestServer>): Promise<TestServer> {
  const started = await server;
  cleanups.push(() => started.close());
  return started;
}

async function startAlb(endpoints: Record<string, PodEndpoint[]>, upstreamTimeoutMs?: number) {
  const alb = new RegionalLoadBalancer({
    region: 'eu-west-1',
    endpoints: (deployment) => endpoints[deployment] ?? [],
    ...(upstreamTimeoutMs ? { upstreamTimeoutMs } : {}),
  });
  const port = await alb.start();
  cleanups.push(() => alb.close());
  return { alb, base: `http://127.0.0.1:${port}`, port };
}

describe('defaultRoute', () => {
  it('sends /health, /version and /api/* to luneo-api and everything else to luneo-frontend', () => {
    expect(['/health', '/version', '/api', '/api/orders/1'].map(defaultRoute)).toEqual(
      Array(4).fill('luneo-api'),
    );
    expect(['/', '/healthz', '/apix', '/product/x'].map(defaultRoute)).toEqual(
      Array(4).fill('luneo-frontend'),
    );
  });
});

describe('RegionalLoadBalancer', () => {
  it('round-robins API requests over the ready pods and names region and pod in response headers', async () => {
    const a = await serve(echoServer('api-a'));
    const b = await serve(echoServer('api-b'));
    const { base } = await startAlb({
      'luneo-api': [
        { pod: 'luneo-api-a', port: a.port },
        { pod: 'luneo-api-b', port: b.port },
      ],
    });
    const seen: string[] = [];
    for (let i = 0; i < 4; i++) {
      const res = await fetch(`${base}/api/products?page=${i}`);
      const body = (await res.json()) as { name: string; url: string };
      expect(res.headers.get('x-luneo-region')).toBe('eu-west-1');
      expect(body.url).toBe(`/api/products?page=${i}`);
      seen.push(`${res.headers.get('x-luneo-pod')}=${body.name}`);
    }
    expect(seen).toEqual([
      'luneo-api-a=api-a',
      'luneo-api-b=api-b',
      'luneo-api-a=api-a',
      'luneo-api-b=api-b',
    ]);
  });

  it('routes the shop page to luneo-frontend and forwards request bodies', async () => {
    const api = await serve(echoServer('api'));
    const shop = await serve(echoServer('shop'));
    const { base } = await startAlb({
      'luneo-api': [{ pod: 'luneo-api-1', port: api.port }],
      'luneo-frontend': [{ pod: 'luneo-frontend-1', port: shop.port }],
    });
    const page = (await (await fetch(`${base}/`)).json()) as { name: string };
    expect(page.name).toBe('shop');
    const res = await fetch(`${base}/api/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"sku":"LUN-MUG-002"}',
    });
    const echoed = (await res.json()) as { name: string; method: string; body: string };
    expect([echoed.name, echoed.method, echoed.body]).toEqual(['api', 'POST', '{"sku":"LUN-MUG-002"}']);
  });

  it('drops hop-by-hop headers both ways and adds x-forwarded-for', async () => {
    const api = await serve(echoServer('api', { 'proxy-authenticate': 'Basic', 'x-kept': 'yes' }));
    const { port } = await startAlb({ 'luneo-api': [{ pod: 'luneo-api-1', port: api.port }] });
    const { headers, body } = await new Promise<{ headers: Record<string, unknown>; body: string }>(
      (resolve, reject) => {
        const req = request(
          {
            host: '127.0.0.1',
            port,
            path: '/health',
            headers: {
              connection: 'keep-alive, x-private-hop',
              'x-private-hop': 'secret',
              'proxy-authorization': 'x',
              'x-end': 'kept',
            },
          },
          (res) => {
            let text = '';
            res.on('data', (chunk) => {
              text += chunk;
            });
            res.on('end', () => resolve({ headers: res.headers, body: text }));
          },
        );
        req.on('error', reject);
        req.end();
      },
    );
    const seen = (JSON.parse(body) as { headers: Record<string, string> }).headers;
    expect(seen['x-private-hop']).toBeUndefined();
    expect(seen['proxy-authorization']).toBeUndefined();
    expect(seen['x-end']).toBe('kept');
    expect(seen['x-forwarded-for']).toBe('127.0.0.1');
    expect(headers['proxy-authenticate']).toBeUndefined();
    expect(headers['x-kept']).toBe('yes');
  });

  it('answers 503 JSON when the deployment has no ready pod', async () => {
    const { alb, base } = await startAlb({});
    const res = await fetch(`${base}/`);
    expect(res.status).toBe(503);
    expect(res.headers.get('x-luneo-region')).toBe('eu-west-1');
    expect(await res.json()).toEqual({
      error: 'no_ready_endpoints',
      message: 'no ready pod of luneo-frontend in eu-west-1',
    });
    expect(alb.stats()).toEqual({ requests: 1, errors5xx: 1, byStatus: { 503: 1 } });
  });

  it('answers 502 JSON when the pod refuses the connection', async () => {
    const deadPort = await freePort();
    const { alb, base } = await startAlb({ 'luneo-api': [{ pod: 'luneo-api-dead', port: deadPort }] });
    const res = await fetch(`${base}/health`);
    expect(res.status).toBe(502);
    expect(res.headers.get('x-luneo-pod')).toBe('luneo-api-dead');
    expect(await res.json()).toEqual({
      error: 'upstream_unreachable',
      message: `luneo-api pod luneo-api-dead at 127.0.0.1:${deadPort} failed: ECONNREFUSED`,
    });
    expect(alb.stats().byStatus).toEqual({ 502: 1 });
  });

  it('answers 504 when the pod sends no response headers within the upstream timeout', async () => {
    const silent = await serve(startTestServer(() => {}));
    const { base } = await startAlb({ 'luneo-api': [{ pod: 'luneo-api-slow', port: silent.port }] }, 100);
    const res = await fetch(`${base}/health`);
    expect(res.status).toBe(504);
    expect(await res.json()).toEqual({
      error: 'upstream_timeout',
      message: 'luneo-api pod luneo-api-slow did not answer within 100 ms',
    });
  });

  it('counts requests and 5xx by status', async () => {
    const api = await serve(echoServer('api'));
    const { alb, base } = await startAlb({ 'luneo-api': [{ pod: 'luneo-api-1', port: api.port }] });
    await (await fetch(`${base}/health`)).text();
    await (await fetch(`${base}/version`)).text();
    await (await fetch(`${base}/`)).text();
    expect(alb.stats()).toEqual({ requests: 3, errors5xx: 1, byStatus: { 200: 2, 503: 1 } });
  });
});

describe('RegionalLoadBalancer keep-alive', () => {
  it('replays a request once when the pod closed the reused keep-alive socket as it was sent', async () => {
    const perSocket = new Map<unknown, number>();
    const bodies: string[] = [];
    const pod = await serve(
      startTestServer((req, res, body) => {
        const seen = (perSocket.get(req.socket) ?? 0) + 1;
        perSocket.set(req.socket, seen);
        bodies.push(body);
        // The second request on a connection finds it closed, like an idle-timeout race.
        if (seen >= 2) {
          req.socket.destroy();
          return;
        }
        res.writeHead(201, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ body }));
      }),
    );
    const { alb, base } = await startAlb({ 'luneo-api': [{ pod: 'luneo-api-1', port: pod.port }] });
    const order = (n: number) =>
      fetch(`${base}/api/orders`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: `{"n":${n}}`,
      });
    const first = await order(1);
    expect([first.status, await first.json()]).toEqual([201, { body: '{"n":1}' }]);
    const second = await order(2);
    expect([second.status, await second.json()]).toEqual([201, { body: '{"n":2}' }]);
    expect(bodies).toEqual(['{"n":1}', '{"n":2}', '{"n":2}']);
    expect(alb.stats()).toEqual({ requests: 2, errors5xx: 0, byStatus: { 201: 2 } });
  });
});

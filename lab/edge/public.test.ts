import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '../net/ports.ts';
import type { Upstream } from './proxy.ts';
import { type DnsAnswer, PublicEdge } from './public.ts';
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

/** Two regional "ALBs", a Route 53 answer the test flips, and a clock the test moves. */
async function setup(upstreamTimeoutMs?: number) {
  const eu = await serve(echoServer('alb-eu', { 'x-luneo-region': 'eu-west-1' }));
  const us = await serve(echoServer('alb-us', { 'x-luneo-region': 'us-east-1' }));
  const hosts: Record<string, Upstream> = {
    'alb-eu-west-1.lab.luneo.app': { host: '127.0.0.1', port: eu.port },
    'alb-us-east-1.lab.luneo.app': { host: '127.0.0.1', port: us.port },
  };
  const world = {
    answer: { value: 'alb-eu-west-1.lab.luneo.app', ttl: 5 } as DnsAnswer | null,
    clock: 1_000_000,
    asked: [] as string[],
  };
  const edge = new PublicEdge({
    name: 'api.luneo.app.',
    resolve: (name) => {
      world.asked.push(name);
      return world.answer;
    },
    hosts: (hostname) => hosts[hostname] ?? null,
    now: () => world.clock,
    ...(upstreamTimeoutMs ? { upstreamTimeoutMs } : {}),
  });
  const port = await edge.start();
  cleanups.push(() => edge.close());
  const get = async (path = '/health') => {
    const res = await fetch(`http://127.0.0.1:${port}${path}`);
    return {
      status: res.status,
      region: res.headers.get('x-luneo-region'),
      resolved: res.headers.get('x-edge-resolved'),
      body: await res.json(),
    };
  };
  return { edge, world, get, hosts };
}

describe('PublicEdge', () => {
  it('proxies to the resolved ALB and passes its region header through', async () => {
    const { world, get } = await setup();
    const res = await get('/api/orders/42?x=1');
    expect(res.status).toBe(200);
    expect(res.region).toBe('eu-west-1');
    expect(res.resolved).toBe('alb-eu-west-1.lab.luneo.app');
    expect(res.body).toMatchObject({ name: 'alb-eu', url: '/api/orders/42?x=1' });
    expect(world.asked).toEqual(['api.luneo.app.']);
  });

  it('keeps using the cached answer until its TTL expires, then follows the new record', async () => {
    const { edge, world, get } = await setup();
    expect((await get()).region).toBe('eu-west-1');
    world.answer = { value: 'alb-us-east-1.lab.luneo.app', ttl: 5 };
    world.clock += 4_999;
    expect((await get()).region).toBe('eu-west-1');
    world.clock += 1;
    expect((await get()).region).toBe('us-east-1');
    expect(edge.stats()).toMatchObject({
      requests: 3,
      resolutions: 2,
      byResolved: { 'alb-eu-west-1.lab.luneo.app': 2, 'alb-us-east-1.lab.luneo.app': 1 },
    });
  });

  it('resolves again at once after flushCache()', async () => {
    const { edge, world, get } = await setup();
    await get();
    world.answer = { value: 'alb-us-east-1.lab.luneo.app', ttl: 5 };
    edge.flushCache();
    expect((await get()).resolved).toBe('alb-us-east-1.lab.luneo.app');
    expect(edge.stats().resolutions).toBe(2);
  });

  it('answers 502 dns_no_answer when the name does not resolve, and does not cache the miss', async () => {
    const { edge, world, get } = await setup();
    world.answer = null;
    const res = await get();
    expect(res.status).toBe(502);
    expect(res.body).toEqual({
      error: 'dns_no_answer',
      message: 'api.luneo.app. has no DNS answer (no healthy record)',
    });
    world.answer = { value: 'alb-eu-west-1.lab.luneo.app', ttl: 5 };
    expect((await get()).status).toBe(200);
    expect(edge.stats()).toMatchObject({
      requests: 2,
      errors5xx: 1,
      resolutions: 2,
      byStatus: { 200: 1, 502: 1 },
    });
  });

  it('answers 502 unknown_host when the answer names no known ALB', async () => {
    const { world, get } = await setup();
    world.answer = { value: 'alb-ap-south-1.lab.luneo.app', ttl: 5 };
    const res = await get();
    expect(res.status).toBe(502);
    expect(res.resolved).toBe('alb-ap-south-1.lab.luneo.app');
    expect(res.body).toEqual({
      error: 'unknown_host',
      message: 'api.luneo.app. resolved to alb-ap-south-1.lab.luneo.app, which is not a known host',
    });
  });

  it('answers 502 when the ALB refuses connections', async () => {
    const { world, get, hosts } = await setup();
    const deadPort = await freePort();
    hosts['alb-dead.lab.luneo.app'] = { host: '127.0.0.1', port: deadPort };
    world.answer = { value: 'alb-dead.lab.luneo.app', ttl: 5 };
    const res = await get();
    expect(res.status).toBe(502);
    expect(res.body).toEqual({
      error: 'upstream_unreachable',
      message: `alb-dead.lab.luneo.app at 127.0.0.1:${deadPort} failed: ECONNREFUSED`,
    });
  });

  it('answers 504 when the ALB does not answer within the upstream timeout', async () => {
    const { world, get, hosts } = await setup(80);
    const silent = await serve(startTestServer(() => {}));
    hosts['alb-silent.lab.luneo.app'] = { host: '127.0.0.1', port: silent.port };
    world.answer = { value: 'alb-silent.lab.luneo.app', ttl: 5 };
    const res = await get();
    expect(res.status).toBe(504);
    expect(res.resolved).toBe('alb-silent.lab.luneo.app');
    expect(res.body).toEqual({
      error: 'upstream_timeout',
      message: 'alb-silent.lab.luneo.app did not answer within 80 ms',
    });
  });

  it('with TTL 0 resolves on every request', async () => {
    const { edge, world, get } = await setup();
    world.answer = { value: 'alb-eu-west-1.lab.luneo.app', ttl: 0 };
    await get();
    await get();
    expect(edge.stats().resolutions).toBe(2);
  });
});

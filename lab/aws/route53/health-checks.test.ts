// Real probing by 16 checkers of a real endpoint; a network fault hides it from some checker regions.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type FlipServer, startFlipServer } from '../testing/flip-server.ts';
import { HealthCheckers } from './health-checks.ts';

let endpoint: FlipServer;
let checkers: HealthCheckers;
afterEach(async () => {
  checkers.stop();
  await endpoint.close();
});

async function start() {
  endpoint = await startFlipServer(200);
  checkers = new HealthCheckers({ intervalMs: 20 });
  const check = checkers.create('t', {
    Type: 'HTTP',
    IPAddress: '127.0.0.1',
    Port: endpoint.port,
    ResourcePath: '/health',
    RequestInterval: 10,
    FailureThreshold: 2,
    Inverted: false,
    Disabled: false,
  });
  checkers.start();
  return check;
}

const healthyCheckers = (id: string) => checkers.get(id).checkers.filter((c) => c.healthy).length;

describe('health checkers', () => {
  it('each checker probes and reports on its own; all 16 report', async () => {
    const check = await start();
    // A first probe may time out on a loaded machine (100 ms at this interval): wait for a passing round.
    await vi.waitFor(
      () =>
        expect(check.checkers.map((c) => c.lastReport?.status)).toEqual(
          Array(16).fill('Success: HTTP Status Code 200, OK'),
        ),
      { interval: 10 },
    );
    const times = new Set(check.checkers.map((c) => c.lastReport?.checkedAt.getTime()));
    expect(times.size).toBeGreaterThan(1);
  });

  it('stays healthy while 4 of 16 checkers reach it, and turns unhealthy at 2 of 16 (> 18 % rule)', async () => {
    const { id } = await start();
    // Six regions cut: 4 checkers (25 %) still see the endpoint pass.
    checkers.setUnreachableFrom([
      'us-east-1',
      'us-west-1',
      'us-west-2',
      'ap-southeast-1',
      'ap-southeast-2',
      'ap-northeast-1',
    ]);
    await vi.waitFor(() => expect(healthyCheckers(id)).toBe(4), { interval: 10 });
    expect(checkers.isHealthy(id)).toBe(true);
    expect(checkers.percentHealthy(id)).toBe(25);
    // Seven regions cut: 2 checkers (12.5 %), unhealthy although the endpoint itself answers 200.
    checkers.setUnreachableFrom([
      'us-east-1',
      'us-west-1',
      'us-west-2',
      'ap-southeast-1',
      'ap-southeast-2',
      'ap-northeast-1',
      'sa-east-1',
    ]);
    await vi.waitFor(() => expect(healthyCheckers(id)).toBe(2), { interval: 10 });
    expect(checkers.isHealthy(id)).toBe(false);
    const cut = checkers.get(id).checkers.find((c) => c.region === 'sa-east-1');
    expect(cut?.lastReport?.status).toMatch(/^Failure: Connection timed out/);
    checkers.setUnreachableFrom([]);
    await vi.waitFor(() => expect(healthyCheckers(id)).toBe(16), { interval: 10 });
    expect(checkers.isHealthy(id)).toBe(true);
  });

  it('a checker changes its verdict only after FailureThreshold consecutive results', async () => {
    const { id } = await start();
    await vi.waitFor(() => expect(checkers.get(id).checkers.every((c) => c.lastReport)).toBe(true), {
      interval: 10,
    });
    endpoint.status = 503;
    await vi.waitFor(
      () => {
        const failedOnce = checkers
          .get(id)
          .checkers.find((c) => c.lastReport?.status.startsWith('Failure') && c.streak === 1);
        expect(failedOnce?.healthy).toBe(true);
      },
      { interval: 1 },
    );
    await vi.waitFor(() => expect(checkers.isHealthy(id)).toBe(false), { interval: 10 });
  });

  it('Inverted flips the routing status at once; the checkers still report the raw result', async () => {
    const { id } = await start();
    await vi.waitFor(() => expect(checkers.get(id).checkers.every((c) => c.lastReport)).toBe(true), {
      interval: 10,
    });
    checkers.update(id, 1, { Inverted: true });
    expect(checkers.isHealthy(id)).toBe(false);
    expect(checkers.get(id).checkers.every((c) => c.healthy)).toBe(true);
    expect(checkers.get(id).checkers.every((c) => c.lastReport?.status.startsWith('Success'))).toBe(true);
  });
});

describe('health check limits (botocore route53 FailureThreshold 1–10, RequestInterval 10 or 30)', () => {
  it('refuses a FailureThreshold above 10 or a RequestInterval other than 10/30, on create and update', async () => {
    const check = await start();
    const config = { ...check.config };
    expect(() => checkers.create('t2', { ...config, FailureThreshold: 11 })).toThrow(
      'FailureThreshold must be between 1 and 10, got 11.',
    );
    expect(() => checkers.create('t3', { ...config, RequestInterval: 20 })).toThrow(
      'RequestInterval must be 10 or 30, got 20.',
    );
    expect(() => checkers.update(check.id, 1, { FailureThreshold: 0 })).toThrow(/got 0/);
    expect(checkers.get(check.id).version).toBe(1);
  });
});

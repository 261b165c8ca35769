// The DNS steps against the lab's Route 53 (16 checkers, > 18 % rule, Inverted applied when combined): the step
// ends when Route 53 answers SECONDARY, and its flip time agrees with the lab's own record of when the answer
// changed (the lab logs it at the moment its decision changes; the test timestamps each log line).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  GetHealthCheckStatusCommand,
  Route53Client,
  UpdateHealthCheckCommand,
} from '@aws-sdk/client-route-53';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { StepOutcome } from '../../../core/model.ts';
import { type Harness, startHarness } from '../../../lab/aws/testing/harness.ts';
import { testRun } from '../testing.ts';
import { failoverDns, restoreDns } from './dns.ts';

const NAME = 'api.luneo.app.';
let h: Harness;
let dir: string;
let lines: { at: number; line: string }[];
let watch: ((line: string) => void) | undefined;

// 100 ms between a checker's probes (300 ms probe timeout): a loaded machine does not flip DNS by itself.
async function start(failureThreshold: number, healthCheckIntervalMs = 100) {
  lines = [];
  h = await startHarness({
    failureThreshold,
    healthCheckIntervalMs,
    log: (line) => {
      lines.push({ at: Date.now(), line });
      watch?.(line);
    },
  });
  dir = await mkdtemp(join(tmpdir(), 'dns-step-'));
  // What apps/luneo/context.ts reads of a running lab.
  await writeFile(
    join(dir, 'lab.json'),
    JSON.stringify({
      version: 1,
      dir,
      // The endpoint lives in this test process: the lab that lab.json names is running while it does.
      pid: process.pid,
      publicUrl: 'http://127.0.0.1:9',
      aws: {
        endpoint: h.server.url,
        accessKeyId: 'AKIALAB',
        secretAccessKey: 'lab-secret',
        accountId: '111122223333',
      },
      hostedZoneId: h.server.zoneId(),
      healthChecks: h.server.healthCheckIds(),
    }),
  );
}
afterEach(async () => {
  watch = undefined;
  await h?.close();
  await rm(dir, { recursive: true, force: true });
});

/** When the lab's answer for the API name became `setIdentifier` at or after `since` (ground truth), or undefined. */
function labFlip(setIdentifier: string, since = 0): number | undefined {
  return lines.find(
    (l) => l.at >= since && l.line.startsWith(`route53: ${NAME} now answers ${setIdentifier} `),
  )?.at;
}

/** The status reads (TestDNSAnswer, GetHealthCheckStatus) the lab answered at or after `since`. */
function readsSince(since: number): { at: number; line: string }[] {
  return lines.filter(
    (l) =>
      l.at >= since &&
      /route53 GET \/2013-04-01\/(testdnsanswer|healthcheck\/[^/]+\/status) → 200/.test(l.line),
  );
}

/**
 * Runs a DNS step; aborts it if, after the lab's answer became `until`, the step kept reading status three more
 * times without ending (it is not watching what Route 53 answers). Returns its outcome and wall times.
 */
async function runStep(step: ReturnType<typeof failoverDns>, until: string) {
  const controller = new AbortController();
  const ctx = { ...testRun({ lab: { dir } }), signal: controller.signal };
  const startedAt = Date.now();
  watch = () => {
    const flip = labFlip(until, startedAt);
    if (flip !== undefined && readsSince(flip).length > 3)
      controller.abort(new Error(`the step kept polling after the lab answered ${until}`));
  };
  const outcome = (await step.run(ctx)) as StepOutcome;
  watch = undefined;
  const wall = (key: string) => {
    const mono = outcome.measurements?.[key];
    return mono === undefined ? undefined : ctx.clock.wall(mono).getTime();
  };
  return { outcome, startedAt, endedAt: Date.now(), wall };
}

async function primaryReports(failing: boolean) {
  const r53 = new Route53Client(h.client());
  const id = h.server.healthCheckIds().primary;
  await vi.waitFor(
    async () => {
      const out = await r53.send(new GetHealthCheckStatusCommand({ HealthCheckId: id }));
      const failures = (out.HealthCheckObservations ?? []).filter((o) =>
        o.StatusReport?.Status?.startsWith('Failure'),
      ).length;
      // The raw reports: at least 14 of 16 checkers saw the endpoint fail (2 of 16 healthy is 12.5 %).
      const all = out.HealthCheckObservations?.length === 16;
      expect(all && (failing ? failures >= 14 : failures === 0)).toBe(true);
    },
    { interval: 20, timeout: 20_000 },
  );
  r53.destroy();
}

describe('the DNS step decides from what Route 53 answers', () => {
  it('primary still passes its check (only the database is cut): holds it unhealthy, ends at the flip, and back', async () => {
    await start(2);
    await primaryReports(false);
    await vi.waitFor(() => expect(h.server.resolve(NAME)?.setIdentifier).toBe('primary-eu-west-1'));

    const out = await runStep(failoverDns(), 'secondary-us-east-1');
    const flip = labFlip('secondary-us-east-1', out.startedAt) as number;
    expect(out.outcome.detail).toMatch(/held unhealthy \(Disabled \+ Inverted/);
    expect(out.outcome.detail).toMatch(/Route 53 answers SECONDARY \(alb\.us-east-1\.luneo\.lab\)/);
    expect(h.server.mutationCounts()).toEqual({ UpdateHealthCheck: 1 });
    // Ground truth from the lab: the flip happened during the step, one read saw it, and the step's flip time
    // lies between the lab's flip and the step's end.
    expect(flip).toBeGreaterThanOrEqual(out.startedAt);
    expect(readsSince(flip)).toHaveLength(1);
    const flippedAt = out.wall('dnsFlippedAt') as number;
    expect(flippedAt).toBeGreaterThanOrEqual(flip);
    expect(flippedAt).toBeLessThanOrEqual(out.endedAt);

    const back = await runStep(restoreDns(), 'primary-eu-west-1');
    const flipBack = labFlip('primary-eu-west-1', back.startedAt) as number;
    expect(back.outcome.detail).toMatch(/released \(Disabled and Inverted off\).*; Route 53 answers PRIMARY/);
    expect(readsSince(flipBack)).toHaveLength(1);
    expect(back.wall('dnsFlippedAt')).toBeGreaterThanOrEqual(flipBack);
    expect(back.wall('dnsFlippedAt')).toBeLessThanOrEqual(back.endedAt);
  });

  it('primary fails its check: held unhealthy anyway, so the primary cannot take traffic back once it recovers', async () => {
    // 10 consecutive failures (the model's maximum) 100 ms apart per checker before Route 53 acts: the step
    // looks while the raw reports already fail and Route 53 still answers PRIMARY (AWS: 3 × 30 s by default).
    await start(10);
    h.primaryHealth.status = 503;
    await primaryReports(true);
    const out = await runStep(failoverDns(), 'secondary-us-east-1');
    const flip = labFlip('secondary-us-east-1', out.startedAt) as number;
    expect(flip, 'Route 53 answered SECONDARY before the step ended').toBeDefined();
    expect(h.server.mutationCounts()).toEqual({ UpdateHealthCheck: 1 });
    expect(flip).toBeGreaterThanOrEqual(out.startedAt);
    expect(readsSince(flip)).toHaveLength(1);
    expect(out.wall('dnsFlippedAt')).toBeGreaterThanOrEqual(flip);
    expect(out.wall('dnsFlippedAt')).toBeLessThanOrEqual(out.endedAt);
    expect(out.outcome.detail).toMatch(/held unhealthy \(Disabled \+ Inverted/);
    // The outage ends (the fault is reverted): the primary's endpoint answers again. A check that was only
    // inverted, or left alone, would now route users back to eu-west-1 and its old database.
    h.primaryHealth.status = 200;
    const recovered = Date.now();
    // Twice as long as an enabled check needs to read healthy again (10 passing reports, 100 ms apart).
    await new Promise((resolve) => setTimeout(resolve, 2 * 10 * 100));
    expect(labFlip('primary-eu-west-1', recovered)).toBeUndefined();
    expect(h.server.resolve(NAME)?.setIdentifier).toBe('secondary-us-east-1');
  });

  it('Route 53 already answers SECONDARY when the step looks: held all the same, the flip time is only an upper bound', async () => {
    await start(2);
    h.primaryHealth.status = 503;
    await vi.waitFor(() => expect(labFlip('secondary-us-east-1')).toBeDefined(), {
      interval: 20,
      timeout: 20_000,
    });
    const out = await runStep(failoverDns(), 'secondary-us-east-1');
    expect(h.server.mutationCounts()).toEqual({ UpdateHealthCheck: 1 });
    expect(out.outcome.measurements?.dnsFlippedAt).toBeUndefined();
    expect(out.wall('dnsFlippedBy')).toBeGreaterThan(labFlip('secondary-us-east-1') as number);
    expect(out.outcome.detail).toMatch(
      /held unhealthy \(Disabled \+ Inverted.*; Route 53 answers SECONDARY \(alb\.us-east-1\.luneo\.lab\) \(already before this step looked\)/,
    );
  });

  it('an inverted check on a failing primary reads healthy (Route 53 answers PRIMARY): disabled too, it reads unhealthy', async () => {
    await start(2);
    h.primaryHealth.status = 503;
    await vi.waitFor(() => expect(labFlip('secondary-us-east-1')).toBeDefined(), {
      interval: 20,
      timeout: 20_000,
    });
    const r53 = new Route53Client(h.client());
    const invertedAt = Date.now();
    await r53.send(
      new UpdateHealthCheckCommand({ HealthCheckId: h.server.healthCheckIds().primary, Inverted: true }),
    );
    r53.destroy();
    expect(labFlip('primary-eu-west-1', invertedAt)).toBeDefined();
    const out = await runStep(failoverDns(), 'secondary-us-east-1');
    const flip = labFlip('secondary-us-east-1', out.startedAt) as number;
    expect(flip, 'Route 53 answered SECONDARY again during the step').toBeDefined();
    expect(h.server.mutationCounts()).toEqual({ UpdateHealthCheck: 2 });
    expect(readsSince(flip)).toHaveLength(1);
    expect(out.wall('dnsFlippedAt')).toBeGreaterThanOrEqual(flip);
    expect(out.outcome.detail).toMatch(/held unhealthy \(Disabled \+ Inverted/);
  });

  it('the secondary fails its check too (its API still points at the cut database): ends at once, no flip claimed', async () => {
    await start(2);
    h.secondaryHealth.status = 503;
    const secondary = h.server.healthCheckIds().secondary as string;
    // Route 53 itself (not only the raw reports) counts the secondary unhealthy: the lab says when.
    await vi.waitFor(
      () =>
        expect(lines.some((l) => l.line === `route53: health check ${secondary} is now unhealthy`)).toBe(
          true,
        ),
      { interval: 20, timeout: 20_000 },
    );
    const out = await runStep(failoverDns(), 'secondary-us-east-1');
    // Ground truth: Route 53 never answered SECONDARY (both checks fail: it answers PRIMARY).
    expect(labFlip('secondary-us-east-1', out.startedAt)).toBeUndefined();
    expect(h.server.resolve(NAME)?.setIdentifier).toBe('primary-eu-west-1');
    expect(h.server.mutationCounts()).toEqual({ UpdateHealthCheck: 1 });
    expect(out.outcome.measurements).toBeUndefined();
    // One answer before inverting, one after: it did not wait for an answer that cannot come.
    expect(readsSince(out.startedAt).filter((l) => l.line.includes('testdnsanswer'))).toHaveLength(2);
    expect(out.outcome.detail).toMatch(
      /Route 53 answers PRIMARY \(alb\.eu-west-1\.luneo\.lab\): the SECONDARY record's health check \S+ fails too \(0\/16 checkers see us-east-1 pass\), so Route 53 answers PRIMARY; it answers SECONDARY once us-east-1 passes its check/,
    );
  });
});

// The recovery sampler is open loop: a check that hangs holds no slot, and the RTO is bracketed by the evidence.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runScenario } from './run-scenario.ts';
import { markerScenario, markerTarget, markerWorld } from './testing.ts';

const waitForAbort = (signal: AbortSignal) =>
  new Promise<never>((_, reject) =>
    signal.addEventListener('abort', () => reject(signal.reason), { once: true }),
  );

describe('recovery sampling with hanging checks', () => {
  it('sends every slot on time while earlier checks hang, and brackets the true recovery instant', async () => {
    const world = markerWorld();
    const scenario = markerScenario(world, { steps: ['a'] });
    const truth = { t0: 0, upAt: 0 };
    // Down (every check hangs until its 400 ms timeout) until 700 ms after T0, then up.
    scenario.failover = [
      {
        title: 'come back after a while',
        run: async (ctx) => {
          truth.t0 = ctx.clock.t0 ?? 0;
          await new Promise((resolve) => setTimeout(resolve, 700));
          world.recovered = true;
          truth.upAt = ctx.clock.now();
          return undefined;
        },
      },
    ];
    scenario.objectives = { ...scenario.objectives, stableFor: '300ms' };
    scenario.recovery = [
      {
        name: 'up',
        interval: '50ms',
        timeout: '400ms',
        check: async (_ctx, { signal }) => {
          if (!world.recovered) await waitForAbort(signal);
          return { ok: true, detail: 'up' };
        },
      },
    ];
    const outDir = mkdtempSync(join(tmpdir(), 'drill-sampler-'));
    const result = await runScenario(scenario, markerTarget, { runId: 'run-1', outDir });
    expect(result.verdict, result.reason).toBe('passed');

    const samples = result.probes.samples ?? [];
    const hung = samples.filter((s) => !s.ok);
    expect(hung.length).toBeGreaterThan(0);
    // Open loop: while a check hung, later slots were sent (closed loop sends nothing until it times out).
    for (const h of hung) {
      const sentMeanwhile = samples.filter((s) => s.atMs > h.atMs && s.atMs < (h.answeredAtMs ?? h.atMs));
      expect(sentMeanwhile.length, `slots sent while the check sent at ${h.atMs} hung`).toBeGreaterThan(0);
    }
    // The reported bracket contains the instant the service came back.
    const trueRtoMs = truth.upAt - truth.t0;
    const rto = result.rto!;
    expect(rto.lowerMs!).toBeLessThanOrEqual(trueRtoMs);
    expect(rto.upperMs!).toBeGreaterThanOrEqual(trueRtoMs);
    expect(rto.achievedMs!).toBeGreaterThanOrEqual(rto.lowerMs!);
    expect(rto.achievedMs!).toBeLessThanOrEqual(rto.upperMs!);
  });

  it('keeps when a passing check proved the service serving, within its send and answer', async () => {
    const world = markerWorld();
    const scenario = markerScenario(world, { steps: ['a'] });
    scenario.objectives = { ...scenario.objectives, stableFor: '200ms' };
    // Two requests per check: the first proves the service serving, the second (a read-back) takes 60 ms more.
    const reported: { servedAt: number; claimed: number }[] = [];
    scenario.recovery = [
      {
        name: 'two-step',
        interval: '50ms',
        check: async (ctx) => {
          const servedAt = ctx.clock.now();
          await new Promise((resolve) => setTimeout(resolve, 60));
          // One check claims a proof before it was even sent: the sampler clamps it to the send.
          const claimed = reported.length === 1 ? servedAt - 10_000 : servedAt;
          reported.push({ servedAt, claimed });
          return { ok: true, servedAt: claimed };
        },
      },
    ];
    const outDir = mkdtempSync(join(tmpdir(), 'drill-sampler-'));
    const result = await runScenario(scenario, markerTarget, { runId: 'run-2', outDir });
    expect(result.verdict, result.reason).toBe('passed');
    const samples = result.probes.samples ?? [];
    expect(samples.length).toBeGreaterThan(1);
    for (const s of samples) {
      expect(s.servedAtMs, 'servedAt kept in result.json').toBeDefined();
      expect(s.servedAtMs!).toBeGreaterThanOrEqual(s.atMs);
      expect(s.servedAtMs!).toBeLessThan(s.answeredAtMs!);
    }
    expect(result.rto?.achievedMs).toBe(0);
  });
});

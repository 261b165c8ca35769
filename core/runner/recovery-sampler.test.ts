// The recovery sampler is open loop: a check that hangs holds no slot, and the RTO is bracketed by the evidence.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { availability } from '../../probes/availability.ts';
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

  it("samples a probe that can run off the engine's thread on its own thread: slots go out while the engine is blocked", async () => {
    // The service on a thread of its own, so it answers while the engine is blocked; it says when requests arrived.
    const service = new Worker(SERVICE, { eval: true });
    const url = await new Promise<string>((resolve) => service.once('message', resolve));
    const arrivals = () =>
      new Promise<number[]>((resolve) => {
        service.once('message', resolve);
        service.postMessage('arrivals');
      });
    const world = markerWorld();
    const scenario = markerScenario(world, { steps: ['a'] });
    // The engine's own loop blocked 300 ms at a time (a starved engine), on the run's clock and the absolute one, until
    // requests reach the service during a block (the probe's thread may still be booting under load): at most 40.
    const blocked: [number, number][] = [];
    scenario.failover = [
      {
        title: 'block the engine',
        run: async (ctx) => {
          const spans: [number, number][] = [];
          const abs = () => performance.timeOrigin + performance.now();
          for (let i = 0; i < 40; i++) {
            const [from, fromAbs] = [ctx.clock.now(), abs()];
            while (ctx.clock.now() < from + 300) {}
            blocked.push([from, ctx.clock.now()]);
            spans.push([fromAbs, abs()]);
            await new Promise((resolve) => setTimeout(resolve, 30));
            const seen = await arrivals();
            // Several in one block: more than the engine had in flight when the block began.
            if (spans.some(([a, b]) => seen.filter((t) => t > a + 5 && t < b - 5).length >= 4)) break;
          }
          world.recovered = true;
          return undefined;
        },
      },
    ];
    scenario.objectives = { ...scenario.objectives, rto: '60s', stableFor: '200ms' };
    scenario.recovery = [availability({ url, interval: '50ms' })];
    try {
      const outDir = mkdtempSync(join(tmpdir(), 'drill-sampler-'));
      const result = await runScenario(scenario, markerTarget, { runId: 'run-3', outDir });
      expect(result.verdict, result.reason).toBe('passed');
      const samples = result.probes.samples ?? [];
      // No code of the engine's thread runs while it is blocked: a send stamped inside a block was sent elsewhere.
      const sentWhileBlocked = samples.filter((s) =>
        blocked.some(([from, to]) => s.atMs > from + 5 && s.atMs < to - 5),
      );
      expect(sentWhileBlocked.length, `sends ${samples.map((s) => s.atMs).join(', ')}`).toBeGreaterThan(0);
      expect(sentWhileBlocked.every((s) => s.ok)).toBe(true);
    } finally {
      await service.terminate();
    }
  }, 60_000);
});

/** An HTTP service on its own thread: posts its URL, then the absolute arrival instant of every request when asked. */
const SERVICE = `
const { parentPort } = require('node:worker_threads');
const { createServer } = require('node:http');
const arrivals = [];
const server = createServer((req, res) => {
  arrivals.push(performance.timeOrigin + performance.now());
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end('{"status":"ok"}');
});
server.listen(0, '127.0.0.1', () => parentPort.postMessage('http://127.0.0.1:' + server.address().port));
parentPort.on('message', () => parentPort.postMessage(arrivals));
`;

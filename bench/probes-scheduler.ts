// Benchmark: jitter of the engine's probe scheduler with 20 probes at 4 Hz, and the CPU they use.
// Run: pnpm exec tsx bench/probes-scheduler.ts   (prints JSON; targets: jitter p99 < 20 ms)
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { percentile } from '../core/measure/index.ts';
import { defineScenario, defineTarget, type ProbeDefinition } from '../core/model.ts';
import { runScenario } from '../core/runner/run-scenario.ts';
import { closeProbes, health } from '../probes/index.ts';
import { type ProbePlatform, startProbePlatform } from '../probes/testing/platform.ts';

export interface SchedulerBench {
  probes: number;
  intervalMs: number;
  samples: number;
  jitterMs: { p50: number | null; p99: number | null; max: number | null };
  /** The event loop's own delay meanwhile: jitter the scheduler cannot do better than on this machine. */
  eventLoopDelayMs: { p50: number; p99: number };
  /** CPU time of this process over the sampling window, as % of one core. */
  cpuPercentOfOneCore: number;
  target: string;
  met: boolean;
}

export async function benchProbeScheduler(
  options: { probes?: number; stableFor?: string } = {},
): Promise<SchedulerBench> {
  const count = options.probes ?? 20;
  const intervalMs = 250;
  const platform: ProbePlatform = await startProbePlatform(['api']);
  const outDir = await mkdtemp(join(tmpdir(), 'bench-scheduler-'));
  const calls = new Map<string, number[]>();
  let cpuStart: NodeJS.CpuUsage | undefined;
  let wallStart = 0;
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  try {
    // The API pod directly (another process): the scheduler, not an in-process server, is measured.
    const url = `http://127.0.0.1:${platform.pods.api!.port}`;
    const probes: ProbeDefinition<{ url: string }>[] = Array.from({ length: count }, (_, i) => {
      const inner = health<{ url: string }>({
        url,
        path: '/version',
        name: `p${i}`,
        interval: `${intervalMs}ms`,
      });
      const at: number[] = [];
      calls.set(inner.name, at);
      return {
        ...inner,
        check: (ctx, o) => {
          if (!cpuStart) {
            loopDelay.enable();
            cpuStart = process.cpuUsage();
            wallStart = performance.now();
          }
          at.push(ctx.clock.now());
          return inner.check(ctx, o);
        },
      };
    });
    const scenario = defineScenario<{ url: string }>({
      name: 'bench-scheduler',
      summary: `${count} probes at ${1000 / intervalMs} Hz`,
      objectives: { rto: '1m', rpo: '1m', stableFor: options.stableFor ?? '10s' },
      steadyState: [],
      fault: { title: 'none', inject: async () => undefined, revert: async () => {} },
      failover: [],
      recovery: probes,
      verify: [],
    });
    const target = defineTarget({
      name: 'bench',
      description: 'bench',
      kind: 'lab',
      aws: { regions: ['eu-west-1'] },
      resources: { url },
    });
    await runScenario(scenario, target, { outDir });
  } finally {
    await closeProbes();
    await platform.close();
    await rm(outDir, { recursive: true, force: true });
  }
  loopDelay.disable();
  const cpu = process.cpuUsage(cpuStart);
  const wall = performance.now() - wallStart;
  // Jitter: how late each call started against its slot on the probe's own 250 ms grid.
  const jitter: number[] = [];
  for (const at of calls.values()) {
    const first = at[0]!;
    for (const t of at.slice(1)) jitter.push(t - (first + Math.round((t - first) / intervalMs) * intervalMs));
  }
  const abs = jitter.map(Math.abs);
  const round = (v: number | null) => (v === null ? null : Math.round(v * 100) / 100);
  const p99 = round(percentile(abs, 99));
  return {
    probes: count,
    intervalMs,
    samples: jitter.length + calls.size,
    jitterMs: { p50: round(percentile(abs, 50)), p99, max: round(percentile(abs, 100)) },
    eventLoopDelayMs: {
      p50: Math.round(loopDelay.percentile(50) / 1e4) / 100,
      p99: Math.round(loopDelay.percentile(99) / 1e4) / 100,
    },
    cpuPercentOfOneCore: Math.round(((cpu.user + cpu.system) / 1000 / wall) * 1000) / 10,
    target: 'jitter p99 < 20 ms',
    met: p99 !== null && p99 < 20,
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  console.log(JSON.stringify(await benchProbeScheduler(), null, 2));
}

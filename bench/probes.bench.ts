// Probe benchmarks in `pnpm bench`: scheduler jitter (20 probes at 4 Hz) and load generator vs autocannon.
import { benchLoadGenerator } from './probes-load.ts';
import { benchProbeScheduler } from './probes-scheduler.ts';
import type { BenchResult } from './types.ts';

export default async function (): Promise<BenchResult[]> {
  const scheduler = await benchProbeScheduler();
  const load = await benchLoadGenerator();
  return [
    {
      name: 'probe scheduler jitter p50 (20 probes at 4 Hz)',
      value: scheduler.jitterMs.p50 ?? Number.NaN,
      unit: 'ms',
    },
    {
      name: 'probe scheduler jitter p99 (20 probes at 4 Hz)',
      value: scheduler.jitterMs.p99 ?? Number.NaN,
      unit: 'ms',
      target: 20,
      note: `event loop delay p99 ${scheduler.eventLoopDelayMs.p99} ms on this machine; ${scheduler.samples} samples`,
    },
    { name: 'probe scheduler CPU', value: scheduler.cpuPercentOfOneCore, unit: '% of one core' },
    {
      name: 'load generator / autocannon throughput',
      value: load.ratio,
      unit: 'ratio',
      target: 0.8,
      better: 'higher',
      ok: load.met,
      note:
        `built-in ${load.builtinRps.join(', ')} req/s, ${load.builtinErrors} errors, ` +
        `${load.builtinCpuUsPerResponse} µs CPU/response; autocannon ${load.autocannonRps.join(', ')} req/s, ` +
        `${load.autocannonErrors} errors, ${load.autocannonCpuUsPerResponse} µs CPU/response ` +
        `(CPU of this process, load balancer included); pooled ratio ${load.pooledRatio}; ${load.conditions}; ${load.url}`,
    },
  ];
}

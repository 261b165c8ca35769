// Lab boot time: startLab() in a fresh temp dir until the public URL serves, stopped in between (issue 20: the
// median of 5 boots within 5 s). Also the median time at which each boot phase was reached ("boot: <phase> at N ms"
// lines of lab.ts), to say where the seconds go.
import { rm } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { startLab } from '../lab/lab.ts';
import { makeLabDir } from '../lab/testing/lab-fixture.ts';
import { type BenchResult, median } from './types.ts';

const TARGET_MS = 5_000;
const RUNS = Number(process.env.LAB_BOOT_RUNS ?? 5);
const PHASE = /^boot: (.+) at (\d+) ms$/;

export default async function labBoot(): Promise<BenchResult[]> {
  const boots: number[] = [];
  const stops: number[] = [];
  const phases = new Map<string, number[]>();
  // The machine is shared: each boot's figure goes with the 1-min load average it started at.
  const loads: string[] = [];
  for (let run = 1; run <= RUNS; run++) {
    loads.push(loadavg()[0]?.toFixed(1) ?? '?');
    const dir = makeLabDir('bench-lab-boot');
    const log = (line: string) => {
      const [, phase, ms] = PHASE.exec(line) ?? [];
      if (phase && ms) phases.set(phase, [...(phases.get(phase) ?? []), Number(ms)]);
    };
    try {
      const started = performance.now();
      const lab = await startLab({ dir, log });
      boots.push(Math.round(performance.now() - started));
      const stopping = performance.now();
      await lab.stop();
      stops.push(Math.round(performance.now() - stopping));
      console.log(
        `lab-boot: run ${run}/${RUNS} boot ${boots.at(-1)} ms, stop ${stops.at(-1)} ms (load ${loads.at(-1)})`,
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
  const samples = `samples ${boots.join(', ')} ms; 1-min load ${loads.join(', ')}`;
  return [
    { name: 'lab boot median', value: median(boots), unit: 'ms', target: TARGET_MS, note: samples },
    { name: 'lab boot max', value: Math.max(...boots), unit: 'ms', note: samples },
    { name: 'lab stop median', value: median(stops), unit: 'ms', note: `samples ${stops.join(', ')} ms` },
    ...[...phases].map(([phase, at]) => ({
      name: `boot phase "${phase}" reached (median)`,
      value: median(at),
      unit: 'ms',
      note: `samples ${at.join(', ')} ms`,
    })),
  ];
}

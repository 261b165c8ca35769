// Lab boot time: startLab() in a fresh temp dir until the public URL serves, stopped in between (issue 3: < 15 s).
import { rm } from 'node:fs/promises';
import { startLab } from '../lab/lab.ts';
import { makeLabDir } from '../lab/testing/lab-fixture.ts';
import { type BenchResult, median } from './types.ts';

const TARGET_MS = 15_000;
const RUNS = Number(process.env.LAB_BOOT_RUNS ?? 3);

export default async function labBoot(): Promise<BenchResult[]> {
  const boots: number[] = [];
  const stops: number[] = [];
  for (let run = 1; run <= RUNS; run++) {
    const dir = makeLabDir('bench-lab-boot');
    try {
      const started = performance.now();
      const lab = await startLab({ dir });
      boots.push(Math.round(performance.now() - started));
      const stopping = performance.now();
      await lab.stop();
      stops.push(Math.round(performance.now() - stopping));
      console.log(`lab-boot: run ${run}/${RUNS} boot ${boots.at(-1)} ms, stop ${stops.at(-1)} ms`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
  const samples = `samples ${boots.join(', ')} ms`;
  return [
    { name: 'lab boot median', value: median(boots), unit: 'ms', target: TARGET_MS, note: samples },
    { name: 'lab boot max', value: Math.max(...boots), unit: 'ms', target: TARGET_MS, note: samples },
    { name: 'lab stop median', value: median(stops), unit: 'ms', note: `samples ${stops.join(', ')} ms` },
  ];
}

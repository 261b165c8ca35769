// Measures each app process's start-up (spawn → "ready on" line, and the process's own startup_ms).
// Run: node --import tsx lab/app/testing/measure-startup.ts [runs]
import { startAppFixture } from './fixture.ts';

const runs = Number(process.argv[2] ?? 3);
const fx = await startAppFixture();
try {
  for (const entry of ['frontend', 'api', 'worker'] as const) {
    const spawnToReady: number[] = [];
    const inProcess: number[] = [];
    const cpu: number[] = [];
    for (let i = 0; i < runs; i++) {
      const proc = await fx.start(entry, `${entry}-bench-${i}`);
      spawnToReady.push(proc.readyMs);
      inProcess.push(Number(/startup_ms=(\d+)/.exec(proc.output())?.[1]));
      cpu.push(Number(/cpu_ms=(\d+)/.exec(proc.output())?.[1]));
      await proc.stop();
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    console.log(
      `${entry.padEnd(8)} spawn→ready median ${median(spawnToReady)} ms [${spawnToReady.join(', ')}]; ` +
        `in-process startup_ms median ${median(inProcess)} ms, cpu_ms median ${median(cpu)} ms`,
    );
  }
} finally {
  await fx.close();
}

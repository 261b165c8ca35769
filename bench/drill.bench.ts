// `pnpm drill aurora-outage` on an ephemeral lab, wall time from the command's start to its exit (issue 20: the
// median of 3 within 45 s), split by the run's own timestamps (result.json startedAt/endedAt) into what comes before
// the engine (CLI, vitest and its worker, the lab's boot), the engine's run (whose RTO the lab's timing constants
// set), and what comes after (Allure, the lab's stop). Each run has a fresh LAB_DIR and out directory.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BenchResult, median } from './types.ts';

const TARGET_MS = 45_000;
const RUNS = Number(process.env.DRILL_BENCH_RUNS ?? 3);
const ROOT = fileURLToPath(new URL('..', import.meta.url));

interface Sample {
  wallMs: number;
  beforeMs: number;
  runMs: number;
  afterMs: number;
}

async function oneRun(): Promise<Sample> {
  const labDir = mkdtempSync(join(tmpdir(), 'bench-drill-lab-'));
  const outDir = mkdtempSync(join(tmpdir(), 'bench-drill-out-'));
  try {
    const started = Date.now();
    const code = await new Promise<number | null>((resolve, reject) => {
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', 'core/cli/main.ts', 'aurora-outage', '--out', outDir],
        { cwd: ROOT, env: { ...process.env, LAB_DIR: labDir }, stdio: 'ignore' },
      );
      child.on('error', reject);
      child.on('exit', resolve);
    });
    const ended = Date.now();
    const [runId] = readdirSync(join(outDir, 'runs'));
    if (code !== 0 || !runId) throw new Error(`pnpm drill aurora-outage exited ${code} (out: ${outDir})`);
    const result = JSON.parse(readFileSync(join(outDir, 'runs', runId, 'result.json'), 'utf8')) as {
      startedAt: string;
      endedAt: string;
    };
    const runStart = Date.parse(result.startedAt);
    const runEnd = Date.parse(result.endedAt);
    await rm(outDir, { recursive: true, force: true });
    return {
      wallMs: ended - started,
      beforeMs: runStart - started,
      runMs: runEnd - runStart,
      afterMs: ended - runEnd,
    };
  } finally {
    await rm(labDir, { recursive: true, force: true });
  }
}

export default async function drill(): Promise<BenchResult[]> {
  const samples: Sample[] = [];
  const loads: string[] = [];
  for (let run = 1; run <= RUNS; run++) {
    loads.push(loadavg()[0]?.toFixed(1) ?? '?');
    samples.push(await oneRun());
    console.log(`drill: run ${run}/${RUNS} ${JSON.stringify(samples.at(-1))} (load ${loads.at(-1)})`);
  }
  const of = (key: keyof Sample) => samples.map((s) => s[key]);
  const note = (key: keyof Sample) => `samples ${of(key).join(', ')} ms; 1-min load ${loads.join(', ')}`;
  return [
    {
      name: 'aurora-outage wall, ephemeral lab (median)',
      value: median(of('wallMs')),
      unit: 'ms',
      target: TARGET_MS,
      note: note('wallMs'),
    },
    {
      name: 'before the run: CLI, vitest, lab boot (median)',
      value: median(of('beforeMs')),
      unit: 'ms',
      note: note('beforeMs'),
    },
    { name: 'the run: plan to report (median)', value: median(of('runMs')), unit: 'ms', note: note('runMs') },
    {
      name: 'after the run: Allure, lab stop (median)',
      value: median(of('afterMs')),
      unit: 'ms',
      note: note('afterMs'),
    },
  ];
}

// `pnpm drill aurora-outage` on an ephemeral lab, wall time from the command's start to its exit (issue 20: the
// median of 3 within 45 s), split by the run's own timestamps (result.json startedAt/endedAt and its phases) and by
// when the CLI printed its lab lines: the CLI's start-up until it starts the lab, the lab's boot, vitest and its
// worker until the run starts, each phase of the run (preflight's steady state, the failover whose RTO the lab's
// timing constants set, recover, verify), and what comes after (Allure, the lab's stop). Each run has a fresh
// LAB_DIR and out directory; the 1-min load average is noted with every figure.
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
/** The run's phases as result.json records them (ms), in the order they run. */
const PHASES = ['preflight', 'inject', 'failover', 'recover', 'verify', 'restore', 'report'] as const;
/** What targets/lab-session.ts prints when it starts the ephemeral lab, and once it serves. */
const LAB_STARTING = /^lab: none up in /;
const LAB_UP = /^lab: up in /;

interface Sample {
  wallMs: number;
  /** Command start until the CLI starts the ephemeral lab (node, tsx, loading and validating the drill). */
  cliStartMs: number;
  /** The ephemeral lab's start (daemon process and boot) until it serves. */
  labUpMs: number;
  beforeMs: number;
  runMs: number;
  afterMs: number;
  phases: Partial<Record<(typeof PHASES)[number], number>>;
}

/** Runs the command and notes, for each line it prints, when (ms after `started`). */
function runTimed(
  args: string[],
  env: NodeJS.ProcessEnv,
  started: number,
): Promise<{ code: number | null; lines: { atMs: number; text: string }[] }> {
  return new Promise((resolve, reject) => {
    const lines: { atMs: number; text: string }[] = [];
    const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let pending = '';
    const take = (chunk: Buffer) => {
      pending += chunk.toString();
      const parts = pending.split('\n');
      pending = parts.pop() ?? '';
      for (const text of parts) lines.push({ atMs: Date.now() - started, text });
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, lines }));
  });
}

async function oneRun(): Promise<Sample> {
  const labDir = mkdtempSync(join(tmpdir(), 'bench-drill-lab-'));
  const outDir = mkdtempSync(join(tmpdir(), 'bench-drill-out-'));
  try {
    const started = Date.now();
    const { code, lines } = await runTimed(
      ['--import', 'tsx', 'core/cli/main.ts', 'aurora-outage', '--out', outDir],
      { ...process.env, LAB_DIR: labDir },
      started,
    );
    const ended = Date.now();
    const [runId] = readdirSync(join(outDir, 'runs'));
    if (code !== 0 || !runId)
      throw new Error(
        `pnpm drill aurora-outage exited ${code} (out: ${outDir}):\n${lines
          .slice(-20)
          .map((l) => l.text)
          .join('\n')}`,
      );
    const result = JSON.parse(readFileSync(join(outDir, 'runs', runId, 'result.json'), 'utf8')) as {
      startedAt: string;
      endedAt: string;
      phases?: { phase: string; durationMs: number }[];
    };
    const runStart = Date.parse(result.startedAt);
    const runEnd = Date.parse(result.endedAt);
    const at = (line: RegExp) => lines.find((l) => line.test(l.text))?.atMs ?? Number.NaN;
    await rm(outDir, { recursive: true, force: true });
    return {
      wallMs: ended - started,
      cliStartMs: at(LAB_STARTING),
      labUpMs: at(LAB_UP) - at(LAB_STARTING),
      beforeMs: runStart - started,
      runMs: runEnd - runStart,
      afterMs: ended - runEnd,
      phases: Object.fromEntries(
        (result.phases ?? [])
          .filter((p) => (PHASES as readonly string[]).includes(p.phase))
          .map((p) => [p.phase, p.durationMs]),
      ),
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
  const figure = (name: string, values: number[], target?: number): BenchResult => ({
    name,
    value: median(values),
    unit: 'ms',
    ...(target === undefined ? {} : { target }),
    note: `samples ${values.join(', ')} ms; 1-min load ${loads.join(', ')}`,
  });
  const of = (key: Exclude<keyof Sample, 'phases'>) => samples.map((s) => s[key]);
  return [
    figure('aurora-outage wall, ephemeral lab (median)', of('wallMs'), TARGET_MS),
    figure('before the run: CLI, vitest, lab boot (median)', of('beforeMs')),
    figure('  CLI start-up until it starts the lab (median)', of('cliStartMs')),
    figure('  lab start until it serves (median)', of('labUpMs')),
    figure('the run: plan to report (median)', of('runMs')),
    ...PHASES.map((phase) =>
      figure(
        `  phase ${phase} (median)`,
        samples.map((s) => s.phases[phase] ?? Number.NaN),
      ),
    ),
    figure('after the run: Allure, lab stop (median)', of('afterMs')),
  ];
}

// One interrupted aurora-outage drill on a safety lab: start it, signal it as soon as the journal shows the
// phase running, finish it (it rolls back itself after SIGINT; `drill rollback` after SIGKILL), report what is left.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readJournal, runDirIn, runDrill, spawnDrill, waitForJournal } from '../../core/cli/spawn-drill.ts';
import type { JournalData } from '../../core/journal.ts';
import type { Phase } from '../../core/model.ts';
import { PRIMARY_REGION, SECONDARY_REGION } from '../../lab/regions.ts';
import type { SafetyLab } from './safety-lab.ts';

export interface InterruptOutcome {
  runId: string;
  /** Exit code of the drill (SIGINT) or of `drill rollback` (SIGKILL). */
  code: number | null;
  /** The drill's output, then (SIGKILL) the rollback's. */
  output: string;
  journal: JournalData;
  result?: { verdict: string; reason: string };
  /** The failover completed or its irreversible step started: the lab is now served by us-east-1. */
  failoverKept: boolean;
  /** Wall time from spawning the drill to the end of its rollback. */
  ms: number;
}

export const inPhase = (phase: Phase) => (j: JournalData) =>
  j.phase === phase && j.phases.at(-1)?.phase === phase && j.phases.at(-1)?.status === 'running';

/** Each case gets its own out dir, so runDirIn() finds exactly its run. */
export async function interruptAuroraOutage(
  lab: SafetyLab,
  phase: Phase,
  signal: 'SIGINT' | 'SIGKILL',
): Promise<InterruptOutcome> {
  const started = performance.now();
  const outDir = join(lab.outDir, `${phase}-${signal}`);
  const drill = spawnDrill(['aurora-outage', '--in-process', '--out', outDir], lab.env);
  const { runId } = await waitForJournal(outDir, drill, inPhase(phase), 120_000);
  drill.child.kill(signal);
  const code = await drill.exited;
  let output = drill.output();
  let finalCode = code;
  const runDir = runDirIn(outDir) as string;
  if (signal === 'SIGKILL') {
    const killed = readJournal(runDir) as JournalData;
    const restore = failoverKept(killed) ? ['--restore'] : [];
    const rollback = await runDrill(['rollback', runId, ...restore, '--out', outDir], lab.env);
    output += rollback.output;
    finalCode = rollback.code;
  }
  const journal = readJournal(runDir) as JournalData;
  return {
    runId,
    code: finalCode,
    output,
    journal,
    ...readResult(runDir),
    failoverKept: failoverKept(journal),
    ms: Math.round(performance.now() - started),
  };
}

/** The promotion (the irreversible step) started: rolling back keeps the failover. */
export function failoverKept(journal: JournalData): boolean {
  return journal.steps.some((s) => s.irreversible !== undefined);
}

/** Where writer and DNS must be once an interrupted run is over: a failover that went through is kept, else all undone. */
export function regionServingAfter(journal: JournalData): string {
  return failoverKept(journal) ? SECONDARY_REGION : PRIMARY_REGION;
}

function readResult(runDir: string): { result?: { verdict: string; reason: string } } {
  try {
    const result = JSON.parse(readFileSync(join(runDir, 'result.json'), 'utf8')) as {
      verdict: string;
      reason: string;
    };
    return { result: { verdict: result.verdict, reason: result.reason } };
  } catch {
    return {};
  }
}

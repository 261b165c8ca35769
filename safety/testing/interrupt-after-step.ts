// One aurora-outage drill on a safety lab, signalled the moment the journal shows a failover step finished (e.g. the
// promotion, the step that cannot be undone): SIGINT (it rolls forward and back itself) or SIGKILL + `drill rollback`.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readJournal, runDirIn, runDrill, spawnDrill, waitForJournal } from '../../core/cli/spawn-drill.ts';
import type { JournalData } from '../../core/journal.ts';
import type { SafetyLab } from './safety-lab.ts';

export interface AfterStepOutcome {
  runId: string;
  /** Exit code of the drill (SIGINT) or of `drill rollback` (SIGKILL). */
  code: number | null;
  /** The drill's output, then (SIGKILL) the rollback's. */
  output: string;
  /** The journal as it was when the signal was sent. */
  atSignal: JournalData;
  journal: JournalData;
  result?: { verdict: string; reason: string };
  /** Wall time from spawning the drill to the signal, and to the end of the rollback. */
  signalledAtMs: number;
  ms: number;
}

/** The failover step `stepId` ended ok while the failover phase is still running. */
export const justFinished = (stepId: string) => (j: JournalData) =>
  j.phase === 'failover' &&
  j.steps.some((s) => s.phase === 'failover' && s.id === stepId && s.status === 'ok');

export async function interruptAuroraAfterStep(
  lab: SafetyLab,
  stepId: string,
  signal: 'SIGINT' | 'SIGKILL',
  opts: { rollbackArgs?: string[] } = {},
): Promise<AfterStepOutcome> {
  const started = performance.now();
  const outDir = join(lab.outDir, `after-${stepId}-${signal}`);
  const drill = spawnDrill(['aurora-outage', '--in-process', '--out', outDir], lab.env);
  const atSignal = await waitForJournal(outDir, drill, justFinished(stepId), 180_000);
  drill.child.kill(signal);
  const signalledAtMs = Math.round(performance.now() - started);
  let code = await drill.exited;
  let output = drill.output();
  const runDir = runDirIn(outDir) as string;
  if (signal === 'SIGKILL') {
    const rollback = await runDrill(
      ['rollback', atSignal.runId, ...(opts.rollbackArgs ?? []), '--out', outDir],
      lab.env,
    );
    output += rollback.output;
    code = rollback.code;
  }
  return {
    runId: atSignal.runId,
    code,
    output,
    atSignal,
    journal: readJournal(runDir) as JournalData,
    ...readResult(runDir),
    signalledAtMs,
    ms: Math.round(performance.now() - started),
  };
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

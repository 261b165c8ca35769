// `drill rollback <run-id>`: replays the run's events into the run's state (core/runner/replay.ts), then runs the
// same restore code as a live run (core/runner/restore.ts), in a new process; its events append to the run's log.
import { join } from 'node:path';
import { DrillError } from '../errors.ts';
import type { EventOf } from '../events.ts';
import { type JournalData, loadJournal, pendingUndos, writeFileAtomic } from '../journal.ts';
import type { Scenario, Target } from '../model.ts';
import { isProcessAlive } from '../process-alive.ts';
import { Redactor } from '../redact.ts';
import type { Reporter } from '../reporters/reporter.ts';
import { type LockReleaseOutcome, outDirOf, releaseLockOf } from '../safety/lock.ts';
import { exactWayBack } from '../safety/way-back.ts';
import type { UndoOutcome } from '../undo.ts';
import { interruptedResult, LOCK_STATUS, priorInterrupted } from './interrupted-result.ts';
import { replayRun } from './replay.ts';
import { RESULT_FILE } from './report.ts';
import { restorePhase, rollForwardPlanOf } from './restore.ts';
import { type RollForwardOutcome, rollForwardFailure, rollForwardSummary } from './roll-forward.ts';

export interface RollbackOptions {
  /** Also run the scenario's restore steps after the undos (e.g. a switchback after an irreversible promotion). */
  restore?: boolean;
  /** Called as each undo or restore step finishes (progress output). */
  onProgress?(line: string): void;
  redactor?: Redactor;
}

export interface RollbackResult {
  runId: string;
  state: 'rolled-back' | 'rollback-incomplete';
  /** Set when the run was killed after an irreversible step, before its failover finished: the steps run first. */
  rollForward?: RollForwardOutcome;
  undos: UndoOutcome[];
  restore: { title: string; status: 'done' | 'failed'; error?: string }[];
  /** Irreversible steps the run started: undoing the rest does not undo these. */
  irreversible: { stepId: string; title: string; wayBack: string }[];
  /** The target's drill lock, released once the rollback is complete (kept while the target is dirty). */
  lock: LockReleaseOutcome;
  /** Set when the run was killed before writing its result: the result.json written for it (outcome interrupted). */
  resultFile?: string;
}

export async function rollbackRun<R>(
  runDir: string,
  scenario: Scenario<R>,
  target: Target<R>,
  opts: RollbackOptions = {},
): Promise<RollbackResult> {
  const recorded = loadJournal(runDir);
  const data = recorded.data;
  if (data.state === 'running' && data.pid !== process.pid && isProcessAlive(data.pid)) {
    throw new DrillError(
      'E_USAGE',
      `run ${data.runId} is still running (pid ${data.pid}): press Ctrl-C in its terminal (it rolls back itself), or stop that process first`,
    );
  }
  const redactor = opts.redactor ?? new Redactor();
  const say = (line: string) => opts.onProgress?.(redactor.redactText(line));
  const { run, journal } = replayRun(runDir, recorded, scenario, target, {
    redactor,
    reporters: [rollbackProgress(say)],
  });
  if (
    data.state !== 'running' &&
    pendingUndos(data).length === 0 &&
    !rollForwardPlanOf(run) &&
    !opts.restore
  ) {
    // A finished or rolled-back run holds nothing to undo: adding to its record would falsify it.
    throw new DrillError(
      'E_USAGE',
      `run ${data.runId} is ${data.state}${data.verdict ? ` (verdict ${data.verdict})` : ''} and has no pending undo: nothing to roll back, nothing changed. To go back after a failover, run the switchback (\`pnpm drill rollback ${data.runId} --restore\` or \`pnpm drill switchback\`)`,
    );
  }
  // A killed run wrote no result.json: this rollback writes its record (again, if an earlier one was incomplete).
  const prior = priorInterrupted(runDir);
  const lastSeenAt = data.updatedAt;
  run.emit({
    kind: 'process',
    pid: process.pid,
    role: 'rollback',
    ...(data.scenario.file ? { scenarioFile: data.scenario.file } : {}),
    targetKind: target.kind,
    ...(data.target.file ? { targetFile: data.target.file } : {}),
  });
  const before = { undos: run.undoOutcomes.length, steps: run.steps.length, rollForward: run.rollForward };
  await restorePhase(run, { restoreSteps: opts.restore ?? false });
  const undos = run.undoOutcomes.slice(before.undos);
  const restore = run.steps
    .slice(before.steps)
    .filter((s) => s.phase === 'restore')
    .map((s) => ({
      title: s.title,
      status: s.status === 'ok' ? ('done' as const) : ('failed' as const),
      ...(s.error ? { error: s.error } : {}),
    }));
  // The killed run's own roll forward (replayed) is not this rollback's.
  const rollForward = run.rollForward === before.rollForward ? undefined : run.rollForward;
  const failed =
    undos.filter((u) => u.status === 'failed').length +
    restore.filter((r) => r.status === 'failed').length +
    (rollForward?.failed || rollForward?.serving?.ok === false ? 1 : 0);
  const finalState = failed > 0 ? 'rollback-incomplete' : 'rolled-back';
  const wayBack = exactWayBack(run.startedIrreversible[0]?.wayBack ?? '', data.runId, target);
  const lock = await releaseLockOf(
    target,
    run.contextWith(AbortSignal.timeout(60_000), { phase: 'restore', stepId: 'lock' }),
    data.runId,
    outDirOf(runDir),
    failed > 0
      ? {
          keep: `the rollback is incomplete (${failed} failed): run \`pnpm drill rollback ${data.runId}\` again`,
        }
      : {},
  );
  run.emit({
    kind: 'lock',
    where: lock.where,
    status: LOCK_STATUS[lock.status],
    detail: `after \`drill rollback\`: ${lock.status}${lock.detail ? `: ${lock.detail}` : ''}`,
  });
  const said = rollbackReason(data, finalState, rollForward, wayBack);
  run.emit({
    kind: 'rollback-end',
    state: finalState,
    done: undos.length - failed,
    failed,
    ...(said ?? {}),
  });
  await run.emitter.flush();
  run.emitter.close();
  let resultFile: string | undefined;
  const after = journal.fold.data;
  if (prior !== null && after) {
    resultFile = join(runDir, RESULT_FILE);
    const result = interruptedResult(
      after,
      scenario,
      target,
      {
        lastSeenAt,
        at: new Date(),
        state: finalState,
        rollForward,
        rollForwardFailed: rollForward ? rollForwardFailure(rollForward, data.runId, wayBack) : '',
        lock,
      },
      prior,
    );
    writeFileAtomic(resultFile, `${JSON.stringify(redactor.redact(result), null, 2)}\n`, 0o644);
  }
  const irreversible = opts.restore
    ? []
    : run.startedIrreversible.map((s) => ({
        stepId: s.stepId,
        title: s.title,
        wayBack: exactWayBack(s.wayBack, data.runId, target),
      }));
  return {
    runId: data.runId,
    state: finalState,
    ...(rollForward ? { rollForward } : {}),
    undos,
    restore,
    irreversible,
    lock,
    ...(resultFile ? { resultFile } : {}),
  };
}

/**
 * The run's last word after a rollback: a killed run had no verdict (it is `aborted`, with what the rollback did); a
 * finished run keeps its verdict, and its reason gains the roll forward, if there was one.
 */
function rollbackReason(
  d: Readonly<JournalData>,
  state: RollbackResult['state'],
  forward: RollForwardOutcome | undefined,
  wayBack: string,
): Pick<JournalData, 'verdict' | 'reason'> | undefined {
  const did = forward
    ? `\`drill rollback\` ${rollForwardSummary(forward)}, then rolled back the rest`
    : 'rolled back by `drill rollback`';
  const loud = forward ? rollForwardFailure(forward, d.runId, wayBack) : '';
  const parts = [
    state === 'rolled-back' ? did : `${did}: incomplete, run \`pnpm drill rollback ${d.runId}\` again`,
    ...(loud ? [loud] : []),
  ];
  if (d.verdict === undefined) {
    return { verdict: 'aborted', reason: [`killed (pid ${d.pid}) during ${d.phase}`, ...parts].join('; ') };
  }
  if (!forward) return undefined;
  return { verdict: d.verdict, reason: [d.reason ?? d.verdict, ...parts].join('; ') };
}

/** The rollback's progress, a listener of the events it emits: one line per roll-forward step, undo and restore step. */
function rollbackProgress(say: (line: string) => void): Reporter {
  const icon = (status: string) => (status === 'ok' ? '✔' : status === 'deviation' ? '⚠' : '✖');
  return {
    onLog: (e: EventOf<'log'>) => {
      if (e.level !== 'debug') say(e.level === 'warn' ? `⚠ ${e.message}` : e.message);
    },
    onStepEnd: (e: EventOf<'step-end'>) => {
      const error = e.error ? `: ${e.error}` : '';
      if (e.phase === 'restore') say(`${e.status === 'ok' ? '✔' : '✖'} restore ${e.title}${error}`);
      else say(`${icon(e.status)} roll forward ${e.title}: ${e.status}${error}`);
    },
    onUndo: (e: EventOf<'undo'>) => {
      say(
        e.note
          ? `↷ undo ${e.title}: ${e.note}`
          : `↶ undo ${e.title}: ${e.status}${e.error ? `: ${e.error}` : ''}`,
      );
    },
  };
}

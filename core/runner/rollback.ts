// `drill rollback <run-id>`: runs the undos a run left pending, from its journal, in a new process.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FileAuditLog } from '../audit.ts';
import { createClock } from '../clock.ts';
import { parseDuration } from '../duration.ts';
import { DrillError, errorMessage } from '../errors.ts';
import { Journal, type JournalData, writeFileAtomic } from '../journal.ts';
import type { RunContext, Scenario, StepDefinition, Target } from '../model.ts';
import { isProcessAlive } from '../process-alive.ts';
import { REDACTOR_STATE_KEY, Redactor } from '../redact.ts';
import { type LockReleaseOutcome, outDirOf, releaseLockOf } from '../safety/lock.ts';
import { exactWayBack } from '../safety/way-back.ts';
import { type UndoOutcome, UndoStack } from '../undo.ts';
import { withDeadline } from './deadline.ts';
import { stepId } from './ids.ts';
import { interruptedResult, priorInterrupted } from './interrupted-result.ts';
import { RESULT_FILE } from './report.ts';
import type { RollForwardOutcome } from './roll-forward.ts';
import { rollForwardFailure } from './roll-forward.ts';
import {
  rollbackReason,
  rollForwardFromJournal,
  rollForwardPlanOf,
  wayBackOf,
} from './roll-forward-journal.ts';
import { DEFAULT_STEP_TIMEOUT } from './step-runner.ts';

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
  const journal = Journal.load(runDir);
  const data = journal.data;
  if (data.state === 'running' && data.pid !== process.pid && isProcessAlive(data.pid)) {
    throw new DrillError(
      'E_USAGE',
      `run ${data.runId} is still running (pid ${data.pid}): press Ctrl-C in its terminal (it rolls back itself), or stop that process first`,
    );
  }
  if (
    data.state !== 'running' &&
    journal.pendingUndos().length === 0 &&
    !rollForwardPlanOf(data, scenario) &&
    !opts.restore
  ) {
    // A finished or rolled-back run holds nothing to undo: rewriting its journal would falsify its record.
    throw new DrillError(
      'E_USAGE',
      `run ${data.runId} is ${data.state}${data.verdict ? ` (verdict ${data.verdict})` : ''} and has no pending undo: nothing to roll back, nothing changed. To go back after a failover, run the switchback (\`pnpm drill rollback ${data.runId} --restore\` or \`pnpm drill switchback\`)`,
    );
  }
  // A killed run wrote no result.json: this rollback writes its record (again, if an earlier one was incomplete).
  const prior = priorInterrupted(runDir);
  const lastSeenAt = data.updatedAt;
  const redactor = opts.redactor ?? new Redactor();
  const audit = new FileAuditLog({ file: join(runDir, 'actions.jsonl'), redactor, dryRun: false });
  const state = new Map<string, unknown>([[REDACTOR_STATE_KEY, redactor]]);
  const clock = createClock();
  const say = (line: string) => opts.onProgress?.(redactor.redactText(line));
  const context = (signal: AbortSignal, id: string): RunContext<R> => ({
    runId: data.runId,
    scenario,
    target,
    signal,
    dryRun: false,
    clock,
    log: { info: say, warn: (m) => say(`⚠ ${m}`), debug: () => {} },
    audit: audit.bind({ phase: 'rollback', stepId: id }),
    state,
    attach: async (name, contentType, body) => {
      const dir = join(runDir, 'attachments');
      mkdirSync(dir, { recursive: true });
      const safe = `rollback-${name.replace(/[^A-Za-z0-9._-]+/g, '_')}`;
      writeFileSync(join(dir, safe), typeof body === 'string' ? redactor.redactText(body) : body);
      return { name, contentType, path: `attachments/${safe}` };
    },
  });

  const stack = new UndoStack();
  // Oldest first, so the stack unwinds most recent first.
  for (const undo of [...journal.pendingUndos()].reverse()) {
    const step = undo.kind === 'step' ? scenario.failover.find((s) => stepId(s) === undo.stepId) : undefined;
    const timeout = undo.kind === 'fault' ? scenario.fault.timeout : step?.timeout;
    const index = step ? scenario.failover.indexOf(step) : -1;
    stack.push({
      id: undo.id,
      kind: undo.kind,
      stepId: undo.stepId,
      title: undo.title,
      undoData: undo.undoData,
      timeoutMs: parseDuration(timeout ?? DEFAULT_STEP_TIMEOUT),
      timeoutSetting: undo.kind === 'fault' ? 'fault.timeout' : `failover[${index}].timeout`,
      file: data.scenario.file,
      run: async (signal, undoData) => {
        const ctx = context(signal, undo.stepId);
        if (undo.kind === 'fault') return scenario.fault.revert(ctx, undoData);
        if (!step?.undo) {
          throw new DrillError(
            'E_NOT_FOUND',
            `step "${undo.stepId}" has no undo in ${data.scenario.file ?? scenario.name} any more`,
          );
        }
        return step.undo(ctx, undoData);
      },
    });
  }
  const keep = keptFailover(data);
  const rollForward = await rollForwardFromJournal(journal, scenario, context, say, redactor);
  const undos = await stack.unwind({
    keep: (entry) => (entry.kind === 'step' && entry.id.startsWith('failover:') ? keep : undefined),
    onDone: (_entry, outcome) => {
      const error = outcome.error === undefined ? undefined : redactor.redactText(outcome.error);
      say(
        outcome.note
          ? `↷ undo ${outcome.title}: ${outcome.note}`
          : `↶ undo ${outcome.title}: ${outcome.status}${error ? `: ${error}` : ''}`,
      );
      journal.update((d) => {
        const u = d.undos.find((x) => x.id === outcome.id);
        if (!u) return;
        u.status = outcome.status;
        u.outcome = {
          at: new Date().toISOString(),
          durationMs: Math.round(outcome.durationMs),
          by: 'rollback',
          pid: process.pid,
          ...(error ? { error } : {}),
          ...(outcome.note ? { note: outcome.note } : {}),
        };
      });
    },
  });
  const restore = opts.restore ? await runRestoreSteps(scenario.restore ?? [], context, say) : [];
  const failed =
    undos.filter((u) => u.status === 'failed').length +
    restore.filter((r) => r.status === 'failed').length +
    (rollForward?.failed || rollForward?.serving?.ok === false ? 1 : 0);
  const finalState = failed > 0 ? 'rollback-incomplete' : 'rolled-back';
  const wayBack = wayBackOf(data, target);
  journal.update((d) => {
    d.state = finalState;
    d.rollbacks.push({ at: new Date().toISOString(), pid: process.pid, done: undos.length - failed, failed });
    const said = rollbackReason(d, finalState, rollForward, wayBack);
    if (said) Object.assign(d, said);
  });
  const lock = await releaseLockOf(
    target,
    context(AbortSignal.timeout(60_000), 'lock'),
    data.runId,
    outDirOf(runDir),
    {
      ...(failed > 0
        ? {
            keep: `the rollback is incomplete (${failed} failed): run \`pnpm drill rollback ${data.runId}\` again`,
          }
        : {}),
    },
  );
  let resultFile: string | undefined;
  if (prior !== null) {
    resultFile = join(runDir, RESULT_FILE);
    const result = interruptedResult(
      journal.data,
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
    : data.steps
        .filter((s) => s.irreversible && s.phase === 'failover')
        .map((s) => ({
          stepId: s.id,
          title: s.title,
          wayBack: exactWayBack(s.irreversible?.wayBack ?? '', data.runId, target),
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
 * The runner's rule, applied from the journal: once the failover completed or an irreversible step
 * started, failover-step undos are kept (undoing them would take the serving region away); the way
 * back is the restore steps (`--restore`). The fault is always reverted.
 */
function keptFailover(data: JournalData): string | undefined {
  const irreversible = data.steps.find((s) => s.phase === 'failover' && s.irreversible);
  if (irreversible?.irreversible) {
    return `kept: "${irreversible.title}" cannot be undone; way back: ${exactWayBack(irreversible.irreversible.wayBack, data.runId, data.target)}`;
  }
  if (data.phases.some((p) => p.phase === 'failover' && p.status === 'ok')) {
    return 'kept: the failover completed and is the outcome of the drill';
  }
  return undefined;
}

async function runRestoreSteps<R>(
  steps: StepDefinition<R>[],
  context: (signal: AbortSignal, id: string) => RunContext<R>,
  say: (line: string) => void,
): Promise<RollbackResult['restore']> {
  const out: RollbackResult['restore'] = [];
  for (const [i, step] of steps.entries()) {
    try {
      await withDeadline((signal) => step.run(context(signal, stepId(step))), {
        ms: parseDuration(step.timeout ?? DEFAULT_STEP_TIMEOUT),
        what: `restore step "${step.title}"`,
        setting: `restore[${i}].timeout`,
      });
      out.push({ title: step.title, status: 'done' });
      say(`✔ restore ${step.title}`);
    } catch (error) {
      out.push({ title: step.title, status: 'failed', error: errorMessage(error) });
      say(`✖ restore ${step.title}: ${errorMessage(error)}`);
    }
  }
  return out;
}

// Runs one runbook step: undo registered first, deadline, journal, events, deviations.
import { DrillError, errorMessage, isAbortError } from '../errors.ts';
import type { StepDefinition, StepOutcome } from '../model.ts';
import { withDeadline } from './deadline.ts';
import type { DrillRun, StepRecord } from './drill-run.ts';
import { stepId } from './ids.ts';

export const DEFAULT_STEP_TIMEOUT = '5m';

export interface StepSlot {
  phase: 'failover' | 'restore';
  /** Where the step sits in the scenario, e.g. `failover[1]`: names the timeout setting. */
  path: string;
  /** A failover step run after an abort to reach a serving region: its own deadline only, its undo registered once. */
  rollForward?: boolean;
}

/**
 * Runs `step`. A best-effort failure is recorded as a deviation and returns; any other failure throws
 * E_STEP_FAILED (or the abort error). Restore and rolled-forward steps run under their own deadline only,
 * since they run after an abort.
 */
export async function runStep<R>(
  run: DrillRun<R>,
  step: StepDefinition<R>,
  slot: StepSlot,
): Promise<StepRecord> {
  const id = stepId(step);
  const undoId = `${slot.phase}:${id}`;
  const timeoutMs = run.ms(step.timeout ?? DEFAULT_STEP_TIMEOUT);
  const plannedAtMs = step.plannedAt === undefined ? undefined : run.ms(step.plannedAt);
  const undo = step.undo;
  // A rolled-forward step that was interrupted earlier has its undo registered already.
  if (undo && slot.phase === 'failover' && !run.undo.pending.some((e) => e.id === undoId)) {
    run.journalUndo(undoId, 'step', id, step.title);
    run.undo.push({
      id: undoId,
      kind: 'step',
      stepId: id,
      title: step.title,
      timeoutMs,
      timeoutSetting: `${slot.path}.timeout`,
      file: run.scenarioFile,
      run: (signal, undoData) => undo(run.contextWith(signal, { phase: 'restore', stepId: id }), undoData),
    });
  }
  if (step.irreversible && !run.startedIrreversible.some((i) => i.stepId === id)) {
    run.startedIrreversible.push({ stepId: id, title: step.title, ...step.irreversible });
  }
  const startedAt = run.clock.now();
  run.journal.update((d) => {
    d.steps.push({
      id,
      title: step.title,
      phase: slot.phase,
      status: 'running',
      startedAt: new Date().toISOString(),
      ...(step.irreversible ? { irreversible: step.irreversible } : {}),
    });
  });
  run.emit({
    kind: 'step-start',
    phase: slot.phase,
    stepId: id,
    title: step.title,
    runbook: step.runbook,
    plannedAtMs,
  });

  let outcome: StepOutcome | undefined;
  let error: unknown;
  try {
    outcome = await withDeadline(
      (signal) => step.run(run.contextWith(signal, { phase: slot.phase, stepId: id })),
      {
        ms: timeoutMs,
        what: `step "${step.title}"`,
        setting: `${slot.path}.timeout`,
        file: run.scenarioFile,
        parent: slot.phase === 'restore' || slot.rollForward ? undefined : run.signal,
      },
    );
  } catch (e) {
    error = e;
  }
  const endedAt = run.clock.now();
  if (outcome?.undoData !== undefined && undo && slot.phase === 'failover') {
    run.undo.setUndoData(undoId, outcome.undoData);
    run.journalUndoData(undoId, outcome.undoData);
  }
  const sinceT0Ms = run.sinceT0(endedAt);
  const lateByMs =
    plannedAtMs !== undefined && sinceT0Ms !== undefined && sinceT0Ms > plannedAtMs
      ? sinceT0Ms - plannedAtMs
      : undefined;
  // The run's signal is already aborted when a step rolls forward: its failure is a failure, not the abort.
  const aborted = error !== undefined && !slot.rollForward && (isAbortError(error) || run.signal.aborted);
  const status = error === undefined ? 'ok' : aborted ? 'aborted' : step.bestEffort ? 'deviation' : 'failed';
  const message = error === undefined ? undefined : run.redactor.redactText(errorMessage(error));
  const record: StepRecord = {
    id,
    title: step.title,
    phase: slot.phase,
    ...(step.runbook ? { runbook: step.runbook } : {}),
    status,
    startMs: Math.round(startedAt),
    endMs: Math.round(endedAt),
    durationMs: Math.round(endedAt - startedAt),
    ...(sinceT0Ms === undefined ? {} : { sinceT0Ms }),
    ...(plannedAtMs === undefined ? {} : { plannedAtMs }),
    ...(lateByMs === undefined ? {} : { lateByMs }),
    ...(outcome?.detail ? { detail: run.redactor.redactText(outcome.detail) } : {}),
    ...(message ? { error: message } : {}),
    ...(outcome?.measurements ? { measurements: outcome.measurements } : {}),
  };
  run.steps.push(record);
  if (status === 'ok' && slot.phase === 'failover') run.milestones.push({ name: id, at: endedAt });
  if (lateByMs !== undefined) {
    run.deviations.push({
      stepId: id,
      kind: 'late',
      message: `"${step.title}" ended ${lateByMs}ms after its planned offset`,
    });
  }
  if (status === 'deviation') {
    run.deviations.push({
      stepId: id,
      kind: 'best-effort-failed',
      message: `"${step.title}" failed: ${message}`,
    });
  }
  run.journal.update((d) => {
    const entry = d.steps.findLast((s) => s.id === id && s.phase === slot.phase);
    if (entry) {
      entry.status = status;
      entry.endedAt = new Date().toISOString();
      if (message) entry.error = message;
    }
  });
  run.emit({
    kind: 'step-end',
    phase: slot.phase,
    stepId: id,
    title: step.title,
    status,
    durationMs: record.durationMs,
    plannedAtMs,
    lateByMs,
    detail: record.detail,
    error: message,
  });
  if (status === 'aborted') throw error;
  if (status === 'failed') {
    throw new DrillError('E_STEP_FAILED', `step "${step.title}" (${slot.path}) failed: ${message}`, {
      cause: error,
    });
  }
  return record;
}

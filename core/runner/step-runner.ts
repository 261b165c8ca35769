// Runs one unit of the runbook, the fault included: undo registered first, deadline, events, deviations.
import { DrillError, errorMessage, isAbortError } from '../errors.ts';
import { t0Of } from '../measure/t0.ts';
import type { FaultDefinition, StepDefinition, StepOutcome } from '../model.ts';
import type { UndoEntry } from '../undo.ts';
import { withDeadline } from './deadline.ts';
import type { DrillRun, StepRecord } from './drill-run.ts';
import { stepId } from './ids.ts';

export const DEFAULT_STEP_TIMEOUT = '5m';

export interface StepSlot {
  /** `inject` is the fault: its undo is the revert, and its success marks T0. */
  phase: 'inject' | 'failover' | 'restore';
  /** Where the step sits in the scenario, e.g. `failover[1]` or `fault`: names the timeout setting. */
  path: string;
  /** A failover step run after an abort to reach a serving region: its own deadline only, its undo registered once. */
  rollForward?: boolean;
}

/** The scenario's fault as a step: inject() runs it, revert() undoes it. */
export function faultStep<R>(fault: FaultDefinition<R>): StepDefinition<R> {
  return {
    id: 'fault',
    title: fault.title,
    ...(fault.runbook ? { runbook: fault.runbook } : {}),
    ...(fault.timeout ? { timeout: fault.timeout } : {}),
    run: (ctx) => fault.inject(ctx),
    undo: (ctx, undoData) => fault.revert(ctx, undoData),
  };
}

/** The undo of a step in its slot (the fault's is "fault"): under the step's own timeout, in a restore context. */
export function undoEntryOf<R>(
  run: DrillRun<R>,
  step: StepDefinition<R>,
  slot: StepSlot,
): UndoEntry | undefined {
  const undo = step.undo;
  if (!undo || slot.phase === 'restore') return undefined;
  const id = stepId(step);
  const fault = slot.phase === 'inject';
  return {
    id: fault ? 'fault' : `${slot.phase}:${id}`,
    kind: fault ? 'fault' : 'step',
    stepId: id,
    title: step.title,
    timeoutMs: run.ms(step.timeout ?? DEFAULT_STEP_TIMEOUT),
    timeoutSetting: `${slot.path}.timeout`,
    file: run.scenarioFile,
    run: (signal, undoData) => undo(run.contextWith(signal, { phase: 'restore', stepId: id }), undoData),
  };
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
  const timeoutMs = run.ms(step.timeout ?? DEFAULT_STEP_TIMEOUT);
  const plannedAtMs = step.plannedAt === undefined ? undefined : run.ms(step.plannedAt);
  const undo = undoEntryOf(run, step, slot);
  // A rolled-forward step that was interrupted earlier has its undo registered already.
  if (undo && !run.undo.pending.some((e) => e.id === undo.id)) run.registerUndo(undo);
  const startedAt = run.emit({
    kind: 'step-start',
    phase: slot.phase,
    stepId: id,
    title: step.title,
    runbook: step.runbook,
    plannedAtMs,
  }).at;
  if (step.irreversible) {
    run.emit({
      kind: 'irreversible',
      phase: slot.phase,
      stepId: id,
      title: step.title,
      ...step.irreversible,
    });
  }

  let outcome: StepOutcome | undefined;
  let error: unknown;
  try {
    outcome = await withDeadline(
      (signal) => step.run(run.contextWith(signal, { phase: slot.phase, stepId: id })),
      {
        ms: timeoutMs,
        what: slot.phase === 'inject' ? `fault "${step.title}"` : `step "${step.title}"`,
        setting: `${slot.path}.timeout`,
        file: run.scenarioFile,
        parent: slot.phase === 'restore' || slot.rollForward ? undefined : run.signal,
      },
    );
  } catch (e) {
    error = e;
  }
  // The fault's success marks T0: when it took effect, which may be before inject() resolved.
  const t0 =
    slot.phase === 'inject' && error === undefined
      ? run.clock.markT0(t0Of(outcome?.measurements, startedAt, run.clock.now()))
      : undefined;
  if (t0 !== undefined) run.emit({ kind: 't0', t0Ms: t0, t0At: run.clock.wall(t0).toISOString() });
  if (undo) run.setUndoData(undo.id, outcome?.undoData);
  const endedAt = run.clock.now();
  const sinceT0Ms = run.sinceT0(endedAt);
  const lateByMs =
    plannedAtMs !== undefined && sinceT0Ms !== undefined && sinceT0Ms > plannedAtMs
      ? sinceT0Ms - plannedAtMs
      : undefined;
  // The run's signal is already aborted when a step rolls forward: its failure is a failure, not the abort.
  const aborted = error !== undefined && !slot.rollForward && (isAbortError(error) || run.signal.aborted);
  const status = error === undefined ? 'ok' : aborted ? 'aborted' : step.bestEffort ? 'deviation' : 'failed';
  const message = error === undefined ? undefined : run.redactor.redactText(errorMessage(error));
  if (lateByMs !== undefined) {
    run.deviate({
      stepId: id,
      kind: 'late',
      message: `"${step.title}" ended ${lateByMs}ms after its planned offset`,
    });
  }
  if (status === 'deviation') {
    run.deviate({
      stepId: id,
      kind: 'best-effort-failed',
      message: `"${step.title}" failed: ${message}`,
    });
  }
  run.emit(
    {
      kind: 'step-end',
      phase: slot.phase,
      stepId: id,
      title: step.title,
      status,
      durationMs: Math.round((t0 ?? endedAt) - startedAt),
      plannedAtMs,
      lateByMs,
      detail: outcome?.detail ? run.redactor.redactText(outcome.detail) : undefined,
      error: message,
      ...(outcome?.measurements && slot.phase !== 'inject' ? { measurements: outcome.measurements } : {}),
    },
    endedAt,
  );
  if (status === 'aborted') throw error;
  if (status === 'failed') {
    throw new DrillError('E_STEP_FAILED', `step "${step.title}" (${slot.path}) failed: ${message}`, {
      cause: error,
    });
  }
  return run.steps.at(-1) as StepRecord;
}

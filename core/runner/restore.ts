// Restore: scenario.restore steps and the undo stack (reverse order, own deadlines, keep going). The one restore
// engine: a live run's restore phase and `drill rollback` (on the run replayed from its events) both run it.
import { errorMessage } from '../errors.ts';
import { exactWayBack } from '../safety/way-back.ts';
import type { DrillRun } from './drill-run.ts';
import { checkProbe } from './probes.ts';
import {
  executeRollForward,
  planRollForward,
  type RollForwardPlan,
  rollForwardFailure,
  rollForwardStartMessage,
  rollForwardSummary,
} from './roll-forward.ts';
import { awaitServing } from './serving.ts';
import { runStep } from './step-runner.ts';

/** Stops whatever is still running in the background (ledger, activities); never throws. */
export async function stopBackground<R>(run: DrillRun<R>): Promise<void> {
  const ctx = run.contextWith(AbortSignal.timeout(30_000), { phase: 'restore' });
  const ledger = run.scenario.ledger;
  if (ledger && run.ledgerRunning) {
    run.emit({ kind: 'background', name: ledger.name, role: 'ledger', state: 'stopping' });
    await ledger.stop(ctx).catch((error: unknown) => {
      run.deviate({
        kind: 'ledger-stop-failed',
        message: `ledger "${ledger.name}" stop failed: ${errorMessage(error)}`,
      });
    });
  }
  for (const activity of run.scenario.background ?? []) {
    if (!run.backgroundStarted.includes(activity.name)) continue;
    const stopped = { kind: 'background', name: activity.name, role: 'activity', state: 'stopped' } as const;
    try {
      run.emit({ ...stopped, summary: run.redactor.redact(await activity.stop(ctx)) });
    } catch (error) {
      run.emit({ ...stopped, error: run.redactor.redactText(errorMessage(error)) });
    }
  }
}

export interface RestoreOptions {
  /** Run the scenario's restore steps (a live run always does; `drill rollback` with --restore). */
  restoreSteps: boolean;
}

/**
 * Normal order: restore steps, then the undo stack. After an abort (or a kill: `drill rollback`): the failover
 * finished first if a step that cannot be undone started (roll forward), then the undo stack, then restore steps.
 * A failover step that failed on its own after the promotion leaves the target as dark as an abort would.
 */
export async function restorePhase<R>(
  run: DrillRun<R>,
  opts: RestoreOptions = { restoreSteps: true },
): Promise<void> {
  const failedOnItsOwn = run.phases.some((p) => p.phase === 'failover' && p.status === 'failed');
  if (run.signal.aborted) {
    await rollForward(run, failedOnItsOwn ? 'failure' : undefined);
    await unwind(run);
    if (opts.restoreSteps) await restoreSteps(run);
  } else {
    if (failedOnItsOwn) await rollForward(run, 'failure');
    if (opts.restoreSteps) await restoreSteps(run);
    await unwind(run);
  }
}

/** The failover steps the run still owes its target (undefined: none), from its record. */
export function rollForwardPlanOf<R>(run: DrillRun<R>): RollForwardPlan<R> | undefined {
  // A run that concluded as passed, or crashed on a bug, keeps its failover as it is (`drill rollback` of it).
  if (run.dryRun || run.record.verdict === 'passed' || run.record.verdict === 'error') return undefined;
  return planRollForward(
    run.scenario.failover,
    (id) => run.steps.findLast((s) => s.phase === 'failover' && s.id === id)?.status,
    run.startedIrreversible[0],
  );
}

/**
 * After an abort that came once an irreversible step started but before the failover finished, the remaining
 * failover steps are the only way to a serving region: run them (each under its own deadline), stop at the first
 * failure and say loudly what is left.
 */
export async function rollForward<R>(run: DrillRun<R>, cause?: 'failure'): Promise<void> {
  const plan = rollForwardPlanOf(run);
  if (!plan) return;
  run.emit({ kind: 'log', level: 'warn', message: rollForwardStartMessage(plan) });
  const outcome = await executeRollForward(plan, {
    ...(cause ? { cause } : {}),
    runOne: async ({ index, step }) => {
      await runStep(run, step, { phase: 'failover', path: `failover[${index}]`, rollForward: true });
    },
    serving: () => servingAfterRollForward(run),
    redact: (text) => run.redactor.redactText(text),
  });
  run.emit({ kind: 'roll-forward', ...outcome });
  const wayBack = exactWayBack(run.startedIrreversible[0]?.wayBack ?? '', run.runId, run.target);
  const failure = rollForwardFailure(outcome, run.runId, wayBack);
  run.deviate({
    stepId: plan.after.stepId,
    kind: outcome.failed
      ? 'roll-forward-failed'
      : outcome.serving?.ok === false
        ? 'roll-forward-not-serving'
        : 'rolled-forward',
    message: failure || rollForwardSummary(outcome),
  });
  run.emit(
    failure
      ? { kind: 'log', level: 'warn', message: failure }
      : { kind: 'log', level: 'info', message: rollForwardSummary(outcome) },
  );
}

/** The recovery probes, once per round, until a round passes whole: a region serves before the fault is reverted. */
function servingAfterRollForward<R>(run: DrillRun<R>) {
  // The run's signal is aborted already: the probes run under their own deadlines only.
  const live = new AbortController().signal;
  return awaitServing({
    probes: run.scenario.recovery,
    check: (probe, i) => checkProbe(run, probe, 'restore', `recovery[${i}]`, live),
    recoveryTimeout: run.scenario.recoveryTimeout ?? run.objectives.rto,
    now: () => run.clock.now(),
    say: (message) => run.emit({ kind: 'log', level: 'info', message }),
  });
}

async function restoreSteps<R>(run: DrillRun<R>): Promise<void> {
  // Nothing was injected: restoring (e.g. a switchback) would change a healthy system.
  if (!run.phases.some((p) => p.phase === 'inject')) return;
  for (const [i, step] of (run.scenario.restore ?? []).entries()) {
    try {
      await runStep(run, step, { phase: 'restore', path: `restore[${i}]` });
    } catch (error) {
      run.fail(errorMessage(error));
    }
  }
}

/**
 * Once the failover went through (every failover step done) or a step that cannot be undone started,
 * undoing earlier failover steps would take the serving region away (e.g. DNS back to a region whose
 * database is now a replica): they are kept, and the way back is the named one (the switchback).
 * The fault is always reverted.
 */
function keepFailoverSteps<R>(run: DrillRun<R>): string | undefined {
  const irreversible = run.startedIrreversible[0];
  const restoreSteps = run.steps.filter((s) => s.phase === 'restore');
  if (irreversible && restoreSteps.length > 0 && restoreSteps.every((s) => s.status === 'ok')) {
    return `kept: "${irreversible.title}" cannot be undone; the restore steps took the way back`;
  }
  if (irreversible) {
    return `kept: "${irreversible.title}" cannot be undone; way back: ${exactWayBack(irreversible.wayBack, run.runId, run.target)}`;
  }
  if (run.phases.some((p) => p.phase === 'failover' && p.status === 'ok')) {
    return 'kept: the failover completed and is the outcome of the drill';
  }
  return undefined;
}

async function unwind<R>(run: DrillRun<R>): Promise<void> {
  const keep = keepFailoverSteps(run);
  const outcomes = await run.undo.unwind({
    now: () => run.clock.now(),
    keep: (entry) => (entry.kind === 'step' && entry.id.startsWith('failover:') ? keep : undefined),
    onDone: (_entry, outcome) => {
      run.emit({
        kind: 'undo',
        undoId: outcome.id,
        stepId: outcome.stepId,
        title: outcome.title,
        status: outcome.status,
        durationMs: Math.round(outcome.durationMs),
        ...(outcome.error === undefined ? {} : { error: run.redactor.redactText(outcome.error) }),
        ...(outcome.note ? { note: outcome.note } : {}),
      });
    },
  });
  for (const failed of outcomes.filter((o) => o.status === 'failed')) {
    run.fail(
      `undo of "${failed.title}" failed: ${run.redactor.redactText(failed.error ?? '')}; retry with \`pnpm drill rollback ${run.runId}\``,
    );
  }
}

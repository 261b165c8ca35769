// A runbook line a person does (ticket, chat, pipeline freeze): never automated. On a run it waits for a person to
// confirm it (terminal prompt or live page, through the run's control channel, core/control), up to its bound; on
// the lab or with --auto-confirm it confirms at once. Who confirmed, how and after how long is the step's record.

import { autoConfirmOf } from '../core/control/auto-confirm.ts';
import {
  announceCheckpoint,
  awaitConfirmation,
  CHECKPOINT_WAIT_MEASUREMENT,
  confirmCheckpoint,
  withdrawCheckpoint,
} from '../core/control/index.ts';
import { runControlOf } from '../core/control/run-hook.ts';
import { formatDuration, parseDuration } from '../core/duration.ts';
import { DrillError } from '../core/errors.ts';
import { type Duration, defineStep, type RunbookRef, type StepDefinition } from '../core/model.ts';

/** How long a checkpoint waits for a person unless it says otherwise. */
export const DEFAULT_CHECKPOINT_WAIT: Duration = '15m';
/** The step's deadline is only a backstop behind the checkpoint's own bound. */
const DEADLINE_MARGIN_MS = 60_000;

export interface ManualCheckpointOptions {
  id: string;
  runbook: RunbookRef;
  title: string;
  instruction: string;
  plannedAt?: string;
  /** How long to wait for a person (default DEFAULT_CHECKPOINT_WAIT). */
  waitUpTo?: Duration;
  /** Nobody answered within waitUpTo: abort the run (default; as on Ctrl-C), or go on and record a deviation. */
  onTimeout?: 'abort' | 'continue';
}

export function manualCheckpoint<R>(opts: ManualCheckpointOptions): StepDefinition<R> {
  const waitUpToMs = parseDuration(opts.waitUpTo ?? DEFAULT_CHECKPOINT_WAIT);
  const onTimeout = opts.onTimeout ?? 'abort';
  return defineStep<R>({
    id: opts.id,
    title: `Manual: ${opts.title}`,
    runbook: opts.runbook,
    plannedAt: opts.plannedAt,
    timeout: `${waitUpToMs + DEADLINE_MARGIN_MS}ms`,
    plan: () => [],
    async run(ctx) {
      ctx.log.info(`manual checkpoint (${opts.runbook}): ${opts.instruction}`);
      const control = runControlOf(ctx as never);
      if (!control)
        return { detail: `manual checkpoint, not confirmed (no run to ask in): ${opts.instruction}` };
      const { runDir } = control;
      const event = {
        stepId: opts.id,
        title: opts.title,
        runbook: opts.runbook,
        waitUpToMs,
        onTimeout,
      };
      // After an abort (a roll forward to a serving region) nobody is waited for: the run must reach one now.
      if (control.runSignal.aborted) {
        const message = `"${opts.title}" (${opts.runbook}) was not confirmed: the run was aborted and rolls forward; do it by hand: ${opts.instruction}`;
        control.deviate({ stepId: opts.id, kind: 'checkpoint-unconfirmed', message });
        return { detail: `NOT confirmed (rolled forward after an abort): ${opts.instruction}` };
      }
      const auto = autoConfirmOf(runDir, ctx.target);
      const askedAt = performance.now();
      control.emitCheckpoint({ ...event, state: 'waiting', instruction: opts.instruction });
      if (auto.auto) confirmCheckpoint(runDir, opts.id, { by: auto.by, via: 'auto' });
      else {
        announceCheckpoint(runDir, {
          stepId: opts.id,
          title: opts.title,
          instruction: opts.instruction,
          runbook: opts.runbook,
          since: new Date().toISOString(),
          waitUpToMs,
          onTimeout,
        });
      }
      let answer: Awaited<ReturnType<typeof awaitConfirmation>>;
      try {
        answer = await awaitConfirmation(runDir, opts.id, ctx.signal, waitUpToMs, askedAt);
      } finally {
        withdrawCheckpoint(runDir, opts.id);
      }
      const { record, waitedMs } = answer;
      if (record.outcome === 'confirmed') {
        control.emitCheckpoint({
          ...event,
          state: 'confirmed',
          by: record.by,
          via: record.via,
          confirmedAt: record.at,
          waitedMs,
        });
        return {
          detail: `confirmed by ${record.by} via ${record.via} at ${record.at} after ${formatDuration(waitedMs)}: ${opts.instruction}`,
          measurements: { [CHECKPOINT_WAIT_MEASUREMENT]: waitedMs },
        };
      }
      control.emitCheckpoint({ ...event, state: 'timed-out', waitedMs });
      const unanswered = `nobody confirmed "${opts.title}" (${opts.runbook}) within ${formatDuration(waitUpToMs)}`;
      if (onTimeout === 'continue') {
        control.deviate({
          stepId: opts.id,
          kind: 'checkpoint-unconfirmed',
          message: `${unanswered}: the drill went on without it (onTimeout: continue)`,
        });
        return {
          detail: `NOT confirmed: ${unanswered}; went on (onTimeout: continue): ${opts.instruction}`,
          measurements: { [CHECKPOINT_WAIT_MEASUREMENT]: waitedMs },
        };
      }
      const reason = new DrillError('E_ABORTED', `aborted: ${unanswered} (onTimeout: abort)`);
      control.abort(reason);
      throw reason;
    },
  });
}

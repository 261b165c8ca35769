// What a manual checkpoint step needs of its run beyond RunContext: the run directory (the control channel), the
// event stream, the deviation list and the run's own abort. DrillRun puts it in ctx.state under this key.
import type { EventOf } from '../events.ts';
import type { RunContext } from '../model.ts';

export const RUN_CONTROL_STATE_KEY = 'drill:run-control';

type CheckpointEventInput = Omit<EventOf<'checkpoint'>, 'at' | 'wallMs' | 'sinceT0Ms' | 'kind' | 'phase'>;

export interface RunControlHook {
  runDir: string;
  /** The run's own signal (a step's signal is its own during a roll forward). */
  runSignal: AbortSignal;
  /** Emits a checkpoint event, in the phase the run is in. */
  emitCheckpoint(event: CheckpointEventInput): void;
  deviate(deviation: { stepId: string; kind: string; message: string }): void;
  /** Aborts the whole run, as Ctrl-C does (rollback and roll-forward rules apply). */
  abort(reason: Error): void;
}

export function runControlOf(ctx: RunContext<unknown>): RunControlHook | undefined {
  return ctx.state.get(RUN_CONTROL_STATE_KEY) as RunControlHook | undefined;
}

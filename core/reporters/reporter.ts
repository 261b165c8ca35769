// Reporters are optional hooks, like vitest's reporter interface: implement only what you need.
import type { EventOf, RecordKind } from '../events.ts';

type Awaitable<T> = T | Promise<T>;

export interface Reporter {
  onRunStart?(event: EventOf<'run-start'>): Awaitable<void>;
  onPlan?(event: EventOf<'plan'>): Awaitable<void>;
  onPhaseStart?(event: EventOf<'phase-start'>): Awaitable<void>;
  onPhaseEnd?(event: EventOf<'phase-end'>): Awaitable<void>;
  onStepStart?(event: EventOf<'step-start'>): Awaitable<void>;
  onStepEnd?(event: EventOf<'step-end'>): Awaitable<void>;
  onProbeSample?(event: EventOf<'probe-sample'>): Awaitable<void>;
  onUndo?(event: EventOf<'undo'>): Awaitable<void>;
  onLog?(event: EventOf<'log'>): Awaitable<void>;
  onCheckpoint?(event: EventOf<'checkpoint'>): Awaitable<void>;
  onRunEnd?(event: EventOf<'run-end'>): Awaitable<void>;
  /** The record kinds `drill rollback` replays (undo registrations and data, irreversible steps, T0, the lock, the
   *  writing process, deviations, a rollback's end): most reporters need none of them. */
  onRecord?(event: EventOf<RecordKind>): Awaitable<void>;
}

// The run's transitions as a fold of its events, in monotonic ms: the phases and steps result.json reports, the
// irreversible steps started, the undo outcomes, the lock, T0 and the verdict. The live run applies each event it
// emits; `drill rollback` applies the killed run's events first (core/runner/replay.ts), so both see one state.
import type { DrillEvent, EventOf } from '../events.ts';
import type { RunResult } from './result-schema.ts';

export type StepRecord = RunResult['steps'][number];
export type PhaseRecord = RunResult['phases'][number];
type Lock = NonNullable<RunResult['safety']>['lock'];

export class RunRecord {
  readonly phases: PhaseRecord[] = [];
  readonly steps: StepRecord[] = [];
  /** Irreversible steps that started, once each, in order. */
  readonly irreversible: RunResult['irreversible'] = [];
  readonly undoOutcomes: RunResult['undo'] = [];
  readonly deviations: RunResult['deviations'] = [];
  /** Failover steps that ended ok, at their end (the RTO's phase split). */
  readonly milestones: { name: string; at: number }[] = [];
  lock: Lock = null;
  t0: number | undefined;
  /** Set by run-end (the run concluded) and by a rollback that rewrote it. */
  verdict: RunResult['verdict'] | undefined;
  readonly #phaseStarts = new Map<string, number>();
  readonly #stepStarts = new Map<string, EventOf<'step-start'>>();
  readonly #undoKinds = new Map<string, 'fault' | 'step'>();
  /** The step open when T0 was marked: its success marked it (the fault). */
  #open: string | undefined;
  #t0Step: string | undefined;

  apply(e: DrillEvent): void {
    switch (e.kind) {
      case 'phase-start':
        this.#phaseStarts.set(e.phase, e.at);
        return;
      case 'phase-end': {
        const startMs = Math.round(this.#phaseStarts.get(e.phase) ?? e.at - e.durationMs);
        this.phases.push({
          phase: e.phase,
          status: e.status,
          startMs,
          endMs: Math.round(e.at),
          durationMs: e.durationMs,
          ...(e.detail ? { detail: e.detail } : {}),
        });
        return;
      }
      case 'step-start':
        this.#open = `${e.phase}:${e.stepId}`;
        this.#stepStarts.set(this.#open, e);
        return;
      case 'irreversible':
        if (!this.irreversible.some((i) => i.stepId === e.stepId))
          this.irreversible.push({ stepId: e.stepId, title: e.title, reason: e.reason, wayBack: e.wayBack });
        return;
      case 't0':
        this.t0 = e.t0Ms;
        this.#t0Step = this.#open;
        return;
      case 'step-end':
        this.#stepEnd(e);
        return;
      case 'undo-registered':
        this.#undoKinds.set(e.undoId, e.undoKind);
        return;
      case 'undo': {
        const id = e.undoId ?? e.stepId;
        this.undoOutcomes.push({
          id,
          kind: this.#undoKinds.get(id) ?? (id === 'fault' ? 'fault' : 'step'),
          stepId: e.stepId,
          title: e.title,
          status: e.status,
          durationMs: e.durationMs,
          ...(e.error ? { error: e.error } : {}),
          ...(e.note ? { note: e.note } : {}),
        });
        return;
      }
      case 'deviation':
        this.deviations.push({
          ...(e.stepId ? { stepId: e.stepId } : {}),
          kind: e.deviationKind,
          message: e.message,
        });
        return;
      case 'lock':
        this.lock = { where: e.where, status: e.status, ...(e.detail ? { detail: e.detail } : {}) };
        return;
      case 'run-end':
        this.verdict = e.verdict;
        return;
      case 'rollback-end':
        if (e.verdict) this.verdict = e.verdict;
        return;
      default:
        return;
    }
  }

  #stepEnd(e: EventOf<'step-end'>): void {
    const key = `${e.phase}:${e.stepId}`;
    const start = this.#stepStarts.get(key);
    if (this.#open === key) this.#open = undefined;
    const startMs = Math.round(start?.at ?? e.at - e.durationMs);
    // The step whose success marked T0 (the fault) ends at T0, which may be earlier than its end event.
    const marksT0 = this.t0 !== undefined && this.#t0Step === key && e.status === 'ok';
    if (marksT0) this.#t0Step = undefined;
    const endMs = marksT0 ? Math.round(this.t0 as number) : Math.round(e.at);
    const sinceT0Ms = marksT0 ? 0 : e.sinceT0Ms;
    this.steps.push({
      id: e.stepId,
      title: e.title,
      // Steps run in inject (the fault), failover and restore only.
      phase: e.phase as StepRecord['phase'],
      ...(start?.runbook ? { runbook: start.runbook } : {}),
      status: e.status,
      startMs,
      endMs,
      durationMs: e.durationMs,
      ...(sinceT0Ms === undefined ? {} : { sinceT0Ms }),
      ...(e.plannedAtMs === undefined ? {} : { plannedAtMs: e.plannedAtMs }),
      ...(e.lateByMs === undefined ? {} : { lateByMs: e.lateByMs }),
      ...(e.detail ? { detail: e.detail } : {}),
      ...(e.error ? { error: e.error } : {}),
      ...(e.measurements ? { measurements: e.measurements } : {}),
    });
    if (e.status === 'ok' && e.phase === 'failover') this.milestones.push({ name: e.stepId, at: e.at });
  }
}

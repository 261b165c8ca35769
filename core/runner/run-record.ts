// The run as a fold of its events, in monotonic ms: the phases and steps result.json reports, the irreversible steps
// started, the undo outcomes, the lock, T0, the plan, the probe checks and recovery samples, RTO and RPO, the
// background activities, attachments, safety checks, the failures found and the verdict. The live run applies each
// event it emits; `drill rollback` applies the killed run's events first (core/runner/replay.ts), so both see one state.
import type { DrillEvent, EventOf } from '../events.ts';
import type { ProbeSample } from '../measure/samples.ts';
import type { Attachment, Phase } from '../model.ts';
import type { SafetyCheck } from '../safety/types.ts';
import type { RunResult } from './result-schema.ts';
import type { RollForwardOutcome } from './roll-forward.ts';

export type StepRecord = RunResult['steps'][number];
export type PhaseRecord = RunResult['phases'][number];
type Safety = NonNullable<RunResult['safety']>;
type Lock = Safety['lock'];
type ProbeChecks = Omit<RunResult['probes'], 'samples'>;

type ReadonlyField<T> = T extends readonly (infer E)[]
  ? readonly E[]
  : T extends ProbeChecks
    ? { readonly [K in keyof ProbeChecks]: readonly ProbeChecks[K][number][] }
    : T;

/** The record as the run's code reads it: nothing in it can be changed but by an event (RunRecord.apply). */
export type RecordView = { readonly [K in Exclude<keyof RunRecord, 'apply'>]: ReadonlyField<RunRecord[K]> };

export class RunRecord {
  /** The phase started last ('plan' before any). */
  currentPhase: Phase = 'plan';
  /** Every call the run would make (the plan event). */
  plan: RunResult['plan'] = [];
  /** Recovery samples in the order they were recorded (an open-loop sample that hung comes after later ones). */
  readonly samples: ProbeSample[] = [];
  /** Steady-state and verification checks; per recovery probe, its samples and failures once the RTO was measured. */
  readonly probes: ProbeChecks = { steadyState: [], recovery: [], verify: [] };
  readonly attachments: Attachment[] = [];
  /** What each background activity's stop returned (or its error), in stop order. */
  readonly background: RunResult['background'] = [];
  /** Background activities started and not yet stopped, by name. */
  readonly backgroundStarted: string[] = [];
  /** True from ledger start to ledger stop, so cleanup knows to stop it. */
  ledgerRunning = false;
  rto: RunResult['rto'] = null;
  rpo: RunResult['rpo'] = null;
  /** Why the run failed, in order found; empty when every objective and check held. */
  readonly failures: string[] = [];
  /** Set when an abort after an irreversible step finished the failover first (core/runner/roll-forward.ts). */
  rollForward: RollForwardOutcome | undefined;
  readonly safetyChecks: SafetyCheck[] = [];
  abort: Safety['abort'] = null;
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
  reason: string | undefined;
  exitCode: number | undefined;
  readonly #phaseStarts = new Map<string, number>();
  readonly #stepStarts = new Map<string, EventOf<'step-start'>>();
  readonly #undoKinds = new Map<string, 'fault' | 'step'>();
  /** The step open when T0 was marked: its success marked it (the fault). */
  #open: string | undefined;
  #t0Step: string | undefined;

  apply(e: DrillEvent): void {
    switch (e.kind) {
      case 'plan':
        this.plan = e.steps;
        return;
      case 'phase-start':
        this.currentPhase = e.phase;
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
        this.reason = e.reason;
        this.exitCode = e.exitCode;
        return;
      case 'rollback-end':
        if (e.verdict) this.verdict = e.verdict;
        if (e.reason) this.reason = e.reason;
        return;
      case 'probe-sample':
        this.#probeSample(e);
        return;
      case 'rto':
        this.rto = e.rto;
        this.probes.recovery.splice(0, Infinity, ...e.probes.map((name) => this.#recoverySummary(name)));
        return;
      case 'rpo':
        this.rpo = e.rpo;
        return;
      case 'failure':
        this.failures.push(e.message);
        return;
      case 'attachment':
        this.attachments.push({ name: e.name, contentType: e.contentType, path: e.path });
        return;
      case 'background':
        this.#background(e);
        return;
      case 'roll-forward':
        this.rollForward = {
          after: e.after,
          done: e.done,
          ...(e.cause ? { cause: e.cause } : {}),
          ...(e.failed ? { failed: e.failed } : {}),
          ...(e.serving ? { serving: e.serving } : {}),
        };
        return;
      case 'safety-check':
        this.safetyChecks.push({ name: e.name, status: e.status, detail: e.detail });
        return;
      case 'abort-condition':
        this.abort = { condition: e.condition, reason: e.reason, sinceT0Ms: e.metSinceT0Ms };
        return;
      default:
        return;
    }
  }

  #probeSample(e: EventOf<'probe-sample'>): void {
    if (e.role === 'recovery') {
      this.samples.push({
        probe: e.probe,
        at: e.sentAtMs ?? e.at,
        ...(e.answeredAtMs === undefined ? {} : { answeredAt: e.answeredAtMs }),
        ...(e.servedAtMs === undefined ? {} : { servedAt: e.servedAtMs }),
        ...(e.stalledMs === undefined ? {} : { stalledMs: e.stalledMs }),
        ok: e.ok,
        ...(e.latencyMs === undefined ? {} : { latencyMs: e.latencyMs }),
        ...(e.detail === undefined ? {} : { detail: e.detail }),
        ...(e.data === undefined ? {} : { data: e.data }),
      });
      return;
    }
    const list =
      e.role === 'steady-state'
        ? this.probes.steadyState
        : e.role === 'verify'
          ? this.probes.verify
          : undefined;
    list?.push({
      name: e.probe,
      ok: e.ok,
      ...(e.latencyMs === undefined ? {} : { latencyMs: e.latencyMs }),
      ...(e.detail === undefined ? {} : { detail: e.detail }),
      ...(e.data === undefined ? {} : { data: e.data }),
    });
  }

  #recoverySummary(name: string): ProbeChecks['recovery'][number] {
    const own = this.samples.filter((s) => s.probe === name);
    const data = own.findLast((s) => s.data !== undefined)?.data;
    return {
      name,
      samples: own.length,
      failures: own.filter((s) => !s.ok).length,
      ...(data === undefined ? {} : { data }),
    };
  }

  #background(e: EventOf<'background'>): void {
    if (e.role === 'ledger') {
      this.ledgerRunning = e.state === 'starting' || e.state === 'started';
      return;
    }
    if (e.state === 'started') this.backgroundStarted.push(e.name);
    if (e.state !== 'stopped') return;
    const at = this.backgroundStarted.indexOf(e.name);
    if (at >= 0) this.backgroundStarted.splice(at, 1);
    this.background.push({
      name: e.name,
      ...(e.summary === undefined ? {} : { summary: e.summary }),
      ...(e.error === undefined ? {} : { error: e.error }),
    });
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

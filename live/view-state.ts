// What the live page shows, folded from the run's events (events.jsonl, in order) and two run-dir snapshots the
// events do not carry (pending undos from journal.json, the canary ledger once collected). Pure: the page bundles it,
// the tests fold a real run's log with it.
import { formatDuration, parseDuration } from '../core/duration.ts';
import type { DrillEvent, EventOf } from '../core/events.ts';
import { formatMeasured, type Measured } from '../core/measure/interval.ts';

export type Phase = EventOf<'phase-start'>['phase'];
type Status = 'running' | EventOf<'phase-end'>['status'];

export interface LivePhase {
  phase: Phase;
  status: Status;
  durationMs?: number;
  detail?: string;
}

export interface LiveStep {
  key: string;
  phase: Phase | null;
  stepId: string;
  title: string;
  runbook?: string;
  status: 'planned' | 'running' | EventOf<'step-end'>['status'];
  /** T0 offsets (absent before T0). */
  startedSinceT0Ms?: number;
  endedSinceT0Ms?: number;
  /** Wall time the step started, for a running step's own clock. */
  startedWallMs?: number;
  plannedAtMs?: number;
  lateByMs?: number;
  durationMs?: number;
  detail?: string;
  error?: string;
}

export interface LiveSample {
  phase: Phase;
  probe: string;
  ok: boolean;
  /** When the check was sent, ms since T0 (its event is stamped when it answered). */
  sentSinceT0Ms?: number;
  latencyMs?: number;
  detail?: string;
  lost?: number;
}

export type CheckpointEvent = Extract<DrillEvent, { kind: 'checkpoint' }>;

/** journal.json's undos and irreversible steps, as the server forwards them (never undoData). */
export interface UndoSnapshot {
  undos: { id: string; kind: 'fault' | 'step'; stepId: string; title: string; status: string }[];
  irreversible: { stepId: string; title: string; reason: string; wayBack: string }[];
}

/** The canary ledger (attachments/<name>-ledger.csv) once the run collected it after recovery. */
export interface LedgerSnapshot {
  name: string;
  writes: { seq: number; sentAtMs: number; acked: boolean; survived: boolean }[];
}

export interface LiveView {
  /** Line number (1-based) of the last event folded in. */
  lastId: number;
  run?: EventOf<'run-start'>;
  startedWallMs?: number;
  /** T0 on the wall clock and on the run's monotonic clock, from the first event stamped with sinceT0Ms. */
  t0?: { wallMs: number; at: number };
  phases: LivePhase[];
  steps: LiveStep[];
  samples: LiveSample[];
  undoEvents: EventOf<'undo'>[];
  warnings: string[];
  checkpoints: CheckpointEvent[];
  end?: EventOf<'run-end'>;
  undos?: UndoSnapshot;
  /** The write ledger the plan names (its writes are collected after recovery), if any. */
  ledgerName?: string;
  ledger?: LedgerSnapshot;
}

export const emptyView = (): LiveView => ({
  lastId: 0,
  phases: [],
  steps: [],
  samples: [],
  undoEvents: [],
  warnings: [],
  checkpoints: [],
});

const stepKey = (phase: Phase | null, stepId: string) => `${phase ?? 'plan'}:${stepId}`;

/** Folds one event in (mutates and returns `view`). `id` is its line number in events.jsonl. */
export function applyEvent(view: LiveView, event: DrillEvent, id: number): LiveView {
  view.lastId = Math.max(view.lastId, id);
  view.startedWallMs ??= event.wallMs - event.at;
  if (event.sinceT0Ms !== undefined && !view.t0)
    view.t0 = { wallMs: event.wallMs - event.sinceT0Ms, at: event.at - event.sinceT0Ms };
  switch (event.kind) {
    case 'run-start':
      view.run = event;
      break;
    case 'plan':
      view.ledgerName = event.steps
        .find((s) => s.stepId.startsWith('ledger:'))
        ?.stepId.slice('ledger:'.length);
      // Every runbook step (probes and the ledger are prefixed "kind:") as planned, until it starts.
      for (const entry of event.steps.filter((s) => !s.stepId.includes(':')))
        view.steps.push({ key: stepKey(null, entry.stepId), phase: null, ...entry, status: 'planned' });
      break;
    case 'phase-start':
      view.phases.push({ phase: event.phase, status: 'running' });
      break;
    case 'phase-end': {
      const phase = view.phases.findLast((p) => p.phase === event.phase);
      const ended = { status: event.status, durationMs: event.durationMs, detail: event.detail };
      if (phase) Object.assign(phase, ended);
      else view.phases.push({ phase: event.phase, ...ended });
      break;
    }
    case 'step-start': {
      const started: LiveStep = {
        key: stepKey(event.phase, event.stepId),
        phase: event.phase,
        stepId: event.stepId,
        title: event.title,
        runbook: event.runbook,
        status: 'running',
        startedSinceT0Ms: event.sinceT0Ms,
        startedWallMs: event.wallMs,
        plannedAtMs: event.plannedAtMs,
      };
      const planned = view.steps.findIndex((s) => s.status === 'planned' && s.stepId === event.stepId);
      if (planned >= 0) view.steps.splice(planned, 1);
      // Started steps keep run order, ahead of the ones still planned.
      const firstPlanned = view.steps.findIndex((s) => s.status === 'planned');
      view.steps.splice(firstPlanned < 0 ? view.steps.length : firstPlanned, 0, started);
      break;
    }
    case 'step-end': {
      const key = stepKey(event.phase, event.stepId);
      let step = view.steps.findLast((s) => s.key === key);
      if (!step) {
        step = { key, phase: event.phase, stepId: event.stepId, title: event.title, status: event.status };
        view.steps.push(step);
      }
      Object.assign(step, {
        status: event.status,
        endedSinceT0Ms: event.sinceT0Ms,
        durationMs: event.durationMs,
        plannedAtMs: event.plannedAtMs ?? step.plannedAtMs,
        lateByMs: event.lateByMs,
        detail: event.detail,
        error: event.error,
      });
      break;
    }
    case 'probe-sample':
      view.samples.push({
        phase: event.phase,
        probe: event.probe,
        ok: event.ok,
        sentSinceT0Ms:
          event.sinceT0Ms === undefined ? undefined : event.sinceT0Ms - Math.round(event.latencyMs ?? 0),
        latencyMs: event.latencyMs,
        detail: event.detail,
        lost: event.lost,
      });
      break;
    case 'undo':
      view.undoEvents.push(event);
      break;
    case 'checkpoint':
      view.checkpoints.push(event);
      break;
    case 'log':
      if (event.level === 'warn') view.warnings.push(event.message);
      break;
    case 'run-end':
      view.end = event;
      break;
  }
  return view;
}

/** Probes sampled from T0 on (inject, failover, recover): the availability samples. */
export const RECOVERY_PHASES: ReadonlySet<Phase> = new Set(['inject', 'failover', 'recover']);

export const availabilitySamples = (view: LiveView) =>
  view.samples.filter((s) => RECOVERY_PHASES.has(s.phase) && s.sentSinceT0Ms !== undefined);

/** Checks run once: steady state (preflight) and verification. */
export const checkSamples = (view: LiveView, phase: 'preflight' | 'verify') =>
  view.samples.filter((s) => s.phase === phase);

/** Checkpoints still waiting for a person: the last event of each step says "waiting". */
export function waitingCheckpoints(view: LiveView): CheckpointEvent[] {
  const last = new Map<string, CheckpointEvent>();
  for (const c of view.checkpoints) last.set(c.stepId, c);
  return view.end ? [] : [...last.values()].filter((c) => c.state === 'waiting');
}

/** "18.3s, between 18.2s and 18.5s" as result.json's measurement reads everywhere; why not, when it is not. */
export function achievedText(m: Measured | null | undefined): string {
  if (!m) return 'not measured';
  if (m.achievedMs === null) return 'not reached';
  return formatMeasured(m);
}

/** "T0+5m 00s", "T0−1.2s". */
export function offsetText(ms: number): string {
  return ms < 0 ? `T0−${formatDuration(-ms)}` : `T0+${formatDuration(ms)}`;
}

/** The RTO objective: from run-start (objectives), else from the measurement at the end. */
export function rtoObjectiveMs(view: LiveView): number | undefined {
  const declared = view.run?.objectives?.rto;
  if (declared !== undefined) return parseDuration(declared);
  return view.end?.rto?.objectiveMs;
}

/**
 * When every availability probe has passed since (the send instant of the first passing check after each probe's
 * last failure): provisional, the measured RTO comes with the verdict. Undefined while any probe's last check failed.
 */
export function servingAgainSinceT0(view: LiveView): number | undefined {
  const byProbe = new Map<string, LiveSample[]>();
  for (const s of availabilitySamples(view)) byProbe.set(s.probe, [...(byProbe.get(s.probe) ?? []), s]);
  if (byProbe.size === 0) return undefined;
  let since = 0;
  for (const arrived of byProbe.values()) {
    // Checks answer out of order (a failing one may take seconds): by send instant.
    const samples = [...arrived].sort((a, b) => (a.sentSinceT0Ms ?? 0) - (b.sentSinceT0Ms ?? 0));
    const lastFailure = samples.findLastIndex((s) => !s.ok);
    if (lastFailure === samples.length - 1) return undefined;
    since = Math.max(since, samples[lastFailure + 1]?.sentSinceT0Ms ?? 0);
  }
  return since;
}

export interface RtoClock {
  /** ms since T0 the clock shows. */
  elapsedMs: number;
  running: boolean;
  objectiveMs?: number;
  /** What the clock means now. */
  label: string;
}

/** The RTO clock at wall time `nowMs`: running from T0 until recovery, frozen after; undefined before T0. */
export function rtoClock(view: LiveView, nowMs: number): RtoClock | undefined {
  if (!view.t0) return undefined;
  const objectiveMs = rtoObjectiveMs(view);
  const rto = view.end?.rto;
  if (rto?.achievedMs !== undefined && rto.achievedMs !== null)
    return { elapsedMs: rto.achievedMs, running: false, objectiveMs, label: 'achieved RTO (measured)' };
  const recovered = view.phases.find((p) => p.phase === 'recover' && p.status !== 'running');
  const serving = servingAgainSinceT0(view);
  if ((recovered || view.end) && serving !== undefined)
    return { elapsedMs: serving, running: false, objectiveMs, label: 'serving again since (provisional)' };
  if (view.end) {
    const at = view.end.sinceT0Ms ?? 0;
    return {
      elapsedMs: at,
      running: false,
      objectiveMs,
      label: `not recovered when the run ended (${view.end.outcome})`,
    };
  }
  return {
    elapsedMs: Math.max(0, nowMs - view.t0.wallMs),
    running: true,
    objectiveMs,
    label: serving === undefined ? 'outage running' : 'recovery probes passing: checking it holds',
  };
}

/** Canary writes from the collected ledger: acknowledged, and acknowledged yet missing on the new primary. */
export function ledgerCounts(ledger: LedgerSnapshot): { acknowledged: number; lost: number[] } {
  const acked = ledger.writes.filter((w) => w.acked);
  return { acknowledged: acked.length, lost: acked.filter((w) => !w.survived).map((w) => w.seq) };
}

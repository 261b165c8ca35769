// The state of one run and the plumbing every phase uses: events (the record: `record` is their fold), context.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FileAuditLog } from '../audit.ts';
import type { RunClock } from '../clock.ts';
import type { RunControlHook } from '../control/run-hook.ts';
import { RUN_CONTROL_STATE_KEY } from '../control/run-hook.ts';
import { parseDuration } from '../duration.ts';
import type { DrillEvent } from '../events.ts';
import type { ProbeSample } from '../measure/samples.ts';
import type {
  Attachment,
  JsonValue,
  Logger,
  Objectives,
  Phase,
  RunContext,
  Scenario,
  Target,
} from '../model.ts';
import { REDACTOR_STATE_KEY, type Redactor } from '../redact.ts';
import { RunSafety } from '../safety/record.ts';
import { type UndoEntry, UndoStack } from '../undo.ts';
import type { Emitter } from './emitter.ts';
import type { RunResult } from './result-schema.ts';
import type { RollForwardOutcome } from './roll-forward.ts';
import { type PhaseRecord, type RecordView, RunRecord, type StepRecord } from './run-record.ts';

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
export type EventInput = DistributiveOmit<DrillEvent, 'at' | 'wallMs' | 'sinceT0Ms'>;

export type { PhaseRecord, StepRecord };

export interface DrillRunInit<R> {
  runId: string;
  runDir: string;
  scenario: Scenario<R>;
  target: Target<R>;
  scenarioFile?: string;
  targetFile?: string;
  dryRun: boolean;
  clock: RunClock;
  redactor: Redactor;
  emitter: Emitter;
  controller: AbortController;
}

export class DrillRun<R = unknown> {
  readonly runId: string;
  readonly runDir: string;
  readonly scenario: Scenario<R>;
  readonly target: Target<R>;
  readonly scenarioFile?: string;
  readonly targetFile?: string;
  readonly dryRun: boolean;
  readonly clock: RunClock;
  readonly redactor: Redactor;
  readonly emitter: Emitter;
  readonly controller: AbortController;
  readonly audit: FileAuditLog;
  readonly undo = new UndoStack();
  /** Guardrails, gates, the lock and abort conditions of this run (core/runner/safety.ts). */
  readonly safety = new RunSafety();
  readonly objectives: Objectives;
  readonly ctx: RunContext<R>;

  /**
   * The fold of every event this run emitted (and, in `drill rollback`, of the killed run's events before them): the
   * getters below read it, and the only way to change it is an event (`emit`, `fail`, `attach`, `deviate`).
   */
  readonly #record = new RunRecord();

  constructor(init: DrillRunInit<R>) {
    this.runId = init.runId;
    this.runDir = init.runDir;
    this.scenario = init.scenario;
    this.target = init.target;
    this.scenarioFile = init.scenarioFile;
    this.targetFile = init.targetFile;
    this.dryRun = init.dryRun;
    this.clock = init.clock;
    this.redactor = init.redactor;
    this.emitter = init.emitter;
    this.controller = init.controller;
    this.objectives = { ...init.scenario.objectives, ...stripUndefined(init.target.objectives ?? {}) };
    this.audit = new FileAuditLog({
      file: join(init.runDir, 'actions.jsonl'),
      redactor: init.redactor,
      dryRun: init.dryRun,
    });
    this.ctx = this.contextWith(init.controller.signal, { phase: 'plan' });
    this.ctx.state.set(REDACTOR_STATE_KEY, init.redactor);
    this.ctx.state.set(RUN_CONTROL_STATE_KEY, {
      runDir: this.runDir,
      runSignal: this.controller.signal,
      emitCheckpoint: (event) => this.emit({ ...event, kind: 'checkpoint', phase: this.currentPhase }),
      deviate: (deviation) => this.deviate(deviation),
      abort: (reason) => this.controller.abort(reason),
    } satisfies RunControlHook);
  }

  get record(): RecordView {
    return this.#record;
  }

  /** Folds events this run emitted earlier, in another process (`drill rollback` replays the killed run's). */
  replay(events: readonly DrillEvent[]): void {
    for (const event of events) this.#record.apply(event);
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get currentPhase(): Phase {
    return this.record.currentPhase;
  }

  get plan(): readonly RunResult['plan'][number][] {
    return this.record.plan;
  }

  /** Recovery samples, as recorded (core/measure computes the RTO over them). */
  get samples(): readonly ProbeSample[] {
    return this.record.samples;
  }

  get attachments(): readonly Attachment[] {
    return this.record.attachments;
  }

  get ledgerRunning(): boolean {
    return this.record.ledgerRunning;
  }

  get backgroundStarted(): readonly string[] {
    return this.record.backgroundStarted;
  }

  get rto(): RunResult['rto'] {
    return this.record.rto;
  }

  get rpo(): RunResult['rpo'] {
    return this.record.rpo;
  }

  /** Why the run failed, in order found; empty when every objective and check held. */
  get failures(): readonly string[] {
    return this.record.failures;
  }

  /** Set when an abort after an irreversible step finished the failover first (core/runner/roll-forward.ts). */
  get rollForward(): Readonly<RollForwardOutcome> | undefined {
    return this.record.rollForward;
  }

  get phases(): readonly PhaseRecord[] {
    return this.record.phases;
  }

  get steps(): readonly StepRecord[] {
    return this.record.steps;
  }

  get milestones(): readonly { name: string; at: number }[] {
    return this.record.milestones;
  }

  get startedIrreversible(): readonly RunResult['irreversible'][number][] {
    return this.record.irreversible;
  }

  get undoOutcomes(): readonly RunResult['undo'][number][] {
    return this.record.undoOutcomes;
  }

  get deviations(): readonly RunResult['deviations'][number][] {
    return this.record.deviations;
  }

  /** Records a departure from the plan that does not fail the run (result.json's deviations are their fold). */
  deviate(deviation: RunResult['deviations'][number]): void {
    const { kind, ...rest } = deviation;
    this.emit({ kind: 'deviation', deviationKind: kind, ...rest });
  }

  /** Records why the run failed (the verdict's reason joins them, in order). */
  fail(message: string): void {
    this.emit({ kind: 'failure', message });
  }

  ms(duration: string): number {
    return parseDuration(duration);
  }

  /** A context for one step or probe: its own signal, audit lines tagged with phase and step. */
  contextWith(signal: AbortSignal, where: { phase: string; stepId?: string }): RunContext<R> {
    const base = this.ctx as RunContext<R> | undefined;
    return {
      runId: this.runId,
      scenario: this.scenario,
      target: this.target,
      signal,
      dryRun: this.dryRun,
      clock: this.clock,
      log: base?.log ?? this.#logger(),
      audit: this.audit.bind(where),
      state: base?.state ?? new Map<string, unknown>(),
      attach: (name, contentType, body) => this.attach(name, contentType, body),
    };
  }

  /** Emits an event (at `at`, default now) to the log and reporters, and folds it into `record`. */
  emit(event: EventInput, at: number = this.clock.now()): DrillEvent {
    const t0 = this.clock.t0;
    const full = {
      ...event,
      at,
      wallMs: this.clock.wall(at).getTime(),
      ...(t0 === undefined ? {} : { sinceT0Ms: Math.round(at - t0) }),
    } as DrillEvent;
    const safe = this.redactor.redact(full);
    this.emitter.emit(safe);
    this.#record.apply(safe);
    return safe;
  }

  async attach(name: string, contentType: string, body: string | Uint8Array): Promise<Attachment> {
    const safeName = name.replace(/[^A-Za-z0-9._-]+/g, '_');
    const dir = join(this.runDir, 'attachments');
    mkdirSync(dir, { recursive: true });
    const content = typeof body === 'string' ? this.redactor.redactText(body) : body;
    writeFileSync(join(dir, safeName), content, { mode: 0o600 });
    const attachment = { name, contentType, path: `attachments/${safeName}` };
    this.emit({ kind: 'attachment', ...attachment });
    return attachment;
  }

  sinceT0(at: number = this.clock.now()): number | undefined {
    const t0 = this.clock.t0;
    return t0 === undefined ? undefined : Math.round(at - t0);
  }

  /** Pushes an undo on the stack and records it: registered before its step runs, so a half-applied step is undone. */
  registerUndo(entry: UndoEntry): void {
    this.undo.push(entry);
    this.emit({
      kind: 'undo-registered',
      undoId: entry.id,
      undoKind: entry.kind,
      stepId: entry.stepId,
      title: entry.title,
    });
  }

  /** What the step returned for its undo: the real value on the stack, a redacted one in the record. */
  setUndoData(id: string, undoData: JsonValue | undefined): void {
    if (undoData === undefined) return;
    this.undo.setUndoData(id, undoData);
    if (JSON.stringify(this.redactor.redact(undoData)) !== JSON.stringify(undoData)) {
      this.emit({
        kind: 'log',
        level: 'warn',
        message: `undoData of "${id}" holds a secret: it is masked in events.jsonl, so \`drill rollback\` cannot use it; return a reference (a secret version id) instead`,
      });
    }
    this.emit({ kind: 'undo-data', undoId: id, undoData });
  }

  #logger(): Logger {
    const log = (level: 'info' | 'warn' | 'debug') => (message: string, fields?: Record<string, unknown>) =>
      this.emit({ kind: 'log', level, message: fields ? `${message} ${JSON.stringify(fields)}` : message });
    return { info: log('info'), warn: log('warn'), debug: log('debug') };
  }
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

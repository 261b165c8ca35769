// The state of one run and the plumbing every phase uses: events, journal, context, records.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FileAuditLog } from '../audit.ts';
import type { RunClock } from '../clock.ts';
import type { RunControlHook } from '../control/run-hook.ts';
import { RUN_CONTROL_STATE_KEY } from '../control/run-hook.ts';
import { parseDuration } from '../duration.ts';
import type { DrillEvent } from '../events.ts';
import type { Journal } from '../journal.ts';
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
import { UndoStack } from '../undo.ts';
import type { Emitter } from './emitter.ts';
import type { RunResult } from './result-schema.ts';
import type { RollForwardOutcome } from './roll-forward.ts';
import { RunSafety } from '../safety/record.ts';

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
export type EventInput = DistributiveOmit<DrillEvent, 'at' | 'wallMs' | 'sinceT0Ms'>;

export type StepRecord = RunResult['steps'][number];
export type PhaseRecord = RunResult['phases'][number];

export interface DrillRunInit<R> {
  runId: string;
  runDir: string;
  scenario: Scenario<R>;
  target: Target<R>;
  scenarioFile?: string;
  targetFile?: string;
  dryRun: boolean;
  clock: RunClock;
  journal: Journal;
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
  readonly journal: Journal;
  readonly redactor: Redactor;
  readonly emitter: Emitter;
  readonly controller: AbortController;
  readonly audit: FileAuditLog;
  readonly undo = new UndoStack();
  /** Guardrails, gates, the lock and abort conditions of this run (core/runner/safety.ts). */
  readonly safety = new RunSafety();
  readonly objectives: Objectives;
  readonly ctx: RunContext<R>;

  currentPhase: Phase = 'plan';
  readonly phases: PhaseRecord[] = [];
  readonly steps: StepRecord[] = [];
  readonly samples: ProbeSample[] = [];
  readonly milestones: { name: string; at: number }[] = [];
  readonly attachments: Attachment[] = [];
  readonly startedIrreversible: RunResult['irreversible'] = [];
  readonly deviations: RunResult['deviations'] = [];
  readonly probes: RunResult['probes'] = { steadyState: [], recovery: [], verify: [] };
  readonly undoOutcomes: RunResult['undo'] = [];
  readonly background: RunResult['background'] = [];
  plan: RunResult['plan'] = [];
  /** True between ledger.start and ledger.stop, so cleanup knows to stop it. */
  ledgerRunning = false;
  readonly backgroundStarted: string[] = [];
  rto: RunResult['rto'] = null;
  rpo: RunResult['rpo'] = null;
  /** Why the run failed, in order found; empty when every objective and check held. */
  readonly failures: string[] = [];
  /** Set when an abort after an irreversible step finished the failover first (core/runner/roll-forward.ts). */
  rollForward: RollForwardOutcome | undefined;

  constructor(init: DrillRunInit<R>) {
    this.runId = init.runId;
    this.runDir = init.runDir;
    this.scenario = init.scenario;
    this.target = init.target;
    this.scenarioFile = init.scenarioFile;
    this.targetFile = init.targetFile;
    this.dryRun = init.dryRun;
    this.clock = init.clock;
    this.journal = init.journal;
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
      deviate: (deviation) => this.deviations.push(deviation),
      abort: (reason) => this.controller.abort(reason),
    } satisfies RunControlHook);
  }

  get signal(): AbortSignal {
    return this.controller.signal;
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

  emit(event: EventInput): void {
    const at = this.clock.now();
    const t0 = this.clock.t0;
    const full = {
      ...event,
      at,
      wallMs: this.clock.wall(at).getTime(),
      ...(t0 === undefined ? {} : { sinceT0Ms: Math.round(at - t0) }),
    } as DrillEvent;
    this.emitter.emit(this.redactor.redact(full));
  }

  async attach(name: string, contentType: string, body: string | Uint8Array): Promise<Attachment> {
    const safeName = name.replace(/[^A-Za-z0-9._-]+/g, '_');
    const dir = join(this.runDir, 'attachments');
    mkdirSync(dir, { recursive: true });
    const content = typeof body === 'string' ? this.redactor.redactText(body) : body;
    writeFileSync(join(dir, safeName), content, { mode: 0o600 });
    const attachment = { name, contentType, path: `attachments/${safeName}` };
    this.attachments.push(attachment);
    return attachment;
  }

  sinceT0(at: number = this.clock.now()): number | undefined {
    const t0 = this.clock.t0;
    return t0 === undefined ? undefined : Math.round(at - t0);
  }

  /** Journals an undo registration; undoData is redacted (a journal never holds secrets). */
  journalUndo(id: string, kind: 'fault' | 'step', stepId: string, title: string): void {
    this.journal.update((d) => {
      d.undos.push({ id, kind, stepId, title, registeredAt: new Date().toISOString(), status: 'pending' });
    });
  }

  journalUndoData(id: string, undoData: JsonValue | undefined): void {
    if (undoData === undefined) return;
    const safe = this.redactor.redact(undoData);
    if (JSON.stringify(safe) !== JSON.stringify(undoData)) {
      this.emit({
        kind: 'log',
        level: 'warn',
        message: `undoData of "${id}" holds a secret: it is masked in journal.json, so \`drill rollback\` cannot use it; return a reference (a secret version id) instead`,
      });
    }
    this.journal.update((d) => {
      const undo = d.undos.find((u) => u.id === id);
      if (undo) undo.undoData = safe;
    });
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

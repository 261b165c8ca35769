// The run's journal: a fold of its event stream (events.jsonl), the record `drill rollback` reads. journal.json is a
// snapshot of that fold, rewritten atomically after every transition for readers that want one file (`drill show`,
// the lock's stale-holder check, tests waiting on a phase); nothing writes the journal by hand.
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { DrillError } from './errors.ts';
import { EVENTS_FILE, parseEventLog } from './event-log.ts';
import { type DrillEvent, RESULT_EVIDENCE_KINDS, type StepStatus, type UndoStatus } from './events.ts';
import type { JsonValue, Phase, Verdict } from './model.ts';

export const JOURNAL_FILE = 'journal.json';

export interface JournalUndo {
  /** "fault" or "<phase>:<stepId>". */
  id: string;
  kind: 'fault' | 'step';
  stepId: string;
  title: string;
  undoData?: JsonValue;
  registeredAt: string;
  status: 'pending' | UndoStatus;
  outcome?: {
    at: string;
    durationMs: number;
    by: 'run' | 'rollback';
    pid: number;
    error?: string;
    note?: string;
  };
}

export interface JournalStep {
  id: string;
  title: string;
  phase: Phase;
  status: 'running' | StepStatus;
  startedAt: string;
  endedAt?: string;
  error?: string;
  irreversible?: { reason: string; wayBack: string };
}

export interface JournalData {
  journalVersion: 1;
  runId: string;
  scenario: { name: string; file?: string };
  target: { name: string; kind: 'lab' | 'live'; file?: string };
  dryRun: boolean;
  pid: number;
  startedAt: string;
  /** Wall time of the last event: when the run (or its rollback) was last seen. */
  updatedAt: string;
  /** running → finished; after `drill rollback`: rolled-back, or rollback-incomplete if an undo failed. */
  state: 'running' | 'finished' | 'rolled-back' | 'rollback-incomplete';
  phase: Phase;
  phases: {
    phase: Phase;
    status: 'running' | 'ok' | 'failed' | 'aborted' | 'skipped';
    startedAt: string;
    endedAt?: string;
  }[];
  t0?: string;
  steps: JournalStep[];
  undos: JournalUndo[];
  verdict?: Verdict;
  /** Why the run ended as it did (the verdict's reason: a refused gate, an abort condition, a breach). */
  reason?: string;
  /** The target's drill lock, as the run (or its rollback) last left it. */
  lock?: { where: string; status: 'held' | 'released' | 'not-taken' | 'release-failed'; detail?: string };
  rollbacks: { at: string; pid: number; done: number; failed: number }[];
}

/** Write a file so readers see the old or the new content, never half: tmp, fsync, rename, fsync dir. */
export function writeFileAtomic(path: string, content: string, mode = 0o600): void {
  const tmp = `${path}.${process.pid}.tmp`;
  const fd = openSync(tmp, 'w', mode);
  try {
    writeSync(fd, content);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
  const dirFd = openSync(dirname(path), 'r');
  try {
    fsyncSync(dirFd);
  } finally {
    closeSync(dirFd);
  }
}

const iso = (wallMs: number) => new Date(wallMs).toISOString();

/** The journal as a fold of events: `apply` each event in order; `data` is undefined until the run-start. */
export class JournalFold {
  #data: JournalData | undefined;
  /** The process writing the events being applied (the run, then each `drill rollback`). */
  #writer: { pid: number; role: 'run' | 'rollback' } = { pid: 0, role: 'run' };

  get data(): Readonly<JournalData> | undefined {
    return this.#data;
  }

  apply(e: DrillEvent): void {
    if (e.kind === 'run-start') {
      this.#data = {
        journalVersion: 1,
        runId: e.runId,
        scenario: { name: e.scenario },
        target: { name: e.target, kind: 'lab' },
        dryRun: e.dryRun,
        pid: 0,
        startedAt: iso(e.wallMs - e.at),
        updatedAt: iso(e.wallMs),
        state: 'running',
        phase: 'plan',
        phases: [],
        steps: [],
        undos: [],
        rollbacks: [],
      };
      return;
    }
    const d = this.#data;
    if (!d) return;
    d.updatedAt = iso(e.wallMs);
    const at = d.updatedAt;
    switch (e.kind) {
      case 'process':
        this.#writer = { pid: e.pid, role: e.role };
        if (e.role === 'run') {
          d.pid = e.pid;
          d.scenario = { name: d.scenario.name, ...(e.scenarioFile ? { file: e.scenarioFile } : {}) };
          d.target = {
            name: d.target.name,
            kind: e.targetKind,
            ...(e.targetFile ? { file: e.targetFile } : {}),
          };
        }
        return;
      case 'phase-start':
        d.phase = e.phase;
        d.phases.push({ phase: e.phase, status: 'running', startedAt: at });
        return;
      case 'phase-end': {
        const entry = d.phases.findLast((p) => p.phase === e.phase);
        if (entry) Object.assign(entry, { status: e.status, endedAt: at });
        return;
      }
      case 'step-start':
        d.steps.push({ id: e.stepId, title: e.title, phase: e.phase, status: 'running', startedAt: at });
        return;
      case 'irreversible': {
        const step = d.steps.findLast((s) => s.id === e.stepId && s.phase === e.phase);
        if (step) step.irreversible = { reason: e.reason, wayBack: e.wayBack };
        return;
      }
      case 'step-end': {
        const step = d.steps.findLast((s) => s.id === e.stepId && s.phase === e.phase);
        if (!step) return;
        step.status = e.status;
        step.endedAt = at;
        if (e.error) step.error = e.error;
        return;
      }
      case 't0':
        d.t0 = e.t0At;
        return;
      case 'undo-registered':
        d.undos.push({
          id: e.undoId,
          kind: e.undoKind,
          stepId: e.stepId,
          title: e.title,
          registeredAt: at,
          status: 'pending',
        });
        return;
      case 'undo-data': {
        const undo = d.undos.findLast((u) => u.id === e.undoId);
        if (undo) undo.undoData = e.undoData as JsonValue;
        return;
      }
      case 'undo': {
        const undo = e.undoId
          ? d.undos.findLast((u) => u.id === e.undoId)
          : d.undos.findLast((u) => u.stepId === e.stepId);
        if (!undo) return;
        undo.status = e.status;
        undo.outcome = {
          at,
          durationMs: e.durationMs,
          by: this.#writer.role,
          pid: this.#writer.pid,
          ...(e.error ? { error: e.error } : {}),
          ...(e.note ? { note: e.note } : {}),
        };
        return;
      }
      case 'lock':
        d.lock = { where: e.where, status: e.status, ...(e.detail ? { detail: e.detail } : {}) };
        return;
      case 'run-end':
        d.verdict = e.verdict;
        d.reason = e.reason;
        d.state = 'finished';
        return;
      case 'rollback-end':
        d.state = e.state;
        d.rollbacks.push({ at, pid: this.#writer.pid, done: e.done, failed: e.failed });
        if (e.verdict) d.verdict = e.verdict;
        if (e.reason !== undefined) d.reason = e.reason;
        return;
      default:
        return;
    }
  }
}

/** Kinds that change nothing a reader of journal.json waits on: the snapshot is not rewritten for them. */
const NO_SNAPSHOT: ReadonlySet<DrillEvent['kind']> = new Set([
  'probe-sample',
  'log',
  ...RESULT_EVIDENCE_KINDS,
]);

/** The fold, kept on disk as journal.json after every transition (a listener of the run's emitter). */
export class JournalSnapshot {
  readonly file: string;
  readonly fold = new JournalFold();

  constructor(runDir: string, replayed: readonly DrillEvent[] = []) {
    this.file = join(runDir, JOURNAL_FILE);
    for (const event of replayed) this.fold.apply(event);
  }

  apply(event: DrillEvent): void {
    this.fold.apply(event);
    const data = this.fold.data;
    if (data && !NO_SNAPSHOT.has(event.kind))
      writeFileAtomic(this.file, `${JSON.stringify(data, null, 2)}\n`);
  }
}

/** The journal of a run directory: its events.jsonl, read and folded. */
export function loadJournal(runDir: string): { data: JournalData; events: DrillEvent[] } {
  const file = join(runDir, EVENTS_FILE);
  if (!existsSync(file)) {
    const snapshot = join(runDir, JOURNAL_FILE);
    throw new DrillError(
      'E_VALIDATION',
      `${file}: missing, so the run cannot be replayed${existsSync(snapshot) ? ` (${snapshot} is only a snapshot of it)` : ''}; nothing was undone: check the target by hand (pnpm lab status on the lab) and the run's actions.jsonl for what it changed`,
    );
  }
  const events = parseEventLog(readFileSync(file, 'utf8'));
  const fold = new JournalFold();
  for (const event of events) fold.apply(event);
  if (!fold.data)
    throw new DrillError(
      'E_VALIDATION',
      `${file}: no run-start event, not a run's event log; nothing was undone: check the target by hand and the run's actions.jsonl`,
    );
  return { data: fold.data, events };
}

/** Undos still to run (never run, or failed), most recent first: the order to run them in. */
export function pendingUndos(data: Readonly<JournalData>): JournalUndo[] {
  return data.undos.filter((u) => u.status === 'pending' || u.status === 'failed').reverse();
}

/** `Journal.load(runDir).data`: the folded journal of a run directory (for `drill show`). */
export const Journal = {
  load(runDir: string): { data: JournalData; pendingUndos(): JournalUndo[] } {
    const { data } = loadJournal(runDir);
    return { data, pendingUndos: () => pendingUndos(data) };
  },
};

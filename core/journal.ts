// The run's journal: rewritten atomically after every transition so a killed run can be rolled back.
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { DrillError } from './errors.ts';
import type { StepStatus, UndoStatus } from './events.ts';
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

export class Journal {
  readonly file: string;
  #data: JournalData;

  private constructor(file: string, data: JournalData) {
    this.file = file;
    this.#data = data;
  }

  /** Starts the journal of a new run and writes it. */
  static create(
    runDir: string,
    init: Omit<
      JournalData,
      'journalVersion' | 'updatedAt' | 'state' | 'phases' | 'steps' | 'undos' | 'rollbacks'
    >,
  ): Journal {
    mkdirSync(runDir, { recursive: true });
    const journal = new Journal(join(runDir, JOURNAL_FILE), {
      journalVersion: 1,
      ...init,
      updatedAt: init.startedAt,
      state: 'running',
      phases: [],
      steps: [],
      undos: [],
      rollbacks: [],
    });
    journal.update(() => {});
    return journal;
  }

  static load(runDir: string): Journal {
    const file = join(runDir, JOURNAL_FILE);
    let data: JournalData;
    try {
      data = JSON.parse(readFileSync(file, 'utf8')) as JournalData;
    } catch (error) {
      // A torn or edited journal cannot drive a rollback: say which file, and what to do instead.
      const why = error instanceof Error ? error.message : String(error);
      throw new DrillError(
        'E_VALIDATION',
        `${file}: not a readable journal (${why}); nothing was undone: check the target by hand (pnpm lab status on the lab) and the run's actions.jsonl for what it changed`,
      );
    }
    if (data?.journalVersion !== 1)
      throw new DrillError(
        'E_VALIDATION',
        `${file}: unsupported journalVersion ${String(data?.journalVersion)} (this drill reads version 1); nothing was undone`,
      );
    return new Journal(file, data);
  }

  get data(): Readonly<JournalData> {
    return this.#data;
  }

  /** Apply a change and persist it before returning. */
  update(change: (data: JournalData) => void): void {
    change(this.#data);
    this.#data.updatedAt = new Date().toISOString();
    writeFileAtomic(this.file, `${JSON.stringify(this.#data, null, 2)}\n`);
  }

  /** Undos still to run (never run, or failed), most recent first: the order to run them in. */
  pendingUndos(): JournalUndo[] {
    return this.#data.undos.filter((u) => u.status === 'pending' || u.status === 'failed').reverse();
  }
}

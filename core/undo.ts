// The undo stack: registered before each step runs, unwound in reverse, each undo under its own deadline.
import { errorMessage } from './errors.ts';
import type { UndoStatus } from './events.ts';
import type { JsonValue } from './model.ts';
import { withDeadline } from './runner/deadline.ts';

export interface UndoEntry {
  /** "fault" or "<phase>:<stepId>". */
  id: string;
  kind: 'fault' | 'step';
  stepId: string;
  title: string;
  timeoutMs: number;
  /** The setting that raises the timeout, e.g. `failover[1].timeout`. */
  timeoutSetting: string;
  file?: string;
  undoData?: JsonValue;
  /** Receives a fresh signal: the run's own signal may already be aborted. */
  run(signal: AbortSignal, undoData: JsonValue | undefined): Promise<void>;
}

export interface UndoOutcome {
  id: string;
  kind: 'fault' | 'step';
  stepId: string;
  title: string;
  status: UndoStatus;
  durationMs: number;
  error?: string;
  /** Why an undo was deliberately not run (status skipped). */
  note?: string;
}

export interface UndoHooks {
  /** Called before each undo runs (journal, progress). */
  onStart?(entry: UndoEntry): void;
  /** Called with each outcome, failures included. */
  onDone?(entry: UndoEntry, outcome: UndoOutcome): void;
  now?(): number;
  /** A reason to keep what this entry would undo (it is then skipped, not run), or undefined to run it. */
  keep?(entry: UndoEntry): string | undefined;
}

export class UndoStack {
  readonly #entries: UndoEntry[] = [];

  /** Registers an undo; call it BEFORE the step runs, so a half-applied step is still undone. */
  push(entry: UndoEntry): void {
    if (this.#entries.some((e) => e.id === entry.id))
      throw new Error(`undo "${entry.id}" is already registered`);
    this.#entries.push(entry);
  }

  /** Records what the step returned for its undo. */
  setUndoData(id: string, undoData: JsonValue | undefined): void {
    const entry = this.#entries.find((e) => e.id === id);
    if (entry) entry.undoData = undoData;
  }

  get size(): number {
    return this.#entries.length;
  }

  /** Pending undos, oldest first. */
  get pending(): readonly UndoEntry[] {
    return [...this.#entries];
  }

  /**
   * Runs every pending undo, most recent first, each under its own deadline; keeps going past
   * failures and reports every outcome. Never throws.
   */
  async unwind(hooks: UndoHooks = {}): Promise<UndoOutcome[]> {
    const now = hooks.now ?? (() => performance.now());
    const outcomes: UndoOutcome[] = [];
    for (let entry = this.#entries.pop(); entry; entry = this.#entries.pop()) {
      const current = entry;
      const keep = hooks.keep?.(current);
      if (keep !== undefined) {
        const kept: UndoOutcome = { ...describe(current), status: 'skipped', durationMs: 0, note: keep };
        outcomes.push(kept);
        hooks.onDone?.(current, kept);
        continue;
      }
      hooks.onStart?.(current);
      const started = now();
      let outcome: UndoOutcome;
      try {
        await withDeadline((signal) => current.run(signal, current.undoData), {
          ms: current.timeoutMs,
          what: `undo of "${current.title}"`,
          setting: current.timeoutSetting,
          file: current.file,
        });
        outcome = { ...describe(current), status: 'done', durationMs: now() - started };
      } catch (error) {
        outcome = {
          ...describe(current),
          status: 'failed',
          durationMs: now() - started,
          error: errorMessage(error),
        };
      }
      outcomes.push(outcome);
      hooks.onDone?.(current, outcome);
    }
    return outcomes;
  }
}

function describe(entry: UndoEntry): Pick<UndoOutcome, 'id' | 'kind' | 'stepId' | 'title'> {
  return { id: entry.id, kind: entry.kind, stepId: entry.stepId, title: entry.title };
}

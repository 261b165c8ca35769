// Dispatches events to reporter hooks; a broken reporter never breaks a drill.
import type { DrillEvent } from '../events.ts';
import type { Reporter } from '../reporters/reporter.ts';
import type { EventLog } from './event-log.ts';

const HOOK: { [K in DrillEvent['kind']]: keyof Reporter } = {
  'run-start': 'onRunStart',
  plan: 'onPlan',
  'phase-start': 'onPhaseStart',
  'phase-end': 'onPhaseEnd',
  'step-start': 'onStepStart',
  'step-end': 'onStepEnd',
  'probe-sample': 'onProbeSample',
  undo: 'onUndo',
  log: 'onLog',
  checkpoint: 'onCheckpoint',
  'run-end': 'onRunEnd',
  process: 'onRecord',
  'undo-registered': 'onRecord',
  'undo-data': 'onRecord',
  irreversible: 'onRecord',
  t0: 'onRecord',
  lock: 'onRecord',
  deviation: 'onRecord',
  'rollback-end': 'onRecord',
  failure: 'onRecord',
  attachment: 'onRecord',
  background: 'onRecord',
  rto: 'onRecord',
  rpo: 'onRecord',
  'roll-forward': 'onRecord',
  'safety-check': 'onRecord',
  'abort-condition': 'onRecord',
};

export class Emitter {
  readonly #reporters: Reporter[];
  readonly #pending = new Set<Promise<void>>();
  readonly errors: string[] = [];

  readonly #log: EventLog | undefined;
  readonly #folds: readonly ((event: DrillEvent) => void)[];

  /** `folds` are applied to each event once it is in the log (the journal.json snapshot). */
  constructor(reporters: Reporter[], log?: EventLog, folds: readonly ((event: DrillEvent) => void)[] = []) {
    this.#reporters = reporters;
    this.#log = log;
    this.#folds = folds;
  }

  /** Appends the event to the run's log, applies the folds, then calls each reporter's hook; async hooks are awaited by flush(). */
  emit(event: DrillEvent): void {
    try {
      this.#log?.append(event);
    } catch (error) {
      this.errors.push(`events.jsonl: ${String(error)}`);
    }
    for (const fold of this.#folds) {
      try {
        fold(event);
      } catch (error) {
        this.errors.push(`journal.json: ${String(error)}`);
      }
    }
    const name = HOOK[event.kind];
    for (const reporter of this.#reporters) {
      const hook = reporter[name] as ((e: DrillEvent) => unknown) | undefined;
      if (!hook) continue;
      try {
        const out = hook.call(reporter, event);
        if (out instanceof Promise) {
          const tracked: Promise<void> = out
            .catch((error: unknown) => {
              this.errors.push(`${name}: ${String(error)}`);
            })
            .finally(() => this.#pending.delete(tracked));
          this.#pending.add(tracked);
        }
      } catch (error) {
        this.errors.push(`${name}: ${String(error)}`);
      }
    }
  }

  async flush(): Promise<void> {
    await Promise.all([...this.#pending]);
  }

  /** Ends the run's log (the last events synced to disk). */
  close(): void {
    this.#log?.close();
  }
}

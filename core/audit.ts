// actions.jsonl: one line before and one after every mutating call, secrets redacted.
import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { AuditLine } from './audit-schema.ts';
import { errorMessage } from './errors.ts';
import type { AuditLog, PlannedCall } from './model.ts';
import type { Redactor } from './redact.ts';

export const ACTIONS_FILE = 'actions.jsonl';

/** One line of actions.jsonl: its zod schema (core/audit-schema.ts) is the one place it is defined. */
export type { AuditLine };

export interface AuditWhere {
  phase?: string;
  stepId?: string;
}

export class FileAuditLog implements AuditLog {
  readonly file: string;
  readonly #redactor: Redactor;
  readonly #dryRun: boolean;
  readonly #where: AuditWhere;
  readonly #counter: { seq: number };

  constructor(opts: {
    file: string;
    redactor: Redactor;
    dryRun: boolean;
    where?: AuditWhere;
    counter?: { seq: number };
  }) {
    this.file = opts.file;
    this.#redactor = opts.redactor;
    this.#dryRun = opts.dryRun;
    this.#where = opts.where ?? {};
    this.#counter = opts.counter ?? { seq: 0 };
  }

  /** The same log, with every line tagged with the phase and step making the call. */
  bind(where: AuditWhere): FileAuditLog {
    return new FileAuditLog({
      file: this.file,
      redactor: this.#redactor,
      dryRun: this.#dryRun,
      where: { ...this.#where, ...where },
      counter: this.#counter,
    });
  }

  /** Records the call, performs it (not in a dry run: then it returns undefined), records the outcome. */
  async mutate<T>(call: PlannedCall, perform: () => Promise<T>): Promise<T> {
    if (this.#dryRun) {
      this.#append('planned', call);
      return undefined as T;
    }
    this.#append('before', call);
    const started = performance.now();
    try {
      const value = await perform();
      this.#append('after', call, { outcome: 'ok', durationMs: Math.round(performance.now() - started) });
      return value;
    } catch (error) {
      this.#append('after', call, {
        outcome: 'error',
        error: errorMessage(error),
        durationMs: Math.round(performance.now() - started),
      });
      throw error;
    }
  }

  /** Lists a call a dry run would make. */
  planned(call: PlannedCall): void {
    this.#append('planned', call);
  }

  #append(event: AuditLine['event'], call: PlannedCall, extra: Partial<AuditLine> = {}): void {
    const line: AuditLine = {
      seq: ++this.#counter.seq,
      at: new Date().toISOString(),
      event,
      service: call.service,
      operation: call.operation,
      ...(call.scope === undefined ? {} : { scope: call.scope }),
      ...(call.params === undefined ? {} : { params: call.params }),
      ...this.#where,
      ...extra,
    };
    mkdirSync(dirname(this.file), { recursive: true });
    // Synchronous append: the "before" line is on disk before the call leaves this process.
    appendFileSync(this.file, `${JSON.stringify(this.#redactor.redact(line))}\n`, { mode: 0o600 });
  }
}

// The run's event stream on disk: every event, in order, one JSON object per line (core/events-schema.json).
// Readers (the live view, `drill rollback`, which replays it) read it; a transition is fsync'd before the run goes on, so a crash of
// the machine keeps every phase, step and undo that happened; evidence (samples, logs, attachments, safety checks,
// failures found, the abort condition met) rides on the next sync, so hundreds of samples cost no sync each.
import { closeSync, fdatasyncSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { DrillEvent } from './events.ts';

export const EVENTS_FILE = 'events.jsonl';

const UNSYNCED_KINDS: ReadonlySet<DrillEvent['kind']> = new Set([
  'probe-sample',
  'log',
  'attachment',
  'safety-check',
  'failure',
  // Said as the run aborts: the abort's own transitions (phase and step ends) follow at once and are synced.
  'abort-condition',
]);

export class EventLog {
  #fd: number | undefined;

  constructor(readonly file: string) {
    mkdirSync(dirname(file), { recursive: true });
    this.#fd = openSync(file, 'a', 0o600);
  }

  append(event: DrillEvent): void {
    if (this.#fd === undefined) return;
    writeSync(this.#fd, `${JSON.stringify(event)}\n`);
    if (!UNSYNCED_KINDS.has(event.kind)) fdatasyncSync(this.#fd);
  }

  close(): void {
    if (this.#fd === undefined) return;
    fdatasyncSync(this.#fd);
    closeSync(this.#fd);
    this.#fd = undefined;
  }
}

/** The events of a run directory's log, in order; a torn last line (the writer died mid-write) is skipped. */
export function parseEventLog(text: string): DrillEvent[] {
  const events: DrillEvent[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    try {
      events.push(JSON.parse(line) as DrillEvent);
    } catch {
      // Only the last line can be torn; anything after it would be a second writer, which the lock forbids.
    }
  }
  return events;
}

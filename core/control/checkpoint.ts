// Manual checkpoints: the engine announces one and waits; a person (terminal prompt, live page) or the auto-confirm
// setting confirms it from any process. The first answer is written once and kept as the record.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { DrillError } from '../errors.ts';
import {
  confirmationsDir,
  createOnce,
  pendingDir,
  readRecord,
  recordName,
  removeRecord,
  writeWhole,
} from './files.ts';
import { watchFolder } from './watch.ts';

export type ConfirmVia = 'terminal' | 'page' | 'auto';

/** The step measurement a manual checkpoint records: ms it waited for a person (reports show it in the RTO split). */
export const CHECKPOINT_WAIT_MEASUREMENT = 'checkpointWaitedMs';

export type CheckpointRecord =
  | { stepId: string; outcome: 'confirmed'; by: string; via: ConfirmVia; at: string }
  /** Nobody answered within the checkpoint's bound: written by the engine, so a late answer loses. */
  | { stepId: string; outcome: 'timed-out'; at: string };

/** A checkpoint waiting for a person: what the prompt and the page show. */
export interface PendingCheckpoint {
  stepId: string;
  title: string;
  instruction: string;
  runbook?: string;
  /** ISO time the wait began. */
  since: string;
  waitUpToMs: number;
  onTimeout: 'abort' | 'continue';
}

const confirmationFile = (runDir: string, stepId: string) =>
  join(confirmationsDir(runDir), recordName(stepId));
const pendingFile = (runDir: string, stepId: string) => join(pendingDir(runDir), recordName(stepId));

export function readCheckpoint(runDir: string, stepId: string): CheckpointRecord | undefined {
  return readRecord<CheckpointRecord>(confirmationFile(runDir, stepId));
}

function settle(runDir: string, record: CheckpointRecord): { record: CheckpointRecord; first: boolean } {
  const first = createOnce(confirmationFile(runDir, record.stepId), record);
  const standing = readCheckpoint(runDir, record.stepId);
  if (!standing)
    throw new Error(`${confirmationFile(runDir, record.stepId)} vanished right after it was written`);
  return { record: standing, first };
}

/** Confirms a checkpoint. The first answer stands: returns it, and whether it is this one. */
export function confirmCheckpoint(
  runDir: string,
  stepId: string,
  who: { by: string; via: ConfirmVia },
): { record: CheckpointRecord; first: boolean } {
  return settle(runDir, {
    stepId,
    outcome: 'confirmed',
    by: who.by,
    via: who.via,
    at: new Date().toISOString(),
  });
}

export function announceCheckpoint(runDir: string, pending: PendingCheckpoint): void {
  writeWhole(pendingFile(runDir, pending.stepId), pending);
}

export function withdrawCheckpoint(runDir: string, stepId: string): void {
  removeRecord(pendingFile(runDir, stepId));
}

/** The checkpoints waiting now, oldest first. */
export function pendingCheckpoints(runDir: string): PendingCheckpoint[] {
  let names: string[];
  try {
    names = readdirSync(pendingDir(runDir)).filter((n) => n.endsWith('.json'));
  } catch {
    return [];
  }
  const pending: PendingCheckpoint[] = [];
  for (const name of names) {
    try {
      const p = readRecord<PendingCheckpoint>(join(pendingDir(runDir), name));
      if (p) pending.push(p);
    } catch {
      // withdrawn or being replaced while read
    }
  }
  return pending.sort((a, b) => a.since.localeCompare(b.since));
}

/** Calls `onPending` once for each checkpoint that starts waiting; returns a function that stops watching. */
export function watchPendingCheckpoints(
  runDir: string,
  onPending: (pending: PendingCheckpoint) => void,
): () => void {
  const seen = new Set<string>();
  const check = () => {
    for (const p of pendingCheckpoints(runDir)) {
      const key = `${p.stepId}@${p.since}`;
      if (seen.has(key)) continue;
      seen.add(key);
      onPending(p);
    }
  };
  const stop = watchFolder(pendingDir(runDir), check, { unref: true });
  check();
  return stop;
}

export interface AwaitedCheckpoint {
  record: CheckpointRecord;
  /** Monotonic ms from the call to the answer (or to the bound). */
  waitedMs: number;
}

/**
 * Waits for the checkpoint's answer, at most `timeoutMs` after `askedAt` (performance.now() when the question was
 * put: a person waits from the moment it is shown, not from when this call starts); then writes a timed-out record
 * (unless an answer won the race) and returns whichever stands. Rejects with the signal's reason when it aborts first.
 */
export function awaitConfirmation(
  runDir: string,
  stepId: string,
  signal: AbortSignal,
  timeoutMs: number,
  askedAt: number = performance.now(),
): Promise<AwaitedCheckpoint> {
  const started = Math.min(askedAt, performance.now());
  return new Promise<AwaitedCheckpoint>((resolve, reject) => {
    let finished = false;
    const finish = (outcome: () => AwaitedCheckpoint | Error) => {
      if (finished) return;
      finished = true;
      stopWatch();
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      let value: AwaitedCheckpoint | Error;
      try {
        value = outcome();
      } catch (error) {
        value = error as Error;
      }
      if (value instanceof Error) reject(value);
      else resolve(value);
    };
    const waited = () => Math.round(performance.now() - started);
    const check = () => {
      let record: CheckpointRecord | undefined;
      try {
        record = readCheckpoint(runDir, stepId);
      } catch {
        return;
      }
      if (record) finish(() => ({ record, waitedMs: waited() }));
    };
    const onAbort = () =>
      finish(() =>
        signal.reason instanceof Error
          ? signal.reason
          : new DrillError('E_ABORTED', `checkpoint "${stepId}" aborted while waiting`),
      );
    const timer = setTimeout(
      () =>
        finish(() => {
          const { record } = settle(runDir, { stepId, outcome: 'timed-out', at: new Date().toISOString() });
          return { record, waitedMs: waited() };
        }),
      Math.max(0, timeoutMs - (performance.now() - started)),
    );
    const stopWatch = watchFolder(confirmationsDir(runDir), check);
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
    check();
  });
}

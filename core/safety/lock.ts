// The drill lock: one drill per target at a time. Taken atomically before anything is injected, released
// on every exit path of the run; a lock whose run was killed is reported as stale (never stolen) and
// `drill rollback <run-id>` releases it once the target is clean again.
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { errorMessage } from '../errors.ts';
import { JOURNAL_FILE, type JournalData } from '../journal.ts';
import type { RunContext, Target } from '../model.ts';
import type { LockAcquire, LockOwner, LockRelease, LockStore } from './types.ts';

/** A lock file created with O_EXCL: for targets that live on this machine and have no shared store. */
export class FileLockStore implements LockStore {
  readonly where: string;
  constructor(readonly file: string) {
    this.where = `lock file ${file}`;
  }

  async tryAcquire(owner: LockOwner, _signal?: AbortSignal): Promise<LockAcquire> {
    mkdirSync(dirname(this.file), { recursive: true });
    try {
      const fd = openSync(this.file, 'wx', 0o644);
      try {
        writeSync(fd, `${JSON.stringify(owner)}\n`);
      } finally {
        closeSync(fd);
      }
      return { acquired: true };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = await this.read();
      // Released between our create and our read: try once more.
      if (!holder) return this.tryAcquire(owner);
      return { acquired: false, holder };
    }
  }

  async read(_signal?: AbortSignal): Promise<LockOwner | undefined> {
    try {
      return parseLockOwner(readFileSync(this.file, 'utf8'));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  async release(runId: string, _signal?: AbortSignal): Promise<LockRelease> {
    const holder = await this.read();
    if (!holder) return 'not-held';
    if (holder.runId !== runId) return 'held-by-other';
    unlinkSync(this.file);
    return 'released';
  }
}

/** The default lock of a target that brings none: `<outDir>/locks/<target>.lock.json`. */
export function defaultLockStore(outDir: string, targetName: string): FileLockStore {
  return new FileLockStore(join(outDir, 'locks', `${targetName}.lock.json`));
}

export function parseLockOwner(text: string): LockOwner {
  const value = JSON.parse(text) as Partial<LockOwner>;
  if (typeof value.runId !== 'string' || typeof value.pid !== 'number' || typeof value.host !== 'string') {
    throw new Error(`not a drill lock: ${text.slice(0, 200)}`);
  }
  return {
    runId: value.runId,
    scenario: String(value.scenario ?? ''),
    host: value.host,
    pid: value.pid,
    startedAt: String(value.startedAt ?? ''),
  };
}

export function lockOwner(runId: string, scenario: string): LockOwner {
  return { runId, scenario, host: hostname(), pid: process.pid, startedAt: new Date().toISOString() };
}

export interface HolderFacts {
  /** This machine's name. */
  host: string;
  /** Whether a pid runs on this machine. */
  isAlive(pid: number): boolean;
  /** Where run directories are (`<outDir>/runs/<run-id>/journal.json`). */
  outDir: string;
}

/** Whether the holder's run is over (killed, crashed or finished), from its pid and its journal. */
export function holderState(holder: LockOwner, facts: HolderFacts): { stale: boolean; why: string } {
  const journalFile = join(facts.outDir, 'runs', holder.runId, JOURNAL_FILE);
  let journal: Pick<JournalData, 'state'> | undefined;
  if (existsSync(journalFile)) {
    try {
      journal = JSON.parse(readFileSync(journalFile, 'utf8')) as JournalData;
    } catch {
      journal = undefined;
    }
  }
  if (holder.host === facts.host) {
    if (!facts.isAlive(holder.pid))
      return { stale: true, why: `its process ${holder.pid} is gone (killed or crashed)` };
    if (journal && journal.state !== 'running')
      return { stale: true, why: `its journal says ${journal.state}` };
    return { stale: false, why: `it is running as pid ${holder.pid}` };
  }
  if (journal && journal.state !== 'running')
    return { stale: true, why: `its journal says ${journal.state}` };
  return {
    stale: false,
    why: `it runs on host ${holder.host} (pid ${holder.pid}), which this machine cannot check`,
  };
}

/** Why a run may not start while `holder` holds the lock, and what to do. */
export function lockRefusal(
  targetName: string,
  where: string,
  holder: LockOwner,
  facts: HolderFacts,
): string {
  const { stale, why } = holderState(holder, facts);
  const who = `run ${holder.runId} (${holder.scenario || 'a drill'}, started ${holder.startedAt} on ${holder.host})`;
  if (stale) {
    return `target "${targetName}" is locked by ${who}, which is no longer running: ${why}. Roll it back and release the lock with \`pnpm drill rollback ${holder.runId}\` (${where})`;
  }
  return `another drill is running on target "${targetName}": ${who}; ${why}. Wait for it to finish, or stop it with Ctrl-C in its terminal (${where})`;
}

/** `<outDir>` of a run directory `<outDir>/runs/<run-id>`. */
export const outDirOf = (runDir: string) => dirname(dirname(runDir));

export interface LockReleaseOutcome {
  where: string;
  status: 'released' | 'not-held' | 'held-by-other' | 'kept' | 'failed';
  detail?: string;
}

/** `drill rollback`: releases the lock a killed run left, once its undos are done (kept while the target is dirty). */
export async function releaseLockOf<R>(
  target: Target<R>,
  ctx: RunContext<R>,
  runId: string,
  outDir: string,
  opts: { keep?: string } = {},
): Promise<LockReleaseOutcome> {
  let where = defaultLockStore(outDir, target.name).where;
  try {
    const platform = await target.safety?.platform?.(ctx);
    const store = platform?.lock ?? defaultLockStore(outDir, target.name);
    where = store.where;
    if (opts.keep) return { where, status: 'kept', detail: opts.keep };
    const status = await store.release(runId, ctx.signal);
    return { where, status };
  } catch (error) {
    return { where, status: 'failed', detail: errorMessage(error) };
  }
}

import { setTimeout as sleep } from 'node:timers/promises';
import type { Pool } from 'pg';
import { classifyDbError } from '../db.ts';
import { describeError } from '../errors.ts';
import { renderSandboxImage } from '../render/sandbox.ts';
import { claimNextJob, completeJob, failJob, recoverStaleJobs } from './jobs.ts';

export interface WorkerOptions {
  pod: string;
  idlePollMs?: number;
  /** Poll interval while the database is read-only (a standby region): default 1000 ms. */
  standbyPollMs?: number;
  /** Backoff after a database error: doubles from `minBackoffMs` up to `maxBackoffMs`. */
  minBackoffMs?: number;
  maxBackoffMs?: number;
  staleAfterSeconds?: number;
  maxAttempts?: number;
}

/** What /health reports: the worker is ready while its last database round trip succeeded. */
export interface WorkerState {
  processed: number;
  failed: number;
  lastOkAt: number | null;
  lastError: string | null;
  /** 'reader': the database answered read-only (standby region), so the worker stands by. */
  role: 'writer' | 'reader' | 'unknown';
}

/** Claims and renders jobs until `signal` aborts; database errors are retried with backoff, never fatal. */
export async function runWorker(
  pool: Pool,
  options: WorkerOptions,
  state: WorkerState,
  signal: AbortSignal,
): Promise<void> {
  const idle = options.idlePollMs ?? 200;
  const minBackoff = options.minBackoffMs ?? 200;
  const maxBackoff = options.maxBackoffMs ?? 5000;
  let backoff = minBackoff;
  let nextSweep = 0;
  const pause = (ms: number) => sleep(ms, undefined, { signal }).catch(() => {});
  while (!signal.aborted) {
    try {
      if (Date.now() >= nextSweep) {
        const swept = await recoverStaleJobs(pool, options.staleAfterSeconds ?? 30, options.maxAttempts ?? 3);
        if (swept.requeued + swept.failed > 0)
          console.log(`stale jobs: ${swept.requeued} requeued, ${swept.failed} failed`);
        nextSweep = Date.now() + 5000;
      }
      const job = await claimNextJob(pool, options.pod);
      if (state.role !== 'writer') console.log('database is writable: taking render jobs');
      answered(state, 'writer');
      backoff = minBackoff;
      if (!job) {
        await pause(idle);
        continue;
      }
      const started = performance.now();
      let image: Buffer;
      try {
        image = renderSandboxImage(job.prompt);
      } catch (error) {
        state.failed++;
        await failJob(pool, job.id, options.pod, `render failed: ${describeError(error)}`);
        continue;
      }
      const stored = await completeJob(pool, job.id, options.pod, image);
      if (stored) state.processed++;
      const ms = Math.round(performance.now() - started);
      console.log(
        `render ${job.id} ${stored ? 'done' : 'lost (reclaimed by another worker)'} attempt=${job.attempts} bytes=${image.length} ${ms}ms`,
      );
    } catch (error) {
      // A read-only database (the standby region before failover) is reachable, not failing.
      if (classifyDbError(error) === 'read_only') {
        if (state.role !== 'reader') console.log('database is read-only (standby): standing by');
        answered(state, 'reader');
        backoff = minBackoff;
        await pause(options.standbyPollMs ?? 1000);
        continue;
      }
      state.lastError = describeError(error);
      console.error(`database error: ${state.lastError}; retrying in ${backoff} ms`);
      await pause(backoff);
      backoff = Math.min(backoff * 2, maxBackoff);
    }
  }
}

function answered(state: WorkerState, role: 'writer' | 'reader'): void {
  state.role = role;
  state.lastOkAt = Date.now();
  state.lastError = null;
}

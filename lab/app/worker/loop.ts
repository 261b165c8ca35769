// The ai-worker's BullMQ consumer: takes render and upscale jobs from REDIS_URL while its database is writable,
// stands by (paused) while it is read-only (a standby region) or unreachable, and keeps retrying a lost database or
// Redis. A job that meets a database outage is put back for later without spending one of its attempts.
import { setTimeout as sleep } from 'node:timers/promises';
import { DelayedError, type Job, Worker } from 'bullmq';
import type { Pool } from 'pg';
import { classifyDbError } from '../db.ts';
import { describeError } from '../errors.ts';
import {
  RENDER_ATTEMPTS,
  RENDER_QUEUE,
  type RenderJobData,
  workerConnection,
} from '../queue/render-queue.ts';
import { renderSandboxImage } from '../render/sandbox.ts';
import { upscale2x } from '../render/upscale.ts';
import { isDatabaseOutage, outageRetryDelay } from './db-outage.ts';
import { completeJob, recordAttemptFailure, sourceImage, startJob } from './jobs.ts';

export interface WorkerOptions {
  pod: string;
  redisUrl: string;
  /** How often the database is checked (writable or not): default 500 ms. */
  dbPollMs?: number;
  /** Backoff after a database error: doubles from `minBackoffMs` up to `maxBackoffMs`. */
  minBackoffMs?: number;
  maxBackoffMs?: number;
  /** A job whose worker stopped renewing its lock this long is handed to another worker (BullMQ stalled check). */
  lockDurationMs?: number;
  /** A job that met a database outage comes back after this delay, doubling per outage in a row: 500 ms to 5 s. */
  outageRetryMinMs?: number;
  outageRetryMaxMs?: number;
}

/** What /health reports: the worker is ready while its last database round trip succeeded. */
export interface WorkerState {
  processed: number;
  failed: number;
  /** Jobs put back because the database was unreachable or read-only (no attempt spent). */
  deferred: number;
  lastOkAt: number | null;
  lastError: string | null;
  /** 'reader': the database answered read-only (standby region), so the worker stands by. */
  role: 'writer' | 'reader' | 'unknown';
  /** ioredis status of the BullMQ connection ('ready' when it can take jobs). */
  redis: () => string;
}

/** A worker that has done nothing yet. */
export function initialWorkerState(): WorkerState {
  return {
    processed: 0,
    failed: 0,
    deferred: 0,
    lastOkAt: null,
    lastError: null,
    role: 'unknown',
    redis: () => 'connecting',
  };
}

/** Consumes until `signal` aborts, then closes the BullMQ worker (the job in hand finishes first). */
export async function runWorker(
  pool: Pool,
  options: WorkerOptions,
  state: WorkerState,
  signal: AbortSignal,
): Promise<void> {
  const connection = workerConnection(options.redisUrl, `ai-worker/${options.pod}`);
  state.redis = () => connection.status;
  const worker = new Worker<RenderJobData>(
    RENDER_QUEUE,
    (job, token) => processOrDefer(pool, options, job, token, state),
    {
      connection,
      autorun: false,
      concurrency: 1,
      lockDuration: options.lockDurationMs ?? 30_000,
      maxStalledCount: 1,
    },
  );
  worker.on('error', (error) => console.error(`bullmq: ${describeError(error)}`));
  worker.on('failed', (job, error) => {
    if (!job) return;
    const final =
      job.attemptsMade >= (job.opts.attempts ?? RENDER_ATTEMPTS) || error.name === 'UnrecoverableError';
    if (final) state.failed++;
    console.error(
      `render ${job.id} attempt ${job.attemptsMade} failed${final ? ' (final)' : ''}: ${error.message}`,
    );
    void recordAttemptFailure(pool, job.data.id, error.message, final).catch(() => {});
  });
  let running: Promise<void> | undefined;
  const pause = (ms: number) => sleep(ms, undefined, { signal }).catch(() => {});
  const minBackoff = options.minBackoffMs ?? 200;
  const maxBackoff = options.maxBackoffMs ?? 5000;
  let backoff = minBackoff;
  while (!signal.aborted) {
    try {
      const readOnly = await pool.query<{ ro: string }>(
        "select current_setting('transaction_read_only') as ro",
      );
      backoff = minBackoff;
      if (readOnly.rows[0]?.ro === 'on') {
        if (state.role !== 'reader') console.log('database is read-only (standby): standing by');
        answered(state, 'reader');
        if (running && !worker.isPaused()) await worker.pause(true);
      } else {
        if (state.role !== 'writer') console.log('database is writable: taking render jobs');
        answered(state, 'writer');
        if (!running)
          running = worker.run().catch((e: unknown) => console.error(`bullmq: ${describeError(e)}`));
        else if (worker.isPaused()) worker.resume();
      }
      await pause(options.dbPollMs ?? 500);
    } catch (error) {
      if (classifyDbError(error) === 'other') console.error(`database check failed: ${describeError(error)}`);
      state.lastError = describeError(error);
      console.error(`database error: ${state.lastError}; retrying in ${backoff} ms`);
      // Claim nothing while the database is away: a job taken now could only be put back.
      if (running && !worker.isPaused()) await worker.pause(true).catch(() => {});
      await pause(backoff);
      backoff = Math.min(backoff * 2, maxBackoff);
    }
  }
  await worker.close().catch(() => {});
  connection.disconnect();
}

/**
 * Runs the job; when the database is unreachable or read-only (an outage, a failover), moves it back to delayed
 * without spending an attempt (BullMQ moveToDelayed skips the attempt, DelayedError tells the worker it moved).
 * Any other error fails the attempt as usual.
 */
async function processOrDefer(
  pool: Pool,
  options: WorkerOptions,
  job: Job<RenderJobData>,
  token: string | undefined,
  state: WorkerState,
): Promise<void> {
  try {
    await processJob(pool, options.pod, job, state);
  } catch (error) {
    if (!token || !isDatabaseOutage(error)) throw error;
    const delayMs = outageRetryDelay(job, options.outageRetryMinMs ?? 500, options.outageRetryMaxMs ?? 5000);
    await job.moveToDelayed(Date.now() + delayMs, token);
    state.deferred += 1;
    console.error(
      `render ${job.id} put back for ${delayMs} ms, attempt not counted (database unavailable): ${describeError(error)}`,
    );
    throw new DelayedError();
  }
}

async function processJob(
  pool: Pool,
  pod: string,
  job: Job<RenderJobData>,
  state: WorkerState,
): Promise<void> {
  const started = performance.now();
  const claimed = await startJob(pool, job.data.id, pod);
  if (claimed === 'done') {
    console.log(`render ${job.data.id} already done (redelivered): nothing to do`);
    return;
  }
  const image =
    claimed.kind === 'upscale' && claimed.sourceId
      ? upscale2x(await sourceImage(pool, claimed.sourceId))
      : renderSandboxImage(claimed.prompt);
  const stored = await completeJob(pool, claimed.id, pod, image);
  if (stored) state.processed++;
  const ms = Math.round(performance.now() - started);
  console.log(
    `${claimed.kind} ${claimed.id} ${stored ? 'done' : 'lost (reclaimed by another worker)'} attempt=${claimed.attempts} bytes=${image.length} ${ms}ms`,
  );
}

function answered(state: WorkerState, role: 'writer' | 'reader'): void {
  state.role = role;
  state.lastOkAt = Date.now();
  state.lastError = null;
}

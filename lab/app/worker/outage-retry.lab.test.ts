import type { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Link } from '../../net/link.ts';
import { createPool } from '../db.ts';
import { enqueueRender, queueCounts, type RenderJobData, renderQueue } from '../queue/render-queue.ts';
import { renderSandboxImage } from '../render/sandbox.ts';
import { waitFor } from '../testing/fixture.ts';
import { startThrowawayPostgres, type ThrowawayPostgres } from '../testing/postgres.ts';
import { startThrowawayRedis, type ThrowawayRedis } from '../testing/redis.ts';
import { initialWorkerState, runWorker, type WorkerOptions, type WorkerState } from './loop.ts';

// The ai-worker in this process, its database behind a Link (a blackhole cut, as in the aurora-outage drill),
// BullMQ on a real Redis. The queue is the app's own (3 attempts, exponential backoff from 200 ms).
let pgServer: ThrowawayPostgres;
let redis: ThrowawayRedis;
let link: Link;
let pool: pg.Pool;
let producer: Redis;
let queue: Queue<RenderJobData>;
let stopWorker: (() => Promise<void>) | undefined;

beforeAll(async () => {
  [pgServer, redis] = await Promise.all([startThrowawayPostgres(), startThrowawayRedis()]);
  link = new Link({ name: 'db-eu-west-1', target: { host: '127.0.0.1', port: pgServer.port } });
  const viaLink = new URL(pgServer.url);
  viaLink.port = String(await link.start());
  pool = await createPool(viaLink.toString(), 'ai-worker/outage-test');
  producer = new Redis(redis.url, { maxRetriesPerRequest: null });
  queue = renderQueue(producer);
});

afterEach(async () => {
  link.restore();
  await stopWorker?.();
  stopWorker = undefined;
});

afterAll(async () => {
  await queue?.close();
  producer?.disconnect();
  await pool?.end();
  await link?.close();
  await pgServer?.destroy();
  await redis?.destroy();
});

async function startWorker(pod: string, options: Partial<WorkerOptions>): Promise<WorkerState> {
  const state: WorkerState = initialWorkerState();
  const stop = new AbortController();
  const loop = runWorker(pool, { pod, redisUrl: redis.url, ...options }, state, stop.signal);
  stopWorker = async () => {
    stop.abort();
    await loop;
  };
  await waitFor('the worker to take jobs', async () =>
    state.role === 'writer' && state.redis() === 'ready' ? true : undefined,
  );
  return state;
}

/** A queued render_jobs record, written straight to PostgreSQL (not through the Link). */
async function insertRender(prompt: string): Promise<string> {
  const client = new pg.Client({ connectionString: pgServer.url });
  await client.connect();
  try {
    const row = await client.query<{ id: string }>(
      "insert into render_jobs (prompt, region) values ($1, 'eu-west-1') returning id",
      [prompt],
    );
    return row.rows[0]!.id;
  } finally {
    await client.end();
  }
}

async function renderRecord(id: string) {
  const client = new pg.Client({ connectionString: pgServer.url });
  await client.connect();
  try {
    const row = await client.query('select status, attempts, error, image from render_jobs where id = $1', [
      id,
    ]);
    return row.rows[0] as { status: string; attempts: number; error: string | null; image: Buffer | null };
  } finally {
    await client.end();
  }
}

describe('ai-worker and a database outage', () => {
  it('puts back a job claimed while the database is unreachable without spending an attempt, and completes it once the database is back', async () => {
    // The health loop checks rarely here, so the job is claimed before it notices the cut (as in the drill,
    // where the outage began between two checks).
    const state = await startWorker('ai-worker-outage-a', {
      dbPollMs: 60_000,
      outageRetryMinMs: 200,
      outageRetryMaxMs: 400,
    });
    const prompt = 'a fox that met the outage';
    const id = await insertRender(prompt);
    link.cut();
    await enqueueRender(queue, { id, kind: 'render' });

    // Three claims, each ending in "Connection terminated due to connection timeout" (DB_TIMEOUTS): the old worker
    // had failed the job for good by the third (3 attempts).
    const during = await waitFor(
      'the job to be claimed three times during the outage',
      async () => {
        // State first, then the job: a job read before its state may be older than that state.
        const where = await queue.getJobState(id);
        const job = await queue.getJob(id);
        return job && job.attemptsStarted >= 3 && where !== 'active' ? { job, where } : undefined;
      },
      15_000,
    );
    expect([during.where, during.job.attemptsMade, during.job.failedReason ?? '']).toEqual([
      'delayed',
      0,
      '',
    ]);
    expect(state.deferred).toBeGreaterThanOrEqual(2);
    expect(state.failed).toBe(0);

    link.restore();
    const done = await waitFor('the job to complete after the outage', async () => {
      if ((await queue.getJobState(id)) !== 'completed') return undefined;
      return queue.getJob(id);
    });
    // One attempt spent in all: the one that succeeded.
    expect([done.attemptsMade, done.failedReason ?? '']).toEqual([1, '']);
    const record = await renderRecord(id);
    expect([record.status, record.attempts, record.error]).toEqual(['done', 1, null]);
    expect(record.image).toEqual(renderSandboxImage(prompt));
    expect(await queueCounts(queue)).toEqual({ waiting: 0, active: 0, failed: 0, completed: 1, delayed: 0 });
    expect([state.processed, state.failed]).toEqual([1, 0]);
  });

  it('still fails a job on its own error: a bad id spends its 3 attempts, a record the database lost fails at once', async () => {
    const state = await startWorker('ai-worker-outage-b', { dbPollMs: 500 });
    const ghost = '00000000-0000-4000-8000-00000000000f';
    await enqueueRender(queue, { id: 'not-a-uuid', kind: 'render' });
    await enqueueRender(queue, { id: ghost, kind: 'render' });
    const failed = await waitFor('both jobs to fail', async () => {
      const states = await Promise.all(['not-a-uuid', ghost].map((id) => queue.getJobState(id)));
      if (!states.every((s) => s === 'failed')) return undefined;
      return Promise.all([queue.getJob('not-a-uuid'), queue.getJob(ghost)]);
    });
    expect(failed.map((job) => [job?.attemptsMade, job?.failedReason])).toEqual([
      [3, 'invalid input syntax for type uuid: "not-a-uuid"'],
      [1, `render_jobs has no record ${ghost} (lost with the database's last writes?)`],
    ]);
    expect((await queueCounts(queue)).failed).toBe(2);
    expect([state.failed, state.deferred ?? 0]).toEqual([2, 0]);
  });
});

// The BullMQ queue of render and upscale jobs on REDIS_URL, as on the real platform. Job state lives in Redis;
// the job's record, result and image stay in PostgreSQL (render_jobs), keyed by the same id.
import { Queue } from 'bullmq';
import { Redis, type RedisOptions } from 'ioredis';
import { describeError } from '../errors.ts';

export const RENDER_QUEUE = 'renders';
/** Attempts before BullMQ marks a job failed (the worker retries with backoff in between). */
export const RENDER_ATTEMPTS = 3;

export interface RenderJobData {
  /** render_jobs.id */
  id: string;
  kind: 'render' | 'upscale';
}

export type QueueState = 'waiting' | 'active' | 'completed' | 'failed' | 'delayed' | 'prioritized' | 'absent';

const RECONNECT: RedisOptions = {
  connectTimeout: 1000,
  // Keep trying a lost Redis (a cut link, a failover) every second at most; never give up.
  retryStrategy: (times) => Math.min(100 * times, 1000),
};

/** The API's connection: fails fast (no offline queue, 2 s per command) so a dead Redis is a 503, not a hang. */
export function producerConnection(url: string, name: string): Redis {
  const redis = new Redis(url, {
    ...RECONNECT,
    connectionName: name,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: 2000,
  });
  logConnection(redis, name);
  return redis;
}

/** The worker's connection: BullMQ's blocking reads need maxRetriesPerRequest null. */
export function workerConnection(url: string, name: string): Redis {
  const redis = new Redis(url, { ...RECONNECT, connectionName: name, maxRetriesPerRequest: null });
  logConnection(redis, name);
  return redis;
}

function logConnection(redis: Redis, name: string): void {
  let lastError = '';
  redis.on('error', (error) => {
    const text = describeError(error);
    if (text !== lastError) console.error(`redis (${name}): ${text}`);
    lastError = text;
  });
  redis.on('ready', () => {
    if (lastError) console.log(`redis (${name}): connected again`);
    lastError = '';
  });
}

export function renderQueue(connection: Redis): Queue<RenderJobData> {
  return new Queue<RenderJobData>(RENDER_QUEUE, {
    connection,
    defaultJobOptions: {
      attempts: RENDER_ATTEMPTS,
      backoff: { type: 'exponential', delay: 200 },
      removeOnComplete: false,
      removeOnFail: false,
    },
  });
}

/** Adds the job under the render's id (idempotent: the same id twice is one job). */
export async function enqueueRender(queue: Queue<RenderJobData>, data: RenderJobData): Promise<void> {
  await queue.add(data.kind, data, { jobId: data.id });
}

/** Where the job is in this Redis; 'absent' when this Redis never heard of it (e.g. lost in a failover). */
export async function queueStateOf(queue: Queue<RenderJobData>, id: string): Promise<QueueState> {
  const state = await queue.getJobState(id);
  return state === 'unknown' ? 'absent' : (state as QueueState);
}

export interface QueueCounts {
  waiting: number;
  active: number;
  failed: number;
  completed: number;
  delayed: number;
}

export async function queueCounts(queue: Queue<RenderJobData>): Promise<QueueCounts> {
  const c = await queue.getJobCounts('waiting', 'active', 'failed', 'completed', 'delayed', 'prioritized');
  return {
    waiting: (c.waiting ?? 0) + (c.prioritized ?? 0),
    active: c.active ?? 0,
    failed: c.failed ?? 0,
    completed: c.completed ?? 0,
    delayed: c.delayed ?? 0,
  };
}

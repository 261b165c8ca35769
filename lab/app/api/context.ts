import type { Queue } from 'bullmq';
import type { Pool } from 'pg';
import type { PodEnv } from '../config.ts';
import { classifyDbError } from '../db.ts';
import { describeError } from '../errors.ts';
import { HttpError } from '../http/respond.ts';
import type { RenderJobData } from '../queue/render-queue.ts';
import type { DatabaseLocation } from '../secret.ts';

/** What every luneo-api handler needs. */
export interface ApiContext {
  pool: Pool;
  pod: PodEnv;
  database: DatabaseLocation;
  /** BullMQ render queue on REDIS_URL (read at start). */
  queue: Queue<RenderJobData>;
  /** host:port of REDIS_URL, for messages. */
  redisHost: string;
}

/** Runs a database call, turning "read-only" and "unreachable" into 503s that say so. */
export async function withDb<T>(ctx: ApiContext, work: (pool: Pool) => Promise<T>): Promise<T> {
  try {
    return await work(ctx.pool);
  } catch (error) {
    const kind = classifyDbError(error);
    if (kind === 'read_only') {
      throw new HttpError(
        503,
        'database_read_only',
        `the database of ${ctx.pod.region} (${ctx.database.host}) is read-only (a replica or a fenced writer): writes go to the writer region`,
      );
    }
    if (kind === 'unreachable') {
      throw new HttpError(
        503,
        'database_unreachable',
        `the database of ${ctx.pod.region} (${ctx.database.host}) did not answer: ${describeError(error)}`,
      );
    }
    throw error;
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: string): boolean {
  return UUID.test(value);
}

import type { IncomingMessage, ServerResponse } from 'node:http';
import { describeError } from '../errors.ts';
import { HttpError, readJsonObject, sendJson } from '../http/respond.ts';
import {
  queueCounts as countJobs,
  enqueueRender,
  type QueueState,
  queueStateOf,
} from '../queue/render-queue.ts';
import { type ApiContext, isUuid, withDb } from './context.ts';
import { parseRenderInput } from './validate.ts';

interface RenderRow {
  id: string;
  kind: 'render' | 'upscale';
  source_id: string | null;
  prompt: string;
  sandbox: boolean;
  status: 'queued' | 'active' | 'done' | 'failed';
  region: string;
  rendered_by: string | null;
  attempts: number;
  error: string | null;
  created_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
}

const COLUMNS =
  'id, kind, source_id, prompt, sandbox, status, region, rendered_by, attempts, error, created_at, started_at, finished_at';

function toRender(row: RenderRow, queue: QueueState | 'unknown') {
  return {
    id: row.id,
    kind: row.kind,
    sourceId: row.source_id,
    status: row.status,
    prompt: row.prompt,
    sandbox: row.sandbox,
    region: row.region,
    renderedBy: row.rendered_by,
    attempts: row.attempts,
    error: row.error,
    createdAt: row.created_at.toISOString(),
    startedAt: row.started_at?.toISOString() ?? null,
    finishedAt: row.finished_at?.toISOString() ?? null,
    imageUrl: row.status === 'done' ? `/api/renders/${row.id}/image` : null,
    /** Where BullMQ has the job in this region's Redis ('absent': never heard of it; 'unknown': Redis did not answer). */
    queue,
  };
}

function notFound(id: string): HttpError {
  return new HttpError(404, 'render_not_found', `no render job with id "${id}"`);
}

/** Turns a Redis failure into a 503 that says so. */
async function withQueue<T>(ctx: ApiContext, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw new HttpError(
      503,
      'queue_unavailable',
      `the render queue of ${ctx.pod.region} (Redis ${ctx.redisHost}) did not answer: ${describeError(error)}`,
    );
  }
}

/**
 * POST /api/renders {prompt, sandbox: true, kind?: 'render'|'upscale', sourceId?} → 202 {id, status: 'queued'}.
 * The record goes to PostgreSQL, then the job to BullMQ; a job Redis refused is removed again (503).
 */
export async function createRender(
  ctx: ApiContext,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const input = parseRenderInput(await readJsonObject(req));
  if (input.sourceId) {
    const source = await withDb(ctx, (pool) =>
      pool.query<{ status: string }>('select status from render_jobs where id = $1', [input.sourceId]),
    );
    const status = source.rows[0]?.status;
    if (!status)
      throw new HttpError(400, 'unknown_source', `sourceId: no render job with id "${input.sourceId}"`);
    if (status !== 'done')
      throw new HttpError(
        409,
        'source_not_ready',
        `sourceId: render ${input.sourceId} is ${status}, not done`,
      );
  }
  const result = await withDb(ctx, (pool) =>
    pool.query<{ id: string }>(
      'insert into render_jobs (prompt, sandbox, region, kind, source_id) values ($1, $2, $3, $4, $5) returning id',
      [input.prompt, input.sandbox, ctx.pod.region, input.kind, input.sourceId],
    ),
  );
  const id = result.rows[0]!.id;
  try {
    await withQueue(ctx, () => enqueueRender(ctx.queue, { id, kind: input.kind }));
  } catch (error) {
    await ctx.pool.query('delete from render_jobs where id = $1', [id]).catch(() => {});
    throw error;
  }
  res.setHeader('location', `/api/renders/${id}`);
  sendJson(res, 202, { id, status: 'queued' });
}

/** GET /api/renders/:id → the job, with imageUrl once done */
export async function getRender(ctx: ApiContext, res: ServerResponse, id: string): Promise<void> {
  if (!isUuid(id)) throw notFound(id);
  const result = await withDb(ctx, (pool) =>
    pool.query<RenderRow>(`select ${COLUMNS} from render_jobs where id = $1`, [id]),
  );
  const row = result.rows[0];
  if (!row) throw notFound(id);
  const queue = await queueStateOf(ctx.queue, id).catch(() => 'unknown' as const);
  sendJson(res, 200, toRender(row, queue));
}

/** GET /api/renders/:id/image → image/png; 409 render_not_ready until the job is done, render_failed if it failed */
export async function getRenderImage(ctx: ApiContext, res: ServerResponse, id: string): Promise<void> {
  if (!isUuid(id)) throw notFound(id);
  const result = await withDb(ctx, (pool) =>
    pool.query<{ status: string; image: Buffer | null; error: string | null }>(
      'select status, image, error from render_jobs where id = $1',
      [id],
    ),
  );
  const row = result.rows[0];
  if (!row) throw notFound(id);
  if (row.status === 'failed') {
    throw new HttpError(409, 'render_failed', `render ${id} failed: ${row.error ?? 'no reason recorded'}`);
  }
  if (row.status !== 'done' || !row.image) {
    throw new HttpError(
      409,
      'render_not_ready',
      `render ${id} is ${row.status}; poll GET /api/renders/${id} until done`,
    );
  }
  res.writeHead(200, {
    'content-type': 'image/png',
    'content-length': row.image.length,
    'cache-control': 'no-store',
  });
  res.end(row.image);
}

/** GET /api/queue → BullMQ counts of this region's Redis {waiting, active, failed, completed, delayed, done}: bull-board's view (§8) */
export async function queueCounts(ctx: ApiContext, res: ServerResponse): Promise<void> {
  const counts = await withQueue(ctx, () => countJobs(ctx.queue));
  sendJson(res, 200, { ...counts, done: counts.completed, redis: ctx.redisHost });
}

import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpError, readJsonObject, sendJson } from '../http/respond.ts';
import { type ApiContext, isUuid, withDb } from './context.ts';
import { parseRenderInput } from './validate.ts';

interface RenderRow {
  id: string;
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
  'id, prompt, sandbox, status, region, rendered_by, attempts, error, created_at, started_at, finished_at';

function toRender(row: RenderRow) {
  return {
    id: row.id,
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
  };
}

function notFound(id: string): HttpError {
  return new HttpError(404, 'render_not_found', `no render job with id "${id}"`);
}

/** POST /api/renders {prompt, sandbox: true} → 202 {id, status: 'queued'} */
export async function createRender(
  ctx: ApiContext,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const input = parseRenderInput(await readJsonObject(req));
  const result = await withDb(ctx, (pool) =>
    pool.query<{ id: string }>(
      'insert into render_jobs (prompt, sandbox, region) values ($1, $2, $3) returning id',
      [input.prompt, input.sandbox, ctx.pod.region],
    ),
  );
  const id = result.rows[0]!.id;
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
  sendJson(res, 200, toRender(row));
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

/** GET /api/queue → {waiting, active, failed, done}: the runbook's "queues drained" check */
export async function queueCounts(ctx: ApiContext, res: ServerResponse): Promise<void> {
  const result = await withDb(ctx, (pool) =>
    pool.query<{ status: string; n: number }>(
      'select status, count(*)::int as n from render_jobs group by status',
    ),
  );
  const count = (status: string) => result.rows.find((row) => row.status === status)?.n ?? 0;
  sendJson(res, 200, {
    waiting: count('queued'),
    active: count('active'),
    failed: count('failed'),
    done: count('done'),
  });
}

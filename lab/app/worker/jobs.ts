// The PostgreSQL side of a render job (its record, result and image); BullMQ holds the job's queue state.
import { UnrecoverableError } from 'bullmq';
import type { Pool } from 'pg';

export interface StartedJob {
  id: string;
  kind: 'render' | 'upscale';
  prompt: string;
  sourceId: string | null;
  attempts: number;
}

/**
 * Marks the record active for this attempt. 'done' when an earlier attempt already stored the result (a job
 * redelivered after a failover). A record that does not exist (lost with the database's last writes) cannot
 * succeed on any retry: UnrecoverableError fails the job at once.
 */
export async function startJob(pool: Pool, id: string, workerPod: string): Promise<StartedJob | 'done'> {
  const result = await pool.query<{
    id: string;
    kind: 'render' | 'upscale';
    prompt: string;
    source_id: string | null;
    attempts: number;
  }>(
    `update render_jobs
        set status = 'active', started_at = now(), attempts = attempts + 1, rendered_by = $2, error = null
      where id = $1 and status <> 'done'
      returning id, kind, prompt, source_id, attempts`,
    [id, workerPod],
  );
  const row = result.rows[0];
  if (row)
    return {
      id: row.id,
      kind: row.kind,
      prompt: row.prompt,
      sourceId: row.source_id,
      attempts: row.attempts,
    };
  const exists = await pool.query('select 1 from render_jobs where id = $1', [id]);
  if (exists.rowCount === 1) return 'done';
  throw new UnrecoverableError(`render_jobs has no record ${id} (lost with the database's last writes?)`);
}

export async function sourceImage(pool: Pool, sourceId: string): Promise<Buffer> {
  const result = await pool.query<{ image: Buffer | null; status: string }>(
    'select image, status from render_jobs where id = $1',
    [sourceId],
  );
  const row = result.rows[0];
  if (!row?.image)
    throw new UnrecoverableError(
      `upscale source ${sourceId} has no image (status ${row?.status ?? 'missing'})`,
    );
  return row.image;
}

/** Stores the image and marks the job done, if this worker still owns it. */
export async function completeJob(
  pool: Pool,
  id: string,
  workerPod: string,
  image: Buffer,
): Promise<boolean> {
  const result = await pool.query(
    `update render_jobs set status = 'done', image = $3, finished_at = now()
      where id = $1 and status = 'active' and rendered_by = $2`,
    [id, workerPod, image],
  );
  return result.rowCount === 1;
}

/** After a failed attempt: back to queued while BullMQ will retry, failed once it will not. */
export async function recordAttemptFailure(
  pool: Pool,
  id: string,
  error: string,
  final: boolean,
): Promise<void> {
  await pool.query(
    `update render_jobs set status = $3, error = $2, finished_at = case when $3 = 'failed' then now() else null end
      where id = $1 and status <> 'done'`,
    [id, error, final ? 'failed' : 'queued'],
  );
}

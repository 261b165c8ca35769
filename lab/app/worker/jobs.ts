import type { Pool } from 'pg';

export interface ClaimedJob {
  id: string;
  prompt: string;
  attempts: number;
}

/** Takes the oldest queued job; concurrent workers skip each other's locked rows instead of waiting. */
export async function claimNextJob(pool: Pool, workerPod: string): Promise<ClaimedJob | null> {
  const result = await pool.query<ClaimedJob>(
    `update render_jobs
        set status = 'active', started_at = now(), attempts = attempts + 1, rendered_by = $1, error = null
      where id = (select id from render_jobs where status = 'queued'
                   order by created_at for update skip locked limit 1)
      returning id, prompt, attempts`,
    [workerPod],
  );
  return result.rows[0] ?? null;
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

export async function failJob(pool: Pool, id: string, workerPod: string, error: string): Promise<void> {
  await pool.query(
    `update render_jobs set status = 'failed', error = $3, finished_at = now()
      where id = $1 and status = 'active' and rendered_by = $2`,
    [id, workerPod, error],
  );
}

/**
 * Jobs left 'active' by a worker that died or lost its database (e.g. a region outage) go back to
 * the queue, or fail once they used `maxAttempts`. Returns how many were requeued and failed.
 */
export async function recoverStaleJobs(
  pool: Pool,
  staleAfterSeconds: number,
  maxAttempts: number,
): Promise<{ requeued: number; failed: number }> {
  const result = await pool.query<{ status: string }>(
    `update render_jobs
        set status = case when attempts >= $2 then 'failed' else 'queued' end,
            error = 'worker ' || coalesce(rendered_by, '?') || ' did not finish within ' || $1 || ' s',
            finished_at = case when attempts >= $2 then now() else null end
      where status = 'active' and started_at < now() - make_interval(secs => $1)
      returning status`,
    [staleAfterSeconds, maxAttempts],
  );
  const failed = result.rows.filter((row) => row.status === 'failed').length;
  return { requeued: result.rows.length - failed, failed };
}

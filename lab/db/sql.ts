// Short-lived `pg` connections for the control plane: one query, tight timeouts, always closed.
import pg from 'pg';
import { PgLabError } from './errors.ts';

export interface ConnectTarget {
  /** 127.0.0.1, or a unix socket directory. */
  host: string;
  port: number;
  user: string;
  password?: string;
  database: string;
}

export async function query<Row extends Record<string, unknown>>(
  target: ConnectTarget,
  sql: string,
  params: unknown[] = [],
  timeoutMs = 5_000,
): Promise<Row[]> {
  const client = new pg.Client({
    ...target,
    connectionTimeoutMillis: Math.min(timeoutMs, 3_000),
    query_timeout: timeoutMs,
    application_name: 'lab-control',
  });
  client.on('error', () => {});
  try {
    await client.connect();
    const result = await client.query(sql, params);
    return result.rows as Row[];
  } finally {
    await client.end().catch(() => {});
  }
}

/** Poll `check` with stepped backoff until it returns a value; the error names what we waited for. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined>,
  opts: { timeoutMs: number; signal?: AbortSignal },
): Promise<T> {
  const deadline = Date.now() + opts.timeoutMs;
  const steps = [20, 50, 100, 200];
  let attempt = 0;
  let lastError: unknown;
  for (;;) {
    opts.signal?.throwIfAborted();
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() >= deadline) {
      const why = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
      throw new PgLabError('WaitTimeout', `timed out after ${opts.timeoutMs} ms waiting for ${what}${why}`, {
        cause: lastError,
      });
    }
    await new Promise((resolve) => setTimeout(resolve, steps[Math.min(attempt++, steps.length - 1)]));
  }
}

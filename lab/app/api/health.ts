import type { ServerResponse } from 'node:http';
import type { Pool } from 'pg';
import { describeError } from '../errors.ts';
import { sendJson } from '../http/respond.ts';
import type { ApiContext } from './context.ts';

export type DatabaseRole = 'writer' | 'reader' | 'unreachable';

export interface DatabaseStatus {
  role: DatabaseRole;
  host: string;
  error?: string;
}

/** Asks `select pg_is_in_recovery()`; no answer within `timeoutMs` → unreachable (never hangs). */
export async function probeDatabase(pool: Pool, host: string, timeoutMs = 1000): Promise<DatabaseStatus> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    const query = pool.query<{ in_recovery: boolean }>({
      text: 'select pg_is_in_recovery() as in_recovery',
      query_timeout: timeoutMs,
    } as { text: string });
    query.catch(() => {}); // the race below may have settled first: the late rejection is expected
    const result = await Promise.race([query, timeout]);
    return { role: result.rows[0]?.in_recovery ? 'reader' : 'writer', host };
  } catch (error) {
    return { role: 'unreachable', host, error: describeError(error) };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * GET /health: 200 only when the database takes writes. A read-only database (an old primary that rejoined
 * as a replica) is 503 "read-only", so Route 53 never sends users to a region that cannot take orders.
 */
export async function health(ctx: ApiContext, res: ServerResponse): Promise<void> {
  const database = await probeDatabase(ctx.pool, ctx.database.host);
  const ok = database.role === 'writer';
  sendJson(res, ok ? 200 : 503, {
    status: ok ? 'ok' : database.role === 'reader' ? 'read-only' : 'degraded',
    region: ctx.pod.region,
    pod: ctx.pod.pod,
    version: ctx.pod.version,
    dr_mode: ctx.pod.drMode,
    database,
  });
}

/** GET /version */
export function version(ctx: ApiContext, res: ServerResponse): void {
  sendJson(res, 200, { version: ctx.pod.version, region: ctx.pod.region, commit: 'lab' });
}

import type { Pool, PoolConfig } from 'pg';
import { describeError } from './errors.ts';

/**
 * Timeouts that make an unreachable database fail in about 2 s instead of hanging. A new connection gets 2 s:
 * at 1 s a healthy database behind a busy 2-core machine (Chromium and another lab alongside) was reported down
 * to the shop page. /health keeps its own 1 s answer deadline (api/health.ts).
 */
export const DB_TIMEOUTS = {
  connectionTimeoutMillis: 2000,
  statementTimeoutMillis: 1500,
  queryTimeoutMillis: 2000,
} as const;

/** A small pg Pool for one app process, with short timeouts and idle-client errors logged, not fatal. */
export async function createPool(databaseUrl: string, applicationName: string): Promise<Pool> {
  const pg = await import('pg');
  const config: PoolConfig = {
    connectionString: databaseUrl,
    application_name: applicationName,
    max: 5,
    idleTimeoutMillis: 10_000,
    connectionTimeoutMillis: DB_TIMEOUTS.connectionTimeoutMillis,
    statement_timeout: DB_TIMEOUTS.statementTimeoutMillis,
    query_timeout: DB_TIMEOUTS.queryTimeoutMillis,
    idle_in_transaction_session_timeout: 5000,
    keepAlive: true,
  };
  const pool = new pg.default.Pool(config);
  // An idle client losing its connection (database down, link cut) must not crash the process.
  pool.on('error', (error) => console.error(`database: idle client error: ${describeError(error)}`));
  return pool;
}

/** pg error codes and network failures that mean "the database cannot take this write now". */
export function classifyDbError(error: unknown): 'read_only' | 'unreachable' | 'other' {
  const code = (error as { code?: unknown }).code;
  if (code === '25006') return 'read_only'; // read_only_sql_transaction: a standby or a fenced writer
  if (typeof code === 'string' && /^(08|57P0)/.test(code)) return 'unreachable'; // connection exceptions, admin shutdown
  if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) return 'unreachable'; // ECONNREFUSED, ECONNRESET, ...
  const message = describeError(error);
  if (/timeout|terminated|Connection terminated|not queryable|ended/i.test(message)) return 'unreachable';
  if (code === '57014') return 'unreachable'; // statement_timeout
  return 'other';
}

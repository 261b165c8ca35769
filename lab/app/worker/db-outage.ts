// Which errors of a render job mean "the database could not be reached or written just now" (an outage, a
// failover) rather than "this job is bad": the first kind puts the job back without spending a BullMQ attempt.

/**
 * SQLSTATEs of an unreachable or fenced database: class 08 (connection exception), 57P01-57P03 (admin or crash
 * shutdown, cannot connect now), 53300 (too many connections while pods reconnect), 25006 (read-only
 * transaction: the writer this pool still reaches was demoted by a failover).
 */
const PG_OUTAGE_CODES = new Set(['57P01', '57P02', '57P03', '53300', '25006']);

/** Node socket and DNS errors of a database host that is down, cut off or being re-pointed. */
const NODE_OUTAGE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENETDOWN',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/**
 * node-postgres and pg-pool raise these without any code (pg 8.x: client.js, pg-pool index.js); the exact
 * texts are the driver's own constants, matched whole, never a loose pattern.
 */
const PG_DRIVER_OUTAGE_MESSAGES = new Set([
  'Connection terminated',
  'Connection terminated unexpectedly',
  'Connection terminated due to connection timeout',
  'timeout exceeded when trying to connect',
  'timeout expired',
  'Query read timeout',
  'Client has encountered a connection error and is not queryable',
  'Client was closed and is not queryable',
]);

/** True when `error` (or an error it wraps: `cause`, AggregateError's `errors`) is a database outage. */
export function isDatabaseOutage(error: unknown, depth = 0): boolean {
  if (!(error instanceof Error) || depth > 4) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') {
    if (code.startsWith('08') || PG_OUTAGE_CODES.has(code) || NODE_OUTAGE_CODES.has(code)) return true;
    // Any other SQLSTATE (five characters; no class starts with E, unlike Node's codes) is an answer from a
    // working database: the job's own error.
    if (/^[0-9A-DF-Z][0-9A-Z]{4}$/.test(code)) return false;
  }
  if (PG_DRIVER_OUTAGE_MESSAGES.has(error.message)) return true;
  if (error.cause !== undefined && isDatabaseOutage(error.cause, depth + 1)) return true;
  const inner = (error as { errors?: unknown }).errors;
  return Array.isArray(inner) && inner.some((e) => isDatabaseOutage(e, depth + 1));
}

/**
 * Delay before the job is tried again: doubles with each outage it met in a row (BullMQ counts every start in
 * attemptsStarted but only failures in attemptsMade), from `minMs` up to `maxMs`.
 */
export function outageRetryDelay(
  job: { attemptsStarted: number; attemptsMade: number },
  minMs: number,
  maxMs: number,
): number {
  const deferrals = Math.max(0, job.attemptsStarted - job.attemptsMade - 1);
  return Math.min(minMs * 2 ** Math.min(deferrals, 20), maxMs);
}

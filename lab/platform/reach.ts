// What a user of a region would see now: each check goes through the same network path a client takes
// (the region's Links, the public edge), so a cut shows up as unreachable, not as the process's own view.
import pg from 'pg';
import { request } from 'undici';

export type Reach = { ok: true; detail: string } | { ok: false; detail: string };

/** GET `url` with a deadline: the HTTP status, or why nothing answered (a blackholed link times out). */
export async function httpReach(url: string, timeoutMs: number, host?: string): Promise<Reach> {
  try {
    const res = await request(url, {
      headers: host ? { host } : {},
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
      signal: AbortSignal.timeout(timeoutMs),
    });
    await res.body.dump();
    return res.statusCode < 500
      ? { ok: true, detail: `HTTP ${res.statusCode}` }
      : { ok: false, detail: `HTTP ${res.statusCode}` };
  } catch (error) {
    return { ok: false, detail: `no answer in ${timeoutMs} ms (${(error as Error).name})` };
  }
}

/** Connect and `SELECT 1` through the region's client Link, as the app does. */
export async function databaseReach(url: string, timeoutMs: number): Promise<Reach> {
  const client = new pg.Client({
    connectionString: url,
    connectionTimeoutMillis: timeoutMs,
    query_timeout: timeoutMs,
  });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query('SELECT 1');
    return { ok: true, detail: 'reachable' };
  } catch (error) {
    return { ok: false, detail: `unreachable: ${(error as Error).message}` };
  } finally {
    void client.end().catch(() => {});
  }
}

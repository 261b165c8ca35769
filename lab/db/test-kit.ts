// Helpers for the lab tests of lab/db: a throwaway database dir, a write stream through `pg`, polling reads.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { ReplicatedDatabase, type ReplicatedDatabaseOptions } from './replicated-database.ts';

export const ORDERS_SQL = 'CREATE TABLE orders (id bigserial PRIMARY KEY, note text NOT NULL)';

export async function startTestDatabase(opts: Partial<ReplicatedDatabaseOptions> = {}) {
  const dir = await mkdtemp(join(tmpdir(), 'drill-db-test-'));
  const db = new ReplicatedDatabase({
    dir,
    primary: 'eu-west-1',
    secondary: 'us-east-1',
    initSql: ORDERS_SQL,
    // LAB_DB_LOG=1 shows what the database does (phases, transitions) next to the test output.
    ...(process.env.LAB_DB_LOG
      ? { log: (msg: string) => console.log(`[db ${new Date().toISOString()}] ${msg}`) }
      : {}),
    ...opts,
  });
  try {
    await db.start();
  } catch (error) {
    await db.stop().catch(() => {});
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    db,
    dir,
    async cleanup() {
      await db.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export async function sql<Row extends Record<string, unknown>>(
  url: string,
  text: string,
  params: unknown[] = [],
) {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3_000 });
  client.on('error', () => {});
  try {
    await client.connect();
    return (await client.query(text, params)).rows as Row[];
  } finally {
    await client.end().catch(() => {});
  }
}

/** Poll until `check` is true; returns the elapsed ms. */
export async function eventually(what: string, check: () => Promise<boolean>, timeoutMs = 10_000) {
  const started = performance.now();
  for (;;) {
    try {
      if (await check()) return performance.now() - started;
    } catch {
      // Not yet reachable: try again.
    }
    if (performance.now() - started > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

export interface WriteStream {
  /** Ids whose INSERT returned (the commit was acknowledged to the client). */
  acked: number[];
  failures: number;
  stop(): Promise<void>;
  /** Resolves after the first `n` acknowledged writes. */
  ackedAtLeast(n: number): Promise<void>;
}

/**
 * Insert orders one after the other through `url`, as an app would. With `reconnect`, a failed write
 * (session terminated, read-only, no route) is retried on a new connection until stop().
 */
export function startWriteStream(url: () => string, opts: { reconnect: boolean; note: string }): WriteStream {
  const acked: number[] = [];
  let failures = 0;
  let stopped = false;
  const waiters: Array<{ n: number; resolve: () => void }> = [];
  const loop = (async () => {
    while (!stopped) {
      const client = new pg.Client({
        connectionString: url(),
        connectionTimeoutMillis: 1_000,
        query_timeout: 2_000,
      });
      client.on('error', () => {});
      try {
        await client.connect();
        while (!stopped) {
          const { rows } = await client.query<{ id: string }>(
            'INSERT INTO orders (note) VALUES ($1) RETURNING id',
            [opts.note],
          );
          acked.push(Number(rows[0]!.id));
          for (const w of waiters.filter((x) => acked.length >= x.n)) w.resolve();
        }
      } catch {
        failures += 1;
        if (!opts.reconnect) stopped = true;
        else await new Promise((resolve) => setTimeout(resolve, 20));
      } finally {
        await client.end().catch(() => {});
      }
    }
  })();
  return {
    acked,
    get failures() {
      return failures;
    },
    async stop() {
      stopped = true;
      await loop;
    },
    ackedAtLeast(n) {
      if (acked.length >= n) return Promise.resolve();
      return new Promise((resolve) => waiters.push({ n, resolve }));
    },
  };
}

// A steady stream of order inserts over one pg connection, remembering which ones the server acknowledged.
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';

export interface WriteStreamResult {
  /** Emails of the rows whose INSERT returned (acknowledged commits), in order. */
  acked: string[];
  /** Inserts sent, acknowledged or not. */
  attempted: number;
  /** Why the stream ended early (the connection was cut, the database became read-only), if it did. */
  error?: string;
}

export interface WriteStream {
  /** Acknowledged so far. */
  ackedCount(): number;
  /** Resolves once the stream ended by itself (first failed insert). */
  ended: Promise<WriteStreamResult>;
  stop(): Promise<WriteStreamResult>;
}

/** Emails are `<tag>-<n>@stream.lab`, so a stream's rows can be counted on any node. */
export async function startWriteStream(
  url: string,
  tag: string,
  opts: { intervalMs?: number; queryTimeoutMs?: number } = {},
): Promise<WriteStream> {
  const client = new pg.Client({
    connectionString: url,
    query_timeout: opts.queryTimeoutMs ?? 3000,
    connectionTimeoutMillis: 5000,
  });
  client.on('error', () => {}); // a cut connection also surfaces on the pending query
  await client.connect();
  const acked: string[] = [];
  let attempted = 0;
  let stopping = false;
  const ended = (async (): Promise<WriteStreamResult> => {
    let error: string | undefined;
    while (!stopping) {
      const email = `${tag}-${attempted}@stream.lab`;
      attempted++;
      try {
        await client.query(
          `insert into orders (sku, quantity, email, total_cents, region_created)
           values ('LUN-MUG-002', 1, $1, 1450, 'stream')`,
          [email],
        );
        acked.push(email);
      } catch (e) {
        error = (e as Error).message;
        break;
      }
      await sleep(opts.intervalMs ?? 10);
    }
    await client.end().catch(() => {});
    return { acked: [...acked], attempted, error };
  })();
  return {
    ackedCount: () => acked.length,
    ended,
    async stop() {
      stopping = true;
      return ended;
    },
  };
}

/** Emails of a stream's rows present on the node behind `url`. */
export async function streamRows(url: string, tag: string): Promise<Set<string>> {
  const client = new pg.Client({ connectionString: url, query_timeout: 5000, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    const result = await client.query<{ email: string }>('select email from orders where email like $1', [
      `${tag}-%@stream.lab`,
    ]);
    return new Set(result.rows.map((r) => r.email));
  } finally {
    await client.end();
  }
}

/** One query on a fresh connection (so a failover never leaves us on a stale socket). */
export async function queryOnce<R extends pg.QueryResultRow>(
  url: string,
  text: string,
  values: unknown[] = [],
): Promise<R[]> {
  const client = new pg.Client({ connectionString: url, query_timeout: 5000, connectionTimeoutMillis: 5000 });
  client.on('error', () => {});
  await client.connect();
  try {
    return (await client.query<R>(text, values)).rows;
  } finally {
    await client.end().catch(() => {});
  }
}

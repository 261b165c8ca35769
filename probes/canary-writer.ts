// The canary writer: one pg connection, one autocommit INSERT per tick, every attempt recorded on the run clock.
import pg from 'pg';
import { errorMessage } from '../core/errors.ts';
import type { Clock, LedgerWrite, Logger } from '../core/model.ts';
import { safeText } from './resolve.ts';

export interface CanaryWriterOptions {
  url: string;
  runId: string;
  table: string;
  intervalMs: number;
  connectTimeoutMs: number;
  writeTimeoutMs: number;
  clock: Clock;
  log: Logger;
  /** Told of every write once it is sent and again once it settled (acknowledged or not). */
  onWrite?: (write: LedgerWrite) => void;
}

/** The table every canary writes to; created on the primary, replicated with everything else. */
export function createTableSql(table: string): string {
  return `create table if not exists ${table} (run_id text not null, seq bigint not null, sent_at timestamptz not null, primary key (run_id, seq))`;
}

export function openClient(url: string, connectTimeoutMs: number, queryTimeoutMs: number): pg.Client {
  const client = new pg.Client({
    connectionString: url,
    connectionTimeoutMillis: connectTimeoutMs,
    query_timeout: queryTimeoutMs,
    statement_timeout: queryTimeoutMs,
    keepAlive: true,
    application_name: 'drill-canary',
  });
  // A connection lost while idle (outage, link cut) must not crash the run: the next write reconnects.
  client.on('error', () => {});
  return client;
}

/** Drops a client without waiting for a goodbye that a dead network will never carry. */
export function discardClient(client: pg.Client): void {
  void client.end().catch(() => {});
  (client as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream?.destroy();
}

export class CanaryWriter {
  readonly writes: LedgerWrite[] = [];
  readonly #o: CanaryWriterOptions;
  #client: pg.Client | undefined;
  #seq = 0;
  #stopped = false;
  #wake: (() => void) | undefined;
  #failing = false;
  #loop: Promise<void> | undefined;

  constructor(options: CanaryWriterOptions) {
    this.#o = options;
  }

  /** Connects and creates the table (errors propagate: a canary that cannot start is a preflight failure), then writes in the background. */
  async start(signal: AbortSignal, startTimeoutMs: number): Promise<void> {
    // The first connection is not on the clock: give it time (TLS, SCRAM on a busy host), unlike reconnects.
    const client = openClient(this.#o.url, startTimeoutMs, startTimeoutMs);
    const onAbort = () => discardClient(client);
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      await client.connect();
      await client.query(createTableSql(this.#o.table));
    } catch (error) {
      discardClient(client);
      throw error;
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
    this.#client = client;
    this.#loop = this.#run();
  }

  /** Stops scheduling writes at once; `done()` resolves when the in-flight write has settled. */
  stop(): void {
    this.#stopped = true;
    this.#wake?.();
  }

  done(): Promise<void> {
    return this.#loop ?? Promise.resolve();
  }

  async #run(): Promise<void> {
    const first = this.#o.clock.now();
    let tick = 0;
    while (!this.#stopped) {
      await this.#writeOnce();
      // Next slot on a fixed grid: a slow write skips slots instead of bursting to catch up.
      const now = this.#o.clock.now();
      tick = Math.max(tick + 1, Math.ceil((now - first) / this.#o.intervalMs));
      await this.#sleep(first + tick * this.#o.intervalMs - now);
    }
    if (this.#client) discardClient(this.#client);
    this.#client = undefined;
  }

  async #writeOnce(): Promise<void> {
    const { clock } = this.#o;
    const write: LedgerWrite = { seq: ++this.#seq, sentAt: clock.now(), ackedAt: null };
    this.writes.push(write);
    this.#o.onWrite?.({ ...write });
    try {
      if (!this.#client) {
        const client = openClient(this.#o.url, this.#o.connectTimeoutMs, this.#o.writeTimeoutMs);
        this.#client = client;
        await client.connect();
      }
      await this.#client.query(`insert into ${this.#o.table} (run_id, seq, sent_at) values ($1, $2, $3)`, [
        this.#o.runId,
        write.seq,
        clock.wall(write.sentAt),
      ]);
      write.ackedAt = clock.now();
      this.#o.onWrite?.({ ...write });
      if (this.#failing) this.#o.log.info(`canary: writes acknowledged again from seq ${write.seq}`);
      this.#failing = false;
    } catch (error) {
      if (this.#client) discardClient(this.#client);
      this.#client = undefined;
      if (!this.#failing) {
        this.#o.log.warn(
          `canary: write ${write.seq} was not acknowledged: ${safeText(errorMessage(error))}; still trying every ${this.#o.intervalMs}ms`,
        );
      }
      this.#failing = true;
    }
  }

  #sleep(ms: number): Promise<void> {
    if (ms <= 0 || this.#stopped) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.#wake = done;
    });
  }
}

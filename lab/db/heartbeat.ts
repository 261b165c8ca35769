// The writer stamps a heartbeat row every 250 ms; how old the stamp replayed on the standby is gives the
// replication lag the way AuroraGlobalDBRPOLag means it (how far behind the replica's data is), also when
// the app is idle. pg_last_xact_replay_timestamp() alone misreads WAL without commits as seconds of lag.
import type { DbNode } from './node.ts';

export const HEARTBEAT_INTERVAL_MS = 250;

/** The heartbeat's table (in the template cluster already: template.ts; kept here for a cluster made otherwise). */
export const HEARTBEAT_TABLE_SQL =
  'CREATE TABLE IF NOT EXISTS lab_heartbeat (id int PRIMARY KEY, at timestamptz NOT NULL)';
const STAMP =
  'INSERT INTO lab_heartbeat (id, at) VALUES (1, clock_timestamp()) ON CONFLICT (id) DO UPDATE SET at = excluded.at';

export class Heartbeat {
  #timer: NodeJS.Timeout | undefined;
  #busy = false;

  constructor(private readonly writer: () => DbNode | undefined) {}

  async start(): Promise<void> {
    await this.writer()?.sql(HEARTBEAT_TABLE_SQL);
    this.#timer = setInterval(() => void this.#beat(), HEARTBEAT_INTERVAL_MS);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  async #beat(): Promise<void> {
    if (this.#busy) return;
    this.#busy = true;
    // A fenced, isolated or read-only node refuses the stamp: that is the lag growing, not an error.
    await this.writer()
      ?.sql(STAMP, [], 1_000)
      .catch(() => {});
    this.#busy = false;
  }
}

/** Age of the heartbeat the standby has replayed, in ms; null when it does not answer or has none yet. */
export async function heartbeatAgeMs(standby: DbNode): Promise<number | null> {
  try {
    const [row] = await standby.sql<{ ms: string | null }>(
      'SELECT extract(epoch FROM clock_timestamp() - at) * 1000 AS ms FROM lab_heartbeat WHERE id = 1',
      [],
      2_000,
    );
    return row?.ms == null ? null : Math.max(0, Math.round(Number(row.ms)));
  } catch {
    return null;
  }
}

// What the writer and the standby say about replication: streaming or not, how far behind, replay waits.
import type { Region } from '../regions.ts';
import { heartbeatAgeMs } from './heartbeat.ts';
import type { DbNode } from './node.ts';
import { waitFor } from './sql.ts';
import { lsnToNumber } from './standby.ts';

/** True when the writer has a walsender streaming to the standby named `standby`. */
export async function isStreaming(writer: DbNode, standby: Region): Promise<boolean> {
  const rows = await writer.sql<{ n: string }>(
    "SELECT count(*) AS n FROM pg_stat_replication WHERE application_name = $1 AND state = 'streaming'",
    [standby],
  );
  return Number(rows[0]?.n ?? 0) > 0;
}

export function waitForStreaming(
  writer: DbNode,
  standby: Region,
  opts: { timeoutMs: number; signal?: AbortSignal },
): Promise<true> {
  return waitFor(
    `${standby} to stream from the writer ${writer.region}`,
    async () => ((await isStreaming(writer, standby)) ? true : undefined),
    opts,
  );
}

/** Wait until the standby has replayed WAL up to `lsn` (a position read on the writer). */
export function waitForReplay(
  standby: DbNode,
  lsn: string,
  opts: { timeoutMs: number; signal?: AbortSignal },
): Promise<true> {
  return waitFor(
    `${standby.region} to replay the writer's WAL up to ${lsn}`,
    async () => {
      const replayed = await standby.replayLsn();
      return replayed && lsnToNumber(replayed) >= lsnToNumber(lsn) ? true : undefined;
    },
    opts,
  );
}

/**
 * Replication lag in ms while the standby streams: the age of the heartbeat it replayed (see heartbeat.ts);
 * without one yet, the writer's pg_stat_replication.replay_lag, 0 when it has replayed everything. Null when
 * no standby streams (WAN cut, standby down) or the writer does not answer.
 */
export async function replicationLagMs(writer: DbNode, standby: DbNode): Promise<number | null> {
  let row: { lag_ms: string | null; behind: string | null } | undefined;
  try {
    [row] = await writer.sql<{ lag_ms: string | null; behind: string | null }>(
      `SELECT extract(epoch FROM replay_lag) * 1000 AS lag_ms,
              pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn) AS behind
         FROM pg_stat_replication WHERE application_name = $1 AND state = 'streaming'`,
      [standby.region],
      2_000,
    );
  } catch {
    return null;
  }
  if (!row) return null;
  const heartbeat = await heartbeatAgeMs(standby);
  if (heartbeat !== null) return heartbeat;
  if (row.lag_ms !== null) return Math.round(Number(row.lag_ms));
  if (row.behind !== null && Number(row.behind) <= 0) return 0;
  try {
    const [since] = await standby.sql<{ ms: string | null }>(
      'SELECT extract(epoch FROM now() - pg_last_xact_replay_timestamp()) * 1000 AS ms',
      [],
      2_000,
    );
    return since?.ms == null ? null : Math.max(0, Math.round(Number(since.ms)));
  } catch {
    return null;
  }
}

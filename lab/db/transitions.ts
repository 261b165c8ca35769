// Moving the writer: unplanned failover (may lose the WAL not yet replicated), planned switchover (no loss),
// and rejoin (an old writer or a broken replica becomes a streaming replica of the writer again).
import { rm } from 'node:fs/promises';
import type { Region } from '../regions.ts';
import type { PgBinaries } from './binaries.ts';
import { DbStateError } from './errors.ts';
import type { DbNode } from './node.ts';
import { isStreaming, waitForReplay, waitForStreaming } from './replication.ts';
import type { RunAs } from './run.ts';
import { waitFor } from './sql.ts';
import { baseBackup, rewind, type UpstreamAccess, writeStandbyConfig } from './standby.ts';

/** What the transitions need from the ReplicatedDatabase. */
export interface Transitions {
  bins: PgBinaries;
  runAs: RunAs | undefined;
  node(region: Region): DbNode;
  writer(): Region | null;
  /** Record the new writer and point the WAN Link at it. */
  setWriter(region: Region): void;
  wanIsUp(): boolean;
  upstream(forRegion: Region): UpstreamAccess;
  /** Stop the node (clean shutdown) and mark it fenced. */
  fence(node: DbNode): Promise<void>;
  /** Queue a rejoin of `region` in the background if autoRejoin is on. */
  rejoinLater(region: Region): void;
  signal: AbortSignal;
  log(msg: string): void;
}

const STATE_FAULT = 'InvalidGlobalClusterStateFault';
/** How long a reachable writer's standby may take to replay its current WAL and still count as in sync. */
const IN_SYNC_WITHIN_MS = 2_000;

/**
 * Unplanned failover. With allowDataLoss the target is promoted as it is, without waiting to catch up: WAL it has not
 * received is lost, as AWS says of FailoverGlobalCluster with AllowDataLoss (a switchover synchronizes first):
 * https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_FailoverGlobalCluster.html. A reachable old writer
 * is then fenced (stopped). Without allowDataLoss the writer must be reachable and the target in sync; the writer
 * is then stopped cleanly (its last WAL reaches the target) before the promotion.
 */
export async function failover(t: Transitions, to: Region, opts: { allowDataLoss: boolean }): Promise<void> {
  const from = t.writer();
  if (from === to) throw new DbStateError(STATE_FAULT, `${to} is already the writer: nothing to fail over`);
  const target = t.node(to);
  const targetRole = await target.role();
  if (targetRole !== 'replica') {
    throw new DbStateError(
      STATE_FAULT,
      `cannot fail over to ${to}: its database is ${targetRole}, not a replica`,
    );
  }
  const old = from ? t.node(from) : undefined;
  const oldRole = old ? await old.role() : 'down';
  const oldReachable = old !== undefined && !old.isolated && oldRole === 'writer';
  if (!opts.allowDataLoss) {
    if (!old || !oldReachable) {
      const why = !old
        ? 'there is no writer'
        : old.isolated
          ? `${from} is isolated`
          : `${from} is ${oldRole}`;
      throw new DbStateError(
        STATE_FAULT,
        `the writer ${from} is unreachable (${why}): failing over to ${to} would lose the writes it has not ` +
          'replicated. Pass AllowDataLoss to accept that loss, or restore the writer and switch over',
      );
    }
    const [{ lsn } = { lsn: '0/0' }] = await old.sql<{ lsn: string }>(
      'SELECT pg_current_wal_lsn()::text AS lsn',
    );
    try {
      await waitForReplay(target, lsn, { timeoutMs: IN_SYNC_WITHIN_MS, signal: t.signal });
    } catch (error) {
      throw new DbStateError(
        STATE_FAULT,
        `${to} is not in sync with the writer ${from} (it has not replayed ${lsn} within ${IN_SYNC_WITHIN_MS} ms): ` +
          'pass AllowDataLoss to fail over anyway, or wait for replication to catch up',
        { cause: error },
      );
    }
    await t.fence(old);
  }
  await promote(target);
  t.setWriter(to);
  t.log(`failover: ${to} promoted (allowDataLoss=${opts.allowDataLoss}), old writer ${from ?? 'none'}`);
  if (!old || !from) return;
  old.sync = 'pending-resync';
  if (opts.allowDataLoss && oldReachable) await t.fence(old);
  // An unreachable old writer is fenced and rejoined when its region is reconnected (or restarted).
  if (old.fenced) t.rejoinLater(from);
}

/** Planned switchover with no loss: fence writes, wait for the target to replay them, promote, rejoin the old writer. */
export async function switchover(t: Transitions, to: Region): Promise<void> {
  const from = t.writer();
  if (!from || from === to)
    throw new DbStateError(STATE_FAULT, `${to} is already the writer: nothing to switch over`);
  const target = t.node(to);
  const old = t.node(from);
  const targetRole = await target.role();
  if (target.sync !== 'connected' || targetRole !== 'replica') {
    throw new DbStateError(
      STATE_FAULT,
      `cannot switch over to ${to}: it is not a connected replica (role ${targetRole}, ${target.sync})`,
    );
  }
  if (old.isolated || (await old.role()) !== 'writer') {
    throw new DbStateError(
      STATE_FAULT,
      `cannot switch over: the writer ${from} is unreachable; use failover with AllowDataLoss for an unplanned move`,
    );
  }
  if (!(await isStreaming(old, to))) {
    throw new DbStateError(
      STATE_FAULT,
      `cannot switch over to ${to}: it is not streaming from ${from} (WAN cut?)`,
    );
  }
  await fenceWrites(old);
  try {
    const [{ lsn } = { lsn: '0/0' }] = await old.sql<{ lsn: string }>(
      'SELECT pg_current_wal_lsn()::text AS lsn',
    );
    await waitForReplay(target, lsn, { timeoutMs: 30_000, signal: t.signal });
  } catch (error) {
    await unfenceWrites(old).catch(() => {});
    const why = error instanceof Error ? error.message : String(error);
    throw new DbStateError(STATE_FAULT, `switchover to ${to} abandoned, ${from} takes writes again: ${why}`, {
      cause: error,
    });
  }
  await t.fence(old);
  await promote(target);
  t.setWriter(to);
  old.sync = 'pending-resync';
  t.log(`switchover: ${to} is the writer, rejoining ${from}`);
  await rejoin(t, from);
}

/** Make `region` a streaming replica of the writer: pg_rewind from the writer, or a fresh base backup. */
export async function rejoin(t: Transitions, region: Region): Promise<void> {
  const writerRegion = t.writer();
  const node = t.node(region);
  if (!writerRegion || writerRegion === region) {
    throw new DbStateError(
      'InvalidDBClusterStateFault',
      `${region} is the writer: only another region can rejoin it`,
    );
  }
  if (node.isolated || !t.wanIsUp()) {
    throw new DbStateError(
      'InvalidDBClusterStateFault',
      `${region} cannot reach the writer ${writerRegion} (region isolated or WAN cut): reconnect it first`,
    );
  }
  if (node.rebuilding)
    throw new DbStateError('InvalidDBClusterStateFault', `${region} is already being rebuilt`);
  node.rebuilding = true;
  try {
    node.fenced = true;
    await node.server.stop();
    const upstream = t.upstream(region);
    const dataDir = node.dirs.data;
    try {
      await rewind(t.bins, dataDir, upstream, t.runAs, t.signal);
      t.log(`rejoin ${region}: pg_rewind from ${writerRegion} done`);
    } catch (error) {
      const why = error instanceof Error ? error.message : String(error);
      t.log(`rejoin ${region}: pg_rewind failed (${why}); taking a fresh base backup from ${writerRegion}`);
      await rm(dataDir, { recursive: true, force: true });
      await baseBackup(t.bins, dataDir, upstream, t.runAs, t.signal);
    }
    await writeStandbyConfig(dataDir, upstream, t.runAs);
    await node.server.start();
    await waitForStreaming(t.node(writerRegion), region, { timeoutMs: 60_000, signal: t.signal });
    node.sync = 'connected';
    node.fenced = false;
    t.log(`rejoin ${region}: streaming from ${writerRegion}`);
  } finally {
    node.rebuilding = false;
  }
}

async function promote(node: DbNode): Promise<void> {
  const [row] = await node.sql<{ ok: boolean }>('SELECT pg_promote(true, 30) AS ok', [], 35_000);
  if (!row?.ok) throw new DbStateError(STATE_FAULT, `${node.region} did not finish promotion within 30 s`);
  // pg_rewind reads the new timeline from the control file, which only a checkpoint updates.
  await node.sql('CHECKPOINT', [], 60_000);
}

/** Refuse new writes (read-only by default for every session) and end the app sessions. */
async function fenceWrites(node: DbNode): Promise<void> {
  await node.sql('ALTER SYSTEM SET default_transaction_read_only = on');
  await node.sql('SELECT pg_reload_conf()');
  await waitFor(
    `${node.region} to apply default_transaction_read_only`,
    async () => {
      const [row] = await node.sql<{ v: string }>(
        "SELECT current_setting('default_transaction_read_only') AS v",
      );
      return row?.v === 'on' ? true : undefined;
    },
    { timeoutMs: 5_000 },
  );
  await node.sql(
    `SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity
      WHERE backend_type = 'client backend' AND pid <> pg_backend_pid() AND usename <> 'postgres'`,
  );
}

async function unfenceWrites(node: DbNode): Promise<void> {
  await node.sql('ALTER SYSTEM RESET default_transaction_read_only');
  await node.sql('SELECT pg_reload_conf()');
}

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DbStateError, type ReplicatedDatabase } from './replicated-database.ts';
import { eventually, sql, startTestDatabase, startWriteStream } from './test-kit.ts';

const EU = 'eu-west-1';
const US = 'us-east-1';

/** Which of the stream's orders (by id and note: after a lossy failover the sequence can hand out a lost id again). */
async function presentIds(url: string, ids: number[], note: string): Promise<Set<number>> {
  const rows = await sql<{ id: string }>(
    url,
    'SELECT id FROM orders WHERE id = ANY($1::bigint[]) AND note = $2',
    [ids, note],
  );
  return new Set(rows.map((r) => Number(r.id)));
}

describe('ReplicatedDatabase: failover, rejoin, switchover', () => {
  let db: ReplicatedDatabase;
  let cleanup: () => Promise<void>;
  let lostIds: number[] = [];

  beforeAll(async () => {
    ({ db, cleanup } = await startTestDatabase({ wanLatencyMs: 50 }));
  });
  afterAll(async () => {
    await cleanup?.();
  });

  it('refuses a failover without allowDataLoss while the writer is isolated', async () => {
    db.isolate(EU);
    const refused = db.failover(US, { allowDataLoss: false });
    await expect(refused).rejects.toBeInstanceOf(DbStateError);
    await expect(refused).rejects.toMatchObject({
      code: 'InvalidGlobalClusterStateFault',
      message:
        'the writer eu-west-1 is unreachable (eu-west-1 is isolated): failing over to us-east-1 would lose the ' +
        'writes it has not replicated. Pass AllowDataLoss to accept that loss, or restore the writer and switch over',
    });
    expect(db.writer()).toBe(EU);
    expect(await db.role(US)).toBe('replica');
    db.reconnect(EU);
    await db.settled();
    expect(db.syncStatus(EU)).toBe('connected');
    await eventually('replication to resume', async () => (await db.replicationLagMs()) !== null, 20_000);
  });

  it('refuses a switchover to the region that already writes', async () => {
    await expect(db.switchover(EU)).rejects.toMatchObject({
      code: 'InvalidGlobalClusterStateFault',
      message: 'eu-west-1 is already the writer: nothing to switch over',
    });
  });

  it('isolating the writer during a write stream, then failover(allowDataLoss), loses acknowledged writes', async () => {
    // 200 ms of WAL in flight on the WAN when the region drops (back to 50 ms after: rejoins cost round trips).
    db.setWanLatency(200);
    const stream = startWriteStream(() => db.url(EU), { reconnect: false, note: 'before-outage' });
    await stream.ackedAtLeast(20);
    // Let the first writes reach the standby, so that what the failover keeps and loses are both visible.
    await eventually('the first streamed order on the standby', async () => {
      return (await sql(db.url(US), 'SELECT 1 FROM orders WHERE id = $1', [stream.acked[0]])).length === 1;
    });
    await stream.ackedAtLeast(stream.acked.length + 20);
    db.isolate(EU);
    await stream.stop();
    await db.failover(US, { allowDataLoss: true });
    db.setWanLatency(50);

    expect(db.writer()).toBe(US);
    expect(await db.role(US)).toBe('writer');
    expect(db.syncStatus(EU)).toBe('pending-resync');
    const present = await presentIds(db.url(US), stream.acked, 'before-outage');
    lostIds = stream.acked.filter((id) => !present.has(id));
    console.log(`acknowledged ${stream.acked.length} writes, ${lostIds.length} lost by the failover`);
    expect(lostIds.length).toBeGreaterThan(0);
    expect(present.size).toBeGreaterThan(0);
    // What was lost is the tail: everything before the first lost write made it.
    const firstLost = Math.min(...lostIds);
    expect(stream.acked.filter((id) => id < firstLost).every((id) => present.has(id))).toBe(true);
    await sql(db.url(US), "INSERT INTO orders (note) VALUES ('after-failover')");
  });

  it('reconnecting the old writer fences it and rejoins it as a replica, without the lost writes', async () => {
    db.reconnect(EU);
    db.reconnect(EU); // a second heal while the first rejoin runs must not rebuild it twice
    await db.settled();
    expect(await db.role(EU)).toBe('replica');
    expect(db.syncStatus(EU)).toBe('connected');
    await eventually('the new writer’s orders on the rejoined region', async () => {
      return (await sql(db.url(EU), "SELECT 1 FROM orders WHERE note = 'after-failover'")).length === 1;
    });
    // pg_rewind threw away what only the old writer had.
    expect((await presentIds(db.url(EU), lostIds, 'before-outage')).size).toBe(0);
    await expect(sql(db.url(EU), "INSERT INTO orders (note) VALUES ('nope')")).rejects.toThrow(
      'cannot execute INSERT in a read-only transaction',
    );
  });

  it('switchover moves the writer back with zero loss and the old writer streams again', async () => {
    const stream = startWriteStream(() => db.url(db.writer()!), {
      reconnect: true,
      note: 'during-switchover',
    });
    await stream.ackedAtLeast(20);
    await db.switchover(EU);
    await stream.ackedAtLeast(stream.acked.length + 20);
    await stream.stop();

    expect(db.writer()).toBe(EU);
    expect(await db.role(EU)).toBe('writer');
    expect(await db.role(US)).toBe('replica');
    expect(db.syncStatus(US)).toBe('connected');
    const present = await presentIds(db.url(EU), stream.acked, 'during-switchover');
    expect(stream.acked.filter((id) => !present.has(id))).toEqual([]);
    const [row] = await sql<{ id: string }>(
      db.url(EU),
      "INSERT INTO orders (note) VALUES ('back-home') RETURNING id",
    );
    await eventually('the old writer to replicate from the new one', async () => {
      return (await sql(db.url(US), 'SELECT 1 FROM orders WHERE id = $1', [row!.id])).length === 1;
    });
  });

  it('a failover with both regions reachable fences the old writer; rejoin() makes it a replica', async () => {
    db.autoRejoin = false;
    await db.failover(US, { allowDataLoss: true });
    expect(db.writer()).toBe(US);
    expect(await db.role(EU)).toBe('fenced');
    expect(db.syncStatus(EU)).toBe('pending-resync');
    await expect(sql(db.url(EU), 'SELECT 1')).rejects.toThrow();
    await db.rejoin(EU);
    expect(await db.role(EU)).toBe('replica');
    expect(db.syncStatus(EU)).toBe('connected');
    db.autoRejoin = true;
  });

  it('failover without allowDataLoss succeeds when the writer is reachable and in sync', async () => {
    await db.failover(EU, { allowDataLoss: false });
    expect(db.writer()).toBe(EU);
    await db.settled();
    expect(await db.role(US)).toBe('replica');
    expect(db.syncStatus(US)).toBe('connected');
  });
  it('after a crash of the writer: failover needs allowDataLoss, and restart() brings the old writer back as a replica', async () => {
    await db.crash(EU);
    await expect(db.failover(US, { allowDataLoss: false })).rejects.toMatchObject({
      code: 'InvalidGlobalClusterStateFault',
      message: expect.stringMatching(/^the writer eu-west-1 is unreachable \(eu-west-1 is down\)/),
    });
    await db.failover(US, { allowDataLoss: true });
    expect(db.writer()).toBe(US);
    expect(db.syncStatus(EU)).toBe('pending-resync');
    await db.restart(EU);
    expect(await db.role(EU)).toBe('replica');
    expect(db.syncStatus(EU)).toBe('connected');
    const [row] = await sql<{ id: string }>(
      db.url(US),
      "INSERT INTO orders (note) VALUES ('after-crash') RETURNING id",
    );
    await eventually('the restarted old writer to replicate', async () => {
      return (await sql(db.url(EU), 'SELECT 1 FROM orders WHERE id = $1', [row!.id])).length === 1;
    });
  });
});

// The FIS database-subnet fault on a real replicated database: Aurora's storage replication runs outside the VPC,
// so every acknowledged write still reaches us-east-1 and a later FailoverGlobalCluster (AllowDataLoss) loses
// none of them; the old primary is then rebuilt as a secondary, after the lab's rejoin delay.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReplicatedDatabase } from '../db/replicated-database.ts';
import { eventually, sql, startTestDatabase, startWriteStream } from '../db/test-kit.ts';
import { LUNEO } from '../regions.ts';
import { LabFaults, subnetResources } from './faults.ts';

const EU = 'eu-west-1';
const US = 'us-east-1';

async function presentOn(url: string, ids: number[]): Promise<Set<number>> {
  const rows = await sql<{ id: string }>(url, 'SELECT id FROM orders WHERE id = ANY($1::bigint[])', [ids]);
  return new Set(rows.map((r) => Number(r.id)));
}

describe('FIS aws:network:disrupt-connectivity on the database subnets', () => {
  let db: ReplicatedDatabase;
  let cleanup: () => Promise<void>;
  let faults: LabFaults;

  beforeAll(async () => {
    // 250 ms of WAL in flight on the WAN, as in the lab: enough that a cut replication link would lose writes.
    ({ db, cleanup } = await startTestDatabase({ wanLatencyMs: 250 }));
    faults = new LabFaults({
      db,
      regionLinks: { [EU]: [], [US]: [] },
      kubeApi: { [EU]: 'http://127.0.0.1:1', [US]: 'http://127.0.0.1:1' },
      log: () => {},
    });
  }, 120_000);
  afterAll(async () => {
    await faults?.healAll();
    await cleanup?.();
  }, 60_000);

  it('cuts the apps off their database but keeps replicating: every acknowledged write reaches us-east-1', async () => {
    // How long a write takes to be readable on us-east-1 before the fault: the bound of the wait below.
    const [probe] = await sql<{ id: string }>(
      db.url(EU),
      "INSERT INTO orders (note) VALUES ('lag') RETURNING id",
    );
    const lagMs = await eventually(
      'a write to replicate',
      async () => (await presentOn(db.url(US), [Number(probe!.id)])).size === 1,
      30_000,
    );

    const stream = startWriteStream(() => db.url(EU), { reconnect: false, note: 'before-fault' });
    await stream.ackedAtLeast(20);
    const databaseSubnets = subnetResources(LUNEO.accountId).filter(
      (s) => s.region === EU && s.tags.Tier === 'database',
    );
    const revert = await faults.injectFisAction({
      actionId: 'aws:network:disrupt-connectivity',
      parameters: { duration: 'PT15M', scope: 'all' },
      targets: databaseSubnets,
    });
    await stream.stop();
    expect(stream.acked.length).toBeGreaterThanOrEqual(20);
    await expect(sql(db.url(EU), 'SELECT 1')).rejects.toThrow();

    await eventually(
      'every acknowledged write to be readable on us-east-1',
      async () => (await presentOn(db.url(US), stream.acked)).size === stream.acked.length,
      Math.max(20 * lagMs, 5_000),
    );
    expect(await db.role(EU)).toBe('writer');
    expect(db.syncStatus(US)).toBe('connected');
    expect(faults.active().map((f) => f.kind)).toEqual(['db-subnet-isolation']);

    // The failover after detection promotes a secondary that has caught up: nothing acknowledged is lost.
    db.rejoinDelayMs = 60_000;
    await db.failover(US, { allowDataLoss: true });
    const present = await presentOn(db.url(US), stream.acked);
    expect(stream.acked.filter((id) => !present.has(id))).toEqual([]);
    await revert();
    expect(faults.active()).toEqual([]);
  });

  it('keeps the old primary pending-resync for the rejoin delay, then rebuilds it as a connected secondary', async () => {
    expect(db.writer()).toBe(US);
    // Still waiting out the 60 s delay set before the failover: not rebuilt, not a member streaming.
    const rebuiltEarly = await eventually(
      'the rebuild to start',
      async () => db.syncStatus(EU) !== 'pending-resync',
      1_000,
    )
      .then(() => true)
      .catch(() => false);
    expect(rebuiltEarly).toBe(false);
    expect(await db.role(EU)).toBe('fenced');
    await expect(db.switchover(EU)).rejects.toMatchObject({ code: 'InvalidGlobalClusterStateFault' });

    db.rejoinDelayMs = 0;
    await db.settled();
    expect(db.syncStatus(EU)).toBe('connected');
    expect(await db.role(EU)).toBe('replica');
  });
});

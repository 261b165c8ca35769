import { rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReplicatedDatabase } from './replicated-database.ts';
import { eventually, sql, startTestDatabase } from './test-kit.ts';

const EU = 'eu-west-1';
const US = 'us-east-1';

describe('ReplicatedDatabase: replication, lag, crash and restart', () => {
  let db: ReplicatedDatabase;
  let cleanup: () => Promise<void>;
  let dir: string;

  beforeAll(async () => {
    ({ db, cleanup, dir } = await startTestDatabase({ wanLatencyMs: 50 }));
    console.log(`ReplicatedDatabase.start() took ${db.startedInMs} ms`);
  });
  afterAll(async () => {
    await cleanup?.();
  });

  it('starts with eu-west-1 writing and us-east-1 streaming, each behind its own client link', async () => {
    expect(db.writer()).toBe(EU);
    expect(await db.role(EU)).toBe('writer');
    expect(await db.role(US)).toBe('replica');
    expect(db.syncStatus(EU)).toBe('connected');
    expect(db.syncStatus(US)).toBe('connected');
    const { port } = db.endpoint(US);
    expect(db.url(US)).toMatch(
      new RegExp(`^postgres://luneo:[A-Za-z0-9_-]{24}@127\\.0\\.0\\.1:${port}/luneo$`),
    );
    expect(db.url(EU)).not.toBe(db.url(US));
    expect(db.linkStats().map((s) => s.name)).toEqual([`db-${EU}`, `db-${US}`, 'wan']);
  });

  it('refuses a wrong password (scram over TCP)', async () => {
    const wrong = db.url(EU).replace(/luneo:[^@]+@/, 'luneo:nope@');
    await expect(sql(wrong, 'SELECT 1')).rejects.toThrow('password authentication failed for user "luneo"');
  });

  it('replicates a write on the writer to the standby through the WAN link', async () => {
    const [row] = await sql<{ id: string }>(
      db.url(EU),
      "INSERT INTO orders (note) VALUES ('r1') RETURNING id",
    );
    const waited = await eventually('the order on the standby', async () => {
      const rows = await sql(db.url(US), 'SELECT note FROM orders WHERE id = $1', [row!.id]);
      return rows.length === 1;
    });
    expect(waited).toBeLessThan(3_000);
    expect(db.linkStats().find((s) => s.name === 'wan')!.bytesForwarded).toBeGreaterThan(0);
  });

  it('the standby refuses writes', async () => {
    await expect(sql(db.url(US), "INSERT INTO orders (note) VALUES ('nope')")).rejects.toThrow(
      'cannot execute INSERT in a read-only transaction',
    );
  });

  it('WAN latency delays replication by at least the one-way latency', async () => {
    db.setWanLatency(400);
    try {
      const [row] = await sql<{ id: string }>(
        db.url(EU),
        "INSERT INTO orders (note) VALUES ('slow') RETURNING id",
      );
      const waited = await eventually('the slow order on the standby', async () => {
        return (await sql(db.url(US), 'SELECT 1 FROM orders WHERE id = $1', [row!.id])).length === 1;
      });
      expect(waited).toBeGreaterThanOrEqual(350);
    } finally {
      db.setWanLatency(50);
    }
  });

  it('reports replication lag while streaming, and null once the WAN is cut', async () => {
    const lag = await db.replicationLagMs();
    expect(lag).not.toBeNull();
    expect(lag!).toBeGreaterThanOrEqual(0);
    expect(lag!).toBeLessThan(10_000);
    db.cutWan();
    await eventually(
      'lag to become null with the WAN cut',
      async () => (await db.replicationLagMs()) === null,
    );
    const [row] = await sql<{ id: string }>(
      db.url(EU),
      "INSERT INTO orders (note) VALUES ('during-cut') RETURNING id",
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await sql(db.url(US), 'SELECT 1 FROM orders WHERE id = $1', [row!.id])).toEqual([]);
    db.restoreWan();
    await eventually('the standby to catch up after the WAN is restored', async () => {
      return (await sql(db.url(US), 'SELECT 1 FROM orders WHERE id = $1', [row!.id])).length === 1;
    });
    await eventually('lag to be measured again', async () => (await db.replicationLagMs()) !== null);
  });

  it('the standby reconnects through a slow WAN (600 ms each way) after a cut', async () => {
    db.setWanLatency(600);
    try {
      db.cutWan();
      db.restoreWan();
      const [row] = await sql<{ id: string }>(
        db.url(EU),
        "INSERT INTO orders (note) VALUES ('slow-wan') RETURNING id",
      );
      await eventually(
        'the order to cross the slow WAN',
        async () => (await sql(db.url(US), 'SELECT 1 FROM orders WHERE id = $1', [row!.id])).length === 1,
        20_000,
      );
    } finally {
      db.setWanLatency(50);
    }
  });

  it('crash + restart of the standby: down, then back as a replica that catches up', async () => {
    await db.crash(US);
    expect(await db.role(US)).toBe('down');
    await expect(sql(db.url(US), 'SELECT 1')).rejects.toThrow();
    const [row] = await sql<{ id: string }>(
      db.url(EU),
      "INSERT INTO orders (note) VALUES ('while-down') RETURNING id",
    );
    await db.restart(US);
    expect(await db.role(US)).toBe('replica');
    await eventually('the restarted standby to replay what it missed', async () => {
      return (await sql(db.url(US), 'SELECT 1 FROM orders WHERE id = $1', [row!.id])).length === 1;
    });
  });

  it('crash + restart of the writer keeps every committed order', async () => {
    const [row] = await sql<{ id: string }>(
      db.url(EU),
      "INSERT INTO orders (note) VALUES ('durable') RETURNING id",
    );
    await db.crash(EU);
    expect(await db.role(EU)).toBe('down');
    expect(db.writer()).toBe(EU);
    await db.restart(EU);
    expect(await db.role(EU)).toBe('writer');
    expect(await sql(db.url(EU), 'SELECT note FROM orders WHERE id = $1', [row!.id])).toEqual([
      { note: 'durable' },
    ]);
    await eventually(
      'the standby to stream again',
      async () => (await db.replicationLagMs()) !== null,
      20_000,
    );
  });

  it('restart() of a running writer reboots it: sessions are cut, the role and the data stay', async () => {
    const session = new pg.Client({ connectionString: db.url(EU) });
    session.on('error', () => {});
    await session.connect();
    await session.query("INSERT INTO orders (note) VALUES ('before-reboot')");
    await db.restart(EU);
    await expect(session.query('SELECT 1')).rejects.toThrow();
    await session.end().catch(() => {});
    expect(await db.role(EU)).toBe('writer');
    expect(
      await sql(db.url(EU), "SELECT count(*)::int AS n FROM orders WHERE note = 'before-reboot'"),
    ).toEqual([{ n: 1 }]);
    await eventually(
      'the standby to stream again',
      async () => (await db.replicationLagMs()) !== null,
      20_000,
    );
  });

  it('rejoin() rebuilds a replica whose data directory is gone with a fresh base backup', async () => {
    await db.crash(US);
    await rm(join(dir, US, 'data'), { recursive: true, force: true });
    await db.rejoin(US);
    expect(await db.role(US)).toBe('replica');
    expect(db.syncStatus(US)).toBe('connected');
    expect(await sql(db.url(US), "SELECT count(*)::int AS n FROM orders WHERE note = 'durable'")).toEqual([
      { n: 1 },
    ]);
  });

  it('restart of a crashed writer whose port something else took: a fresh port behind the same client link', async () => {
    const [row] = await sql<{ id: string }>(
      db.url(EU),
      "INSERT INTO orders (note) VALUES ('before-port-taken') RETURNING id",
    );
    const url = db.url(EU);
    const oldPort = db.serverPort(EU);
    await db.crash(EU);
    // What another lab booting alongside may do while this server is down: listen on the port it left.
    const squatter = createServer((socket) => socket.destroy());
    await new Promise<void>((resolve, reject) => {
      squatter.once('error', reject);
      squatter.listen(oldPort, '127.0.0.1', resolve);
    });
    try {
      await db.restart(EU);
      expect(db.serverPort(EU)).not.toBe(oldPort);
      expect(await db.role(EU)).toBe('writer');
      expect(db.url(EU)).toBe(url);
      expect(await sql(url, 'SELECT note FROM orders WHERE id = $1', [row!.id])).toEqual([
        { note: 'before-port-taken' },
      ]);
      // Replication follows the writer's new port through the WAN link.
      const [after] = await sql<{ id: string }>(
        url,
        "INSERT INTO orders (note) VALUES ('after-port-taken') RETURNING id",
      );
      await eventually(
        'the standby to replay a write made on the moved writer',
        async () => (await sql(db.url(US), 'SELECT 1 FROM orders WHERE id = $1', [after!.id])).length === 1,
        20_000,
      );
    } finally {
      await new Promise((resolve) => squatter.close(resolve));
    }
  });

  it('stop() leaves no postgres process behind', async () => {
    const pids = db.pids();
    expect(pids.length).toBeGreaterThanOrEqual(10);
    await db.stop();
    const alive = pids.filter((pid) => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    });
    expect(alive).toEqual([]);
    expect(db.pids()).toEqual([]);
  });
});

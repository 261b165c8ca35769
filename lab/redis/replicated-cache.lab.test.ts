import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReplicatedCache } from './replicated-cache.ts';

const EU = 'eu-west-1';
const US = 'us-east-1';

function client(url: string): Redis {
  const redis = new Redis(url, { maxRetriesPerRequest: 0, commandTimeout: 2000, retryStrategy: () => null });
  redis.on('error', () => {});
  return redis;
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await sleep(50);
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('ReplicatedCache: Redis primary and replica across the WAN link', () => {
  let dir: string;
  let cache: ReplicatedCache;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lab-redis-'));
    cache = new ReplicatedCache({ dir, primary: EU, secondary: US, wanLatencyMs: 250 });
    await cache.start();
  });
  afterAll(async () => {
    await cache?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('replicates writes to the replica, which refuses writes, and asks for the password', async () => {
    expect([await cache.role(EU), await cache.role(US)]).toEqual(['primary', 'replica']);
    const eu = client(cache.url(EU));
    const us = client(cache.url(US));
    await eu.set('greeting', 'hello');
    await until('the replica to see the write', async () => (await us.get('greeting')) === 'hello');
    await expect(us.set('x', '1')).rejects.toThrow("READONLY You can't write against a read only replica.");
    const anonymous = client(`redis://127.0.0.1:${cache.endpoint(EU).port}`);
    await expect(anonymous.get('greeting')).rejects.toThrow(/^NOAUTH /);
    for (const c of [eu, us, anonymous]) c.disconnect();
  });

  it('an outage of the primary region, then failover, loses the acknowledged writes still on the WAN', async () => {
    const eu = client(cache.url(EU));
    const acked: number[] = [];
    let stop = false;
    const writer = (async () => {
      for (let seq = 1; !stop; seq++) {
        const ok = await eu.set(`seq:${seq}`, String(Date.now())).catch(() => null);
        if (ok === 'OK') acked.push(seq);
        await sleep(10);
      }
    })();
    await sleep(800);
    cache.isolate(EU);
    stop = true;
    await writer;
    eu.disconnect();
    const result = await cache.failover(US);
    expect(result).toEqual({ dataLossPossible: true });
    expect(await cache.role(US)).toBe('primary');
    const us = client(cache.url(US));
    const present = await us.mget(...acked.map((s) => `seq:${s}`));
    const lost = acked.filter((_, i) => present[i] === null);
    // 250 ms one way on the WAN: at one write every ~10 ms, the last ones never reached us-east-1.
    expect(lost.length).toBeGreaterThan(3);
    expect(lost).toEqual(acked.slice(acked.length - lost.length)); // the newest ones, none in the middle
    expect(await us.set('after-failover', 'yes')).toBe('OK');

    // Heal: the old primary becomes a replica of us-east-1 and drops what us-east-1 never got.
    await cache.reconnect(EU);
    expect(await cache.role(EU)).toBe('replica');
    const euAgain = client(cache.url(EU));
    await until('eu-west-1 to resync', async () => (await euAgain.get('after-failover')) === 'yes');
    expect(await euAgain.get(`seq:${lost[0]}`)).toBeNull();
    for (const c of [us, euAgain]) c.disconnect();
  });

  it('a failover with both regions up waits for the replica: no acknowledged write is lost', async () => {
    const us = client(cache.url(US));
    const acked: number[] = [];
    for (let seq = 1; seq <= 300; seq++) {
      await us.set(`planned:${seq}`, 'v');
      acked.push(seq);
    }
    expect(await cache.failover(EU)).toEqual({ dataLossPossible: false });
    expect([await cache.role(EU), await cache.role(US)]).toEqual(['primary', 'replica']);
    const eu = client(cache.url(EU));
    const present = await eu.mget(...acked.map((s) => `planned:${s}`));
    expect(present.filter((v) => v === null)).toHaveLength(0);
    await expect(cache.failover(EU)).rejects.toMatchObject({
      code: 'InvalidGlobalReplicationGroupState',
      message: 'the cache in eu-west-1 is already the primary',
    });
    for (const c of [us, eu]) c.disconnect();
  });
});

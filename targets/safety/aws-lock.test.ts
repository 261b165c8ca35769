import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Secrets } from '../../clients/aws/secrets.ts';
import type { AuditLog } from '../../core/model.ts';
import type { LockOwner } from '../../core/safety/types.ts';
import { type Harness, startHarness } from '../../lab/aws/testing/harness.ts';
import { SecretsManagerLockStore } from './aws-lock.ts';

// The lab's own Secrets Manager (in-process, on 127.0.0.1) answers: the same wire protocol as AWS.
let lab: Harness;
let client: SecretsManagerClient;
beforeAll(async () => {
  lab = await startHarness();
  client = new SecretsManagerClient(lab.client('eu-west-1'));
});
afterAll(async () => {
  client.destroy();
  await lab.close();
});

const owner = (runId: string): LockOwner => ({
  runId,
  scenario: 'aurora-outage',
  host: 'ops-1',
  pid: 100,
  startedAt: '2026-11-26T07:00:00.000Z',
});
const signal = new AbortController().signal;
const store = (name: string) =>
  new SecretsManagerLockStore(new Secrets(client, 'eu-west-1'), `drill/lock/${name}`);

describe('SecretsManagerLockStore', () => {
  it('creates the lock secret for the first run; the next run sees the holder until it is released', async () => {
    const lock = store('t1');
    expect(lock.where).toBe('Secrets Manager secret drill/lock/t1 in eu-west-1');
    expect(await lock.tryAcquire(owner('run-a'), signal)).toEqual({ acquired: true });
    expect(await lock.tryAcquire(owner('run-b'), signal)).toEqual({
      acquired: false,
      holder: owner('run-a'),
    });
    expect(await lock.release('run-b', signal)).toBe('held-by-other');
    expect(await lock.release('run-a', signal)).toBe('released');
    expect(await lock.read(signal)).toBeUndefined();
    expect(await lock.release('run-a', signal)).toBe('not-held');
    expect(await lock.tryAcquire(owner('run-b'), signal)).toEqual({ acquired: true });
    expect(await lock.read(signal)).toEqual(owner('run-b'));
  });

  it('taking it again under the same run id (a retry) succeeds without a second holder', async () => {
    const lock = store('t2');
    expect(await lock.tryAcquire(owner('run-a'), signal)).toEqual({ acquired: true });
    expect(await lock.tryAcquire(owner('run-a'), signal)).toEqual({ acquired: true });
  });

  it('of runs racing for a free lock (existing secret) or a new one, exactly one takes it', async () => {
    const fresh = await Promise.all(
      ['r1', 'r2', 'r3', 'r4'].map((id) => store('t3').tryAcquire(owner(id), signal)),
    );
    expect(fresh.filter((r) => r.acquired)).toHaveLength(1);
    const winner = (await store('t3').read(signal))?.runId ?? '';
    expect(await store('t3').release(winner, signal)).toBe('released');
    const free = await Promise.all(
      ['r5', 'r6', 'r7', 'r8'].map((id) => store('t3').tryAcquire(owner(id), signal)),
    );
    expect(free.filter((r) => r.acquired)).toHaveLength(1);
    const holder = (await store('t3').read(signal))?.runId;
    expect(free.filter((r) => !r.acquired).map((r) => (r.acquired ? '' : r.holder.runId))).toEqual([
      holder,
      holder,
      holder,
    ]);
  });

  it('two runs that read the same free version: only one write lands (compare-and-swap on the version)', async () => {
    await store('t4').tryAcquire(owner('r0'), signal);
    await store('t4').release('r0', signal);
    const writes: string[] = [];
    const audit: AuditLog = {
      mutate: async (call, perform) => {
        try {
          const out = await perform();
          writes.push(`${call.operation} ok`);
          return out;
        } catch (error) {
          writes.push(`${call.operation} refused: ${(error as { remoteCode?: string }).remoteCode}`);
          throw error;
        }
      },
    };
    // Both runs finish their first read before either writes.
    let arrived = 0;
    let open: () => void = () => {};
    const barrier = new Promise<void>((resolve) => {
      open = resolve;
    });
    class AfterBothRead extends Secrets {
      first = true;
      override async getSecretValue(id: string, opts = {}) {
        const value = await super.getSecretValue(id, opts);
        if (this.first) {
          this.first = false;
          if (++arrived === 2) open();
          await barrier;
        }
        return value;
      }
    }
    const racer = () =>
      new SecretsManagerLockStore(new AfterBothRead(client, 'eu-west-1', { audit }), 'drill/lock/t4');
    const results = await Promise.all([
      racer().tryAcquire(owner('r1'), signal),
      racer().tryAcquire(owner('r2'), signal),
    ]);
    expect(results.filter((r) => r.acquired)).toHaveLength(1);
    expect(writes.sort()).toEqual(['PutSecretValue ok', 'PutSecretValue refused: ResourceExistsException']);
  });
});

import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultLockStore, FileLockStore, holderState, lockRefusal } from './lock.ts';
import type { LockOwner } from './types.ts';

const owner = (runId: string, pid = 4242, host = 'ops-1'): LockOwner => ({
  runId,
  scenario: 'aurora-outage',
  host,
  pid,
  startedAt: '2026-11-26T07:00:00.000Z',
});
const signal = new AbortController().signal;

describe('FileLockStore', () => {
  it('lets one run hold the lock; the second sees the holder; only the holder releases it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'drill-lock-'));
    const store = defaultLockStore(dir, 'lab');
    expect(store.where).toBe(`lock file ${join(dir, 'locks', 'lab.lock.json')}`);
    expect(await store.tryAcquire(owner('run-1'), signal)).toEqual({ acquired: true });
    expect(await store.tryAcquire(owner('run-2'), signal)).toEqual({
      acquired: false,
      holder: owner('run-1'),
    });
    expect(await store.release('run-2', signal)).toBe('held-by-other');
    expect(await store.release('run-1', signal)).toBe('released');
    expect(await store.release('run-1', signal)).toBe('not-held');
    expect(await store.tryAcquire(owner('run-2'), signal)).toEqual({ acquired: true });
  });

  it('of many runs racing for the lock, exactly one gets it', async () => {
    const store = new FileLockStore(join(mkdtempSync(join(tmpdir(), 'drill-lock-')), 'x.lock.json'));
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) => store.tryAcquire(owner(`run-${i}`), signal)),
    );
    expect(results.filter((r) => r.acquired)).toHaveLength(1);
  });
});

describe('a held lock', () => {
  const outDir = mkdtempSync(join(tmpdir(), 'drill-out-'));
  const journal = (runId: string, state: string) => {
    mkdirSync(join(outDir, 'runs', runId), { recursive: true });
    writeFileSync(join(outDir, 'runs', runId, 'journal.json'), JSON.stringify({ state }));
  };
  const facts = (alive: boolean) => ({ host: 'ops-1', isAlive: () => alive, outDir });

  it('is stale when its process is gone on this host (SIGKILL), and the refusal says to roll it back', () => {
    journal('run-k', 'running');
    expect(holderState(owner('run-k'), facts(false))).toEqual({
      stale: true,
      why: 'its process 4242 is gone (killed or crashed)',
    });
    expect(lockRefusal('lab', 'lock file /x', owner('run-k'), facts(false))).toBe(
      'target "lab" is locked by run run-k (aurora-outage, started 2026-11-26T07:00:00.000Z on ops-1), which is no longer running: its process 4242 is gone (killed or crashed). Roll it back and release the lock with `pnpm drill rollback run-k` (lock file /x)',
    );
  });

  it('is stale when its journal says the run is over, even on another host', () => {
    journal('run-f', 'finished');
    expect(holderState(owner('run-f', 1, 'ci-7'), facts(true))).toEqual({
      stale: true,
      why: 'its journal says finished',
    });
  });

  it('is live while its process runs: wait or Ctrl-C', () => {
    journal('run-l', 'running');
    expect(
      lockRefusal('prod', 'Secrets Manager secret drill/lock/prod in eu-west-1', owner('run-l'), facts(true)),
    ).toBe(
      'another drill is running on target "prod": run run-l (aurora-outage, started 2026-11-26T07:00:00.000Z on ops-1); it is running as pid 4242. Wait for it to finish, or stop it with Ctrl-C in its terminal (Secrets Manager secret drill/lock/prod in eu-west-1)',
    );
  });

  it('held from another host with no journal here cannot be judged stale', () => {
    expect(holderState(owner('run-x', 7, 'ci-9'), facts(false))).toEqual({
      stale: false,
      why: 'it runs on host ci-9 (pid 7), which this machine cannot check',
    });
  });
});

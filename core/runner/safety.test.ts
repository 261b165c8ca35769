import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it, vi } from 'vitest';
import type { JournalData } from '../journal.ts';
import type { Target, TargetSafety } from '../model.ts';
import { ConsoleReporter } from '../reporters/console.ts';
import { defaultLockStore } from '../safety/lock.ts';
import type { LockStore, SafetyPlatform } from '../safety/types.ts';
import { rollbackRun } from './rollback.ts';
import { runScenario } from './run-scenario.ts';
import {
  type MarkerOptions,
  type MarkerWorld,
  markerScenario,
  markerTarget,
  markerWorld,
  writeRecordedRun,
} from './testing.ts';

function setup(opts: MarkerOptions = {}, target: Partial<Target<MarkerWorld>> = {}) {
  const world = markerWorld();
  const outDir = mkdtempSync(join(tmpdir(), 'drill-safety-'));
  const runDir = join(outDir, 'runs', 'run-1');
  const lockFile = join(outDir, 'locks', 'markers.lock.json');
  const go = (signal?: AbortSignal) =>
    runScenario(
      markerScenario(world, opts),
      { ...markerTarget, resources: world, ...target },
      { runId: 'run-1', outDir, ...(signal ? { signal } : {}) },
    );
  return { world, outDir, runDir, lockFile, go };
}

const journal = (runDir: string) =>
  JSON.parse(readFileSync(join(runDir, 'journal.json'), 'utf8')) as JournalData;
const withPlatform = (platform: SafetyPlatform, more: Partial<TargetSafety<MarkerWorld>> = {}) => ({
  safety: { platform: async () => platform, ...more },
});

describe('preflight gates', () => {
  it('a running FIS experiment refuses the drill: exit 5, nothing injected, verdict and journal say why, lock released', async () => {
    const platform: SafetyPlatform = {
      activeExperiments: async () => [{ id: 'EXP9', state: 'running', region: 'eu-west-1' }],
    };
    const { world, runDir, lockFile, go } = setup({}, withPlatform(platform));
    const result = await go();
    const why =
      'refused to start, nothing was injected: a FIS experiment is already running on target "markers": EXP9 (running in eu-west-1): wait for it to end, or stop it (aws fis stop-experiment --id EXP9 --region eu-west-1)';
    expect([result.verdict, result.exitCode, result.reason]).toEqual(['failed', 5, why]);
    expect(world.markers).toEqual([]);
    expect(journal(runDir).reason).toBe(why);
    expect(result.safety?.checks.find((c) => c.name === 'fis-experiments')?.status).toBe('refused');
    expect(result.safety?.lock?.status).toBe('released');
    expect(existsSync(lockFile)).toBe(false);
  });

  it('replication lag above the RPO objective refuses the drill', async () => {
    const { world, go } = setup({}, withPlatform({ replicationLagMs: async () => 1500 }));
    const result = await go();
    expect(result.reason).toBe(
      'refused to start, nothing was injected: replication lag is 1.5s, above the RPO objective 1s: a failover now would lose more than the objective allows; wait until replication catches up',
    );
    expect(world.markers).toEqual([]);
  });

  it('another drill holding the lock refuses the drill and leaves that lock alone', async () => {
    const { world, outDir, lockFile, go } = setup();
    const store = defaultLockStore(outDir, 'markers');
    const other = {
      runId: 'run-0',
      scenario: 'markers',
      host: hostname(),
      pid: process.pid,
      startedAt: 'then',
    };
    await store.tryAcquire(other, new AbortController().signal);
    const result = await go();
    expect(result.reason).toBe(
      `refused to start, nothing was injected: another drill is running on target "markers": run run-0 (markers, started then on ${hostname()}); it is running as pid ${process.pid}. Wait for it to finish, or stop it with Ctrl-C in its terminal (lock file ${lockFile})`,
    );
    expect(world.markers).toEqual([]);
    expect(result.safety?.lock?.status).toBe('not-taken');
    expect(JSON.parse(readFileSync(lockFile, 'utf8')).runId).toBe('run-0');
  });

  it('a wrong AWS account refuses before the lock is taken or anything else is asked', async () => {
    let asked = 0;
    const platform: SafetyPlatform = {
      callerIdentity: async () => ({ account: '999999999999', arn: 'arn:aws:iam::999999999999:user/x' }),
      activeExperiments: async () => {
        asked++;
        return [];
      },
    };
    const { world, lockFile, go } = setup(
      {},
      { aws: { regions: ['eu-west-1'], accountIds: ['123456789012'] }, ...withPlatform(platform) },
    );
    const result = await go();
    expect(result.reason).toMatch(
      /^refused to start, nothing was injected: targets\/markers\.ts: aws\.accountIds: the credentials in use belong to account 999999999999/,
    );
    expect([world.markers, asked, existsSync(lockFile), result.safety?.lock?.status]).toEqual([
      [],
      0,
      false,
      'not-taken',
    ]);
  });
});

describe('a dry run and the real run', () => {
  it('run the same checks that call nothing: the dry run names every problem the real run refuses on, exit 5 both', async () => {
    vi.stubEnv('DRILL_APPROVER', '');
    vi.stubEnv('DRILL_PARTICIPANTS', '');
    vi.stubEnv('DRILL_TEST_SETTING', '');
    let built = 0;
    const live: Partial<Target<MarkerWorld>> = {
      kind: 'live',
      aws: { regions: ['eu-west-1', 'us-east-1'], accountIds: ['000000000000'] },
      safety: {
        accountIdFrom: 'DRILL_TEST_ACCOUNT',
        requiredEnv: [{ name: 'DRILL_TEST_SETTING', setTo: 'the setting' }],
        platform: async () => {
          built++;
          return {};
        },
      },
    };
    const { world, go, outDir } = setup({}, live);
    try {
      const dry = await runScenario(
        markerScenario(world),
        { ...markerTarget, resources: world, ...live },
        { runId: 'dry-1', outDir, dryRun: true },
      );
      const real = await go();
      const problems = (r: typeof real) =>
        r.safety?.checks.filter((c) => c.status === 'refused').map((c) => c.detail) ?? [];
      expect(problems(dry)).toEqual(problems(real));
      expect(problems(real)).toEqual([
        'targets/markers.ts: aws.accountIds: 000000000000 is a placeholder, not an AWS account: set DRILL_TEST_ACCOUNT to the account id (12 digits) and run again',
        'targets/markers.ts: safety.requiredEnv: DRILL_TEST_SETTING is not set: set it to the setting',
        'a live drill on target "markers" records who approved it and who took part: no approver: pass --approver <name> (or set DRILL_APPROVER)',
        'a live drill on target "markers" records who approved it and who took part: no participants: pass --participants <a,b> (or set DRILL_PARTICIPANTS)',
      ]);
      expect([dry.exitCode, dry.reason]).toEqual([5, `would refuse: ${problems(dry).join('; ')}`]);
      expect([real.exitCode, real.reason]).toEqual([
        5,
        `refused to start, nothing was injected: ${problems(real).join('; ')}`,
      ]);
      // Neither built a client nor touched the target.
      expect([built, world.markers]).toEqual([0, []]);
    } finally {
      vi.unstubAllEnvs();
    }
  });
});

describe('abort conditions', () => {
  it('the RTO budget running out aborts the drill: undo stack runs, verdict aborted with the reason', async () => {
    const { world, runDir, lockFile, go } = setup({ hangAt: 'b' }, { objectives: { rto: '150ms' } });
    const result = await go();
    expect(result.verdict).toBe('aborted');
    expect(result.exitCode).toBe(3);
    expect(result.reason).toMatch(
      /^abort condition: RTO budget exceeded: \d+ms since T0 without recovery, objective rto 150ms; rolled back$/,
    );
    expect(world.markers).toEqual([
      'ledger:start',
      'inject',
      'ledger:stop',
      'run:a',
      'run:b',
      'undo:b:null',
      'undo:a:{"step":"a"}',
      'revert:{"fault":"on"}',
    ]);
    expect(result.safety?.abort?.condition).toBe('rto-budget');
    expect(journal(runDir).verdict).toBe('aborted');
    expect(existsSync(lockFile)).toBe(false);
  });

  it('an abort says its reason once, in the verdict', async () => {
    const world = markerWorld();
    const outDir = mkdtempSync(join(tmpdir(), 'drill-safety-'));
    const printed: string[] = [];
    const stream = new Writable({
      write(chunk, _encoding, done) {
        printed.push(String(chunk));
        done();
      },
    });
    const result = await runScenario(
      markerScenario(world, { hangAt: 'b' }),
      { ...markerTarget, resources: world, objectives: { rto: '150ms' } },
      { runId: 'run-1', outDir, reporters: [new ConsoleReporter({ stream, live: false })] },
    );
    const text = printed.join('');
    const reason = result.reason.replace(/; rolled back$/, '');
    expect(result.verdict).toBe('aborted');
    expect(text.split(reason).length - 1, text).toBe(1);
    expect(text).toContain(`verdict: ABORTED (exit 3): ${result.reason}`);
    expect(text).toContain('⚠ abort condition met (the RTO budget): aborting, rolling back');
  });

  it('a customer-facing alarm in ALARM after its grace period aborts the drill', async () => {
    const platform: SafetyPlatform = {
      alarmStates: async (alarms) =>
        alarms.map((a) => ({ ...a, state: 'ALARM' as const, reason: 'checkout errors 9%' })),
    };
    // Not firing at preflight: the first read (the gate) is OK, later ones are in ALARM.
    let reads = 0;
    const gated: SafetyPlatform = {
      alarmStates: async (alarms, signal) =>
        reads++ === 0
          ? alarms.map((a) => ({ ...a, state: 'OK' as const }))
          : platform.alarmStates!(alarms, signal),
    };
    const { world, go } = setup(
      { hangAt: 'a' },
      withPlatform(gated, {
        abortAlarms: [{ name: 'checkout-errors', region: 'eu-west-1' }],
        abortAlarmGrace: '0s',
        checkEvery: '20ms',
      }),
    );
    const result = await go();
    expect(result.verdict).toBe('aborted');
    expect(result.reason).toMatch(
      /^abort condition: customer-facing alarm checkout-errors in eu-west-1 \(checkout errors 9%\) is in ALARM \d+ms after T0 \(grace 0ms\); rolled back$/,
    );
    expect(world.markers.slice(-2)).toEqual(['undo:a:null', 'revert:{"fault":"on"}']);
  });

  it('the operator aborting is recorded as the abort condition, and the lock is released', async () => {
    const controller = new AbortController();
    const { lockFile, go } = setup({
      onStep: (title) => {
        if (title === 'b') controller.abort(new Error('aborted by the operator (SIGINT)'));
      },
    });
    const result = await go(controller.signal);
    expect(result.verdict).toBe('aborted');
    expect(result.safety?.abort).toMatchObject({
      condition: 'operator',
      reason: 'aborted by the operator (SIGINT)',
    });
    expect(result.safety?.lock?.status).toBe('released');
    expect(existsSync(lockFile)).toBe(false);
  });
});

describe('a lock left by a killed run', () => {
  it('refuses the next drill as stale, naming the rollback; `drill rollback` releases it and the next drill runs', async () => {
    const { world, outDir, lockFile, go } = setup();
    const deadPid = 2 ** 22 + 12345; // above pid_max on Linux: never a live process
    const killedDir = join(outDir, 'runs', 'run-k');
    writeRecordedRun(
      killedDir,
      {
        runId: 'run-k',
        scenario: 'markers',
        target: 'markers',
        pid: deadPid,
        startedAt: '2026-11-26T07:00:00.000Z',
      },
      [{ kind: 'phase-start', phase: 'failover' }],
    );
    const store = defaultLockStore(outDir, 'markers');
    const killed = { runId: 'run-k', scenario: 'markers', host: hostname(), pid: deadPid, startedAt: 'then' };
    await store.tryAcquire(killed, new AbortController().signal);

    const refused = await go();
    expect(refused.reason).toBe(
      `refused to start, nothing was injected: target "markers" is locked by run run-k (markers, started then on ${hostname()}), which is no longer running: its process ${deadPid} is gone (killed or crashed). Roll it back and release the lock with \`pnpm drill rollback run-k\` (lock file ${lockFile})`,
    );
    expect(world.markers).toEqual([]);

    const rollback = await rollbackRun(killedDir, markerScenario(world), {
      ...markerTarget,
      resources: world,
    });
    expect([rollback.state, rollback.lock]).toEqual([
      'rolled-back',
      { where: `lock file ${lockFile}`, status: 'released' },
    ]);
    expect(existsSync(lockFile)).toBe(false);

    const next = await runScenario(
      markerScenario(world),
      { ...markerTarget, resources: world },
      {
        runId: 'run-2',
        outDir,
      },
    );
    expect(next.verdict).toBe('passed');
  });
});

describe('an abort while the lock is being taken', () => {
  it('still releases the lock if the write landed before the abort', async () => {
    const controller = new AbortController();
    const outDir = mkdtempSync(join(tmpdir(), 'drill-safety-'));
    const inner = defaultLockStore(outDir, 'markers');
    const lock: LockStore = {
      where: inner.where,
      read: (signal) => inner.read(signal),
      release: (runId, signal) => inner.release(runId, signal),
      tryAcquire: async (owner, signal) => {
        await inner.tryAcquire(owner, signal);
        // The answer is lost: the operator pressed Ctrl-C while the write was in flight.
        controller.abort(new Error('aborted by the operator (SIGINT)'));
        throw new Error('request aborted');
      },
    };
    const world = markerWorld();
    const result = await runScenario(
      markerScenario(world),
      { ...markerTarget, resources: world, safety: { platform: async () => ({ lock }) } },
      { runId: 'run-1', outDir, signal: controller.signal },
    );
    expect([result.verdict, world.markers]).toEqual(['aborted', []]);
    expect(result.safety?.lock).toEqual({ where: inner.where, status: 'released' });
    expect(await inner.read()).toBeUndefined();
  });
});

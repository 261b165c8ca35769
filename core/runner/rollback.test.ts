import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadRun } from '../../reports/run/facts.ts';
import { Journal, type JournalData } from '../journal.ts';
import type { Verdict } from '../model.ts';
import { isExecutedDrill, runOutcome } from './outcome.ts';
import { rollbackRun } from './rollback.ts';
import { runScenario } from './run-scenario.ts';
import {
  type MarkerOptions,
  type MarkerWorld,
  markerScenario,
  markerTarget,
  markerWorld,
} from './testing.ts';

const DEAD_PID = 2 ** 22 + 4242; // above pid_max on Linux: never a live process
const at = '2026-11-26T07:00:00.000Z';

interface Killed {
  /** Failover steps as the journal saw them when the process died, in order. */
  steps: { id: string; status: 'ok' | 'running' | 'failed'; irreversible?: boolean }[];
  /** Failover step undos registered (pending) besides the fault's. */
  undos: string[];
  verdict?: Verdict;
}

/** A journal as a run killed with SIGKILL leaves it: the fault injected, failover running, undos pending. */
function killedRun(killed: Killed): string {
  const runDir = join(mkdtempSync(join(tmpdir(), 'drill-rollback-')), 'runs', 'run-k');
  const journal = Journal.create(runDir, {
    runId: 'run-k',
    scenario: { name: 'markers', file: 'scenarios/markers.ts' },
    target: { name: 'markers', kind: 'lab' },
    dryRun: false,
    pid: DEAD_PID,
    startedAt: at,
    phase: 'failover',
  });
  journal.update((d) => {
    d.phases = ['plan', 'preflight', 'inject'].map((phase) => ({
      phase: phase as 'plan',
      status: 'ok' as const,
      startedAt: at,
      endedAt: at,
    }));
    d.phases.push({ phase: 'failover', status: 'running', startedAt: at });
    d.steps = [
      { id: 'fault', title: 'Break it', phase: 'inject', status: 'ok', startedAt: at, endedAt: at },
      ...killed.steps.map((s) => ({
        id: s.id,
        title: s.id,
        phase: 'failover' as const,
        status: s.status,
        startedAt: at,
        ...(s.irreversible
          ? { irreversible: { reason: `${s.id} is one-way`, wayBack: `undo ${s.id} by hand for <run-id>` } }
          : {}),
      })),
    ];
    d.undos = [
      {
        id: 'fault',
        kind: 'fault',
        stepId: 'fault',
        title: 'Break it',
        undoData: { fault: 'on' },
        registeredAt: at,
        status: 'pending',
      },
      ...killed.undos.map((id) => ({
        id: `failover:${id}`,
        kind: 'step' as const,
        stepId: id,
        title: id,
        registeredAt: at,
        status: 'pending' as const,
      })),
    ];
    if (killed.verdict) {
      d.verdict = killed.verdict;
      d.reason = `it ${killed.verdict}`;
      d.state = 'finished';
    }
  });
  return runDir;
}

function rollback(runDir: string, opts: MarkerOptions, world: MarkerWorld = markerWorld()) {
  const lines: string[] = [];
  const done = rollbackRun(
    runDir,
    markerScenario(world, opts),
    { ...markerTarget, resources: world },
    {
      onProgress: (line) => lines.push(line),
    },
  );
  return { world, lines, done };
}

const journalOf = (runDir: string) =>
  JSON.parse(readFileSync(join(runDir, 'journal.json'), 'utf8')) as JournalData;

describe('drill rollback of a run killed after an irreversible step, before its failover finished', () => {
  it('rolls forward first (the interrupted step again, then the rest), then reverts the fault; the journal says aborted + rolled forward', async () => {
    const runDir = killedRun({
      steps: [
        { id: 'a', status: 'ok', irreversible: true },
        { id: 'b', status: 'running' },
      ],
      undos: ['b'],
    });
    const { world, lines, done } = rollback(runDir, { irreversible: ['a'] });
    const result = await done;
    expect(world.markers).toEqual(['run:b', 'run:c', 'revert:{"fault":"on"}']);
    expect(result.state).toBe('rolled-back');
    expect(result.rollForward).toMatchObject({ after: { stepId: 'a', title: 'a' }, done: ['b', 'c'] });
    expect(result.rollForward?.serving).toMatchObject({ ok: true, probes: ['up'], failures: {} });
    expect(result.undos.map((u) => `${u.id}:${u.status}:${u.note ?? ''}`)).toEqual([
      'failover:b:skipped:kept: "a" cannot be undone; way back: undo a by hand for run-k',
      'fault:done:',
    ]);
    expect(lines.slice(0, 6)).toEqual([
      "⚠ rolling forward: 'a' cannot be undone and the failover is not finished; running the remaining failover steps first ('b', 'c') so the target keeps a serving region, then rolling back the rest",
      '✔ roll forward b: ok',
      '✔ roll forward c: ok',
      'rolled forward; waiting for the recovery probes (up) to pass before reverting the fault',
      expect.stringMatching(/^recovery probes pass \d+ms after the roll forward \(1 round\)$/),
      "rolled forward: 'b', 'c' (abort after 'a'), serving again (recovery probes up pass)",
    ]);
    const journal = journalOf(runDir);
    expect([journal.state, journal.verdict, journal.reason]).toEqual([
      'rolled-back',
      'aborted',
      `killed (pid ${DEAD_PID}) during failover; \`drill rollback\` rolled forward: 'b', 'c' (abort after 'a'), serving again (recovery probes up pass), then rolled back the rest`,
    ]);
    expect(journal.steps.filter((s) => s.phase === 'failover').map((s) => `${s.id}:${s.status}`)).toEqual([
      'a:ok',
      'b:running',
      'b:ok',
      'c:ok',
    ]);
  });

  it('a failing roll-forward step leaves the rollback incomplete and says LOUDLY what to run; a second rollback retries from that step', async () => {
    const runDir = killedRun({ steps: [{ id: 'a', status: 'ok', irreversible: true }], undos: [] });
    const first = rollback(runDir, { irreversible: ['a'], failAt: 'c' });
    const result = await first.done;
    const loud =
      "‼ ROLL FORWARD FAILED at 'c': c broke. THE TARGET MAY HAVE NO SERVING REGION: 'a' cannot be undone and 'c' did not finish. Run `pnpm drill rollback run-k` (it retries the remaining failover steps, then the undos), or do those steps by hand; then the way back: undo a by hand for run-k";
    expect(first.world.markers).toEqual(['run:b', 'run:c', 'revert:{"fault":"on"}']);
    expect(result.state).toBe('rollback-incomplete');
    expect(result.rollForward?.failed).toEqual({ title: 'c', error: 'c broke', left: ['c'] });
    expect(first.lines).toContain(loud);
    expect(result.lock.status).toBe('kept');
    expect(journalOf(runDir).reason).toBe(
      `killed (pid ${DEAD_PID}) during failover; \`drill rollback\` rolled forward: 'b' (abort after 'a'), then rolled back the rest: incomplete, run \`pnpm drill rollback run-k\` again; ${loud}`,
    );

    const second = rollback(runDir, { irreversible: ['a'] });
    const again = await second.done;
    expect(second.world.markers).toEqual(['run:c']);
    expect(again.state).toBe('rolled-back');
    const journal = journalOf(runDir);
    expect([journal.state, journal.verdict]).toEqual(['rolled-back', 'aborted']);
    expect(journal.reason).toMatch(
      /; `drill rollback` rolled forward: 'c' \(abort after 'a'\), serving again \(recovery probes up pass\), then rolled back the rest$/,
    );
  });

  it('a roll forward whose recovery probes never pass leaves the rollback incomplete, says LOUDLY what fails, and keeps the lock; the fault is reverted', async () => {
    const runDir = killedRun({ steps: [{ id: 'a', status: 'ok', irreversible: true }], undos: [] });
    const { world, lines, done } = rollback(runDir, {
      irreversible: ['a'],
      neverServes: true,
      recoveryTimeout: '30ms',
    });
    const result = await done;
    expect(world.markers).toEqual(['run:b', 'run:c', 'revert:{"fault":"on"}']);
    expect(result.state).toBe('rollback-incomplete');
    expect(result.rollForward?.serving).toMatchObject({
      ok: false,
      failures: { up: 'down: 503 from the DR region' },
    });
    const loud =
      "‼ ROLLED FORWARD BUT NOT SERVING: the recovery probes did not all pass within 30ms after the roll forward (up: down: 503 from the DR region). THE TARGET MAY HAVE NO SERVING REGION: every failover step after 'a' went through, so find what the probes point at and fix it by hand; then the way back: undo a by hand for run-k";
    expect(lines).toContain(loud);
    expect(result.lock.status).toBe('kept');
    expect(journalOf(runDir).reason).toBe(
      `killed (pid ${DEAD_PID}) during failover; \`drill rollback\` rolled forward: 'b', 'c' (abort after 'a'), then rolled back the rest: incomplete, run \`pnpm drill rollback run-k\` again; ${loud}`,
    );
  });

  it('killed before any irreversible step: undoes as before, no roll forward, and writes the verdict', async () => {
    const runDir = killedRun({ steps: [{ id: 'a', status: 'running' }], undos: ['a'] });
    const { world, done } = rollback(runDir, { irreversible: ['b'] });
    const result = await done;
    expect(world.markers).toEqual(['undo:a:null', 'revert:{"fault":"on"}']);
    expect(result.rollForward).toBeUndefined();
    const journal = journalOf(runDir);
    expect([journal.state, journal.verdict, journal.reason]).toEqual([
      'rolled-back',
      'aborted',
      `killed (pid ${DEAD_PID}) during failover; rolled back by \`drill rollback\``,
    ]);
  });

  it('a run that failed after the irreversible step with its own roll forward failing is rolled forward from the failed step, and keeps its verdict', async () => {
    const runDir = killedRun({
      steps: [
        { id: 'a', status: 'ok', irreversible: true },
        { id: 'b', status: 'failed' },
      ],
      undos: [],
      verdict: 'failed',
    });
    const { world, done } = rollback(runDir, { irreversible: ['a'] });
    const result = await done;
    expect(world.markers).toEqual(['run:b', 'run:c', 'revert:{"fault":"on"}']);
    expect(result.rollForward).toMatchObject({
      after: { stepId: 'a', title: 'a' },
      done: ['b', 'c'],
      cause: 'failure',
      serving: { ok: true },
    });
    expect([journalOf(runDir).verdict, journalOf(runDir).reason]).toEqual([
      'failed',
      "it failed; `drill rollback` rolled forward: 'b', 'c' (a failover step failed after 'a'), serving again (recovery probes up pass), then rolled back the rest",
    ]);
  });

  it('a run that passed is never rolled forward, and keeps its verdict', async () => {
    const runDir = killedRun({
      steps: [
        { id: 'a', status: 'ok', irreversible: true },
        { id: 'b', status: 'failed' },
      ],
      undos: [],
      verdict: 'passed',
    });
    const { world, done } = rollback(runDir, { irreversible: ['a'] });
    const result = await done;
    expect(world.markers).toEqual(['revert:{"fault":"on"}']);
    expect(result.rollForward).toBeUndefined();
    expect([journalOf(runDir).verdict, journalOf(runDir).reason]).toEqual(['passed', 'it passed']);
  });

  it('after a run whose roll forward failed, the `drill rollback` its message names finishes the failover', async () => {
    const outDir = mkdtempSync(join(tmpdir(), 'drill-rollback-'));
    const controller = new AbortController();
    const world = markerWorld();
    const opts: MarkerOptions = {
      irreversible: ['a'],
      hangOnceAt: 'b',
      failAt: 'c',
      onStep: (t) =>
        t === 'b' && queueMicrotask(() => controller.abort(new Error('aborted by the operator (SIGINT)'))),
    };
    const result = await runScenario(
      markerScenario(world, opts),
      { ...markerTarget, resources: world },
      {
        runId: 'run-1',
        outDir,
        signal: controller.signal,
      },
    );
    expect(result.reason).toContain("‼ ROLL FORWARD FAILED at 'c'");
    expect(result.reason).toContain('Run `pnpm drill rollback run-1`');
    const runDir = join(outDir, 'runs', 'run-1');
    const { world: after, done } = rollback(runDir, { irreversible: ['a'] });
    const back = await done;
    expect(after.markers).toEqual(['run:c']);
    expect([back.state, back.rollForward?.done]).toEqual(['rolled-back', ['c']]);
    expect(journalOf(runDir).reason).toBe(
      `${result.reason}; \`drill rollback\` rolled forward: 'c' (abort after 'a'), serving again (recovery probes up pass), then rolled back the rest`,
    );
  });
});

describe('drill rollback of a run that holds nothing to undo', () => {
  it('refuses and leaves the journal exactly as it was', async () => {
    const runDir = killedRun({ steps: [{ id: 'a', status: 'ok' }], undos: [], verdict: 'passed' });
    const journal = Journal.load(runDir);
    journal.update((d) => {
      for (const u of d.undos) u.status = 'done';
    });
    const before = readFileSync(join(runDir, 'journal.json'), 'utf8');
    const { done, world } = rollback(runDir, {});
    await expect(done).rejects.toThrow(
      'run run-k is finished (verdict passed) and has no pending undo: nothing to roll back, nothing changed',
    );
    expect(readFileSync(join(runDir, 'journal.json'), 'utf8')).toBe(before);
    expect(world.markers).toEqual([]);
  });
});

describe('drill rollback of a killed run writes its result.json: outcome interrupted, with what the rollback did', () => {
  const resultOf = (runDir: string) => loadRun(runDir).result;

  it('a run killed during failover: verdict aborted, outcome interrupted, the undos and the kill in the record', async () => {
    const runDir = killedRun({ steps: [{ id: 'a', status: 'running' }], undos: ['a'] });
    const { done } = rollback(runDir, { irreversible: ['b'] });
    const back = await done;
    expect(back.resultFile).toBe(join(runDir, 'result.json'));
    const result = resultOf(runDir);
    expect(runOutcome(result)).toBe('interrupted');
    expect(isExecutedDrill(result)).toBe(true);
    expect([result.verdict, result.exitCode, result.reason]).toEqual([
      'aborted',
      3,
      `killed (pid ${DEAD_PID}) during failover; rolled back by \`drill rollback\``,
    ]);
    expect(result.interrupted).toMatchObject({
      phase: 'failover',
      pid: DEAD_PID,
      rollback: { state: 'rolled-back', rolledForward: [] },
    });
    expect(result.phases.map((p) => `${p.phase}:${p.status}`)).toEqual([
      'plan:ok',
      'preflight:ok',
      'inject:ok',
      'failover:aborted',
    ]);
    expect(result.steps.map((s) => `${s.id}:${s.status}`)).toEqual(['fault:ok', 'a:aborted']);
    expect(result.undo.map((u) => `${u.id}:${u.status}`)).toEqual(['fault:done', 'failover:a:done']);
    // The fixture took no lock: the rollback found none to release.
    expect([result.rto, result.rpo, result.safety?.lock?.status]).toEqual([null, null, 'not-taken']);
  });

  it('a roll forward is named; a second rollback after an incomplete one rewrites the record and keeps both roll forwards', async () => {
    const runDir = killedRun({ steps: [{ id: 'a', status: 'ok', irreversible: true }], undos: [] });
    await rollback(runDir, { irreversible: ['a'], failAt: 'c' }).done;
    const first = resultOf(runDir);
    expect(first.interrupted?.rollback).toMatchObject({ state: 'rollback-incomplete', rolledForward: ['b'] });
    expect(first.interrupted?.rollback.rollForwardFailed).toMatch(/^‼ ROLL FORWARD FAILED at 'c': c broke/);
    expect(first.irreversible.map((i) => i.wayBack)).toEqual(['undo a by hand for run-k']);
    expect(first.safety?.lock?.status).toBe('held');
    await rollback(runDir, { irreversible: ['a'] }).done;
    const second = resultOf(runDir);
    expect(runOutcome(second)).toBe('interrupted');
    expect(second.interrupted?.rollback).toEqual({
      at: second.endedAt,
      state: 'rolled-back',
      rolledForward: ['b', 'c'],
    });
    expect(second.interrupted?.lastSeenAt).toBe(first.interrupted?.lastSeenAt);
  });

  it('a run that wrote its own result.json keeps it: a rollback never rewrites a verdict', async () => {
    const runDir = killedRun({ steps: [{ id: 'a', status: 'ok' }], undos: ['a'], verdict: 'failed' });
    writeFileSync(join(runDir, 'result.json'), '{"its":"own"}\n');
    const back = await rollback(runDir, {}).done;
    expect(back.resultFile).toBeUndefined();
    expect(readFileSync(join(runDir, 'result.json'), 'utf8')).toBe('{"its":"own"}\n');
  });

  it('a run killed in preflight, before anything was injected, is interrupted but no drill (no evidence)', async () => {
    const runDir = killedRun({ steps: [], undos: [] });
    Journal.load(runDir).update((d) => {
      d.phase = 'preflight';
      d.phases = [
        { phase: 'plan', status: 'ok', startedAt: at, endedAt: at },
        { phase: 'preflight', status: 'running', startedAt: at },
      ];
      d.steps = [];
    });
    await rollback(runDir, {}).done;
    const result = resultOf(runDir);
    expect(runOutcome(result)).toBe('interrupted');
    expect(isExecutedDrill(result)).toBe(false);
  });
});

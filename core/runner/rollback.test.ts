import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadRun } from '../../reports/run/facts.ts';
import type { JournalData } from '../journal.ts';
import type { Verdict } from '../model.ts';
import type { EventInput } from './drill-run.ts';
import { isExecutedDrill, runOutcome } from './outcome.ts';
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

const DEAD_PID = 2 ** 22 + 4242; // above pid_max on Linux: never a live process
const at = '2026-11-26T07:00:00.000Z';

interface Killed {
  /** Failover steps as the run recorded them when the process died, in order. */
  steps: { id: string; status: 'ok' | 'running' | 'failed'; irreversible?: boolean }[];
  /** Failover steps whose undo the run registered (pending) besides the fault's. */
  undos: string[];
  /** The run concluded (run-end) with this verdict; its failover phase ended failed for `failed`, ok otherwise. */
  verdict?: Verdict;
  /** The run reverted its fault itself. */
  faultReverted?: boolean;
}

const STEP_END = { durationMs: 1 };

/** The events a run killed with SIGKILL leaves: the fault injected, failover running, undos pending. */
function killedRun(killed: Killed): string {
  const runDir = join(mkdtempSync(join(tmpdir(), 'drill-rollback-')), 'runs', 'run-k');
  const events: EventInput[] = [];
  for (const phase of ['plan', 'preflight'] as const) {
    events.push({ kind: 'phase-start', phase }, { kind: 'phase-end', phase, status: 'ok', durationMs: 1 });
  }
  events.push(
    { kind: 'phase-start', phase: 'inject' },
    { kind: 'undo-registered', undoId: 'fault', undoKind: 'fault', stepId: 'fault', title: 'Break it' },
    { kind: 'step-start', phase: 'inject', stepId: 'fault', title: 'Break it' },
    { kind: 't0', t0Ms: 5, t0At: '2026-11-26T07:00:00.005Z' },
    { kind: 'undo-data', undoId: 'fault', undoData: { fault: 'on' } },
    { kind: 'step-end', phase: 'inject', stepId: 'fault', title: 'Break it', status: 'ok', ...STEP_END },
    { kind: 'phase-end', phase: 'inject', status: 'ok', durationMs: 1 },
    { kind: 'phase-start', phase: 'failover' },
  );
  for (const s of killed.steps) {
    if (killed.undos.includes(s.id))
      events.push({
        kind: 'undo-registered',
        undoId: `failover:${s.id}`,
        undoKind: 'step',
        stepId: s.id,
        title: s.id,
      });
    events.push({ kind: 'step-start', phase: 'failover', stepId: s.id, title: s.id });
    if (s.irreversible)
      events.push({
        kind: 'irreversible',
        phase: 'failover',
        stepId: s.id,
        title: s.id,
        reason: `${s.id} is one-way`,
        wayBack: `undo ${s.id} by hand for <run-id>`,
      });
    if (s.status !== 'running')
      events.push({
        kind: 'step-end',
        phase: 'failover',
        stepId: s.id,
        title: s.id,
        status: s.status,
        ...STEP_END,
      });
  }
  if (killed.faultReverted)
    events.push({
      kind: 'undo',
      undoId: 'fault',
      stepId: 'fault',
      title: 'Break it',
      status: 'done',
      durationMs: 1,
    });
  if (killed.verdict) {
    const status = killed.verdict === 'failed' ? 'failed' : 'ok';
    events.push(
      { kind: 'phase-end', phase: 'failover', status, durationMs: 1 },
      {
        kind: 'run-end',
        verdict: killed.verdict,
        outcome: killed.verdict,
        reason: `it ${killed.verdict}`,
        exitCode: 1,
        runDir,
        rtoMs: null,
        rpoMs: null,
        pendingWayBacks: [],
      },
    );
  }
  writeRecordedRun(
    runDir,
    { runId: 'run-k', scenario: 'markers', target: 'markers', pid: DEAD_PID, startedAt: at },
    events,
  );
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
    // The rolled-forward step c registered its undo as it ran, as in a live run; the irreversible step keeps both.
    expect(result.undos.map((u) => `${u.id}:${u.status}:${u.note ?? ''}`)).toEqual([
      'failover:c:skipped:kept: "a" cannot be undone; way back: undo a by hand for run-k',
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
      "‼ ROLL FORWARD FAILED at 'c': step \"c\" (failover[2]) failed: c broke. THE TARGET MAY HAVE NO SERVING REGION: 'a' cannot be undone and 'c' did not finish. Run `pnpm drill rollback run-k` (it retries the remaining failover steps, then the undos), or do those steps by hand; then the way back: undo a by hand for run-k";
    expect(first.world.markers).toEqual(['run:b', 'run:c', 'revert:{"fault":"on"}']);
    expect(result.state).toBe('rollback-incomplete');
    // The step runner's words, as in a live run's roll forward.
    expect(result.rollForward?.failed).toEqual({
      title: 'c',
      error: 'step "c" (failover[2]) failed: c broke',
      left: ['c'],
    });
    expect(first.lines).toContain(`⚠ ${loud}`);
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
    expect(lines).toContain(`⚠ ${loud}`);
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
  it('refuses and leaves its record exactly as it was', async () => {
    const runDir = killedRun({
      steps: [{ id: 'a', status: 'ok' }],
      undos: [],
      verdict: 'passed',
      faultReverted: true,
    });
    const before = readFileSync(join(runDir, 'events.jsonl'), 'utf8');
    const { done, world } = rollback(runDir, {});
    await expect(done).rejects.toThrow(
      'run run-k is finished (verdict passed) and has no pending undo: nothing to roll back, nothing changed',
    );
    expect(readFileSync(join(runDir, 'events.jsonl'), 'utf8')).toBe(before);
    expect(existsSync(join(runDir, 'journal.json'))).toBe(false);
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
    expect(first.interrupted?.rollback.rollForwardFailed).toMatch(
      /^‼ ROLL FORWARD FAILED at 'c': step "c" \(failover\[2\]\) failed: c broke/,
    );
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
    const runDir = join(mkdtempSync(join(tmpdir(), 'drill-rollback-')), 'runs', 'run-k');
    writeRecordedRun(
      runDir,
      { runId: 'run-k', scenario: 'markers', target: 'markers', pid: DEAD_PID, startedAt: at },
      [
        { kind: 'phase-start', phase: 'plan' },
        { kind: 'phase-end', phase: 'plan', status: 'ok', durationMs: 1 },
        { kind: 'phase-start', phase: 'preflight' },
      ],
    );
    await rollback(runDir, {}).done;
    const result = resultOf(runDir);
    expect(runOutcome(result)).toBe('interrupted');
    expect(isExecutedDrill(result)).toBe(false);
  });
});

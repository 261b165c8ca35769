import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { DrillError, ValidationError } from '../errors.ts';
import type { JournalData } from '../journal.ts';
import type { Scenario } from '../model.ts';
import { ConsoleReporter } from '../reporters/console.ts';
import type { Reporter } from '../reporters/reporter.ts';
import { runResultSchema } from './result-schema.ts';
import { runScenario } from './run-scenario.ts';
import {
  type MarkerOptions,
  type MarkerWorld,
  markerScenario,
  markerTarget,
  markerWorld,
} from './testing.ts';

function setup(opts: MarkerOptions = {}) {
  const world = markerWorld();
  const scenario = markerScenario(world, opts);
  const outDir = mkdtempSync(join(tmpdir(), 'drill-run-'));
  return { world, scenario, outDir, runDir: join(outDir, 'runs', 'run-1') };
}

const run = (
  scenario: Scenario<MarkerWorld>,
  outDir: string,
  extra: { dryRun?: boolean; signal?: AbortSignal } = {},
) => runScenario(scenario, markerTarget, { runId: 'run-1', outDir, ...extra });

/** The console as an operator sees it (plain lines, no live status). */
function captureConsole(): { reporter: ConsoleReporter; text: () => string } {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (chunk: Buffer) => {
    text += chunk.toString();
  });
  return { reporter: new ConsoleReporter({ stream, live: false }), text: () => text };
}

/** Ctrl-C as the step `title` starts (queued, so the step is running when the signal lands). */
const sigintWhenStarting = (title: string, controller: AbortController) => (t: string) =>
  t === title &&
  queueMicrotask(() => controller.abort(new DrillError('E_ABORTED', 'aborted by the operator (SIGINT)')));

/** A run whose console output is kept, as the operator saw it. */
async function runWithConsole(
  scenario: Scenario<MarkerWorld>,
  outDir: string,
  signal: AbortSignal,
  reporters: Reporter[] = [],
) {
  const console = captureConsole();
  const result = await runScenario(scenario, markerTarget, {
    runId: 'run-1',
    outDir,
    signal,
    reporters: [...reporters, console.reporter],
  });
  return { result, console };
}

const readJson = <T>(path: string) => JSON.parse(readFileSync(path, 'utf8')) as T;
const actions = (runDir: string) =>
  readFileSync(join(runDir, 'actions.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe('runScenario', () => {
  it('passes, keeps the failover it made (its step undos skipped with a note) and reverts the fault', async () => {
    const { world, scenario, outDir, runDir } = setup();
    const result = await run(scenario, outDir);
    expect(result.verdict).toBe('passed');
    expect(result.exitCode).toBe(0);
    expect(world.markers).toEqual([
      'ledger:start',
      'inject',
      'ledger:stop',
      'run:a',
      'run:b',
      'run:c',
      'revert:{"fault":"on"}',
    ]);
    expect(result.phases.map((p) => `${p.phase}:${p.status}`)).toEqual([
      'plan:ok',
      'preflight:ok',
      'inject:ok',
      'failover:ok',
      'recover:ok',
      'verify:ok',
      'restore:ok',
      'report:ok',
    ]);
    expect(result.rto?.recovered).toBe(true);
    expect(result.rpo).toMatchObject({ achievedMs: 20, lostCount: 1, lostSeqs: [3], met: true });
    expect(result.undo.map((u) => `${u.stepId}:${u.status}:${u.note ?? ''}`)).toEqual([
      'c:skipped:kept: the failover completed and is the outcome of the drill',
      'b:skipped:kept: the failover completed and is the outcome of the drill',
      'a:skipped:kept: the failover completed and is the outcome of the drill',
      'fault:done:',
    ]);
    expect(() => runResultSchema.parse(readJson(join(runDir, 'result.json')))).not.toThrow();
  });

  it('journals every undo with its data and how it ended, and the run finished', async () => {
    const { scenario, outDir, runDir } = setup();
    await run(scenario, outDir);
    const journal = readJson<JournalData>(join(runDir, 'journal.json'));
    expect(journal.state).toBe('finished');
    expect(journal.verdict).toBe('passed');
    expect(journal.undos.map((u) => [u.id, u.status, u.undoData])).toEqual([
      ['fault', 'done', { fault: 'on' }],
      ['failover:a', 'skipped', { step: 'a' }],
      ['failover:b', 'skipped', { step: 'b' }],
      ['failover:c', 'skipped', { step: 'c' }],
    ]);
    expect(journal.phases.map((p) => p.phase)).toEqual([
      'plan',
      'preflight',
      'inject',
      'failover',
      'recover',
      'verify',
      'restore',
      'report',
    ]);
  });

  it('fails on a failing step, skips the rest, and still undoes what ran (the failed step included)', async () => {
    const { world, scenario, outDir } = setup({ failAt: 'b' });
    const result = await run(scenario, outDir);
    expect(result.verdict).toBe('failed');
    expect(result.exitCode).toBe(1);
    expect(result.reason).toBe('step "b" (failover[1]) failed: b broke');
    expect(world.markers.slice(3)).toEqual([
      'run:a',
      'run:b',
      'undo:b:null',
      'undo:a:{"step":"a"}',
      'revert:{"fault":"on"}',
    ]);
    expect(result.phases.map((p) => p.phase)).not.toContain('recover');
  });

  it('keeps unwinding past a failing undo and reports each outcome', async () => {
    const { world, scenario, outDir } = setup({ failUndo: ['b'], failAt: 'c' });
    const result = await run(scenario, outDir);
    expect(world.markers.slice(-4)).toEqual([
      'undo:c:null',
      'undo:b:{"step":"b"}',
      'undo:a:{"step":"a"}',
      'revert:{"fault":"on"}',
    ]);
    expect(result.undo.map((u) => `${u.stepId}:${u.status}:${u.error ?? ''}`)).toEqual([
      'c:done:',
      'b:failed:undo b broke',
      'a:done:',
      'fault:done:',
    ]);
    expect(result.verdict).toBe('failed');
    expect(result.reason).toContain(
      'undo of "b" failed: undo b broke; retry with `pnpm drill rollback run-1`',
    );
  });

  it('records a best-effort failure as a deviation and goes on', async () => {
    const { scenario, outDir } = setup({ failAt: 'b', bestEffort: ['b'] });
    const result = await run(scenario, outDir);
    expect(result.verdict).toBe('passed');
    expect(result.steps.find((s) => s.id === 'b')?.status).toBe('deviation');
    expect(result.deviations).toEqual([
      { stepId: 'b', kind: 'best-effort-failed', message: '"b" failed: b broke' },
    ]);
  });

  it('times a step out with a message naming the setting to raise', async () => {
    const { scenario, outDir } = setup({ hangAt: 'b', timeout: '50ms' });
    const result = await run(scenario, outDir);
    expect(result.verdict).toBe('failed');
    expect(result.reason).toBe(
      'step "b" (failover[1]) failed: step "b" timed out after 50ms; raise it with `failover[1].timeout` in scenarios/markers.ts',
    );
  });

  it('aborts on the signal during the step after an irreversible one: rolls forward (that step again, then the rest) under live signals, then reverts the fault and names the way back', async () => {
    const controller = new AbortController();
    const { world, scenario, outDir, runDir } = setup({
      irreversible: ['a'],
      hangOnceAt: 'b',
      onStep: sigintWhenStarting('b', controller),
    });
    const result = await run(scenario, outDir, { signal: controller.signal });
    expect(result.verdict).toBe('aborted');
    expect(result.exitCode).toBe(3);
    expect(result.reason).toBe(
      "aborted by the operator (SIGINT); rolled forward: 'b', 'c' (abort after 'a'), serving again (recovery probes up pass); then rolled back the rest",
    );
    expect(world.markers.slice(3)).toEqual(['run:a', 'run:b', 'run:b', 'run:c', 'revert:{"fault":"on"}']);
    expect(world.undoSignals.map((s) => s.aborted)).toEqual([false]);
    expect(result.steps.map((s) => `${s.phase}:${s.id}:${s.status}`)).toEqual([
      'inject:fault:ok',
      'failover:a:ok',
      'failover:b:aborted',
      'failover:b:ok',
      'failover:c:ok',
    ]);
    expect(result.undo.map((u) => `${u.stepId}:${u.status}:${u.note ?? ''}`)).toEqual([
      'c:skipped:kept: "a" cannot be undone; way back: undo a by hand for run-1',
      'b:skipped:kept: "a" cannot be undone; way back: undo a by hand for run-1',
      'fault:done:',
    ]);
    expect(result.irreversible).toEqual([
      { stepId: 'a', title: 'a', reason: 'a is one-way', wayBack: 'undo a by hand for run-1' },
    ]);
    expect(result.deviations).toContainEqual({
      stepId: 'a',
      kind: 'rolled-forward',
      message: "rolled forward: 'b', 'c' (abort after 'a'), serving again (recovery probes up pass)",
    });
    const journal = readJson<JournalData>(join(runDir, 'journal.json'));
    expect([journal.state, journal.verdict, journal.reason]).toEqual(['finished', 'aborted', result.reason]);
    expect(journal.undos.map((u) => `${u.id}:${u.status}`)).toEqual([
      'fault:done',
      'failover:b:skipped',
      'failover:c:skipped',
    ]);
  });

  it('an abort right after the irreversible step finishes the remaining failover steps, then reverts the fault; the console says so', async () => {
    const controller = new AbortController();
    const { world, scenario, outDir } = setup({ irreversible: ['a'] });
    const abortAfterA: Reporter = {
      onStepEnd: (e) => {
        if (e.stepId === 'a' && e.status === 'ok')
          controller.abort(new DrillError('E_ABORTED', 'aborted by the operator (SIGINT)'));
      },
    };
    const { result, console } = await runWithConsole(scenario, outDir, controller.signal, [abortAfterA]);
    // b never started before the abort: the roll forward runs it and c, then the undo stack reverts the fault.
    expect(world.markers.slice(3)).toEqual(['run:a', 'run:b', 'run:c', 'revert:{"fault":"on"}']);
    expect(result.reason).toBe(
      "aborted by the operator (SIGINT); rolled forward: 'b', 'c' (abort after 'a'), serving again (recovery probes up pass); then rolled back the rest",
    );
    expect(result.phases.map((p) => `${p.phase}:${p.status}`)).toEqual([
      'plan:ok',
      'preflight:ok',
      'inject:ok',
      'failover:aborted',
      'restore:ok',
      'report:ok',
    ]);
    const lines = console.text().split('\n');
    expect(lines).toContain(
      "⚠ rolling forward: 'a' cannot be undone and the failover is not finished; running the remaining failover steps first ('b', 'c') so the target keeps a serving region, then rolling back the rest",
    );
    expect(lines).toContain(
      "verdict: ABORTED (exit 3): aborted by the operator (SIGINT); rolled forward: 'b', 'c' (abort after 'a'), serving again (recovery probes up pass); then rolled back the rest",
    );
    expect(lines).toContain('  ‼ IRREVERSIBLE: "a" was not undone; way back: undo a by hand for run-1');
  });

  it('an abort during the irreversible step runs it again (it may have been sent), then the rest', async () => {
    const controller = new AbortController();
    const { world, scenario, outDir } = setup({
      irreversible: ['b'],
      hangOnceAt: 'b',
      onStep: (t) => t === 'b' && queueMicrotask(() => controller.abort(new Error('RTO budget exceeded'))),
    });
    const result = await run(scenario, outDir, { signal: controller.signal });
    expect(world.markers.slice(3)).toEqual(['run:a', 'run:b', 'run:b', 'run:c', 'revert:{"fault":"on"}']);
    expect(result.reason).toBe(
      "RTO budget exceeded; rolled forward: 'b', 'c' (abort after 'b'), serving again (recovery probes up pass); then rolled back the rest",
    );
    expect(result.undo.map((u) => `${u.stepId}:${u.status}`)).toEqual([
      'c:skipped',
      'a:skipped',
      'fault:done',
    ]);
  });

  it('after a roll forward the recovery probes must pass before the fault is reverted: the probes run first', async () => {
    const controller = new AbortController();
    const { world, scenario, outDir } = setup({
      irreversible: ['a'],
      hangOnceAt: 'b',
      onStep: sigintWhenStarting('b', controller),
    });
    // Per check of the probe: [failover finished, fault reverted] as it ran.
    const seen: [boolean, boolean][] = [];
    const [up] = scenario.recovery;
    scenario.recovery = [
      {
        name: 'up',
        check: async (ctx, o) => {
          seen.push([world.recovered, world.markers.some((m) => m.startsWith('revert'))]);
          return up ? up.check(ctx, o) : { ok: false };
        },
      },
    ];
    const result = await run(scenario, outDir, { signal: controller.signal });
    expect(seen.at(-1)).toEqual([true, false]);
    expect(world.markers.at(-1)).toBe('revert:{"fault":"on"}');
    expect(result.deviations).toContainEqual({
      stepId: 'a',
      kind: 'rolled-forward',
      message: "rolled forward: 'b', 'c' (abort after 'a'), serving again (recovery probes up pass)",
    });
  });

  it('a roll forward whose recovery probes never pass says LOUDLY that the target may have no serving region; the fault is reverted all the same', async () => {
    const controller = new AbortController();
    const { world, scenario, outDir } = setup({
      irreversible: ['a'],
      neverServes: true,
      recoveryTimeout: '40ms',
      onStep: sigintWhenStarting('b', controller),
    });
    const { result, console } = await runWithConsole(scenario, outDir, controller.signal);
    const loud =
      "‼ ROLLED FORWARD BUT NOT SERVING: the recovery probes did not all pass within 40ms after the roll forward (up: down: 503 from the DR region). THE TARGET MAY HAVE NO SERVING REGION: every failover step after 'a' went through, so find what the probes point at and fix it by hand; then the way back: undo a by hand for run-1";
    expect(result.verdict).toBe('aborted');
    expect(result.reason).toBe(
      `aborted by the operator (SIGINT); rolled forward: 'b', 'c' (abort after 'a'); then rolled back the rest; ${loud}`,
    );
    expect(result.deviations).toContainEqual({
      stepId: 'a',
      kind: 'roll-forward-not-serving',
      message: loud,
    });
    expect(world.markers.at(-1)).toBe('revert:{"fault":"on"}');
    expect(console.text().split('\n')).toContain(`⚠ ${loud}`);
  });

  it('a roll-forward step that fails stops the roll forward and says LOUDLY that the target may have no serving region, and what to run', async () => {
    const controller = new AbortController();
    const { world, scenario, outDir } = setup({
      irreversible: ['a'],
      hangOnceAt: 'b',
      failAt: 'c',
      onStep: sigintWhenStarting('b', controller),
    });
    const { result, console } = await runWithConsole(scenario, outDir, controller.signal);
    const loud =
      "‼ ROLL FORWARD FAILED at 'c': step \"c\" (failover[2]) failed: c broke. THE TARGET MAY HAVE NO SERVING REGION: 'a' cannot be undone and 'c' did not finish. Run `pnpm drill rollback run-1` (it retries the remaining failover steps, then the undos), or do those steps by hand; then the way back: undo a by hand for run-1";
    expect(result.verdict).toBe('aborted');
    expect(result.reason).toBe(
      `aborted by the operator (SIGINT); rolled forward: 'b' (abort after 'a'); then rolled back the rest; ${loud}`,
    );
    // The fault is reverted all the same.
    expect(world.markers.slice(3)).toEqual(['run:a', 'run:b', 'run:b', 'run:c', 'revert:{"fault":"on"}']);
    expect(result.steps.at(-1)).toMatchObject({ id: 'c', phase: 'failover', status: 'failed' });
    expect(result.deviations).toContainEqual({ stepId: 'a', kind: 'roll-forward-failed', message: loud });
    expect(console.text().split('\n')).toContain(`⚠ ${loud}`);
  });

  it('a failover step failing on its own after the irreversible step is run again with the rest (roll forward), then the fault is reverted; verdict failed', async () => {
    const { world, scenario, outDir } = setup({ irreversible: ['a'], failOnceAt: 'b' });
    const result = await run(scenario, outDir);
    expect(world.markers.slice(3)).toEqual(['run:a', 'run:b', 'run:b', 'run:c', 'revert:{"fault":"on"}']);
    expect(result.verdict).toBe('failed');
    expect(result.reason).toBe(
      "step \"b\" (failover[1]) failed: b broke; rolled forward: 'b', 'c' (a failover step failed after 'a'), serving again (recovery probes up pass); then rolled back the rest",
    );
    expect(result.deviations).toContainEqual({
      stepId: 'a',
      kind: 'rolled-forward',
      message:
        "rolled forward: 'b', 'c' (a failover step failed after 'a'), serving again (recovery probes up pass)",
    });
  });

  it('a failover step that keeps failing after the irreversible step: the roll forward stops there and says LOUDLY what is left', async () => {
    const { world, scenario, outDir } = setup({ irreversible: ['a'], failAt: 'b' });
    const result = await run(scenario, outDir);
    expect(world.markers.slice(3)).toEqual(['run:a', 'run:b', 'run:b', 'revert:{"fault":"on"}']);
    expect(result.verdict).toBe('failed');
    expect(result.reason).toContain(
      "rolled forward: nothing (a failover step failed after 'a'); then rolled back the rest; ‼ ROLL FORWARD FAILED at 'b'",
    );
    expect(result.reason).toContain(
      "THE TARGET MAY HAVE NO SERVING REGION: 'a' cannot be undone and 'b', 'c' did not finish",
    );
  });

  it('an abort before any irreversible step started rolls back as before: no roll forward', async () => {
    const controller = new AbortController();
    const { world, scenario, outDir } = setup({
      irreversible: ['c'],
      hangAt: 'b',
      onStep: sigintWhenStarting('b', controller),
    });
    const result = await run(scenario, outDir, { signal: controller.signal });
    expect(result.reason).toBe('aborted by the operator (SIGINT); rolled back');
    expect(world.markers.slice(3)).toEqual([
      'run:a',
      'run:b',
      'undo:b:null',
      'undo:a:{"step":"a"}',
      'revert:{"fault":"on"}',
    ]);
    expect(result.deviations.map((d) => d.kind)).toEqual([]);
    expect(result.irreversible).toEqual([]);
  });

  it('injects nothing when the steady state is not green', async () => {
    const { world, scenario, outDir } = setup();
    world.healthyBefore = false;
    const result = await run(scenario, outDir);
    expect(result.verdict).toBe('failed');
    expect(result.reason).toBe(
      'steady state is not green, nothing was injected: probe "healthy" failed: down',
    );
    expect(world.markers).toEqual([]);
    expect(result.undo).toEqual([]);
  });

  it('runs a steady-state probe that mutates (a FIS preview) only once every read-only one is green', async () => {
    const { world, scenario, outDir } = setup();
    const previews: string[] = [];
    const preview = {
      name: 'fis-preview',
      description: 'starts a skip-all experiment',
      plan: () => [{ service: 'fis', operation: 'StartExperiment', mutating: true }],
      check: async () => {
        previews.push('checked');
        return { ok: true };
      },
    };
    const withPreview = { ...scenario, steadyState: [...scenario.steadyState, preview] };
    world.healthyBefore = false;
    expect((await run(withPreview, outDir)).verdict).toBe('failed');
    expect(previews).toEqual([]);
    world.healthyBefore = true;
    await run(withPreview, outDir);
    expect(previews).toEqual(['checked']);
  });

  it('dry run: plans every call, runs no step, fault, probe or ledger, and lists the mutating calls as planned', async () => {
    const { world, scenario, outDir, runDir } = setup();
    const result = await run(scenario, outDir, { dryRun: true });
    expect(world.markers).toEqual([]);
    expect(result.verdict).toBe('passed');
    expect(result.phases.map((p) => p.phase)).toEqual(['plan', 'preflight', 'report']);
    expect(result.plan.map((p) => p.stepId)).toEqual(['fault', 'a', 'b', 'c']);
    expect(actions(runDir).map((l) => `${l.event} ${l.operation} ${JSON.stringify(l.params)}`)).toEqual([
      'planned run a {"password":"***"}',
      'planned run b {"password":"***"}',
      'planned run c {"password":"***"}',
    ]);
  });

  it('writes an audit line before and after each mutating call', async () => {
    const { scenario, outDir, runDir } = setup({ steps: ['a'] });
    await run(scenario, outDir);
    expect(
      actions(runDir).map((l) => `${l.event}:${l.operation}:${l.phase}:${l.stepId}:${l.outcome ?? ''}`),
    ).toEqual(['before:run a:failover:a:', 'after:run a:failover:a:ok']);
  });

  it('throws every validation problem at once and writes nothing', async () => {
    const { scenario, outDir } = setup();
    const broken = {
      ...scenario,
      failover: [{ ...scenario.failover[0], plannedAt: 'five' }],
      recovery: [],
    } as unknown as Scenario<MarkerWorld>;
    const error = await run(broken, outDir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).problems.map((p) => p.path)).toEqual([
      'failover[0].plannedAt',
      'recovery',
    ]);
    expect(existsSync(join(outDir, 'runs'))).toBe(false);
  });

  it('masks a secret in undoData in the journal but gives the real value to the undo', async () => {
    const { world, scenario, outDir, runDir } = setup({
      steps: ['a', 'b'],
      failAt: 'b',
      secretInUndoData: 'postgres://u:pw1234@h/db',
    });
    await run(scenario, outDir);
    expect(world.markers).toContain('undo:a:{"url":"postgres://u:pw1234@h/db"}');
    const journal = readFileSync(join(runDir, 'journal.json'), 'utf8');
    expect(journal).toContain('postgres://u:***@h/db');
    expect(journal).not.toContain('pw1234');
  });

  it('fails with the probes still failing when the service never recovers in time', async () => {
    const { scenario, outDir } = setup({ failAt: 'c', bestEffort: ['c'], recoveryTimeout: '150ms' });
    const result = await run(scenario, outDir);
    expect(result.verdict).toBe('failed');
    expect(result.rto).toMatchObject({ recovered: false, achievedMs: null, lastFailures: { up: 'down' } });
    expect(result.reason).toBe(
      'service did not recover within recoveryTimeout (150ms): up: down; verification probe "works" failed: checked',
    );
  });

  it('starts background activities in preflight and records their summary, redacted', async () => {
    const { world, scenario, outDir } = setup({ steps: ['a'], background: true });
    const result = await run(scenario, outDir);
    expect(world.markers.slice(0, 3)).toEqual(['ledger:start', 'load:start', 'inject']);
    expect(world.markers).toContain('load:stop');
    expect(result.background).toEqual([{ name: 'load', summary: { requests: 42, apiKey: '***' } }]);
  });
});

// `pnpm drill <scenario>` through vitest + Allure: results, and Ctrl-C reaching the engine in the vitest worker.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MemoryPlatform } from '../../apps/self-test/targets/memory.ts';
import { waitFor } from '../../lab/testing/poll.ts';
import { isProcessAlive } from '../process-alive.ts';
import { runOutcome } from '../runner/outcome.ts';
import type { RunResult } from '../runner/result-schema.ts';
import { SAME_INTERRUPT_MS } from './interrupt.ts';
import { readJournal, runDirIn, runDrill, sandbox, spawnDrill, waitForJournal } from './spawn-drill.ts';

const platformOf = (stateFile: string) =>
  new MemoryPlatform({ stateFile, timeScale: 1, dbPassword: 'memory-s3cret-pw' });

interface AllureStep {
  name: string;
  status?: string;
  start: number;
  stop: number;
  steps?: AllureStep[];
}

/** What vitest's own reporters print: test marks, failures with traces, the "Tests 1 passed | 13 skipped" summary. */
const VITEST_NOISE =
  /AssertionError|❯|×|✓|↓|Test Files|\d+ (passed|skipped|failed)\b|drills\/self-test\.drill\.ts/;

/** The verdict block a run ends with: from its "verdict:" line to the end. */
function lastLines(output: string): string[] {
  const lines = output.trimEnd().split('\n');
  return lines.slice(lines.findLastIndex((l) => l.startsWith('verdict: ')));
}

function allureResults(runDir: string): { name: string; status: string; steps: AllureStep[] }[] {
  const dir = join(runDir, 'allure-results');
  return readdirSync(dir)
    .filter((f) => f.endsWith('-result.json'))
    .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')));
}

describe('pnpm drill through vitest', { timeout: 120_000 }, () => {
  it('writes Allure results: one test per objective, phases and steps as steps with real timings', async () => {
    const box = sandbox();
    const { code, output } = await runDrill(['self-test', '--out', box.outDir], box.env);
    expect(code, output).toBe(0);
    const results = allureResults(runDirIn(box.outDir)!);
    expect(results.map((r) => `${r.name}: ${r.status}`).sort()).toEqual([
      'RPO ≤ 5s: passed',
      'RTO ≤ 30s: passed',
      'runs every phase (Self-test on the in-memory platform: outage, failover, recovery, verification, rollback): passed',
      'verify: order: passed',
      'verify: secondary-serving: passed',
    ]);
    const run = results.find((r) => r.name.startsWith('runs every phase'))!;
    const phases = run.steps.filter((s) => s.name.startsWith('phase: '));
    expect(phases.map((p) => p.name)).toEqual([
      'phase: plan',
      'phase: preflight',
      'phase: inject',
      'phase: failover',
      'phase: recover',
      'phase: verify',
      'phase: restore',
      'phase: report',
    ]);
    const promote = phases[3]?.steps?.find(
      (s) => s.name === '§6.1 Fail over the global database to us-east-1',
    );
    // The fake promotion takes 600 ms: the Allure step shows the real duration, not the replay's.
    expect((promote?.stop ?? 0) - (promote?.start ?? 0)).toBeGreaterThanOrEqual(600);
    expect(platformOf(box.stateFile).leftovers()).toEqual([]);
  });

  it('Ctrl-C to the CLI reaches the engine in the vitest worker: rollback, exit 3, platform clean', async () => {
    const box = sandbox({ DRILL_MEMORY_TIME_SCALE: '3' });
    const drill = spawnDrill(['self-test', '--out', box.outDir], box.env);
    const journal = await waitForJournal(box.outDir, drill, (j) => j.phase === 'failover');
    expect(journal.pid).not.toBe(drill.child.pid);
    drill.child.kill('SIGINT');
    const code = await drill.exited;
    expect(code, drill.output()).toBe(3);
    expect(drill.output()).toContain(
      `Aborting drill, rolling back. Press Ctrl-C again to exit now (then: pnpm drill rollback ${journal.runId}).`,
    );
    expect(platformOf(box.stateFile).leftovers()).toEqual([]);
    expect(platformOf(box.stateFile).read().writer).toBe('eu-west-1');
    // The reason once, in the verdict, and the verdict last: no skipped-test notes, no "1 passed".
    const output = drill.output();
    expect(output.split('aborted by the operator (SIGINT)').length - 1, output).toBe(1);
    expect(lastLines(output)[0]).toMatch(/^verdict: ABORTED \(exit 3\): aborted by the operator \(SIGINT\)/);
    expect(output).not.toMatch(VITEST_NOISE);
  });

  it('a refused run is one verdict block, last, with no failed tests or traces; Allure records its checks refused', async () => {
    const box = sandbox();
    platformOf(box.stateFile).mutate('left-over-outage', (s) => {
      s.outage = true;
    });
    const { code, output } = await runDrill(['self-test', '--out', box.outDir], box.env);
    expect(code, output).toBe(5);
    expect(lastLines(output)).toEqual([
      'verdict: REFUSED (exit 5): steady state is not green, nothing was injected: probe "public-api" failed: eu-west-1 is unreachable (DNS points there)',
      '  RTO not measured, RPO not measured',
      `  results: ${runDirIn(box.outDir)}`,
    ]);
    expect(output).not.toMatch(VITEST_NOISE);
    // Allure: each check skipped (it measured nothing), not failed; the run's result.json (attached) says refused.
    const results = allureResults(runDirIn(box.outDir)!);
    expect(results.map((r) => r.status)).toEqual(Array(5).fill('skipped'));
    const result = JSON.parse(readFileSync(join(runDirIn(box.outDir)!, 'result.json'), 'utf8')) as RunResult;
    expect([runOutcome(result), result.exitCode]).toEqual(['refused', 5]);
  });

  it('a second Ctrl-C kills the worker and exits 130; rollback cleans up after it', async () => {
    const box = sandbox({ DRILL_MEMORY_TIME_SCALE: '6' });
    const drill = spawnDrill(['self-test', '--out', box.outDir], box.env);
    const journal = await waitForJournal(box.outDir, drill, (j) =>
      j.steps.some((s) => s.id === 'point-database-url-at-the-new-writer' && s.status === 'ok'),
    );
    drill.child.kill('SIGINT');
    // Signals sent back to back coalesce: wait until the first one was handled, and then past the time in which a
    // second one is taken for a copy of the first (a process group's Ctrl-C relayed by a parent).
    while (!drill.output().includes('Aborting drill')) await new Promise((r) => setTimeout(r, 10));
    await new Promise((r) => setTimeout(r, SAME_INTERRUPT_MS));
    drill.child.kill('SIGINT');
    expect(await drill.exited).toBe(130);
    expect(drill.output()).toContain(`Undo what the drill changed: pnpm drill rollback ${journal.runId}`);
    // The worker was SIGKILLed: its pid must be gone before rollback accepts the run.
    await new Promise((r) => setTimeout(r, 200));
    expect(isProcessAlive(journal.pid)).toBe(false);
    const rollback = await runDrill(['rollback', journal.runId, '--restore', '--out', box.outDir], box.env);
    expect(rollback.code, rollback.output).toBe(0);
    expect(platformOf(box.stateFile).leftovers()).toEqual([]);
    expect(platformOf(box.stateFile).read().writer).toBe('eu-west-1');
  });

  it('the CLI killed (SIGKILL): the worker, in a process group of its own, rolls back by itself', async () => {
    const box = sandbox({ DRILL_MEMORY_TIME_SCALE: '3' });
    const drill = spawnDrill(['self-test', '--out', box.outDir], box.env);
    const journal = await waitForJournal(box.outDir, drill, (j) => j.phase === 'failover');
    drill.child.kill('SIGKILL');
    await drill.exited;
    const runDir = runDirIn(box.outDir) as string;
    const done = await waitFor('the orphaned worker ended its run', () => {
      const j = readJournal(runDir);
      return j?.state === 'finished' && !isProcessAlive(journal.pid) ? j : undefined;
    });
    expect(done.verdict).toBe('aborted');
    expect(done.reason).toMatch(/^aborted: the drill command \(pid \d+\) is gone/);
    expect(platformOf(box.stateFile).leftovers()).toEqual([]);
  });
});

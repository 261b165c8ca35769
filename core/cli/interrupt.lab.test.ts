// Ctrl-C at every phase (the drill rolls back itself), a second Ctrl-C, and rollback of a live run.
import { describe, expect, it } from 'vitest';
import { MemoryPlatform } from '../../apps/self-test/targets/memory.ts';
import type { Phase } from '../model.ts';
import { processSlots, slotsTimeout } from '../testing/process-slots.ts';
import { SAME_INTERRUPT_MS } from './interrupt.ts';
import { runDirIn, runDrill, sandbox, spawnDrill, waitForJournal } from './spawn-drill.ts';

// Slow the fake platform down so every phase lasts long enough to be caught from outside.
const TIME_SCALE = '2';
const PHASES: Phase[] = ['preflight', 'inject', 'failover', 'recover', 'verify', 'restore'];
const platformOf = (stateFile: string) =>
  new MemoryPlatform({ stateFile, timeScale: 1, dbPassword: 'memory-s3cret-pw' });
const inPhase = (phase: Phase) => (j: { phase: Phase; phases: { status: string }[] }) =>
  j.phase === phase && j.phases.at(-1)?.status === 'running';

// Each case is a real process tree in a sandbox of its own and mostly waits on the slowed platform: three at a time
// (the machine has 2 cores), 68 s one after another, measured at load 6-10.
const SLOTS = 3;
const slot = processSlots(SLOTS);

describe('interrupting a drill', {
  timeout: slotsTimeout(120_000, PHASES.length + 2, SLOTS),
  concurrent: true,
}, () => {
  it.each(PHASES)('Ctrl-C during %s: aborts, rolls back, exit 3, platform clean', (phase) =>
    slot(async () => {
      const box = sandbox({ DRILL_MEMORY_TIME_SCALE: TIME_SCALE });
      const drill = spawnDrill(['self-test', '--in-process', '--out', box.outDir], box.env);
      const journal = await waitForJournal(box.outDir, drill, inPhase(phase));
      drill.child.kill('SIGINT');
      const code = await drill.exited;
      const output = drill.output();
      expect(code, output).toBe(3);
      expect(output).toContain(
        `Aborting drill, rolling back. Press Ctrl-C again to exit now (then: pnpm drill rollback ${journal.runId}).`,
      );
      expect(output).toContain('verdict: ABORTED (exit 3): aborted by the operator (SIGINT); rolled back');
      expect(platformOf(box.stateFile).leftovers()).toEqual([]);
      expect(platformOf(box.stateFile).read().writer).toBe('eu-west-1');
    }),
  );

  it('a second Ctrl-C exits at once with 130 and the rollback command; rollback then cleans up', () =>
    slot(async () => {
      const box = sandbox({ DRILL_MEMORY_TIME_SCALE: '4' });
      const drill = spawnDrill(['self-test', '--in-process', '--out', box.outDir], box.env);
      // After "Route traffic" has started, so the abort has several undos to run.
      const journal = await waitForJournal(box.outDir, drill, (j) =>
        j.steps.some((s) => s.id === 'point-database-url-at-the-new-writer' && s.status === 'ok'),
      );
      drill.child.kill('SIGINT');
      await waitForJournal(box.outDir, drill, (j) => j.phase === 'restore');
      // A second SIGINT within SAME_INTERRUPT_MS of the first one's handling is taken for a copy of it (a process
      // group's Ctrl-C relayed by a parent): wait that long after the first was handled.
      while (!drill.output().includes('Aborting drill')) await new Promise((r) => setTimeout(r, 10));
      await new Promise((r) => setTimeout(r, SAME_INTERRUPT_MS));
      drill.child.kill('SIGINT');
      expect(await drill.exited).toBe(130);
      expect(drill.output()).toContain(
        `Exited without rolling back. Undo what the drill changed: pnpm drill rollback ${journal.runId}`,
      );
      // --restore also runs the restore steps: the way back from the irreversible promotion.
      const rollback = await runDrill(['rollback', journal.runId, '--restore', '--out', box.outDir], box.env);
      expect(rollback.code, rollback.output).toBe(0);
      expect(rollback.output).toContain('✔ restore Switch the writer back to eu-west-1');
      expect(platformOf(box.stateFile).leftovers()).toEqual([]);
      expect(platformOf(box.stateFile).read().writer).toBe('eu-west-1');
    }));

  it('rollback refuses a run that is still running', () =>
    slot(async () => {
      const box = sandbox({ DRILL_MEMORY_TIME_SCALE: '4' });
      const drill = spawnDrill(['self-test', '--in-process', '--out', box.outDir], box.env);
      const journal = await waitForJournal(box.outDir, drill, inPhase('failover'));
      const rollback = await runDrill(['rollback', journal.runId, '--out', box.outDir], box.env);
      drill.child.kill('SIGINT');
      await drill.exited;
      expect(rollback.code).toBe(2);
      expect(rollback.output).toBe(
        `drill: run ${journal.runId} is still running (pid ${journal.pid}): press Ctrl-C in its terminal (it rolls back itself), or stop that process first\n`,
      );
      expect(runDirIn(box.outDir)).toBeDefined();
    }));
});

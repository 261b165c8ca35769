// kill -9 at every phase, then `drill rollback` from a new process: the memory platform must end clean.
import { describe, expect, it } from 'vitest';
import { MemoryPlatform } from '../../apps/self-test/targets/memory.ts';
import { loadRun } from '../../reports/run/facts.ts';
import type { Phase } from '../model.ts';
import { isExecutedDrill, runOutcome } from '../runner/outcome.ts';
import { processSlots, slotsTimeout } from '../testing/process-slots.ts';
import { readJournal, runDirIn, runDrill, sandbox, spawnDrill, waitForJournal } from './spawn-drill.ts';

// Slow the fake platform down so every phase lasts long enough to be caught from outside.
const TIME_SCALE = '2';
const PHASES: Phase[] = ['preflight', 'inject', 'failover', 'recover', 'verify', 'restore'];
const platformOf = (stateFile: string) =>
  new MemoryPlatform({ stateFile, timeScale: 1, dbPassword: 'memory-s3cret-pw' });
const inPhase = (phase: Phase) => (j: { phase: Phase; phases: { status: string }[] }) =>
  j.phase === phase && j.phases.at(-1)?.status === 'running';

// Each case is a real process tree in a sandbox of its own and mostly waits on the slowed platform: three at a time
// (the machine has 2 cores), 53 s one after another, measured at load 6-10.
const SLOTS = 3;
const slot = processSlots(SLOTS);

describe('a drill killed with SIGKILL', {
  timeout: slotsTimeout(120_000, PHASES.length, SLOTS),
  concurrent: true,
}, () => {
  it.each(PHASES)(
    'kill -9 during %s, then `drill rollback`: fault reverted, failover kept or undone, --restore cleans',
    (phase) =>
      slot(async () => {
        const box = sandbox({ DRILL_MEMORY_TIME_SCALE: TIME_SCALE });
        const drill = spawnDrill(['self-test', '--in-process', '--out', box.outDir], box.env);
        const journal = await waitForJournal(box.outDir, drill, inPhase(phase));
        drill.child.kill('SIGKILL');
        await drill.exited;
        const rollback = await runDrill(['rollback', journal.runId, '--out', box.outDir], box.env);
        expect(rollback.code, rollback.output).toBe(0);
        expect(rollback.output).toContain(`run ${journal.runId}: rolled-back`);
        // The killed run is on record as interrupted, with what the rollback did: it enters `pnpm report` that way.
        const { result } = loadRun(runDirIn(box.outDir)!);
        expect([runOutcome(result), result.verdict, result.interrupted?.phase]).toEqual([
          'interrupted',
          'aborted',
          phase,
        ]);
        expect(result.interrupted?.rollback.state).toBe('rolled-back');
        expect(result.reason).toMatch(new RegExp(`^killed \\(pid \\d+\\) during ${phase}; `));
        expect(result.undo.filter((u) => u.status === 'failed')).toEqual([]);
        // Killed before its fault went in, it touched nothing: no drill, no evidence.
        expect(isExecutedDrill(result)).toBe(phase !== 'preflight');
        const after = platformOf(box.stateFile);
        expect(after.read().outage).toBe(false);
        const promoted = readJournal(runDirIn(box.outDir)!)?.steps.some(
          (s) => s.id === 'fail-over-the-global-database-to-us-east-1',
        );
        if (!promoted) {
          // Nothing irreversible happened: the undos alone leave the platform clean.
          expect(after.leftovers()).toEqual([]);
          expect(after.read().writer).toBe('eu-west-1');
          return;
        }
        // The promotion cannot be undone: the rollback keeps the failover and names the way back.
        expect(rollback.output).toContain(
          `‼ IRREVERSIBLE: "Fail over the global database to us-east-1" is not undone by a rollback; way back: switch back: \`pnpm drill rollback ${journal.runId} --restore\``,
        );
        const restore = await runDrill(
          ['rollback', journal.runId, '--restore', '--out', box.outDir],
          box.env,
        );
        expect(restore.code, restore.output).toBe(0);
        expect(platformOf(box.stateFile).leftovers()).toEqual([]);
        expect(platformOf(box.stateFile).read().writer).toBe('eu-west-1');
      }),
  );
});

// kill -9 at every phase, then `drill rollback` from a new process: the memory platform must end clean.
import { describe, expect, it } from 'vitest';
import { MemoryPlatform } from '../../targets/memory.ts';
import type { Phase } from '../model.ts';
import { runDrill, sandbox, spawnDrill, waitForJournal } from './spawn-drill.ts';

// Slow the fake platform down so every phase lasts long enough to be caught from outside.
const TIME_SCALE = '2';
const PHASES: Phase[] = ['preflight', 'inject', 'failover', 'recover', 'verify', 'restore'];
const platformOf = (stateFile: string) =>
  new MemoryPlatform({ stateFile, timeScale: 1, dbPassword: 'memory-s3cret-pw' });
const inPhase = (phase: Phase) => (j: { phase: Phase; phases: { status: string }[] }) =>
  j.phase === phase && j.phases.at(-1)?.status === 'running';

// Sequential on purpose: each case is a real process tree, and the machine has 2 cores.
describe('a drill killed with SIGKILL', { timeout: 120_000 }, () => {
  it.each(PHASES)('kill -9 during %s, then `drill rollback`: platform clean', async (phase) => {
    const box = sandbox({ DRILL_MEMORY_TIME_SCALE: TIME_SCALE });
    const drill = spawnDrill(['self-test', '--in-process', '--out', box.outDir], box.env);
    const journal = await waitForJournal(box.outDir, drill, inPhase(phase));
    drill.child.kill('SIGKILL');
    await drill.exited;
    const rollback = await runDrill(['rollback', journal.runId, '--out', box.outDir], box.env);
    expect(rollback.code, rollback.output).toBe(0);
    expect(rollback.output).toContain(`run ${journal.runId}: rolled-back`);
    expect(platformOf(box.stateFile).leftovers()).toEqual([]);
    if (platformOf(box.stateFile).read().writer !== 'eu-west-1') {
      expect(rollback.output).toContain(
        `‼ IRREVERSIBLE: "Fail over the global database to us-east-1" is not undone by a rollback; way back: switch the writer back: \`pnpm drill rollback ${journal.runId} --restore\``,
      );
    }
  });
});

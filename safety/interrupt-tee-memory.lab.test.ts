// Issue #15, the fast half (in `pnpm test`): `pnpm drill self-test 2>&1 | tee` on the in-memory platform, and the whole
// process group signalled as a terminal does: Ctrl-C (SIGINT) and a closed terminal (SIGHUP). tee dies with the group,
// the drill's stdout and stderr break, and the drill still aborts once and rolls back, its output in console.log.
// The lab half, aurora-outage at several phases, is interrupt-tee.lab.test.ts (pnpm test:safety).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { firstInterruptMessage } from '../core/cli/interrupt.ts';
import { readJournal, runDirIn, sandbox, waitForJournal } from '../core/cli/spawn-drill.ts';
import type { JournalData } from '../core/journal.ts';
import { CONSOLE_LOG_FILE } from '../core/output/console-log.ts';
import { MemoryPlatform } from '../targets/memory.ts';
import { spawnTeePipeline } from './testing/terminal-pipeline.ts';

const platformOf = (stateFile: string) =>
  new MemoryPlatform({ stateFile, timeScale: 1, dbPassword: 'memory-s3cret-pw' });

describe('a signal to the process group of `pnpm drill self-test 2>&1 | tee`', { timeout: 120_000 }, () => {
  it.each([
    ['SIGINT', 'aborted by the operator (SIGINT)'],
    ['SIGHUP', 'aborted: the terminal hung up (SIGHUP)'],
  ] as const)(
    '%s during the failover: one abort, rolled back, the rest of the output in console.log',
    async (signal, reason) => {
      const box = sandbox({ DRILL_MEMORY_TIME_SCALE: '3' });
      const pipeline = spawnTeePipeline(['self-test', '--out', box.outDir], box.env, box.dir);
      const atSignal = await waitForJournal(box.outDir, pipeline, (j) => j.phase === 'failover');
      pipeline.signalGroup(signal);
      await pipeline.exited;
      const runDir = runDirIn(box.outDir) as string;
      const journal = readJournal(runDir) as JournalData;
      const logFile = join(runDir, CONSOLE_LOG_FILE);
      const consoleLog = existsSync(logFile) ? readFileSync(logFile, 'utf8') : '(no console.log)';
      const context = `tee:\n${pipeline.output()}\nconsole.log:\n${consoleLog}`;
      expect(
        { state: journal.state, verdict: journal.verdict, reason: journal.reason },
        context,
      ).toMatchObject({
        state: 'finished',
        verdict: 'aborted',
        reason: expect.stringContaining(reason),
      });
      const result = JSON.parse(readFileSync(join(runDir, 'result.json'), 'utf8')) as { exitCode: number };
      expect(result.exitCode).toBe(3);
      expect(platformOf(box.stateFile).leftovers(), context).toEqual([]);
      expect(platformOf(box.stateFile).read().writer).toBe('eu-west-1');
      expect(consoleLog).toContain(firstInterruptMessage(atSignal.runId));
      expect(consoleLog).not.toContain('Exited without rolling back');
      expect(consoleLog).toContain(`verdict: ABORTED (exit 3): ${reason}`);
      // tee died with the group: what came after reached only the run's own log.
      expect(pipeline.output()).not.toContain('verdict: ABORTED');
    },
  );
});

// Issue #15, the fast half (in `pnpm test`): `pnpm drill self-test 2>&1 | tee` on the in-memory platform, and the whole
// process group signalled as a terminal does: Ctrl-C (SIGINT) and a closed terminal (SIGHUP). tee dies with the group,
// the drill's stdout and stderr break, and the drill still aborts once and rolls back, its output in console.log.
// The lab half, aurora-outage at several phases, is interrupt-tee.lab.test.ts (pnpm test:safety).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MemoryPlatform } from '../apps/self-test/targets/memory.ts';
import { firstInterruptMessage } from '../core/cli/interrupt.ts';
import { readJournal, runDirIn, sandbox, waitForJournal } from '../core/cli/spawn-drill.ts';
import { WORKER_PID_FILE } from '../core/cli/worker-interrupt.ts';
import type { JournalData } from '../core/journal.ts';
import { CONSOLE_LOG_FILE } from '../core/output/console-log.ts';
import { processSlots } from '../core/testing/process-slots.ts';
import { waitFor } from '../lab/testing/poll.ts';
import { spawnTeePipeline, type TerminalPipeline } from './testing/terminal-pipeline.ts';

const platformOf = (stateFile: string) =>
  new MemoryPlatform({ stateFile, timeScale: 1, dbPassword: 'memory-s3cret-pw' });

/** The moment to signal the group at, given the pipeline and its out dir. */
type When = (pipeline: TerminalPipeline, outDir: string) => Promise<unknown>;

const duringFailover: When = (pipeline, outDir) =>
  waitForJournal(outDir, pipeline, (j) => j.phase === 'failover');

/** The vitest worker process exists, and the harness has not yet installed its abort handler (no worker.pid). */
const asTheWorkerStarts: When = (pipeline, outDir) =>
  waitFor(
    'the vitest worker started, before its abort handler',
    () => {
      const runDir = runDirIn(outDir);
      const worker = pipeline.processes().some((p) => p.command.includes('vitest/dist/workers/forks.js'));
      return worker && runDir !== undefined && !existsSync(join(runDir, WORKER_PID_FILE));
    },
    { timeoutMs: 60_000, maxIntervalMs: 20 },
  );

async function signalled(signal: NodeJS.Signals, when: When) {
  const box = sandbox({ DRILL_MEMORY_TIME_SCALE: '3' });
  const pipeline = spawnTeePipeline(['self-test', '--out', box.outDir], box.env, box.dir);
  await when(pipeline, box.outDir);
  pipeline.signalGroup(signal);
  await pipeline.exited;
  const runDir = runDirIn(box.outDir) as string;
  const logFile = join(runDir, CONSOLE_LOG_FILE);
  const resultFile = join(runDir, 'result.json');
  return {
    box,
    tee: pipeline.output(),
    journal: readJournal(runDir) as JournalData | undefined,
    consoleLog: existsSync(logFile) ? readFileSync(logFile, 'utf8') : '(no console.log)',
    result: existsSync(resultFile)
      ? (JSON.parse(readFileSync(resultFile, 'utf8')) as { exitCode: number; verdict: string })
      : undefined,
  };
}

// Each case is a pipeline in a sandbox of its own, mostly waiting on the slowed platform: side by side.
const slot = processSlots(3);

describe('a signal to the process group of `pnpm drill self-test 2>&1 | tee`', {
  timeout: 120_000,
  concurrent: true,
}, () => {
  it.each([
    {
      at: 'during the failover',
      signal: 'SIGINT',
      when: duringFailover,
      reason: 'aborted by the operator (SIGINT)',
    },
    {
      at: 'during the failover',
      signal: 'SIGHUP',
      when: duringFailover,
      reason: 'aborted: the terminal hung up (SIGHUP)',
    },
    {
      at: 'as the vitest worker starts',
      signal: 'SIGINT',
      when: asTheWorkerStarts,
      reason: 'aborted by the operator (SIGINT)',
    },
  ] as const)(
    '$signal $at: one abort, rolled back, the rest of the output in console.log',
    ({ signal, when, reason }) =>
      slot(async () => {
        const o = await signalled(signal, when);
        const context = `tee:\n${o.tee}\nconsole.log:\n${o.consoleLog}`;
        expect(
          { state: o.journal?.state, verdict: o.journal?.verdict, reason: o.journal?.reason },
          context,
        ).toMatchObject({ state: 'finished', verdict: 'aborted', reason: expect.stringContaining(reason) });
        expect(o.result, context).toMatchObject({ verdict: 'aborted', exitCode: 3 });
        expect(platformOf(o.box.stateFile).leftovers(), context).toEqual([]);
        expect(platformOf(o.box.stateFile).read().writer).toBe('eu-west-1');
        expect(o.consoleLog).toContain(firstInterruptMessage(o.journal?.runId ?? '?'));
        expect(o.consoleLog).not.toContain('Exited without rolling back');
        expect(o.consoleLog).toContain(`verdict: ABORTED (exit 3): ${reason}`);
        // tee died with the group: what came after reached only the run's own log.
        expect(o.tee).not.toContain('verdict: ABORTED');
      }),
  );
});

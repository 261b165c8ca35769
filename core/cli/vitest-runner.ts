// Runs drills/<scenario>.drill.ts through vitest's Node API (allure-vitest writes <run dir>/allure-results),
// then maps result.json to the exit code. Ctrl-C: the worker aborts and rolls back; a second one kills it.
// Ctrl-C on a terminal reaches its foreground process group (this process, pnpm, a `| tee`), not the worker, which has
// a group of its own (detached-worker-pool.ts): this process relays it once. vitest writes the worker's output through
// streams that never fail (core/output/stdio.ts), so a dead `| tee` breaks neither process.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DrillError } from '../errors.ts';
import { unbreakableStdio } from '../output/stdio.ts';
import { PROJECT_ROOT } from '../registry.ts';
import { RESULT_FILE } from '../runner/report.ts';
import type { RunResult } from '../runner/result-schema.ts';
import { detachedWorkerPool } from './detached-worker-pool.ts';
import { EXIT } from './exit-codes.ts';
import { ABORT_SIGNALS, handleInterrupts } from './interrupt.ts';
import { ABORT_REQUEST_FILE, WORKER_PID_FILE } from './worker-interrupt.ts';

export interface VitestDrillOptions {
  scenario: string;
  target: string;
  runId: string;
  outDir: string;
  dryRun: boolean;
  /** The target's prepareAhead (a real run only): started before vitest, so the lab boots while vitest starts up. */
  prepareAhead?: (opts: { log: (line: string) => void; runId: string }) => Promise<() => Promise<void>>;
}

/** The scenario's own spec when it has one, else the spec that runs any scenario (an app's: DRILL_APPS). */
export function drillSpecFile(scenario: string): string {
  const own = join('drills', `${scenario}.drill.ts`);
  return existsSync(join(PROJECT_ROOT, own)) ? own : join('drills', 'app.drill.ts');
}

function workerPid(runDir: string): number | undefined {
  try {
    const pid = Number(readFileSync(join(runDir, WORKER_PID_FILE), 'utf8'));
    return Number.isInteger(pid) && pid > 0 && pid !== process.pid ? pid : undefined;
  } catch {
    return undefined;
  }
}

function signalWorker(runDir: string, signal: NodeJS.Signals): void {
  const pid = workerPid(runDir);
  if (pid === undefined) return;
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}

export async function runThroughVitest(opts: VitestDrillOptions): Promise<number> {
  const spec = drillSpecFile(opts.scenario);
  if (!existsSync(join(PROJECT_ROOT, spec))) {
    throw new DrillError(
      'E_NOT_FOUND',
      `${spec} does not exist: create it with \`describeDrill('${opts.scenario}')\` from drills/harness.ts, or run with --in-process`,
    );
  }
  const runDir = join(opts.outDir, 'runs', opts.runId);
  Object.assign(process.env, {
    DRILL_SCENARIO: opts.scenario,
    DRILL_TARGET: opts.target,
    DRILL_RUN_ID: opts.runId,
    DRILL_OUT_DIR: opts.outDir,
    DRILL_DRY_RUN: opts.dryRun ? '1' : '0',
    // The CLI has applied the live-target guardrail (--execute, confirmation) already.
    DRILL_EXECUTE: '1',
    DRILL_LIVE: process.stdout.isTTY && !process.env.CI ? '1' : '0',
  });
  const release = handleInterrupts({
    runId: opts.runId,
    runDir,
    onFirst: (_reason, signal) => {
      // The worker reads ABORT_REQUEST_FILE when it starts, and gets the signal if it runs already.
      mkdirSync(runDir, { recursive: true });
      writeFileSync(join(runDir, ABORT_REQUEST_FILE), `${new Date().toISOString()}\n`);
      signalWorker(runDir, signal);
    },
    onSecond: () => signalWorker(runDir, 'SIGKILL'),
  });
  // vitest exits the process on SIGINT/SIGTERM; the drill must keep running until its rollback is done.
  const own = new Set(ABORT_SIGNALS.flatMap((signal) => process.listeners(signal)));
  const isAbortSignal = (event: string | symbol) => ABORT_SIGNALS.some((signal) => signal === event);
  const dropForeign = (event: string | symbol, listener: (...args: unknown[]) => void) => {
    if (isAbortSignal(event) && !own.has(listener as NodeJS.SignalsListener)) {
      queueMicrotask(() => process.off(event, listener));
    }
  };
  process.on('newListener', dropForeign);
  const ahead = opts.dryRun
    ? undefined
    : opts.prepareAhead?.({ log: (line) => process.stdout.write(`${line}\n`), runId: opts.runId }).catch(
        // The worker's prepare() of this run reports the failure (it waits on this start).
        () => undefined,
      );
  try {
    const { startVitest } = await import('vitest/node');
    const vitest = await startVitest(
      'test',
      [spec],
      {
        root: PROJECT_ROOT,
        config: join(PROJECT_ROOT, 'drills', 'vitest.drill.config.ts'),
        run: true,
        watch: false,
      },
      // As a Vite override: vitest drops a pool object given with the CLI options.
      { test: { pool: detachedWorkerPool } },
      unbreakableStdio(),
    );
    await vitest.close();
  } finally {
    process.off('newListener', dropForeign);
    release();
    await (await ahead)?.();
  }
  const resultFile = join(runDir, RESULT_FILE);
  if (!existsSync(resultFile)) {
    process.stderr.write(
      `drill: the run wrote no ${RESULT_FILE}; see the output above. Roll back with: pnpm drill rollback ${opts.runId}\n`,
    );
    return EXIT.internal;
  }
  const result = JSON.parse(readFileSync(resultFile, 'utf8')) as RunResult;
  return result.exitCode;
}

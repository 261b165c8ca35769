// The vitest worker's half of the interrupt protocol (the CLI's is vitest-runner.ts): the worker runs the engine, in a
// process group of its own; an abort signal relayed by the CLI (or sent to it directly) aborts the run, which rolls back.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readHalt, watchHalt } from '../control/halt.ts';
import { DrillError } from '../errors.ts';
import { ABORT_SIGNALS, abortReason, haltAbortReason } from './interrupt.ts';

/** Files through which the CLI (vitest-runner.ts) and the vitest worker that runs the engine find each other. */
export const WORKER_PID_FILE = 'worker.pid';
export const ABORT_REQUEST_FILE = 'abort.requested';

/** Aborts `controller` on the first abort signal (later ones change nothing); returns a function that stops it. */
export function abortOnSignals(controller: AbortController, runDir: string): () => void {
  const abort = (reason: DrillError) => {
    if (!controller.signal.aborted) controller.abort(reason);
  };
  // The CLI relays a halt (`pnpm drill halt`, the page) as SIGINT: the run's reason names who halted.
  const onSignal = (signal: NodeJS.Signals) => {
    const halt = readHalt(runDir);
    abort(halt ? haltAbortReason(halt) : abortReason(signal));
  };
  // The CLI is gone (killed): nobody is left to relay an interrupt, and an operator who kills it wants the run to
  // stop, so it rolls back now rather than run on unattended.
  const cli = process.ppid;
  const onOrphaned = () =>
    abort(new DrillError('E_ABORTED', `aborted: the drill command (pid ${cli}) is gone`));
  for (const signal of ABORT_SIGNALS) process.on(signal, onSignal);
  process.on('disconnect', onOrphaned);
  mkdirSync(runDir, { recursive: true });
  writeFileSync(join(runDir, WORKER_PID_FILE), String(process.pid));
  // The CLI may have been interrupted before it could read our pid.
  if (existsSync(join(runDir, ABORT_REQUEST_FILE))) onSignal('SIGINT');
  if (process.send && !process.connected) onOrphaned();
  // Also watched here: a halt stops the run even when the CLI cannot relay it.
  const stopHalt = watchHalt(runDir, (request) => abort(haltAbortReason(request)));
  return () => {
    for (const signal of ABORT_SIGNALS) process.off(signal, onSignal);
    process.off('disconnect', onOrphaned);
    stopHalt();
  };
}

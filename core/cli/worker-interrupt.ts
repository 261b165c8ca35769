// The vitest worker's half of the interrupt protocol (the CLI's is vitest-runner.ts): the worker runs the engine, and
// an abort signal (from the terminal's process group, or relayed by the CLI) aborts the run, which rolls back.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ABORT_SIGNALS, abortReason } from './interrupt.ts';
import { ABORT_REQUEST_FILE, WORKER_PID_FILE } from './vitest-runner.ts';

/** Aborts `controller` on the first abort signal (later ones change nothing); returns a function that stops it. */
export function abortOnSignals(controller: AbortController, runDir: string): () => void {
  const onSignal = (signal: NodeJS.Signals) => {
    if (!controller.signal.aborted) controller.abort(abortReason(signal));
  };
  for (const signal of ABORT_SIGNALS) process.on(signal, onSignal);
  mkdirSync(runDir, { recursive: true });
  writeFileSync(join(runDir, WORKER_PID_FILE), String(process.pid));
  // The CLI may have been interrupted before it could read our pid.
  if (existsSync(join(runDir, ABORT_REQUEST_FILE))) onSignal('SIGINT');
  return () => {
    for (const signal of ABORT_SIGNALS) process.off(signal, onSignal);
  };
}

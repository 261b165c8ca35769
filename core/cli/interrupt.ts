// Two-stage Ctrl-C: the first aborts the drill (which rolls back), a second one exits at once.
// A hang-up (SIGHUP: the terminal or SSH session closed) or a SIGTERM (a supervisor stopping the job: a cancelled CI
// run sends SIGINT, then SIGTERM 7.5 s later) aborts like Ctrl-C and is never the second stage: only a person at the
// terminal pressing Ctrl-C again may ask for an exit without rollback. Copies of one interrupt count once: a terminal signals the whole process
// group, and a parent (npm, a CI runner) may relay the same Ctrl-C to the drill again.
import { type HaltRequest, haltReasonText, watchHalt } from '../control/halt.ts';
import { DrillError } from '../errors.ts';
import { EXIT } from './exit-codes.ts';

/** The signals that abort a drill, in the CLI and in the vitest worker that runs the engine. */
export const ABORT_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/** A second SIGINT or SIGTERM this soon after the first is a copy of it, not a second Ctrl-C. */
export const SAME_INTERRUPT_MS = 1_000;

export interface InterruptOptions {
  runId: string;
  /** The run's directory: a halt requested there (`pnpm drill halt`, the page) is a first Ctrl-C with its own reason. */
  runDir?: string;
  /** Called on the first Ctrl-C (or hang-up), after the message is printed. */
  onFirst(reason: DrillError, signal: NodeJS.Signals): void;
  /** Called on the second Ctrl-C, just before the process exits (e.g. SIGKILL the worker). */
  onSecond?(): void;
  write?(text: string): void;
}

/** The run's abort reason for a signal. */
export function abortReason(signal: NodeJS.Signals): DrillError {
  const why =
    signal === 'SIGHUP'
      ? ': the terminal hung up'
      : signal === 'SIGTERM'
        ? ': the process was asked to stop'
        : ' by the operator';
  return new DrillError('E_ABORTED', `aborted${why} (${signal})`);
}

/** The run's abort reason for a halt: who halted it, from where, why. */
export function haltAbortReason(request: HaltRequest): DrillError {
  return new DrillError('E_ABORTED', `aborted: ${haltReasonText(request)}`);
}

export function firstInterruptMessage(runId: string): string {
  return `Aborting drill, rolling back. Press Ctrl-C again to exit now (then: pnpm drill rollback ${runId}).`;
}

export type InterruptAction = 'abort' | 'exit' | 'ignore';

/** What each signal means, given the ones before it: the first aborts, a later Ctrl-C exits, copies, hang-ups and terminations do not. */
export function interruptStages(now: () => number = () => performance.now()) {
  let firstAt: number | undefined;
  return (signal: NodeJS.Signals): InterruptAction => {
    if (firstAt === undefined) {
      firstAt = now();
      return 'abort';
    }
    if (signal !== 'SIGINT' || now() - firstAt < SAME_INTERRUPT_MS) return 'ignore';
    return 'exit';
  };
}

/** Installs the handlers; returns a function that removes them. */
export function handleInterrupts(opts: InterruptOptions): () => void {
  const write = opts.write ?? ((text: string) => process.stderr.write(text));
  const stage = interruptStages();
  const onSignal = (signal: NodeJS.Signals) => {
    const action = stage(signal);
    if (action === 'abort') {
      write(`\n${firstInterruptMessage(opts.runId)}\n`);
      opts.onFirst(abortReason(signal), signal);
      return;
    }
    if (action === 'ignore') return;
    opts.onSecond?.();
    write(`\nExited without rolling back. Undo what the drill changed: pnpm drill rollback ${opts.runId}\n`);
    process.exit(EXIT.secondInterrupt);
  };
  for (const signal of ABORT_SIGNALS) process.on(signal, onSignal);
  // A halt is never the second stage (like a hang-up): it is relayed to the engine as a first Ctrl-C.
  const stopHalt = opts.runDir
    ? watchHalt(opts.runDir, (request) => {
        if (stage('SIGTERM') !== 'abort') return;
        write(`\n${haltReasonText(request)}. ${firstInterruptMessage(opts.runId)}\n`);
        opts.onFirst(haltAbortReason(request), 'SIGINT');
      })
    : undefined;
  return () => {
    for (const signal of ABORT_SIGNALS) process.off(signal, onSignal);
    stopHalt?.();
  };
}

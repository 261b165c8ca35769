// Two-stage Ctrl-C: the first aborts the drill (which rolls back), the second exits at once.
import { DrillError } from '../errors.ts';
import { EXIT } from './exit-codes.ts';

export interface InterruptOptions {
  runId: string;
  /** Called on the first Ctrl-C, after the message is printed. */
  onFirst(reason: DrillError): void;
  /** Called on the second Ctrl-C, just before the process exits (e.g. SIGKILL the worker). */
  onSecond?(): void;
  write?(text: string): void;
}

export function firstInterruptMessage(runId: string): string {
  return `Aborting drill, rolling back. Press Ctrl-C again to exit now (then: pnpm drill rollback ${runId}).`;
}

/** Installs the handlers; returns a function that removes them. */
export function handleInterrupts(opts: InterruptOptions): () => void {
  const write = opts.write ?? ((text: string) => process.stderr.write(text));
  let count = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    count++;
    if (count === 1) {
      write(`\n${firstInterruptMessage(opts.runId)}\n`);
      opts.onFirst(new DrillError('E_ABORTED', `aborted by the operator (${signal})`));
      return;
    }
    opts.onSecond?.();
    write(`\nExited without rolling back. Undo what the drill changed: pnpm drill rollback ${opts.runId}\n`);
    process.exit(EXIT.secondInterrupt);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
}

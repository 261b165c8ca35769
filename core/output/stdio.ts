// The drill process's stdout and stderr, guarded (guard-stream.ts) and copied to the run's console.log: a closed
// terminal, a dead pipe reader (`| tee`, `| less`) or a full disk never stops a run.
import { Writable } from 'node:stream';
import { ConsoleLog } from './console-log.ts';
import { guardStream } from './guard-stream.ts';

/** This process's copy of its console output; `attach()` it to the run's console.log once the run id is known. */
export const processConsoleLog = new ConsoleLog();

let installed = false;

/** Guards process.stdout and process.stderr; when one fails, the other (if it works) says where the output went. */
export function guardStdio(): void {
  if (installed) return;
  installed = true;
  const log = processConsoleLog;
  const err = guardStream(process.stderr, {
    name: 'stderr',
    log,
    onLost: (note) => out.writeUnlogged(`${note}\n`),
  });
  const out = guardStream(process.stdout, {
    name: 'stdout',
    log,
    onLost: (note) => err.writeUnlogged(`${note}\n`),
  });
  process.on('exit', () => log.flush());
}

/**
 * Streams for a library that pipes into its output (vitest pipes its worker's stdout and stderr): they forward to
 * the guarded process streams and never fail, so a pipe into them is never cut (Readable.pipe unpipes on the
 * destination's error, and the worker would then block on a full pipe).
 */
export function unbreakableStdio(): { stdout: Writable; stderr: Writable } {
  const forwardTo = (stream: NodeJS.WriteStream) =>
    new Writable({
      write(chunk: Buffer, _encoding, callback) {
        stream.write(chunk);
        callback();
      },
    });
  return { stdout: forwardTo(process.stdout), stderr: forwardTo(process.stderr) };
}

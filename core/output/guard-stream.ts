// A console stream that cannot stop a drill: every write also goes to the run's log, and once the stream fails
// (EPIPE when the reader of a pipe died, EIO from a closed terminal, ENOSPC on a full disk), thrown or emitted, it is
// never written again; writes go on to the log only and always succeed for the caller.
import { type ConsoleLog, codeOf } from './console-log.ts';

export interface StreamGuard {
  /** Why the stream was given up (an error code), or undefined while it works. */
  lost(): string | undefined;
  /** Writes to the stream only (not to the log), if it still works. */
  writeUnlogged(text: string): void;
}

export interface GuardOptions {
  /** Names the stream in the note written when it fails, e.g. "stdout". */
  name: string;
  log?: ConsoleLog;
  /** Called once, with the note, when the stream fails. */
  onLost?(note: string): void;
}

type WriteCallback = (error?: Error | null) => void;
type Write = (chunk: string | Uint8Array, encoding?: BufferEncoding, callback?: WriteCallback) => boolean;

const GUARD = Symbol.for('drill.stream-guard');
type Guarded = NodeJS.WritableStream & { [GUARD]?: StreamGuard };

/** Guards `stream` in place (its `write`); guarding it again returns the first guard unchanged. */
export function guardStream(stream: NodeJS.WritableStream, opts: GuardOptions): StreamGuard {
  const target = stream as Guarded;
  const existing = target[GUARD];
  if (existing) return existing;
  const original = stream.write.bind(stream) as Write;
  let lostCode: string | undefined;
  const lose = (error: unknown) => {
    if (lostCode !== undefined) return;
    lostCode = codeOf(error);
    const where = opts.log?.path ? `only to ${opts.log.path}` : 'nowhere';
    const note = `drill: ${opts.name} failed (${lostCode}): the run goes on, its output ${where}`;
    opts.log?.append(`${note}\n`);
    opts.onLost?.(note);
  };
  const send = (chunk: string | Uint8Array, encoding?: BufferEncoding, callback?: WriteCallback) => {
    // The caller never sees the stream's error: the run must not stop for it. A failed write reports it here
    // before the stream emits 'error' (a full disk's ENOSPC), so the next write is already given up.
    const done: WriteCallback = (error) => {
      if (error) lose(error);
      callback?.();
    };
    if (lostCode !== undefined) {
      if (callback) process.nextTick(() => callback());
      return true;
    }
    try {
      return original(chunk, encoding, done);
    } catch (error) {
      lose(error);
      if (callback) process.nextTick(() => callback());
      return true;
    }
  };
  stream.on('error', lose);
  const write = (
    chunk: string | Uint8Array,
    encodingOrCallback?: BufferEncoding | WriteCallback,
    callback?: WriteCallback,
  ): boolean => {
    const encoding = typeof encodingOrCallback === 'string' ? encodingOrCallback : undefined;
    const cb = typeof encodingOrCallback === 'function' ? encodingOrCallback : callback;
    opts.log?.append(chunk);
    return send(chunk, encoding, cb);
  };
  stream.write = write as NodeJS.WritableStream['write'];
  const guard: StreamGuard = {
    lost: () => lostCode,
    writeUnlogged: (text) => {
      send(text);
    },
  };
  target[GUARD] = guard;
  return guard;
}

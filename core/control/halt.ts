// Halt: a request, from any process (`pnpm drill halt`, the live page), that a running drill stop as on Ctrl-C.
import { controlDir, createOnce, haltFile, readRecord } from './files.ts';
import { type WatchOptions, watchFolder } from './watch.ts';

export interface HaltRequest {
  /** Who asked (a user name, the page's viewer). */
  by: string;
  via: 'terminal' | 'page';
  reason?: string;
  /** ISO time the request was written. */
  at: string;
}

/** Asks the run to halt. The first request stands (a second one changes nothing): returns the one that stands. */
export function requestHalt(
  runDir: string,
  request: Omit<HaltRequest, 'at'>,
): { request: HaltRequest; first: boolean } {
  const first = createOnce(haltFile(runDir), { ...request, at: new Date().toISOString() });
  const standing = readHalt(runDir);
  if (!standing) throw new Error(`${haltFile(runDir)} vanished right after it was written`);
  return { request: standing, first };
}

/** The halt requested, if any (a file that is not a halt request counts as none). */
export function readHalt(runDir: string): HaltRequest | undefined {
  try {
    return readRecord<HaltRequest>(haltFile(runDir));
  } catch {
    return undefined;
  }
}

/** The abort reason a halt gives the run: says who halted, from where, and why. */
export function haltReasonText(request: HaltRequest): string {
  return `halted by ${request.by} (${request.via === 'page' ? 'the live page' : 'pnpm drill halt'})${
    request.reason ? `: ${request.reason}` : ''
  }`;
}

/**
 * Calls `onHalt` once, as soon as a halt is requested (at once if it was before this call). Returns a function
 * that stops watching. The watch does not keep the process alive.
 */
export function watchHalt(
  runDir: string,
  onHalt: (request: HaltRequest) => void,
  opts: WatchOptions = {},
): () => void {
  let done = false;
  let stop: () => void = () => {};
  const check = () => {
    if (done) return;
    const request = readHalt(runDir);
    if (!request) return;
    done = true;
    stop();
    onHalt(request);
  };
  stop = watchFolder(controlDir(runDir), check, { unref: true, ...opts });
  check();
  return () => {
    done = true;
    stop();
  };
}

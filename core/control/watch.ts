// Calls `check` whenever a folder changes (fs.watch) and on a poll, since fs.watch misses events on some file
// systems (network mounts, containers' overlays) and cannot watch a folder that does not exist yet.
import { type FSWatcher, mkdirSync, watch } from 'node:fs';

/** How often the poll fallback looks, in ms. */
export const CONTROL_POLL_MS = 200;

export interface WatchOptions {
  pollMs?: number;
  /** Let the process exit while only this watch is left (a background watch, e.g. for a halt). */
  unref?: boolean;
}

/** Watches `dir` (created if missing); returns a function that stops watching. */
export function watchFolder(dir: string, check: () => void, opts: WatchOptions = {}): () => void {
  mkdirSync(dir, { recursive: true });
  let watcher: FSWatcher | undefined;
  try {
    watcher = watch(dir, { persistent: !opts.unref }, () => check());
    // A watch that breaks (folder removed) leaves the poll to do the work.
    watcher.on('error', () => watcher?.close());
  } catch {
    watcher = undefined;
  }
  const timer = setInterval(check, opts.pollMs ?? CONTROL_POLL_MS);
  if (opts.unref) timer.unref();
  return () => {
    clearInterval(timer);
    watcher?.close();
  };
}

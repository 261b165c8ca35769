// Open-loop sampling (issue 14): slot k is sent at first + k × interval whether or not earlier checks have answered,
// so a check that hangs holds no slot. Used on the engine's thread and on a probe's own thread alike.

export interface OpenLoop {
  intervalMs: number;
  /** The clock the slots are laid on. */
  now: () => number;
  /** Stops sending; checks already sent run on. */
  stop: AbortSignal;
  /** Sends one check; its promise settles when the check has answered (or timed out) and been recorded. */
  sample: () => Promise<void>;
}

/** Sends slots until `stop`; resolves once stopped and every check sent has settled. */
export async function sampleOpenLoop(loop: OpenLoop): Promise<void> {
  const inFlight = new Set<Promise<void>>();
  const first = loop.now();
  for (let slot = 0; !loop.stop.aborted; ) {
    const check = loop.sample().finally(() => inFlight.delete(check));
    inFlight.add(check);
    // The next slot on the grid; slots already past (this thread was starved) collapse into one sent now.
    const now = loop.now();
    slot = Math.max(slot + 1, Math.floor((now - first) / loop.intervalMs));
    await pause(first + slot * loop.intervalMs - now, loop.stop);
  }
  await Promise.allSettled([...inFlight]);
}

/** Resolves after `ms` or as soon as `signal` aborts. */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, Math.max(0, ms));
    signal.addEventListener('abort', done, { once: true });
  });
}

// Test helper: a file's drill processes side by side, at most `slots` at once. Each case mostly waits on its drill
// (a time-scaled memory platform, a vitest worker starting): a few together take a fraction of the time they take
// one after another, and a 2-core machine is not flooded by every case's process starting at the same instant.

/** Runs `work` when one of `slots` is free; the cases of a `concurrent` describe share the slots. */
export function processSlots(slots: number): <T>(work: () => Promise<T>) => Promise<T> {
  let free = slots;
  const waiting: (() => void)[] = [];
  return async (work) => {
    if (free > 0) free--;
    else await new Promise<void>((resolve) => waiting.push(resolve));
    try {
      return await work();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else free++;
    }
  };
}

/**
 * The timeout of a case that may first wait for a slot: vitest's timer runs while it waits, so the case keeps its own
 * budget once for each round of `slots` cases that can run before it.
 */
export function slotsTimeout(perCaseMs: number, cases: number, slots: number): number {
  return perCaseMs * Math.ceil(cases / slots);
}

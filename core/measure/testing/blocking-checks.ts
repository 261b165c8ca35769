// Checks for probe-thread.test.ts that block their probe thread's event loop at a chosen moment of their flight,
// and say how long they blocked it (data.blockedMs).
import type { OffThreadFactory } from '../off-thread.ts';

interface BlockOptions {
  waitMs: number;
  blockMs: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function block(ms: number): number {
  const from = performance.now();
  while (performance.now() < from + ms) {}
  return performance.now() - from;
}

/** Waits, then blocks the loop and answers as it comes free: an answer that came in during a stall, read late. */
export const blockBeforeAnswer: OffThreadFactory = (options) => {
  const { waitMs, blockMs } = options as unknown as BlockOptions;
  return async () => {
    await sleep(waitMs);
    return { ok: true, data: { blockedMs: block(blockMs) } };
  };
};

/** Waits, blocks the loop, waits again, then answers: a stall while the request was waiting, read on time. */
export const blockMidFlight: OffThreadFactory = (options) => {
  const { waitMs, blockMs } = options as unknown as BlockOptions;
  return async () => {
    await sleep(waitMs);
    const blockedMs = block(blockMs);
    await sleep(waitMs);
    return { ok: true, data: { blockedMs } };
  };
};

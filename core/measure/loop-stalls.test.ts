import { describe, expect, it } from 'vitest';
import { LoopStalls } from './loop-stalls.ts';

const block = (ms: number) => {
  const until = performance.now() + ms;
  while (performance.now() < until) {}
};
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('LoopStalls', () => {
  it('records a span the loop was blocked, and counts only its part inside a window', async () => {
    const stalls = new LoopStalls(() => performance.now());
    stalls.start();
    await sleep(30);
    const before = performance.now();
    block(120);
    const after = performance.now();
    await sleep(30);
    stalls.stop();
    const total = stalls.within(before - 1_000, after + 1_000);
    // The blocked stretch is seen, less at most one tick and the noise threshold, and no more than the elapsed time.
    expect(total).toBeGreaterThanOrEqual(after - before - 12);
    expect(total).toBeLessThanOrEqual(performance.now() - before);
    const half = stalls.within(before, before + (after - before) / 2);
    expect(half).toBeLessThanOrEqual((after - before) / 2);
    expect(stalls.within(after + 1, after + 1)).toBe(0);
  });
});

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

  it('sees a stall that ended as an answer was read only once the loop has been looked at again', async () => {
    const stalls = new LoopStalls(() => performance.now());
    stalls.start();
    await sleep(30);
    const sent = performance.now();
    await sleep(20);
    const blockedFrom = performance.now();
    block(120);
    const answered = performance.now(); // read as the loop came free, before its late tick
    const blocked = answered - blockedFrom;
    expect(stalls.within(sent, answered)).toBeLessThan(blocked - 12); // what was counted before looked()
    await stalls.looked();
    stalls.stop();
    expect(stalls.delayingStamps(sent, answered)).toBeGreaterThanOrEqual(blocked);
    expect(stalls.delayingStamps(sent, answered)).toBeLessThanOrEqual(answered - sent);
  });

  it('counts the stalls a send fell into and an answer was read after, not one while the request waited', () => {
    const stalls = new LoopStalls(() => 0);
    // sent at 995 (a stall began 5 ms later), a stall at 1_300..1_500 while the request waited, answer read at 1_900
    stalls.spans.push([1_000, 1_100], [1_300, 1_500], [1_790, 1_900]);
    // the send's stall from 995; the answer's from a tick (and the threshold) before its recorded start
    expect(stalls.delayingStamps(995, 1_900)).toBe(105 + 122);
    expect(stalls.within(995, 1_900)).toBe(410);
    // spans a tick apart are one stall; a stall recorded a tick after the answer was read delayed it
    stalls.spans.length = 0;
    stalls.spans.push([1_500, 1_600], [1_610, 1_700], [1_705, 1_712]);
    expect(stalls.delayingStamps(1_000, 1_704)).toBe(1_704 - 1_488);
    // one stall from send to answer: the whole latency may be ours
    expect(stalls.delayingStamps(1_490, 1_704)).toBe(214);
    expect(stalls.delayingStamps(1_000, 1_400)).toBe(0);
  });
});

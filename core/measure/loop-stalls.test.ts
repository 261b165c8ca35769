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
    // The window's own bounds, as within() subtracts them: (after - before) / 2 can differ from it in the last bit.
    const middle = before + (after - before) / 2;
    expect(stalls.within(before, middle)).toBeLessThanOrEqual(middle - before);
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
    // a loop that ran a tick between two stalls was free then: only the stall the answer was read after counts
    stalls.spans.length = 0;
    stalls.spans.push([1_500, 1_600], [1_610, 1_700], [1_705, 1_712]);
    expect(stalls.delayingStamps(1_000, 1_704)).toBe(1_704 - (1_610 - 12));
    // a stall at the send and one at the answer: no more than the whole latency
    expect(stalls.delayingStamps(1_490, 1_704)).toBe(214);
    // a loop late 3 ms at every tick throughout a request: a tick's worth of doubt at each end, not the whole latency
    stalls.spans.length = 0;
    for (let t = 2_000; t < 3_000; t += 13) stalls.spans.push([t + 10, t + 13]);
    expect(stalls.delayingStamps(2_005, 2_500)).toBeLessThanOrEqual(2 * (12 + 13));
    expect(stalls.delayingStamps(1_000, 1_400)).toBe(0);
  });
});

import { describe, expect, it } from 'vitest';
import { processSlots, slotsTimeout } from './process-slots.ts';

describe('processSlots', () => {
  it('runs at most `slots` works at once, each as soon as a slot is free, and passes results and errors through', async () => {
    const slot = processSlots(2);
    let running = 0;
    let most = 0;
    const order: number[] = [];
    const work = (id: number, ms: number) =>
      slot(async () => {
        running++;
        most = Math.max(most, running);
        order.push(id);
        await new Promise((r) => setTimeout(r, ms));
        running--;
        if (id === 3) throw new Error('case 3 failed');
        return id;
      });
    const results = await Promise.allSettled([work(1, 40), work(2, 10), work(3, 10), work(4, 10)]);
    expect(most).toBe(2);
    // 3 starts when 2 (the shorter) frees its slot, 4 when 3 does, before 1 is done.
    expect(order).toEqual([1, 2, 3, 4]);
    expect(results.map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as Error).message))).toEqual([
      1,
      2,
      'case 3 failed',
      4,
    ]);
    // A failed work frees its slot too: the slots are all free again.
    const again = await Promise.all([slot(async () => 'a'), slot(async () => 'b')]);
    expect(again).toEqual(['a', 'b']);
  });
});

describe('slotsTimeout', () => {
  it('gives a case its own budget once per round of slots that can run before it', () => {
    expect(slotsTimeout(120_000, 3, 3)).toBe(120_000);
    expect(slotsTimeout(120_000, 6, 3)).toBe(240_000);
    expect(slotsTimeout(120_000, 8, 3)).toBe(360_000);
  });
});

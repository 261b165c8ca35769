import { describe, expect, it } from 'vitest';
import { FaultDice } from './faults.ts';

describe('FaultDice', () => {
  it('rolls the same sequence for the same seed', () => {
    const roll = (seed: number) => {
      const dice = new FaultDice();
      dice.set({ throttleRate: 0.3, errorRate: 0.3, timeoutRate: 0.2, seed });
      return Array.from({ length: 20 }, () => dice.roll());
    };
    expect(roll(7)).toEqual(roll(7));
    expect(roll(7)).not.toEqual(roll(8));
    expect(new Set(roll(7))).toEqual(new Set(['throttle', 'error', 'timeout', 'none']));
  });

  it('never faults when cleared, always when a rate is 1', () => {
    const dice = new FaultDice();
    expect(dice.roll()).toBe('none');
    dice.set({ errorRate: 1 });
    expect([dice.roll(), dice.roll()]).toEqual(['error', 'error']);
    dice.set(null);
    expect(dice.roll()).toBe('none');
  });

  it('rejects rates outside 0..1 with a message naming the setting', () => {
    expect(() => new FaultDice().set({ timeoutRate: 2 })).toThrow(
      'setControlPlaneFaults: timeoutRate must be a number between 0 and 1, got 2',
    );
  });
});

describe('FaultDice shares', () => {
  const count = (rolls: string[]) => {
    const counts: Record<string, number> = {};
    for (const r of rolls) counts[r] = (counts[r] ?? 0) + 1;
    return counts;
  };

  it('deals the exact share of each fault in every block of 100 calls, at seeded random places', () => {
    const dice = new FaultDice();
    dice.set({ throttleRate: 0.04, errorRate: 0.05, timeoutRate: 0.01, seed: 6 });
    const first = Array.from({ length: 100 }, () => dice.roll());
    const second = Array.from({ length: 100 }, () => dice.roll());
    expect(count(first)).toEqual({ none: 90, throttle: 4, error: 5, timeout: 1 });
    expect(count(second)).toEqual({ none: 90, throttle: 4, error: 5, timeout: 1 });
    expect(first.indexOf('timeout')).not.toBe(second.indexOf('timeout'));
  });

  it('carries a fraction of a call over to the next block (1.5 % is 1, then 2)', () => {
    const dice = new FaultDice();
    dice.set({ timeoutRate: 0.015, seed: 1 });
    const blocks = [0, 1].map(() => Array.from({ length: 100 }, () => dice.roll()));
    expect(blocks.map((b) => count(b).timeout)).toEqual([1, 2]);
  });

  it('starts a new deck when the faults change', () => {
    const dice = new FaultDice();
    dice.set({ errorRate: 1 });
    expect(dice.roll()).toBe('error');
    dice.set({ throttleRate: 1 });
    expect(dice.roll()).toBe('throttle');
  });

  it('refuses rates that add up to more than 1', () => {
    expect(() => new FaultDice().set({ throttleRate: 0.6, errorRate: 0.5 })).toThrow(
      'setControlPlaneFaults: throttleRate + errorRate + timeoutRate must be at most 1, got 1.1',
    );
  });
});

describe('FaultDice.loseAnswer', () => {
  it('loses no answer by default, every answer at rate 1, and validates the rate', () => {
    const dice = new FaultDice();
    expect(dice.loseAnswer()).toBe(false);
    dice.set({ lostAnswerRate: 1 });
    expect([dice.loseAnswer(), dice.loseAnswer()]).toEqual([true, true]);
    expect(dice.roll()).toBe('none');
    expect(() => dice.set({ lostAnswerRate: -0.1 })).toThrow(
      'setControlPlaneFaults: lostAnswerRate must be a number between 0 and 1, got -0.1',
    );
  });
});

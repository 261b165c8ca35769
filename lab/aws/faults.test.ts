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

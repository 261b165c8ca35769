import { describe, expect, it } from 'vitest';
import { percentile } from './percentile.ts';

describe('percentile (nearest rank)', () => {
  const latencies = [15, 20, 35, 40, 50];

  it('returns the value at rank ceil(p/100 × n)', () => {
    expect(percentile(latencies, 5)).toBe(15);
    expect(percentile(latencies, 30)).toBe(20);
    expect(percentile(latencies, 40)).toBe(20);
    expect(percentile(latencies, 50)).toBe(35);
    expect(percentile(latencies, 100)).toBe(50);
  });

  it('returns the smallest value for p = 0 and does not need sorted input', () => {
    expect(percentile([9, 3, 7], 0)).toBe(3);
    expect(percentile([9, 3, 7], 50)).toBe(7);
  });

  it('picks p99 among 100 values', () => {
    const values = Array.from({ length: 100 }, (_, i) => 100 - i);
    expect(percentile(values, 99)).toBe(99);
    expect(percentile(values, 50)).toBe(50);
  });

  it('ignores non-finite values and returns null when none is left', () => {
    expect(percentile([Number.NaN, 4, Number.POSITIVE_INFINITY], 50)).toBe(4);
    expect(percentile([], 50)).toBeNull();
    expect(percentile([Number.NaN], 99)).toBeNull();
  });

  it('does not reorder the caller array', () => {
    const values = [3, 1, 2];
    percentile(values, 50);
    expect(values).toEqual([3, 1, 2]);
  });

  it('rejects p outside 0..100', () => {
    expect(() => percentile([1], 101)).toThrow('percentile must be between 0 and 100, got 101');
    expect(() => percentile([1], -1)).toThrow('percentile must be between 0 and 100, got -1');
    expect(() => percentile([1], Number.NaN)).toThrow('percentile must be between 0 and 100, got NaN');
  });
});

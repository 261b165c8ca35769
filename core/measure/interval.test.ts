import { describe, expect, it } from 'vitest';
import { formatMeasured } from './interval.ts';

describe('formatMeasured', () => {
  it('states the bracket, rounded outward', () => {
    expect(formatMeasured({ achievedMs: 18_290, lowerMs: 18_249, upperMs: 18_461, uncertaintyMs: 171 })).toBe(
      '18.3s, between 18.2s and 18.5s',
    );
    expect(formatMeasured({ achievedMs: 300, lowerMs: 180.4, upperMs: 320.2, uncertaintyMs: 120 })).toBe(
      '300ms, between 180ms and 321ms',
    );
  });

  it('says "at least" when the bracket is open above', () => {
    expect(formatMeasured({ achievedMs: 1_400, lowerMs: 1_400, upperMs: null, uncertaintyMs: 100 })).toBe(
      '1.4s, at least 1.4s',
    );
  });

  it('reads a result written before the bracket was kept as ± uncertainty', () => {
    expect(formatMeasured({ achievedMs: 21_060, uncertaintyMs: 1_000 })).toBe('21.1s ± 1.0s');
    expect(formatMeasured({ achievedMs: null, uncertaintyMs: 250 })).toBe('not measured');
  });
});

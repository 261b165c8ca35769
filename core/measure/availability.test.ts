import { describe, expect, it } from 'vitest';
import { computeAvailability, DEFAULT_SLO_PERIOD_MS } from './availability.ts';
import type { ProbeSample } from './samples.ts';

function series(probe: string, from: number, step: number, pattern: string): ProbeSample[] {
  return [...pattern].map((c, i) => ({ probe, at: from + i * step, ok: c === '.' }));
}

describe('computeAvailability', () => {
  it('finds maximal failing runs, closed by the next passing sample', () => {
    const samples = [...series('health', 0, 1_000, '..xx...x..'), ...series('other', 0, 1_000, 'xxxxxxxxxx')];
    const r = computeAvailability({ samples, probe: 'health', intervalMs: 1_000, slo: 0.999 });
    expect(r).toEqual({
      outages: [
        { start: 2_000, end: 4_000, durationMs: 2_000 },
        { start: 7_000, end: 8_000, durationMs: 1_000 },
      ],
      downtimeMs: 3_000,
      observedMs: 9_000,
      availability: 1 - 3_000 / 9_000,
      budgetMs: 2_592_000,
      budgetUsedFraction: 3_000 / 2_592_000,
    });
  });

  it('leaves an outage open (end null) when the last sample still fails', () => {
    const r = computeAvailability({
      samples: series('health', 0, 500, '...xxx'),
      probe: 'health',
      intervalMs: 500,
      slo: 0.99,
      periodMs: 100_000,
    });
    expect(r.outages).toEqual([{ start: 1_500, end: null, durationMs: 1_000 }]);
    expect(r.downtimeMs).toBe(1_000);
    expect(r.observedMs).toBe(2_500);
    expect(r.availability).toBeCloseTo(0.6, 12);
    expect(r.budgetMs).toBe(1_000);
    expect(r.budgetUsedFraction).toBe(1);
  });

  it('sorts samples by time first', () => {
    const r = computeAvailability({
      samples: series('health', 0, 1_000, '.x.').reverse(),
      probe: 'health',
      intervalMs: 1_000,
      slo: 0.999,
    });
    expect(r.outages).toEqual([{ start: 1_000, end: 2_000, durationMs: 1_000 }]);
  });

  it('reports full availability with no samples or no failures', () => {
    const none = computeAvailability({ samples: [], probe: 'health', intervalMs: 1_000, slo: 0.999 });
    expect(none).toEqual({
      outages: [],
      downtimeMs: 0,
      observedMs: 0,
      availability: 1,
      budgetMs: 2_592_000,
      budgetUsedFraction: 0,
    });
    const clean = computeAvailability({
      samples: series('health', 0, 1, '....'),
      probe: 'health',
      intervalMs: 1,
      slo: 0.9,
    });
    expect(clean.availability).toBe(1);
  });

  it('counts a single failing sample as unavailable', () => {
    const r = computeAvailability({
      samples: series('health', 5, 1, 'x'),
      probe: 'health',
      intervalMs: 1,
      slo: 0.999,
    });
    expect(r.outages).toEqual([{ start: 5, end: null, durationMs: 0 }]);
    expect(r.availability).toBe(0);
  });

  it('has an infinite budget use when the SLO is 1 and anything failed', () => {
    const r = computeAvailability({
      samples: series('health', 0, 1, '.x.'),
      probe: 'health',
      intervalMs: 1,
      slo: 1,
    });
    expect(r.budgetMs).toBe(0);
    expect(r.budgetUsedFraction).toBe(Number.POSITIVE_INFINITY);
  });

  it('uses a 30-day period by default', () => {
    expect(DEFAULT_SLO_PERIOD_MS).toBe(2_592_000_000);
  });
});

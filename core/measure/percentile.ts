// Nearest-rank percentiles, for probe latencies (p50, p99).

import { DrillError } from '../errors.ts';

/**
 * The nearest-rank percentile `p` (0–100) of `values`: the smallest value such that at least p % of
 * the values are ≤ it. Non-finite values are ignored; null when no value is left.
 */
export function percentile(values: number[], p: number): number | null {
  if (!(p >= 0 && p <= 100)) {
    throw new DrillError('E_INTERNAL', `percentile must be between 0 and 100, got ${p}`);
  }
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (sorted.length === 0) return null;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1]!;
}

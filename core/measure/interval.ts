// How a measured value and its evidence bracket read, everywhere (console, run report, Allure):
// "18.3s, between 18.2s and 18.5s". Bounds are rounded outward so the text is never narrower than the evidence.
import { formatDuration } from '../duration.ts';

export interface Measured {
  achievedMs: number | null;
  /** The true value lies in [lowerMs, upperMs]; absent in results written before the bracket was kept. */
  lowerMs?: number | null;
  upperMs?: number | null;
  uncertaintyMs: number;
}

type Rounding = (x: number) => number;

/** A bound: whole ms below 1 s, else tenths of a second rounded outward (floor below, ceil above). */
export function formatBound(ms: number, round: Rounding): string {
  if (Math.abs(ms) < 1000) return `${round(ms)}ms`;
  return `${(round(ms / 100) / 10).toFixed(1)}s`;
}

/** "between 18.2s and 18.5s", "at least 12.0s" when unbounded above, null without a bracket. */
export function formatBracket(m: Measured): string | null {
  if (m.lowerMs === undefined || m.lowerMs === null) return null;
  const lower = formatBound(m.lowerMs, Math.floor);
  if (m.upperMs === undefined || m.upperMs === null) return `at least ${lower}`;
  return `between ${lower} and ${formatBound(m.upperMs, Math.ceil)}`;
}

/** "18.3s, between 18.2s and 18.5s"; "18.3s ± 1.0s" for a result without a bracket. */
export function formatMeasured(m: Measured): string {
  if (m.achievedMs === null) return 'not measured';
  const point = formatDuration(m.achievedMs);
  const bracket = formatBracket(m);
  return bracket === null ? `${point} ± ${formatDuration(m.uncertaintyMs)}` : `${point}, ${bracket}`;
}

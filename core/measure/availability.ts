// Availability of one probe over the drill, and how much of the monthly error budget the drill used.

import { type ProbeSample, sortByTime } from './samples.ts';

export const DEFAULT_SLO_PERIOD_MS = 30 * 86_400_000;

export interface AvailabilityInput {
  samples: ProbeSample[];
  /** Only this probe's samples are read. */
  probe: string;
  intervalMs: number;
  /** Availability objective as a fraction, e.g. 0.999. */
  slo: number;
  /** Period the SLO applies to (default 30 days). */
  periodMs?: number;
}

export interface Outage {
  /** `at` of the first failing sample. */
  start: number;
  /** `at` of the first passing sample after it; null if still failing at the last sample. */
  end: number | null;
  durationMs: number;
}

export interface AvailabilityResult {
  outages: Outage[];
  downtimeMs: number;
  /** last sample − first sample. */
  observedMs: number;
  /** 1 − downtime / observed; with nothing observed: 1 unless the only sample(s) failed. */
  availability: number;
  /** (1 − slo) × period, rounded to whole ms. */
  budgetMs: number;
  /** downtime / budget (Infinity when the budget is 0 and there was downtime). */
  budgetUsedFraction: number;
}

/**
 * Outages are maximal runs of failing samples: each starts at its first failing sample and ends at
 * the first passing sample after it, or, if the probe was still failing, at the last sample (end null).
 */
export function computeAvailability(input: AvailabilityInput): AvailabilityResult {
  const samples = sortByTime(input.samples.filter((s) => s.probe === input.probe));
  const outages: Outage[] = [];
  let openStart: number | null = null;
  for (const sample of samples) {
    if (!sample.ok && openStart === null) openStart = sample.at;
    if (sample.ok && openStart !== null) {
      outages.push({ start: openStart, end: sample.at, durationMs: sample.at - openStart });
      openStart = null;
    }
  }
  const first = samples[0]?.at ?? 0;
  const last = samples.at(-1)?.at ?? 0;
  if (openStart !== null) outages.push({ start: openStart, end: null, durationMs: last - openStart });

  const downtimeMs = outages.reduce((sum, o) => sum + o.durationMs, 0);
  const observedMs = last - first;
  const availability = observedMs > 0 ? 1 - downtimeMs / observedMs : outages.length > 0 ? 0 : 1;
  const budgetMs = Math.round((1 - input.slo) * (input.periodMs ?? DEFAULT_SLO_PERIOD_MS));
  const budgetUsedFraction =
    downtimeMs === 0 ? 0 : budgetMs === 0 ? Number.POSITIVE_INFINITY : downtimeMs / budgetMs;
  return { outages, downtimeMs, observedMs, availability, budgetMs, budgetUsedFraction };
}

// Achieved RTO: from T0 to the start of the first stable window in which every recovery probe passes.

import { type Milestone, type ProbeSample, sortByTime } from './samples.ts';

export interface RtoInput {
  /** Monotonic ms of T0: the instant the fault took effect. */
  t0: number;
  samples: ProbeSample[];
  /** The recovery probes: all of them must pass. Samples of other probes are ignored. */
  probes: string[];
  /** How long every probe must keep passing for the service to count as restored. */
  stableForMs: number;
  /** Sampling interval of the probes (the uncertainty when the service never recovered). */
  intervalMs: number;
  /** Each probe's own sampling interval, when they differ (held passes are judged per probe); default intervalMs. */
  intervalsMs?: Record<string, number>;
  /** Named instants of the run (detection, decision, promotion, dns, kubernetes, first-good-order...). */
  milestones?: Milestone[];
  /** When sampling stopped (monotonic ms): a window that was still clean then counts up to this instant. */
  endAt?: number;
}

/** One phase of the outage, in ms relative to T0. */
export interface RtoPhase {
  name: string;
  startMs: number;
  endMs: number;
  durationMs: number;
}

export interface RtoResult {
  recovered: boolean;
  /** recoveredAt − T0, whole ms; 0 when the service never went down; null when it never recovered. */
  rtoMs: number | null;
  /** Monotonic ms at which the confirmed stable window starts (T0 when the service never went down). */
  recoveredAt: number | null;
  /**
   * The evidence bracket, relative to T0 in whole ms: the service was still down when the last failing sample
   * before recovery was sent (lowerMs) and was up by the time every sample that opened the stable window had
   * answered (upperMs). The true RTO lies in [lowerMs, upperMs]. Not recovered: lowerMs is the last failing
   * send, upperMs null (unbounded). Never down: [0, answer of the first all-passing samples].
   */
  lowerMs: number | null;
  upperMs: number | null;
  /** The ± that covers the bracket around rtoMs: max(rtoMs − lowerMs, upperMs − rtoMs); intervalMs if not recovered. */
  uncertaintyMs: number;
  /** Monotonic ms until which every probe kept passing after recovery (first failure, else end of sampling). */
  stableUntil: number | null;
  /** Phases from T0 to recovery, summing exactly to rtoMs ([] when not recovered and no milestones). */
  phases: RtoPhase[];
  /** When not recovered: each probe still failing at the end, with its last detail. */
  lastFailures: Record<string, string>;
  /** First failing sample at or after T0, relative to T0 in whole ms; null if none failed. */
  outageStartMs: number | null;
}

interface Window {
  start: number;
  confirmed: boolean;
}

/**
 * Computes the achieved RTO.
 *
 * - Only samples of `probes` sent at or after T0 count; they are read in the order of their evidence: a
 *   failing sample at its send instant (the service did not serve a request sent then; a timeout counts there
 *   too), a passing one at its answer instant (the service is proven up only once the answer is in; a request
 *   held by a blackhole and released at recovery passes late, not early).
 * - "All pass at instant t": for each probe, its latest sample at or before t is ok. A probe with
 *   no sample yet is failing.
 * - A window starts at the sample that made all probes pass. Any failing sample of any probe before
 *   start + stableForMs breaks it (flapping); the next window is searched after that failure. A
 *   failing sample at exactly start + stableForMs does not break it.
 * - A window is confirmed once some sample reaches start + stableForMs, or `endAt` ≥ it with no
 *   failure in between. Without confirmation the service has not recovered.
 * - If no sample failed before the confirmed window, the service never went down: recoveredAt = T0, rtoMs 0.
 * - Phases: milestones sorted by time and clipped to [T0, recoveredAt]; each phase runs from the
 *   previous milestone (or T0) to its own instant and bears its name; if the last milestone is
 *   before recoveredAt, a last phase "until recovered" closes the gap. Relative times are rounded
 *   to whole ms so that the phases sum exactly to rtoMs. When not recovered, phases run from T0
 *   through each milestone at or after T0 (no closing phase).
 */
export function computeRto(input: RtoInput): RtoResult {
  const { t0, stableForMs, intervalMs } = input;
  const wanted = new Set(input.probes);
  const samples = sortByTime(
    input.samples
      .filter((s) => wanted.has(s.probe) && s.at >= t0)
      .map((s) => ({ ...s, at: evidenceAt(s), sentAt: s.at })),
  );
  const latest = new Map<string, ProbeSample>();
  const allPass = () => input.probes.every((p) => latest.get(p)?.ok === true);

  let window: Window | null = null;
  let failedBeforeWindow = false;
  for (let i = 0; i < samples.length && !window?.confirmed; ) {
    const at = samples[i]!.at;
    if (window && at >= window.start + stableForMs) {
      window.confirmed = true;
      break;
    }
    // Every sample taken at the same instant is applied together.
    let failedNow = false;
    for (; i < samples.length && samples[i]!.at === at; i++) {
      const sample = samples[i]!;
      latest.set(sample.probe, sample);
      if (!sample.ok) failedNow = true;
    }
    if (failedNow) {
      window = null;
      failedBeforeWindow = true;
    }
    if (!window && allPass()) window = { start: at, confirmed: stableForMs <= 0 };
  }
  if (window && !window.confirmed && input.endAt !== undefined && input.endAt >= window.start + stableForMs) {
    window.confirmed = true;
  }

  const firstFailure = samples.find((s) => !s.ok);
  const outageStartMs = firstFailure ? Math.round(firstFailure.at - t0) : null;
  const base = { outageStartMs };

  if (!window?.confirmed) {
    const lastFailure = samples.findLast((s) => !s.ok);
    return {
      ...base,
      uncertaintyMs: intervalMs,
      lowerMs: lastFailure ? Math.floor(lastFailure.at - t0) : null,
      upperMs: null,
      recovered: false,
      rtoMs: null,
      recoveredAt: null,
      stableUntil: null,
      phases: milestonePhases(t0, input.milestones ?? [], null),
      lastFailures: stillFailing(input.probes, latestOfAll(samples)),
    };
  }
  const start = window.start;
  const held = input.probes.flatMap((p) =>
    heldUntilRecovery(samples, p, start, stableForMs, input.intervalsMs?.[p] ?? intervalMs),
  );
  // A pass held by the outage is proof the service was down when it was sent, as a failure is.
  const wasDown = failedBeforeWindow || held.length > 0;
  const recoveredAt = wasDown ? start : t0;
  const rtoMs = Math.round(recoveredAt - t0);
  const lastFailure = samples.findLast((s) => !s.ok && s.at < start);
  const downAt = Math.max(lastFailure?.at ?? t0, ...held);
  const lowerMs = wasDown ? Math.floor(downAt - t0) : 0;
  const upperMs = Math.ceil(answeredBy(input.probes, samples, start) - t0);
  const downFrom = Math.min(firstFailure?.at ?? Number.POSITIVE_INFINITY, ...held);
  const outageStart = Number.isFinite(downFrom) ? Math.round(downFrom - t0) : null;
  return {
    outageStartMs: outageStart,
    lowerMs,
    upperMs,
    uncertaintyMs: Math.max(rtoMs - lowerMs, upperMs - rtoMs),
    recovered: true,
    rtoMs,
    recoveredAt,
    stableUntil: stableUntil(samples, window.start, input.endAt),
    phases: milestonePhases(t0, input.milestones ?? [], recoveredAt),
    lastFailures: {},
  };
}

/**
 * When the latest sample of every probe at or before `start` had proven the service serving: its servedAt, else its
 * answer (a sample without either: sent + latency).
 */
function answeredBy(probes: string[], samples: Evidence[], start: number): number {
  let answered = start;
  for (const probe of probes) {
    const own = samples.findLast((s) => s.probe === probe && s.at <= start);
    if (own)
      answered = Math.max(answered, own.servedAt ?? own.answeredAt ?? own.sentAt + (own.latencyMs ?? 0));
  }
  return answered;
}

type Evidence = ProbeSample & { sentAt: number };

/**
 * The shortest hold a pass must show to count as held: a service slow for a moment as it comes back (starved of CPU)
 * answers late too, and no sample tells the two apart. A probe sampled less often than this needs a hold of one of
 * its intervals.
 */
export const HELD_MIN_MS = 200;

/**
 * The sends of the passes of `probe` that were HELD by the outage (a blackhole releasing them at recovery), so the
 * service was not serving when they were sent: sent before the window start and answered later than
 * - the hold threshold, max(HELD_MIN_MS, the probe's interval), not counting the time the sampling thread's own loop
 *   was stalled at its send or its answer (stalledMs: a delay of ours), and
 * - any pass of the probe sent within the stable window, stalls included (a service still slow once recovered, e.g.
 *   starved of CPU, makes a slow answer no proof of a hold),
 * while the probe answers within half the hold threshold once recovered (median from the window start). Judged per
 * probe: a probe slow by nature (an order placed and read back) is not held because another probe is fast.
 */
function heldUntilRecovery(
  samples: Evidence[],
  probe: string,
  start: number,
  stableForMs: number,
  intervalMs: number,
): number[] {
  const threshold = Math.max(HELD_MIN_MS, intervalMs);
  const latency = (s: Evidence) => s.at - s.sentAt;
  const own = samples.filter((s) => s.probe === probe && s.ok && s.answeredAt !== undefined);
  const typical = median(own.filter((s) => s.at >= start).map(latency));
  if (typical === undefined || typical >= threshold / 2) return [];
  const recovered = own.filter((s) => s.sentAt >= start && s.sentAt <= start + stableForMs);
  const slowestRecovered = Math.max(0, ...recovered.map(latency));
  return own
    .filter(
      (s) => s.sentAt < start && latency(s) - (s.stalledMs ?? 0) > Math.max(threshold, slowestRecovered),
    )
    .map((s) => s.sentAt);
}

function median(values: number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/**
 * When a sample is evidence: a failure at its send instant, a pass once the service was proven serving (servedAt,
 * else its answer; samples without either: sent).
 */
function evidenceAt(s: ProbeSample): number {
  return s.ok ? (s.servedAt ?? s.answeredAt ?? s.at) : s.at;
}

function latestOfAll(samples: ProbeSample[]): Map<string, ProbeSample> {
  const latest = new Map<string, ProbeSample>();
  for (const s of samples) latest.set(s.probe, s);
  return latest;
}

function stillFailing(probes: string[], latest: Map<string, ProbeSample>): Record<string, string> {
  const failures: Record<string, string> = {};
  for (const probe of probes) {
    const last = latest.get(probe);
    if (!last) failures[probe] = 'no sample since T0';
    else if (!last.ok) failures[probe] = last.detail ?? 'failed (no detail)';
  }
  return failures;
}

/** First failing sample after the window started, else the later of the last sample and endAt. */
function stableUntil(samples: ProbeSample[], start: number, endAt: number | undefined): number {
  const failure = samples.find((s) => s.at > start && !s.ok);
  if (failure) return failure.at;
  const last = samples.at(-1)?.at ?? start;
  return endAt === undefined ? last : Math.max(last, endAt);
}

function milestonePhases(t0: number, milestones: Milestone[], recoveredAt: number | null): RtoPhase[] {
  const endMs = recoveredAt === null ? Number.POSITIVE_INFINITY : Math.round(recoveredAt - t0);
  const sorted = sortByTime(milestones).filter((m) => recoveredAt !== null || m.at >= t0);
  const phases: RtoPhase[] = [];
  let previous = 0;
  for (const m of sorted) {
    const at = Math.min(Math.max(Math.round(m.at - t0), 0), endMs);
    phases.push({ name: m.name, startMs: previous, endMs: at, durationMs: at - previous });
    previous = at;
  }
  if (recoveredAt !== null && previous < endMs) {
    phases.push({ name: 'until recovered', startMs: previous, endMs, durationMs: endMs - previous });
  }
  return phases;
}

// Measurement of a drill: achieved RTO, achieved RPO, availability and latency percentiles.

export {
  type AvailabilityInput,
  type AvailabilityResult,
  computeAvailability,
  DEFAULT_SLO_PERIOD_MS,
  type Outage,
} from './availability.ts';
export { formatBound, formatBracket, formatMeasured, type Measured } from './interval.ts';
export { LoopStalls } from './loop-stalls.ts';
export {
  type OffThreadCheck,
  type OffThreadFactory,
  type OffThreadProbe,
  offThreadOf,
  type ThreadSample,
} from './off-thread.ts';
export { sampleOpenLoop } from './open-loop.ts';
export { percentile } from './percentile.ts';
export { ProbeThread } from './probe-thread.ts';
export { computeRpo, type RpoInput, type RpoResult } from './rpo.ts';
export { computeRto, type RtoInput, type RtoPhase, type RtoResult } from './rto.ts';
export { type Milestone, type ProbeSample, sortByTime } from './samples.ts';
export { FAULT_EFFECTIVE_AT, monoOfWall, t0Of } from './t0.ts';

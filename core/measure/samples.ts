// Probe samples as the measurement functions read them.
import type { JsonValue } from '../model.ts';

/** One result of one probe; `at` is the monotonic ms (run clock) at which the check was SENT. */
export interface ProbeSample {
  probe: string;
  at: number;
  /** When its answer (or its timeout) came back; absent in samples recorded before it was kept. */
  answeredAt?: number;
  /** A pass whose check made several requests: when the service was proven serving (between at and answeredAt). */
  servedAt?: number;
  /** How long the engine's own event loop was stalled between send and answer (LoopStalls): a delay of ours. */
  stalledMs?: number;
  ok: boolean;
  latencyMs?: number;
  detail?: string;
  /** The probe's structured outcome, if it gave one (reports read losses and backlogs from it). */
  data?: JsonValue;
}

/** A named instant of the run (monotonic ms), e.g. { name: 'promotion', at: 312_000 }. */
export interface Milestone {
  name: string;
  at: number;
}

/** Samples sorted by time; equal times keep their input order (the later one is the newer result). */
export function sortByTime<T extends { at: number }>(items: readonly T[]): T[] {
  return [...items].sort((a, b) => a.at - b.at); // Array.prototype.sort is stable since ES2019
}

// The run's clock: durations come from a monotonic source, so NTP steps and DST never bend an RTO.

import { performance } from 'node:perf_hooks';
import { DrillError } from './errors.ts';
import type { Clock } from './model.ts';

export interface RunClock extends Clock {
  /** Marks T0 at `at` (monotonic ms, default now) and returns it; a second call is a bug and throws. */
  markT0(at?: number): number;
  /** Wall-clock time at which the run (monotonic 0) started. */
  readonly startedAtWall: Date;
}

export interface ClockSources {
  /** Monotonic milliseconds from an arbitrary origin (default performance.now). */
  monotonicNow?: () => number;
  /** Wall-clock epoch milliseconds, read once to anchor the run (default Date.now). */
  wallNow?: () => number;
}

/**
 * A clock whose `now()` is monotonic milliseconds since creation. Wall time is read once, at
 * creation, and `wall(mono)` is that anchor plus `mono`: for display only, never for durations.
 */
export function createClock(sources: ClockSources = {}): RunClock {
  const monotonicNow = sources.monotonicNow ?? (() => performance.now());
  const origin = monotonicNow();
  const anchorWall = (sources.wallNow ?? Date.now)();
  let t0: number | undefined;

  return {
    now: () => monotonicNow() - origin,
    wall: (mono: number) => new Date(anchorWall + mono),
    get t0() {
      return t0;
    },
    get startedAtWall() {
      return new Date(anchorWall);
    },
    markT0(at?: number) {
      if (t0 !== undefined) {
        throw new DrillError(
          'E_INTERNAL',
          `T0 is already marked at ${t0}ms; markT0() must be called once per run`,
        );
      }
      const value = at ?? monotonicNow() - origin;
      if (!Number.isFinite(value)) {
        throw new DrillError('E_INTERNAL', `markT0() needs a finite monotonic time in ms, got ${String(at)}`);
      }
      t0 = value;
      return value;
    },
  };
}

// The run's clock: durations come from a monotonic source, so NTP steps and DST never bend an RTO.

import { performance } from 'node:perf_hooks';
import { DurationError, parseDuration } from './duration.ts';
import { DrillError } from './errors.ts';
import type { Clock } from './model.ts';

/** Env var that shifts a run's recorded wall time (e.g. "-200d"); the result records it as `clockOffset`. */
export const CLOCK_OFFSET_ENV = 'DRILL_CLOCK_OFFSET';

/** A shift of the run's wall time, kept with the run so nobody mistakes it for real evidence. */
export interface ClockOffset {
  /** As given, e.g. "-200d". */
  text: string;
  /** Signed milliseconds added to the real wall time. */
  ms: number;
}

export interface RunClock extends Clock {
  /** Marks T0 at `at` (monotonic ms, default now) and returns it; a second call is a bug and throws. */
  markT0(at?: number): number;
  /** Wall-clock time at which the run (monotonic 0) started, shifted by `offset` when one is set. */
  readonly startedAtWall: Date;
  /** The wall-time shift of this run (history made for tests and demos), undefined for a real-time run. */
  readonly offset: ClockOffset | undefined;
  /** Real wall-clock start, before any offset. */
  readonly realStartedAtWall: Date;
}

export interface ClockSources {
  /** Monotonic milliseconds from an arbitrary origin (default performance.now). */
  monotonicNow?: () => number;
  /** Wall-clock epoch milliseconds, read once to anchor the run (default Date.now). */
  wallNow?: () => number;
  /** Wall-time shift like "-200d" or "+1h30m" (default: env DRILL_CLOCK_OFFSET; "" or "0" for none). */
  offset?: string;
}

/**
 * Reads a signed duration ("-200d", "+90d", "-1h30m") into a ClockOffset; undefined for "", "0" or a
 * zero duration. Throws E_USAGE naming the setting when the text is not a duration.
 */
export function parseClockOffset(text: string | undefined): ClockOffset | undefined {
  const trimmed = (text ?? '').trim();
  if (trimmed === '' || trimmed === '0') return undefined;
  const sign = trimmed.startsWith('-') ? -1 : 1;
  const body = /^[+-]/.test(trimmed) ? trimmed.slice(1) : trimmed;
  let ms: number;
  try {
    ms = parseDuration(body);
  } catch (error) {
    if (!(error instanceof DurationError)) throw error;
    throw new DrillError(
      'E_USAGE',
      `clock offset ${JSON.stringify(trimmed)} is not a signed duration: use e.g. "-200d" or "+1h30m" (--clock-offset or ${CLOCK_OFFSET_ENV})`,
    );
  }
  return ms === 0 ? undefined : { text: trimmed, ms: sign * ms };
}

/**
 * A clock whose `now()` is monotonic milliseconds since creation. Wall time is read once, at
 * creation (plus the offset, if any), and `wall(mono)` is that anchor plus `mono`: for display
 * only, never for durations.
 */
export function createClock(sources: ClockSources = {}): RunClock {
  const monotonicNow = sources.monotonicNow ?? (() => performance.now());
  const origin = monotonicNow();
  const offset = parseClockOffset(sources.offset ?? process.env[CLOCK_OFFSET_ENV]);
  const realWall = (sources.wallNow ?? Date.now)();
  const anchorWall = realWall + (offset?.ms ?? 0);
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
    get realStartedAtWall() {
      return new Date(realWall);
    },
    offset: offset ? { ...offset } : undefined,
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

/** result.json's `clockOffset` for a shifted clock, {} for a real-time one (spread into the result). */
export function clockOffsetRecord(clock: Pick<RunClock, 'offset' | 'realStartedAtWall'>): {
  clockOffset?: { offset: string; offsetMs: number; realStartedAt: string };
} {
  if (!clock.offset) return {};
  return {
    clockOffset: {
      offset: clock.offset.text,
      offsetMs: clock.offset.ms,
      realStartedAt: clock.realStartedAtWall.toISOString(),
    },
  };
}

/**
 * Applies `--clock-offset` (else env DRILL_CLOCK_OFFSET) for a run on `target`: validates it, refuses
 * it on a live target (a shifted clock there would forge evidence), and leaves it in the env so the
 * engine, in this process or a vitest worker, records it. Returns the offset, if any.
 */
export function applyClockOffset(
  flag: string | undefined,
  target: { name: string; kind: 'lab' | 'live' },
  env: NodeJS.ProcessEnv = process.env,
): ClockOffset | undefined {
  const offset = parseClockOffset(flag ?? env[CLOCK_OFFSET_ENV]);
  if (offset && target.kind === 'live') {
    throw new DrillError(
      'E_USAGE',
      `target "${target.name}" is live: a clock offset (${offset.text}) would forge compliance evidence; drop --clock-offset and unset ${CLOCK_OFFSET_ENV}`,
    );
  }
  if (flag !== undefined) env[CLOCK_OFFSET_ENV] = flag;
  return offset;
}

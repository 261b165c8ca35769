import { describe, expect, it } from 'vitest';
import { applyClockOffset, clockOffsetRecord, createClock, parseClockOffset } from './clock.ts';

function fakeSources(mono: number, wall: number) {
  const state = { mono, wall };
  return { state, sources: { monotonicNow: () => state.mono, wallNow: () => state.wall } };
}

describe('createClock', () => {
  it('starts at monotonic 0 and advances with the monotonic source', () => {
    const { state, sources } = fakeSources(5_000, Date.UTC(2026, 10, 3, 9, 0, 0));
    const clock = createClock(sources);
    expect(clock.now()).toBe(0);
    state.mono += 1_250;
    expect(clock.now()).toBe(1_250);
  });

  it('anchors wall time once: a wall-clock jump changes neither now() nor wall()', () => {
    const anchor = Date.UTC(2026, 10, 3, 9, 0, 0);
    const { state, sources } = fakeSources(100, anchor);
    const clock = createClock(sources);
    state.mono += 60_000;
    state.wall -= 3_600_000; // NTP steps the wall clock back one hour
    expect(clock.now()).toBe(60_000);
    expect(clock.wall(clock.now()).toISOString()).toBe('2026-11-03T09:01:00.000Z');
    expect(clock.startedAtWall.toISOString()).toBe('2026-11-03T09:00:00.000Z');
  });

  it('returns a fresh Date each time so callers cannot shift the anchor', () => {
    const clock = createClock(fakeSources(0, 1_000).sources);
    clock.startedAtWall.setTime(0);
    expect(clock.startedAtWall.getTime()).toBe(1_000);
  });

  it('has no T0 until markT0, which defaults to now and returns it', () => {
    const { state, sources } = fakeSources(10, 0);
    const clock = createClock(sources);
    expect(clock.t0).toBeUndefined();
    state.mono = 2_010;
    expect(clock.markT0()).toBe(2_000);
    expect(clock.t0).toBe(2_000);
  });

  it('accepts an explicit T0 instant', () => {
    const clock = createClock(fakeSources(0, 0).sources);
    expect(clock.markT0(1_234.5)).toBe(1_234.5);
    expect(clock.t0).toBe(1_234.5);
  });

  it('refuses to move T0 once marked', () => {
    const clock = createClock(fakeSources(0, 0).sources);
    clock.markT0(10);
    expect(() => clock.markT0(20)).toThrow(
      'T0 is already marked at 10ms; markT0() must be called once per run',
    );
    expect(clock.t0).toBe(10);
  });

  it('refuses a non-finite T0', () => {
    const clock = createClock(fakeSources(0, 0).sources);
    expect(() => clock.markT0(Number.NaN)).toThrow('markT0() needs a finite monotonic time in ms, got NaN');
  });

  it('uses performance.now and Date.now by default', () => {
    const before = Date.now();
    const clock = createClock();
    const after = Date.now();
    expect(clock.now()).toBeGreaterThanOrEqual(0);
    expect(clock.startedAtWall.getTime()).toBeGreaterThanOrEqual(before);
    expect(clock.startedAtWall.getTime()).toBeLessThanOrEqual(after);
  });

  it('shifts recorded wall time by an offset, keeps the real start, and never bends durations', () => {
    const real = Date.UTC(2026, 10, 26, 7, 0, 0);
    const { state, sources } = fakeSources(0, real);
    const clock = createClock({ ...sources, offset: '-200d' });
    state.mono += 1_500;
    expect(clock.now()).toBe(1_500);
    expect(clock.startedAtWall.toISOString()).toBe('2026-05-10T07:00:00.000Z');
    expect(clock.wall(clock.now()).toISOString()).toBe('2026-05-10T07:00:01.500Z');
    expect(clock.realStartedAtWall.toISOString()).toBe('2026-11-26T07:00:00.000Z');
    expect(clock.offset).toEqual({ text: '-200d', ms: -200 * 86_400_000 });
  });

  it('reads the offset from DRILL_CLOCK_OFFSET when none is passed', () => {
    const saved = process.env.DRILL_CLOCK_OFFSET;
    process.env.DRILL_CLOCK_OFFSET = '+1h30m';
    try {
      const clock = createClock(fakeSources(0, Date.UTC(2026, 0, 1)).sources);
      expect(clock.offset).toEqual({ text: '+1h30m', ms: 5_400_000 });
      expect(clock.startedAtWall.toISOString()).toBe('2026-01-01T01:30:00.000Z');
    } finally {
      if (saved === undefined) delete process.env.DRILL_CLOCK_OFFSET;
      else process.env.DRILL_CLOCK_OFFSET = saved;
    }
  });
});

describe('parseClockOffset', () => {
  it('reads signed durations and treats empty or zero as no offset', () => {
    expect(parseClockOffset('-90d')).toEqual({ text: '-90d', ms: -90 * 86_400_000 });
    expect(parseClockOffset('12h')).toEqual({ text: '12h', ms: 43_200_000 });
    expect(parseClockOffset(' +PT1M ')).toEqual({ text: '+PT1M', ms: 60_000 });
    expect(parseClockOffset(undefined)).toBeUndefined();
    expect(parseClockOffset('')).toBeUndefined();
    expect(parseClockOffset('0')).toBeUndefined();
    expect(parseClockOffset('-0d')).toBeUndefined();
  });

  it('refuses text that is not a duration, naming both settings', () => {
    expect(() => parseClockOffset('-200 days')).toThrow(
      'clock offset "-200 days" is not a signed duration: use e.g. "-200d" or "+1h30m" (--clock-offset or DRILL_CLOCK_OFFSET)',
    );
  });
});

describe('applyClockOffset', () => {
  const lab = { name: 'memory', kind: 'lab' as const };

  it('puts the flag in the env the engine reads and returns the offset', () => {
    const env: NodeJS.ProcessEnv = {};
    expect(applyClockOffset('-200d', lab, env)).toEqual({ text: '-200d', ms: -200 * 86_400_000 });
    expect(env.DRILL_CLOCK_OFFSET).toBe('-200d');
    expect(applyClockOffset(undefined, lab, { DRILL_CLOCK_OFFSET: '-1d' })).toEqual({
      text: '-1d',
      ms: -86_400_000,
    });
    expect(applyClockOffset(undefined, lab, {})).toBeUndefined();
  });

  it('refuses an offset on a live target: it would forge evidence', () => {
    expect(() =>
      applyClockOffset(undefined, { name: 'prod', kind: 'live' }, { DRILL_CLOCK_OFFSET: '-90d' }),
    ).toThrow(
      'target "prod" is live: a clock offset (-90d) would forge compliance evidence; drop --clock-offset and unset DRILL_CLOCK_OFFSET',
    );
  });
});

describe('clockOffsetRecord', () => {
  it('is empty for a real-time clock and names offset and real start otherwise', () => {
    const real = createClock({ wallNow: () => 0, offset: '' });
    expect(clockOffsetRecord(real)).toEqual({});
    const shifted = createClock({ wallNow: () => Date.UTC(2026, 10, 26), offset: '-10d' });
    expect(clockOffsetRecord(shifted)).toEqual({
      clockOffset: { offset: '-10d', offsetMs: -864_000_000, realStartedAt: '2026-11-26T00:00:00.000Z' },
    });
  });
});

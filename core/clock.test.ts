import { describe, expect, it } from 'vitest';
import { createClock } from './clock.ts';

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
});

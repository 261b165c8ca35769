import { describe, expect, it } from 'vitest';
import { FAULT_EFFECTIVE_AT, monoOfWall, t0Of } from './t0.ts';

describe('T0 of a fault', () => {
  it('is the instant the fault reported it took effect, not when inject() resolved', () => {
    expect(t0Of({ [FAULT_EFFECTIVE_AT]: 1_230 }, 1_000, 1_290)).toBe(1_230);
  });

  it('falls back to the instant inject() resolved when the fault says nothing', () => {
    expect(t0Of(undefined, 1_000, 1_290)).toBe(1_290);
    expect(t0Of({ other: 5 }, 1_000, 1_290)).toBe(1_290);
    expect(t0Of({ [FAULT_EFFECTIVE_AT]: Number.NaN }, 1_000, 1_290)).toBe(1_290);
  });

  it('never lies outside [inject started, inject resolved] (a clock skew between a service and us)', () => {
    expect(t0Of({ [FAULT_EFFECTIVE_AT]: 900 }, 1_000, 1_290)).toBe(1_000);
    expect(t0Of({ [FAULT_EFFECTIVE_AT]: 1_400 }, 1_000, 1_290)).toBe(1_290);
  });

  it('puts a remote wall-clock instant on the monotonic clock', () => {
    expect(monoOfWall(new Date(1_700_000_000_000), 5_000, 1_700_000_000_120)).toBe(4_880);
  });
});

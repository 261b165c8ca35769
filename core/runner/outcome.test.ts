import { describe, expect, it } from 'vitest';
import { isExecutedDrill, runOutcome } from './outcome.ts';

const base = {
  dryRun: false,
  verdict: 'failed' as const,
  t0: null,
  safety: { checks: [], lock: null, abort: null },
};
const refusedCheck = { name: 'aws-account', status: 'refused' as const, detail: 'placeholder 000000000000' };

describe('runOutcome', () => {
  it('tells a dry run, a refusal and an executed failure apart', () => {
    expect(runOutcome({ ...base, dryRun: true, verdict: 'passed' })).toBe('planned');
    expect(runOutcome({ ...base, safety: { ...base.safety, checks: [refusedCheck] } })).toBe('refused');
    expect(runOutcome({ ...base, error: { code: 'E_PREFLIGHT', message: 'steady state not green' } })).toBe(
      'refused',
    );
    expect(runOutcome({ ...base, t0: '2026-12-07T10:00:00.000Z' })).toBe('failed');
    // A crash before T0 is an error of the tool, not a refusal.
    expect(runOutcome({ ...base, verdict: 'error', error: { code: 'E_INTERNAL', message: 'bug' } })).toBe(
      'error',
    );
  });

  it('a gate that refused after T0 does not unmake the drill', () => {
    const afterT0 = {
      ...base,
      t0: '2026-12-07T10:00:00.000Z',
      safety: { ...base.safety, checks: [refusedCheck] },
    };
    expect(runOutcome(afterT0)).toBe('failed');
    expect(isExecutedDrill(afterT0)).toBe(true);
    expect(isExecutedDrill({ ...base, safety: { ...base.safety, checks: [refusedCheck] } })).toBe(false);
  });
});

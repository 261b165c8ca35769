import { describe, expect, it } from 'vitest';
import { isExecutedDrill, outcomeLabel, runOutcome } from './outcome.ts';

const phase = (name: 'preflight' | 'inject', status: 'ok' | 'failed' | 'skipped') => ({
  phase: name,
  status,
  startMs: 0,
  endMs: 1,
  durationMs: 1,
});
const refused = {
  dryRun: false,
  verdict: 'failed' as const,
  t0: null,
  phases: [phase('preflight', 'failed'), phase('inject', 'skipped')],
};

describe('runOutcome', () => {
  it('tells a dry run, a refusal and an executed failure apart', () => {
    expect(runOutcome({ ...refused, dryRun: true, verdict: 'passed' })).toBe('planned');
    expect(runOutcome(refused)).toBe('refused');
    expect(runOutcome({ ...refused, phases: [phase('preflight', 'failed')] })).toBe('refused');
    expect(runOutcome({ ...refused, t0: '2026-12-07T10:00:00.000Z' })).toBe('failed');
    // A crash before T0 is an error of the tool, not a refusal.
    expect(runOutcome({ ...refused, verdict: 'error' })).toBe('error');
  });

  it('an injection that failed touched the target: a failed drill, not a refusal', () => {
    const run = { ...refused, phases: [phase('preflight', 'ok'), phase('inject', 'failed')] };
    expect(runOutcome(run)).toBe('failed');
    expect(isExecutedDrill(run)).toBe(true);
    expect(isExecutedDrill(refused)).toBe(false);
  });

  it('a killed run finished by `drill rollback` is interrupted; a drill only if its inject phase started', () => {
    const killed = {
      dryRun: false,
      verdict: 'aborted' as const,
      t0: '2026-12-07T10:00:00.000Z',
      phases: [phase('preflight', 'ok'), phase('inject', 'ok')],
      interrupted: {
        phase: 'failover' as const,
        pid: 4242,
        lastSeenAt: '2026-12-07T10:00:01.000Z',
        rollback: { at: '2026-12-07T10:01:00.000Z', state: 'rolled-back' as const, rolledForward: [] },
      },
    };
    expect(runOutcome(killed)).toBe('interrupted');
    expect(isExecutedDrill(killed)).toBe(true);
    const inPreflight = { ...killed, t0: null, phases: [phase('preflight', 'ok')] };
    expect(runOutcome(inPreflight)).toBe('interrupted');
    expect(isExecutedDrill(inPreflight)).toBe(false);
    expect(outcomeLabel(runOutcome(killed))).toBe('INTERRUPTED');
  });
});

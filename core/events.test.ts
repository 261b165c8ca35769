import { describe, expect, it } from 'vitest';
import { formatEvent } from './events.ts';

const base = { at: 0, wallMs: 0 };

describe('formatEvent', () => {
  it('formats a late step with its time since T0 and its plan', () => {
    expect(
      formatEvent({
        ...base,
        sinceT0Ms: 370_000,
        kind: 'step-end',
        phase: 'failover',
        stepId: 'promote',
        title: 'Fail over the global cluster',
        status: 'ok',
        durationMs: 65_000,
        plannedAtMs: 300_000,
        lateByMs: 70_000,
      }),
    ).toBe('  ✔ Fail over the global cluster ok in 1m 05s [T0+6m 10s] late by 1m 10s');
  });

  it('formats the end of a run, loudly naming irreversible steps', () => {
    expect(
      formatEvent({
        ...base,
        kind: 'run-end',
        verdict: 'aborted',
        outcome: 'aborted',
        reason: 'aborted by the operator (SIGINT); rolled back',
        exitCode: 3,
        runDir: 'out/runs/x',
        rtoMs: null,
        rpoMs: null,
        pendingWayBacks: [{ stepId: 'promote', title: 'Promote', wayBack: 'run the switchback scenario' }],
      }),
    ).toBe(
      [
        'verdict: ABORTED (exit 3): aborted by the operator (SIGINT); rolled back',
        '  RTO not measured, RPO not measured',
        '  ‼ IRREVERSIBLE: "Promote" was not undone; way back: run the switchback scenario',
        '  results: out/runs/x',
      ].join('\n'),
    );
  });

  it('says a dry run was planned and a refused run refused, not PASSED or FAILED', () => {
    const end = (outcome: 'planned' | 'refused', exitCode: number, reason: string) =>
      formatEvent({
        ...base,
        kind: 'run-end',
        verdict: outcome === 'planned' ? 'passed' : 'failed',
        outcome,
        reason,
        exitCode,
        runDir: 'out/runs/x',
        rtoMs: null,
        rpoMs: null,
        pendingWayBacks: [],
      }).split('\n')[0];
    expect(end('planned', 0, 'dry run: plan only, nothing executed')).toBe(
      'verdict: PLANNED (exit 0): dry run: plan only, nothing executed',
    );
    expect(end('refused', 1, 'refused to start, nothing was injected: x')).toBe(
      'verdict: REFUSED (exit 1): refused to start, nothing was injected: x',
    );
  });

  it('a passing probe that found a loss says so', () => {
    expect(
      formatEvent({
        ...base,
        kind: 'probe-sample',
        phase: 'verify',
        probe: 'render-jobs-lost',
        ok: true,
        lost: 1,
        detail: '1 of 8 acknowledged sentinel render jobs lost (#8)',
      }),
    ).toBe('    probe render-jobs-lost ok, 1 LOST: 1 of 8 acknowledged sentinel render jobs lost (#8)');
  });

  it('formats the plan with every call, mutating ones marked', () => {
    expect(
      formatEvent({
        ...base,
        kind: 'plan',
        steps: [
          {
            stepId: 'promote',
            title: 'Promote',
            calls: [
              { service: 'rds', operation: 'DescribeGlobalClusters', mutating: false },
              {
                service: 'rds',
                operation: 'FailoverGlobalCluster',
                scope: 'us-east-1',
                mutating: true,
                params: { AllowDataLoss: true },
              },
            ],
          },
        ],
      }),
    ).toBe(
      [
        'plan:',
        '  promote: Promote',
        '    read   rds DescribeGlobalClusters',
        '    MUTATE rds FailoverGlobalCluster @us-east-1 {"AllowDataLoss":true}',
      ].join('\n'),
    );
  });
});

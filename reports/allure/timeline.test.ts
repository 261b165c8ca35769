import { describe, expect, it } from 'vitest';
import { AllureTimeline } from './timeline.ts';

const at = (wallMs: number, sinceT0Ms?: number) => ({
  at: wallMs - 1_000,
  wallMs,
  ...(sinceT0Ms === undefined ? {} : { sinceT0Ms }),
});

describe('AllureTimeline', () => {
  it('nests steps, once-only probes and undos under their phase with real times and parameters', () => {
    const t = new AllureTimeline();
    t.onPhaseStart({ kind: 'phase-start', phase: 'preflight', ...at(1_000) });
    t.onProbeSample({
      kind: 'probe-sample',
      phase: 'preflight',
      probe: 'order',
      ok: true,
      latencyMs: 40,
      ...at(1_100),
    });
    t.onPhaseEnd({ kind: 'phase-end', phase: 'preflight', status: 'ok', durationMs: 150, ...at(1_150) });
    t.onPhaseStart({ kind: 'phase-start', phase: 'failover', ...at(2_000, 0) });
    t.onStepStart({
      kind: 'step-start',
      phase: 'failover',
      stepId: 'promotion',
      title: 'Fail over',
      runbook: '§6.1',
      plannedAtMs: 300_000,
      ...at(2_000, 0),
    });
    // A recovery sample during failover is not a step: it goes to the samples attachment.
    t.onProbeSample({
      kind: 'probe-sample',
      phase: 'failover',
      probe: 'health',
      ok: false,
      ...at(2_100, 100),
    });
    t.onStepEnd({
      kind: 'step-end',
      phase: 'failover',
      stepId: 'promotion',
      title: 'Fail over',
      status: 'deviation',
      durationMs: 500,
      lateByMs: 1_500,
      error: 'writer not confirmed',
      ...at(2_500, 500),
    });
    t.onUndo({
      kind: 'undo',
      stepId: 'promotion',
      title: 'Fail back',
      status: 'failed',
      durationMs: 200,
      error: 'refused',
      ...at(2_800),
    });
    t.onPhaseEnd({
      kind: 'phase-end',
      phase: 'failover',
      status: 'failed',
      durationMs: 900,
      detail: 'late',
      ...at(2_900),
    });

    expect(t.phases).toEqual([
      {
        name: 'phase: preflight',
        start: 1_000,
        stop: 1_150,
        status: 'passed',
        parameters: [],
        children: [
          {
            name: 'probe order',
            start: 1_060,
            stop: 1_100,
            status: 'passed',
            parameters: [{ name: 'latency', value: '40ms' }],
            children: [],
          },
        ],
      },
      {
        name: 'phase: failover',
        start: 2_000,
        stop: 2_900,
        status: 'failed',
        detail: 'late',
        parameters: [{ name: 'since T0', value: '0ms' }],
        children: [
          {
            name: '§6.1 Fail over',
            start: 2_000,
            stop: 2_500,
            status: 'broken',
            detail: 'writer not confirmed',
            parameters: [
              { name: 'runbook', value: '§6.1' },
              { name: 'planned by (§13)', value: 'T0+5m 00s' },
              { name: 'done at', value: 'T0+500ms' },
              { name: 'late by', value: '1.5s' },
            ],
            children: [],
          },
          {
            name: 'undo: Fail back',
            start: 2_600,
            stop: 2_800,
            status: 'failed',
            detail: 'refused',
            parameters: [],
            children: [],
          },
        ],
      },
    ]);
  });
});

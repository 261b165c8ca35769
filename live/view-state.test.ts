// The page's view folded from a real run: live/fixtures/aurora-outage is the events.jsonl, journal.json and canary
// ledger of `pnpm drill aurora-outage` on the lab (PASSED; its console said "RTO 24.8s, between 24.6s and 24.9s" and
// "RPO 0ms, between 0ms and 0ms ... no acknowledged write lost (of 25)").
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { DrillEvent } from '../core/events.ts';
import { parseEventLog } from '../core/runner/event-log.ts';
import { readLedger, readUndos } from './run-files.ts';
import {
  achievedText,
  applyEvent,
  availabilitySamples,
  emptyView,
  type LiveView,
  ledgerCounts,
  rtoClock,
  servingAgainSinceT0,
  waitingCheckpoints,
} from './view-state.ts';

const RUN_DIR = join(import.meta.dirname, 'fixtures', 'aurora-outage');
const events = parseEventLog(readFileSync(join(RUN_DIR, 'events.jsonl'), 'utf8'));

function fold(upTo: number = events.length): LiveView {
  const view = emptyView();
  events.slice(0, upTo).forEach((e, i) => {
    applyEvent(view, e, i + 1);
  });
  return view;
}

const indexOf = (match: (e: DrillEvent) => boolean) => events.findIndex(match);

describe('the live view folded from a whole run', () => {
  const view = fold();

  it('has every runbook step as it ended, with its T0 offset, plan and lateness, in run order', () => {
    const ends = events.filter((e) => e.kind === 'step-end');
    expect(view.steps.map((s) => [s.stepId, s.status, s.endedSinceT0Ms, s.plannedAtMs, s.lateByMs])).toEqual(
      ends.map((e) => [e.stepId, e.status, e.sinceT0Ms, e.plannedAtMs, e.lateByMs]),
    );
    expect(view.steps.some((s) => s.status === 'planned' || s.status === 'running')).toBe(false);
    expect(view.phases.map((p) => `${p.phase} ${p.status}`)).toEqual(
      ['plan', 'preflight', 'inject', 'failover', 'recover', 'verify', 'restore', 'report'].map(
        (p) => `${p} ok`,
      ),
    );
  });

  it('reads RTO and RPO as the run printed them, and freezes the clock at the measured RTO', () => {
    expect(achievedText(view.end?.rto)).toBe('24.8s, between 24.6s and 24.9s');
    expect(achievedText(view.end?.rpo)).toBe('0ms, between 0ms and 0ms');
    const clock = rtoClock(view, Date.now());
    expect(clock).toMatchObject({ elapsedMs: view.end?.rto?.achievedMs, running: false });
    // No objectives on this older run-start: the objective comes with the measurement.
    expect(clock?.objectiveMs).toBe(30 * 60_000);
  });

  it('keeps the availability samples from T0 on, and the recovery they show is the measured one', () => {
    const samples = availabilitySamples(view);
    expect(new Set(samples.map((s) => s.probe))).toEqual(new Set(['health', 'order']));
    expect(samples.filter((s) => !s.ok).length).toBeGreaterThan(0);
    const rto = view.end?.rto;
    const serving = servingAgainSinceT0(view) ?? Number.NaN;
    // Every probe passed from then on, after the outage began and no later than the measured recovery.
    expect(serving).toBeGreaterThan(rto?.outageStartMs ?? 0);
    expect(serving).toBeLessThanOrEqual(rto?.upperMs ?? 0);
  });

  it('counts the canary ledger and the undos from the run directory as result.json does', async () => {
    const ledger = await readLedger(RUN_DIR);
    expect(ledger && ledgerCounts(ledger)).toEqual({
      acknowledged: view.end?.rpo?.acknowledgedCount,
      lost: view.end?.rpo?.lostSeqs,
    });
    const undos = await readUndos(RUN_DIR);
    expect(undos?.undos.find((u) => u.id === 'fault')?.status).toBe('done');
    expect(undos?.irreversible.map((i) => i.stepId)).toEqual(['promotion', 'cache-secondary']);
    expect(JSON.stringify(undos)).not.toContain('undoData');
  });
});

describe('the live view part-way through the run', () => {
  it('shows the promotion running, the steps before it done and the ones after it still planned', () => {
    const at = indexOf((e) => e.kind === 'step-start' && e.stepId === 'promotion') + 1;
    const view = fold(at);
    const status = Object.fromEntries(view.steps.map((s) => [s.stepId, s.status]));
    expect(status).toMatchObject({
      detection: 'ok',
      promotion: 'running',
      dns: 'planned',
      kubernetes: 'planned',
    });
    const order = view.steps.map((s) => s.stepId);
    expect(order.indexOf('fence-primary-workers')).toBeLessThan(order.indexOf('promotion'));
    expect(order.indexOf('promotion')).toBeLessThan(order.indexOf('dns'));
    // The clock runs from T0: 10 s after T0 on the wall clock it shows 10 s.
    const clock = rtoClock(view, (view.t0?.wallMs ?? 0) + 10_000);
    expect(clock).toMatchObject({ elapsedMs: 10_000, running: true, label: 'outage running' });
  });

  it('names the ledger the plan writes, and an abort before recovery stops the clock as not recovered', () => {
    const view = fold(indexOf((e) => e.kind === 'step-start' && e.stepId === 'detection') + 1);
    expect(view.ledgerName).toBe('canary');
    const end = events.at(-1) as Extract<DrillEvent, { kind: 'run-end' }>;
    applyEvent(
      view,
      { ...end, outcome: 'aborted', verdict: 'aborted', rto: undefined, rpo: undefined },
      events.length,
    );
    expect(rtoClock(view, Date.now())).toMatchObject({
      running: false,
      label: 'not recovered when the run ended (aborted)',
    });
  });

  it('runs the clock against the objective the run started with', () => {
    const view = emptyView();
    const start = events[0] as Extract<DrillEvent, { kind: 'run-start' }>;
    applyEvent(view, { ...start, objectives: { rto: '15m', rpo: '1m', stableFor: '5s' } }, 1);
    events
      .slice(1, indexOf((e) => e.kind === 'step-start' && e.stepId === 'detection') + 1)
      .forEach((e, i) => {
        applyEvent(view, e, i + 2);
      });
    expect(rtoClock(view, (view.t0?.wallMs ?? 0) + 60_000)).toMatchObject({
      objectiveMs: 900_000,
      running: true,
    });
  });

  it('lists a checkpoint as waiting until the run says it was confirmed', () => {
    const view = fold(indexOf((e) => e.kind === 'step-start' && e.stepId === 'incident-ticket') + 1);
    const start = events.find((e) => e.kind === 'step-start' && e.stepId === 'incident-ticket') as DrillEvent;
    const checkpoint = {
      at: start.at,
      wallMs: start.wallMs,
      sinceT0Ms: start.sinceT0Ms,
      kind: 'checkpoint' as const,
      phase: 'failover' as const,
      stepId: 'incident-ticket',
      title: 'Manual: Open the incident ticket',
      waitUpToMs: 600_000,
      onTimeout: 'abort' as const,
    };
    applyEvent(view, { ...checkpoint, state: 'waiting' }, view.lastId + 1);
    expect(waitingCheckpoints(view).map((c) => c.stepId)).toEqual(['incident-ticket']);
    applyEvent(
      view,
      { ...checkpoint, state: 'confirmed', by: 'Ana', via: 'page', waitedMs: 4200 },
      view.lastId + 1,
    );
    expect(waitingCheckpoints(view)).toEqual([]);
  });

  it('has no clock before T0', () => {
    const view = fold(indexOf((e) => e.kind === 'phase-start' && e.phase === 'inject') + 1);
    expect(view.t0).toBeUndefined();
    expect(rtoClock(view, Date.now())).toBeUndefined();
  });
});

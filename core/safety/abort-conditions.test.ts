import { describe, expect, it } from 'vitest';
import {
  type AbortTrigger,
  alarmBeyondThreshold,
  rtoBudgetSpent,
  startAbortMonitor,
} from './abort-conditions.ts';
import type { AlarmReading, SafetyPlatform } from './types.ts';

const rto = { ms: 30 * 60_000, text: '30m' };

describe('the RTO budget', () => {
  it('is spent strictly after the objective, only while service is not recovered', () => {
    expect(rtoBudgetSpent(undefined, rto, false)).toBeUndefined();
    expect(rtoBudgetSpent(rto.ms, rto, false)).toBeUndefined();
    expect(rtoBudgetSpent(rto.ms + 1000, rto, true)).toBeUndefined();
    expect(rtoBudgetSpent(rto.ms + 1000, rto, false)).toEqual({
      condition: 'rto-budget',
      reason: 'abort condition: RTO budget exceeded: 30m 01s since T0 without recovery, objective rto 30m',
    });
  });
});

describe('a customer-facing alarm', () => {
  const readings: AlarmReading[] = [
    { name: 'luneo-prod-dr-abort', region: 'eu-west-1', state: 'ALARM', reason: 'checkout errors 7% > 2%' },
    { name: 'luneo-prod-checkout-latency', region: 'eu-west-1', state: 'OK' },
  ];

  it('is ignored during the grace period after T0', () => {
    expect(alarmBeyondThreshold(readings, 59_999, 60_000)).toBeUndefined();
  });

  it('in ALARM after the grace period aborts, naming the alarm and its reason', () => {
    expect(alarmBeyondThreshold(readings, 90_000, 60_000)).toEqual({
      condition: 'alarm',
      reason:
        'abort condition: customer-facing alarm luneo-prod-dr-abort in eu-west-1 (checkout errors 7% > 2%) is in ALARM 1m 30s after T0 (grace 1m 00s)',
    });
  });

  it('OK or INSUFFICIENT_DATA does not abort', () => {
    expect(
      alarmBeyondThreshold([{ name: 'a', region: 'eu-west-1', state: 'INSUFFICIENT_DATA' }], 90_000, 0),
    ).toBeUndefined();
  });
});

describe('startAbortMonitor', () => {
  const monitor = (opts: {
    rtoMs: number;
    platform?: SafetyPlatform;
    recovered?: () => boolean;
    controller?: AbortController;
  }) => {
    const t0 = performance.now();
    const triggers: AbortTrigger[] = [];
    const warnings: string[] = [];
    const controller = opts.controller ?? new AbortController();
    const m = startAbortMonitor({
      rto: { ms: opts.rtoMs, text: `${opts.rtoMs}ms` },
      alarms: [{ name: 'checkout-errors', region: 'eu-west-1' }],
      graceMs: 0,
      everyMs: 10,
      ...(opts.platform ? { platform: opts.platform } : {}),
      sinceT0: () => performance.now() - t0,
      recovered: opts.recovered ?? (() => false),
      signal: controller.signal,
      onAbort: (t) => {
        triggers.push(t);
        controller.abort(new Error(t.reason));
      },
      onWarning: (w) => warnings.push(w),
    });
    const aborted = new Promise<void>((resolve) =>
      controller.signal.addEventListener('abort', () => resolve(), { once: true }),
    );
    return { m, triggers, warnings, aborted, controller };
  };

  it('aborts once when the RTO budget runs out', async () => {
    const { triggers, aborted } = monitor({ rtoMs: 40 });
    await aborted;
    expect(triggers.map((t) => t.condition)).toEqual(['rto-budget']);
    expect(triggers[0]?.reason).toMatch(
      /^abort condition: RTO budget exceeded: \d+ms since T0 without recovery, objective rto 40ms$/,
    );
  });

  it('aborts on the RTO budget even when its timer fires before the budget is spent (timers count from the loop cached time)', async () => {
    const controller = new AbortController();
    const triggers: AbortTrigger[] = [];
    // What the run's clock says at each look: at the start, then a timer that fired early, then later.
    const looks = [0, 35, 35];
    startAbortMonitor({
      rto: { ms: 40, text: '40ms' },
      alarms: [],
      graceMs: 0,
      everyMs: 10,
      sinceT0: () => looks.shift() ?? 60,
      recovered: () => false,
      signal: controller.signal,
      onAbort: (t) => {
        triggers.push(t);
        controller.abort(new Error(t.reason));
      },
    });
    await new Promise<void>((resolve) =>
      controller.signal.addEventListener('abort', () => resolve(), { once: true }),
    );
    expect(triggers.map((t) => t.condition)).toEqual(['rto-budget']);
  });

  it('aborts when an abort alarm goes to ALARM, and keeps going past a failed read', async () => {
    let reads = 0;
    const platform: SafetyPlatform = {
      alarmStates: async (alarms) => {
        reads++;
        if (reads === 1) throw new Error('Rate exceeded');
        return alarms.map((a) => ({ ...a, state: reads >= 3 ? 'ALARM' : 'OK' }));
      },
    };
    const { triggers, warnings, aborted } = monitor({ rtoMs: 60_000, platform });
    await aborted;
    expect(reads).toBe(3);
    expect(warnings).toEqual(['abort alarms could not be read: Rate exceeded']);
    expect(triggers.map((t) => t.condition)).toEqual(['alarm']);
  });

  it('does nothing once stopped, nor after the service recovered', async () => {
    const { m, triggers } = monitor({ rtoMs: 5, recovered: () => true });
    expect(await m.check()).toBeUndefined();
    m.stop();
    expect(triggers).toEqual([]);
  });
});

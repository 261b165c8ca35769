// Abort conditions while the drill runs, from T0 until restore: the RTO budget is spent without recovery,
// or a customer-facing alarm (not one the drill expects to fire) is in ALARM after its grace period.
// The operator's Ctrl-C is the third condition (core/cli/interrupt.ts). Meeting one aborts the run's
// signal: injection stops and the undo stack runs.
import { formatDuration } from '../duration.ts';
import { errorMessage } from '../errors.ts';
import type { AbortAlarm, AbortCondition, AlarmReading, SafetyPlatform } from './types.ts';

export interface AbortTrigger {
  condition: AbortCondition;
  reason: string;
}

export const DEFAULT_ABORT_ALARM_GRACE = '1m';
export const DEFAULT_ABORT_CHECK_EVERY = '5s';

/** RTO budget: time since T0 beyond the objective while service is not recovered. */
export function rtoBudgetSpent(
  sinceT0Ms: number | undefined,
  rto: { ms: number; text: string },
  recovered: boolean,
): AbortTrigger | undefined {
  if (sinceT0Ms === undefined || recovered || sinceT0Ms <= rto.ms) return undefined;
  return {
    condition: 'rto-budget',
    reason: `abort condition: RTO budget exceeded: ${formatDuration(sinceT0Ms)} since T0 without recovery, objective rto ${rto.text}`,
  };
}

/** A customer-facing alarm in ALARM once the grace period after T0 is over. */
export function alarmBeyondThreshold(
  readings: AlarmReading[],
  sinceT0Ms: number | undefined,
  graceMs: number,
): AbortTrigger | undefined {
  if (sinceT0Ms === undefined || sinceT0Ms < graceMs) return undefined;
  const firing = readings.filter((r) => r.state === 'ALARM');
  if (firing.length === 0) return undefined;
  const list = firing.map((r) => `${r.name} in ${r.region}${r.reason ? ` (${r.reason})` : ''}`);
  return {
    condition: 'alarm',
    reason: `abort condition: customer-facing alarm ${list.join(', ')} is in ALARM ${formatDuration(sinceT0Ms)} after T0 (grace ${formatDuration(graceMs)})`,
  };
}

export interface AbortMonitorOptions {
  rto: { ms: number; text: string };
  alarms: AbortAlarm[];
  graceMs: number;
  everyMs: number;
  platform?: SafetyPlatform;
  sinceT0(): number | undefined;
  recovered(): boolean;
  /** The run's signal: the monitor stops when it aborts for any reason. */
  signal: AbortSignal;
  onAbort(trigger: AbortTrigger): void;
  onWarning?(message: string): void;
}

export interface AbortMonitor {
  /** One evaluation now (the timers call it too). */
  check(): Promise<AbortTrigger | undefined>;
  stop(): void;
}

/** Starts at T0: one timer for the RTO budget, one poll of the abort alarms every `everyMs`. */
export function startAbortMonitor(opts: AbortMonitorOptions): AbortMonitor {
  let stopped = false;
  let fired = false;
  const timers: NodeJS.Timeout[] = [];
  const fire = (trigger: AbortTrigger | undefined) => {
    if (!trigger || stopped || fired || opts.signal.aborted) return trigger;
    fired = true;
    opts.onAbort(trigger);
    return trigger;
  };
  const readAlarms = async (): Promise<AlarmReading[]> => {
    if (opts.alarms.length === 0 || !opts.platform?.alarmStates) return [];
    try {
      return await opts.platform.alarmStates(opts.alarms, AbortSignal.timeout(Math.max(opts.everyMs, 5000)));
    } catch (error) {
      // Not being able to read an alarm is not the alarm firing: say so, keep checking.
      opts.onWarning?.(`abort alarms could not be read: ${errorMessage(error)}`);
      return [];
    }
  };
  const check = async (): Promise<AbortTrigger | undefined> => {
    const since = opts.sinceT0();
    const budget = rtoBudgetSpent(since, opts.rto, opts.recovered());
    if (budget) return fire(budget);
    if (since === undefined || since < opts.graceMs) return undefined;
    return fire(alarmBeyondThreshold(await readAlarms(), opts.sinceT0(), opts.graceMs));
  };
  const stop = () => {
    stopped = true;
    for (const t of timers) clearTimeout(t);
    opts.signal.removeEventListener('abort', stop);
  };
  opts.signal.addEventListener('abort', stop, { once: true });
  // +1 ms: the budget is spent strictly after the objective. Node counts a timer from the event loop's cached time,
  // so after synchronous work (an fsync) it may fire a few ms early: until the budget is spent, it is armed again.
  const armBudget = () => {
    const since = opts.sinceT0() ?? 0;
    timers.push(
      setTimeout(
        () => {
          void check();
          if (!stopped && !fired && !opts.recovered()) armBudget();
        },
        Math.max(0, opts.rto.ms - since) + 1,
      ),
    );
  };
  armBudget();
  const since = opts.sinceT0() ?? 0;
  if (opts.alarms.length > 0 && opts.platform?.alarmStates) {
    const poll = async () => {
      await check();
      if (!stopped && !fired) timers.push(setTimeout(() => void poll(), opts.everyMs));
    };
    timers.push(setTimeout(() => void poll(), Math.max(0, opts.graceMs - since)));
  }
  return { check, stop };
}

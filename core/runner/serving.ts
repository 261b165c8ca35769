// After a roll forward: the failover steps all went through, but only the scenario's recovery probes say whether a
// region serves users again (e.g. Route 53 answers SECONDARY only once the DR region's own health check recovers).
// Checked before the fault is reverted, for the run and for `drill rollback`.
import { formatDuration, parseDuration } from '../duration.ts';
import { errorMessage } from '../errors.ts';
import type { ProbeDefinition, ProbeOutcome } from '../model.ts';
import { sleep } from './deadline.ts';

/** How long a roll forward waits for the recovery probes at most (less when the scenario's recovery timeout is). */
export const ROLL_FORWARD_SERVING_TIMEOUT = '5m';
const ROUND_GAP_MS = 250;

export interface ServingOutcome {
  /** Every recovery probe passed in one round. */
  ok: boolean;
  /** The recovery probes, in the scenario's order. */
  probes: string[];
  /** Milliseconds from the first round to the passing one (or to giving up). */
  afterMs: number;
  rounds: number;
  /** Per failing probe, its last detail (empty when ok). */
  failures: Record<string, string>;
  /** The bound it waited under, in ms. */
  timeoutMs: number;
}

export interface ServingOptions<R> {
  probes: ProbeDefinition<R>[];
  /** One check of one probe, under the caller's deadline and redaction (`probeOnce`). */
  check: (probe: ProbeDefinition<R>, index: number) => Promise<ProbeOutcome>;
  /** The scenario's recovery timeout (or RTO): the wait is never longer than that, nor than 5 minutes. */
  recoveryTimeout: string;
  now: () => number;
  /** Progress for the operator: when the wait starts, and how long it took when it passes. */
  say: (line: string) => void;
  /** Between rounds; unit tests pass one that advances a fake clock. */
  pause?: (ms: number) => Promise<void>;
}

/** Runs every recovery probe once per round until one round passes whole, or the bound is reached. */
export async function awaitServing<R>(opts: ServingOptions<R>): Promise<ServingOutcome | undefined> {
  if (opts.probes.length === 0) return undefined;
  const timeoutMs = Math.min(
    parseDuration(opts.recoveryTimeout),
    parseDuration(ROLL_FORWARD_SERVING_TIMEOUT),
  );
  const pause = opts.pause ?? ((ms: number) => sleep(ms));
  const probes = opts.probes.map((p) => p.name);
  opts.say(
    `rolled forward; waiting for the recovery probes (${probes.join(', ')}) to pass before reverting the fault`,
  );
  const started = opts.now();
  for (let rounds = 1; ; rounds++) {
    const outcomes = await Promise.all(
      opts.probes.map((probe, i) =>
        opts.check(probe, i).catch((error: unknown) => ({ ok: false, detail: errorMessage(error) })),
      ),
    );
    const failures: Record<string, string> = {};
    for (const [i, outcome] of outcomes.entries()) {
      if (!outcome.ok) failures[probes[i] as string] = outcome.detail ?? 'failed';
    }
    const afterMs = Math.round(opts.now() - started);
    const ok = Object.keys(failures).length === 0;
    if (ok) {
      opts.say(
        `recovery probes pass ${formatDuration(afterMs)} after the roll forward (${rounds} round${rounds === 1 ? '' : 's'})`,
      );
    }
    if (ok || afterMs >= timeoutMs) return { ok, probes, afterMs, rounds, failures, timeoutMs };
    await pause(Math.min(ROUND_GAP_MS, timeoutMs - afterMs));
  }
}

/** "serving again (recovery probes health, order pass)": the verdict's words for a roll forward that serves. */
export function servingSummary(serving: ServingOutcome): string {
  return `serving again (recovery probes ${serving.probes.join(', ')} pass)`;
}

/** The loud half: what still fails once every failover step went through. */
export function notServingMessage(serving: ServingOutcome): string {
  const still = Object.entries(serving.failures)
    .map(([probe, detail]) => `${probe}: ${detail}`)
    .join('; ');
  return `the recovery probes did not all pass within ${formatDuration(serving.timeoutMs)} after the roll forward (${still})`;
}

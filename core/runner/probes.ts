// Probes: once (steady state, verification) or continuously from T0 (recovery sampling).
import { parseDuration } from '../duration.ts';
import { errorMessage } from '../errors.ts';
import { LoopStalls } from '../measure/index.ts';
import type { JsonValue, Phase, ProbeDefinition, ProbeOutcome, RunContext } from '../model.ts';
import type { Redactor } from '../redact.ts';
import { sleep, withDeadline } from './deadline.ts';
import type { DrillRun } from './drill-run.ts';

export const DEFAULT_PROBE_INTERVAL = '250ms';
export const DEFAULT_PROBE_TIMEOUT = '10s';

export interface ProbeCheck {
  name: string;
  ok: boolean;
  /** Monotonic ms at which the check was issued. */
  at: number;
  latencyMs: number;
  detail?: string;
  /** The probe's structured outcome (e.g. `{ loss: { what, count } }`), redacted. */
  data?: JsonValue;
  /** A pass: when the service was proven serving, if before the check answered (ProbeOutcome.servedAt). */
  servedAt?: number;
}

/** A check as result.json lists it (steady state, verification). */
export function checkRecord(check: ProbeCheck) {
  return {
    name: check.name,
    ok: check.ok,
    latencyMs: check.latencyMs,
    detail: check.detail,
    ...(check.data === undefined ? {} : { data: check.data }),
  };
}

/** One check on the event stream (console, live view), with any loss it found. */
export function emitCheck<R>(run: DrillRun<R>, phase: Phase, check: ProbeCheck): void {
  run.emit({
    kind: 'probe-sample',
    phase,
    probe: check.name,
    ok: check.ok,
    latencyMs: check.latencyMs,
    detail: check.detail,
    ...lossOf(check.data),
  });
}

/** A probe that measures a loss (lost render jobs, lost usage events) passes when the loss is within bounds, but
 *  the console must still say it found one: `{ loss: { count } }` in its data. */
function lossOf(data: unknown): { lost?: number } {
  const count = (data as { loss?: { count?: unknown } } | undefined)?.loss?.count;
  return typeof count === 'number' && count > 0 ? { lost: count } : {};
}

/** What one probe check needs, in a run or outside one (`drill rollback`). */
export interface ProbeHost<R> {
  context: (signal: AbortSignal, probe: string) => RunContext<R>;
  redactor: Redactor;
  /** The scenario file, named when the probe times out. */
  file?: string;
}

/**
 * One check under the probe's own timeout and `parent`: detail and data redacted, a thrown error (or the
 * timeout) a failed check. Only `parent` aborting throws.
 */
export async function probeOnce<R>(
  probe: ProbeDefinition<R>,
  path: string,
  host: ProbeHost<R>,
  parent?: AbortSignal,
): Promise<ProbeOutcome> {
  try {
    const outcome = await withDeadline(
      (signal) => probe.check(host.context(signal, probe.name), { signal }),
      {
        ms: parseDuration(probe.timeout ?? DEFAULT_PROBE_TIMEOUT),
        what: `probe "${probe.name}"`,
        setting: `${path}.timeout`,
        file: host.file,
        ...(parent ? { parent } : {}),
      },
    );
    return {
      ok: outcome.ok,
      ...(outcome.latencyMs === undefined ? {} : { latencyMs: outcome.latencyMs }),
      ...(outcome.detail ? { detail: host.redactor.redactText(outcome.detail) } : {}),
      ...(outcome.data === undefined ? {} : { data: host.redactor.redact(outcome.data) }),
      ...(outcome.ok && outcome.servedAt !== undefined ? { servedAt: outcome.servedAt } : {}),
    };
  } catch (error) {
    if (parent?.aborted) throw error;
    return { ok: false, detail: host.redactor.redactText(errorMessage(error)) };
  }
}

/** One check under its own timeout and the run's signal, timed on the run's clock; a thrown error is a failed check. */
export async function checkProbe<R>(
  run: DrillRun<R>,
  probe: ProbeDefinition<R>,
  phase: Phase,
  path: string,
  parent: AbortSignal = run.signal,
): Promise<ProbeCheck> {
  const at = run.clock.now();
  const outcome = await probeOnce(
    probe,
    path,
    {
      context: (signal, stepId) => run.contextWith(signal, { phase, stepId }),
      redactor: run.redactor,
      file: run.scenarioFile,
    },
    parent,
  );
  return {
    name: probe.name,
    ok: outcome.ok,
    at,
    latencyMs: outcome.latencyMs ?? Math.round(run.clock.now() - at),
    ...(outcome.detail ? { detail: outcome.detail } : {}),
    ...(outcome.data === undefined ? {} : { data: outcome.data }),
    ...(outcome.servedAt === undefined ? {} : { servedAt: outcome.servedAt }),
  };
}

/**
 * Samples every recovery probe open loop: slot k of a probe is sent at first + k × interval whether or not
 * earlier checks have answered (a hanging check holds no slot); samples land in run.samples at their send instant.
 */
export class RecoverySampler<R> {
  readonly #run: DrillRun<R>;
  readonly #stop = new AbortController();
  #loops: Promise<void>[] = [];
  readonly #inFlight = new Set<Promise<void>>();
  readonly #stalls: LoopStalls;

  constructor(run: DrillRun<R>) {
    this.#run = run;
    this.#stalls = new LoopStalls(() => run.clock.now());
  }

  start(): void {
    this.#stalls.start();
    const probes = this.#run.scenario.recovery;
    this.#loops = probes.map((probe, i) => this.#loop(probe, `recovery[${i}]`));
  }

  async #loop(probe: ProbeDefinition<R>, path: string): Promise<void> {
    const run = this.#run;
    const intervalMs = run.ms(probe.interval ?? DEFAULT_PROBE_INTERVAL);
    const stop = AbortSignal.any([this.#stop.signal, run.signal]);
    const first = run.clock.now();
    for (let slot = 0; !stop.aborted; ) {
      const check = this.#sample(probe, path).finally(() => this.#inFlight.delete(check));
      this.#inFlight.add(check);
      // The next slot on the grid; slots already past (the loop itself was starved) collapse into one sent now.
      const now = run.clock.now();
      slot = Math.max(slot + 1, Math.floor((now - first) / intervalMs));
      try {
        await sleep(Math.max(0, first + slot * intervalMs - now), stop);
      } catch {
        return;
      }
    }
  }

  /** One check; its sample counts at its send instant, whenever (and however) it answers. */
  async #sample(probe: ProbeDefinition<R>, path: string): Promise<void> {
    const run = this.#run;
    let check: ProbeCheck;
    try {
      check = await checkProbe(run, probe, run.currentPhase, path, run.signal);
    } catch {
      return; // the run was aborted mid-check
    }
    const answeredAt = run.clock.now();
    // Never before the send nor after the answer, whatever the probe said.
    const servedAt =
      check.servedAt === undefined ? undefined : Math.min(Math.max(check.servedAt, check.at), answeredAt);
    run.samples.push({
      probe: probe.name,
      at: check.at,
      answeredAt,
      ...(servedAt === undefined ? {} : { servedAt }),
      stalledMs: Math.round(this.#stalls.within(check.at, answeredAt)),
      ok: check.ok,
      latencyMs: check.latencyMs,
      detail: check.detail,
      ...(check.data === undefined ? {} : { data: check.data }),
    });
    emitCheck(run, run.currentPhase, check);
  }

  /** Stops sending; checks already sent run to their answer or timeout (their samples are evidence). */
  async stop(): Promise<void> {
    this.#stop.abort();
    await Promise.all(this.#loops);
    await Promise.all([...this.#inFlight]);
    this.#stalls.stop();
  }
}

// Probes: once (steady state, verification) or continuously from T0 (recovery sampling).
import { parseDuration } from '../duration.ts';
import { errorMessage } from '../errors.ts';
import { LoopStalls, offThreadOf, ProbeThread, sampleOpenLoop, type ThreadSample } from '../measure/index.ts';
import type { JsonValue, Phase, ProbeDefinition, ProbeOutcome, RunContext } from '../model.ts';
import type { Redactor } from '../redact.ts';
import { withDeadline } from './deadline.ts';
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

/** A recovery sample's timing: sent, answered, proven serving, and the engine's own stall meanwhile. */
export interface SampleTiming {
  answeredAt: number;
  servedAt?: number;
  stalledMs?: number;
}

/**
 * One check on the event stream (console, live view) with any loss it found; the record folds it into result.json's
 * probes (steady state, verification) or, with its timing, into the recovery samples.
 */
export function emitCheck<R>(
  run: DrillRun<R>,
  phase: Phase,
  check: ProbeCheck,
  role: 'steady-state' | 'recovery' | 'verify',
  timing?: SampleTiming,
): void {
  run.emit({
    kind: 'probe-sample',
    phase,
    probe: check.name,
    ok: check.ok,
    latencyMs: check.latencyMs,
    detail: check.detail,
    ...lossOf(check.data),
    role,
    sentAtMs: check.at,
    ...(timing
      ? {
          answeredAtMs: timing.answeredAt,
          ...(timing.servedAt === undefined ? {} : { servedAtMs: timing.servedAt }),
          ...(timing.stalledMs === undefined ? {} : { stalledMs: timing.stalledMs }),
        }
      : {}),
    ...(check.data === undefined ? {} : { data: check.data }),
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
 * earlier checks have answered (a hanging check holds no slot); each sample is recorded at its send instant.
 * A probe that can be checked off the engine's thread (offThreadOf) is sampled on a worker thread of its own, booted
 * when the run starts, so the engine's busy or starved event loop delays neither its sends nor its answers.
 */
export class RecoverySampler<R> {
  readonly #run: DrillRun<R>;
  readonly #stop = new AbortController();
  #loops: Promise<void>[] = [];
  readonly #stalls: LoopStalls;
  readonly #threads = new Map<ProbeDefinition<R>, ProbeThread>();

  constructor(run: DrillRun<R>) {
    this.#run = run;
    this.#stalls = new LoopStalls(() => run.clock.now());
    if (run.dryRun) return;
    const originAbsMs = performance.timeOrigin + performance.now() - run.clock.now();
    for (const probe of run.scenario.recovery) {
      const spec = offThreadOf(probe);
      if (spec)
        this.#threads.set(
          probe,
          new ProbeThread({ module: spec.module, factory: spec.factory, originAbsMs }),
        );
    }
  }

  start(): void {
    this.#stalls.start();
    const probes = this.#run.scenario.recovery;
    this.#loops = probes.map((probe, i) => {
      const thread = this.#threads.get(probe);
      return thread ? this.#onThread(probe, `recovery[${i}]`, thread) : this.#loop(probe, `recovery[${i}]`);
    });
  }

  #loop(probe: ProbeDefinition<R>, path: string, until?: AbortSignal): Promise<void> {
    const run = this.#run;
    return sampleOpenLoop({
      intervalMs: run.ms(probe.interval ?? DEFAULT_PROBE_INTERVAL),
      now: () => run.clock.now(),
      stop: AbortSignal.any([this.#stop.signal, run.signal, ...(until ? [until] : [])]),
      sample: () => this.#sample(probe, path),
    });
  }

  /**
   * Samples the probe on its own thread. Until that thread has started (its boot may still be under way at T0),
   * the engine's thread samples it, so the outage's first instants are not left unobserved; if the thread cannot
   * start, the engine's thread samples it throughout (and says so).
   */
  async #onThread(probe: ProbeDefinition<R>, path: string, thread: ProbeThread): Promise<void> {
    const run = this.#run;
    const handover = new AbortController();
    const meanwhile = this.#loop(probe, path, handover.signal);
    const ctx = run.contextWith(run.signal, { phase: run.currentPhase, stepId: probe.name });
    const stopped = new Promise<never>((_, reject) => {
      const signal = this.#stop.signal;
      const fail = () => reject(new Error('sampling stopped before the thread started'));
      if (signal.aborted) fail();
      else signal.addEventListener('abort', fail, { once: true });
    });
    stopped.catch(() => {});
    try {
      const options = await Promise.race([offThreadOf(probe)!.options(ctx), stopped]);
      const sampling = {
        options,
        intervalMs: run.ms(probe.interval ?? DEFAULT_PROBE_INTERVAL),
        timeoutMs: parseDuration(probe.timeout ?? DEFAULT_PROBE_TIMEOUT),
        what: `probe "${probe.name}"`,
        setting: `${path}.timeout`,
      };
      await Promise.race([thread.start(sampling, (sample) => this.#record(probe, sample)), stopped]);
      handover.abort();
      if (!thread.raised)
        ctx.log.debug(`${probe.name}: its thread runs at normal priority (no privilege to raise it)`);
    } catch (error) {
      if (!this.#stop.signal.aborted)
        ctx.log.warn(
          `${probe.name}: cannot sample on its own thread (${errorMessage(error)}); sampling it on the engine's thread`,
        );
      this.#threads.delete(probe);
      await thread.terminate();
    }
    await meanwhile;
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
    await this.#stalls.looked(); // a stall that ended as the answer was read is recorded by then
    this.#record(probe, {
      ...check,
      answeredAt,
      stalledMs: Math.round(this.#stalls.delayingStamps(check.at, answeredAt)),
    });
  }

  /** A sample onto the event stream (the record's recovery samples); servedAt kept within its send and answer. */
  #record(probe: ProbeDefinition<R>, s: Omit<ThreadSample, 'servedAt'> & { servedAt?: number }): void {
    const run = this.#run;
    const servedAt =
      s.servedAt === undefined ? undefined : Math.min(Math.max(s.servedAt, s.at), s.answeredAt);
    const detail = s.detail === undefined ? undefined : run.redactor.redactText(s.detail);
    const data = s.data === undefined ? undefined : run.redactor.redact(s.data);
    emitCheck(
      run,
      run.currentPhase,
      {
        name: probe.name,
        ok: s.ok,
        at: s.at,
        latencyMs: s.latencyMs,
        ...(detail ? { detail } : {}),
        ...(data === undefined ? {} : { data }),
      },
      'recovery',
      { answeredAt: s.answeredAt, ...(servedAt === undefined ? {} : { servedAt }), stalledMs: s.stalledMs },
    );
  }

  /** Stops sending; checks already sent run to their answer or timeout (their samples are evidence). */
  async stop(): Promise<void> {
    this.#stop.abort();
    await Promise.all(this.#loops);
    await Promise.all([...this.#threads.values()].map((thread) => thread.stop()));
    this.#stalls.stop();
  }
}

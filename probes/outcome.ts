// The one way every probe turns its work into a ProbeOutcome: failures become ok:false with a detail
// that says what was expected and what came back; a run abort propagates; its own timeout is a failure.
import { formatDuration } from '../core/duration.ts';
import { DrillError, errorMessage } from '../core/errors.ts';
import type { JsonValue, ProbeOutcome } from '../core/model.ts';
import { safeText } from './resolve.ts';
import { stopwatch } from './timing.ts';

/** Thrown inside a probe body: the probe failed, and `message` says how. */
export class ProbeFailure extends DrillError {
  readonly data: JsonValue | undefined;
  constructor(message: string, data?: JsonValue) {
    super('E_PROBE_FAILED', message, { retryable: true });
    this.name = 'ProbeFailure';
    this.data = data;
  }
}

export interface ProbeRun {
  /** Fires on the caller's abort or this probe's own timeout. */
  signal: AbortSignal;
  /** Data gathered so far: kept in the outcome even when the probe fails. */
  data: Record<string, JsonValue>;
}

export interface GuardOptions {
  /** Probe name, first word of a timeout message. */
  name: string;
  timeoutMs: number;
  /** The option that raises the timeout, named in the timeout message. */
  setting: string;
}

/**
 * Runs `body` under `parent` and the probe's timeout. Returns its outcome, ok:false with the
 * ProbeFailure's message, or ok:false "timed out" on the own timeout. Rethrows when `parent` aborted
 * (the run is stopping: a sample taken then is not a measurement).
 */
export async function guardProbe(
  parent: AbortSignal,
  opts: GuardOptions,
  body: (run: ProbeRun) => Promise<Omit<ProbeOutcome, 'latencyMs'> & { latencyMs?: number }>,
): Promise<ProbeOutcome> {
  const timeout = AbortSignal.timeout(opts.timeoutMs);
  const run: ProbeRun = { signal: AbortSignal.any([parent, timeout]), data: {} };
  const elapsed = stopwatch();
  try {
    const outcome = await body(run);
    const latencyMs = outcome.latencyMs ?? elapsed();
    return { ...outcome, detail: outcome.detail && safeText(outcome.detail), latencyMs };
  } catch (error) {
    if (parent.aborted) throw error;
    const latencyMs = elapsed();
    const data = error instanceof ProbeFailure && error.data !== undefined ? error.data : run.data;
    const detail = timeout.aborted
      ? `${opts.name} timed out after ${formatDuration(opts.timeoutMs)}${progress(run.data)}; raise it with \`${opts.setting}\``
      : errorMessage(error);
    return { ok: false, detail: safeText(detail), latencyMs, data };
  }
}

function progress(data: Record<string, JsonValue>): string {
  const step = data.step;
  return typeof step === 'string' ? ` while ${step}` : '';
}

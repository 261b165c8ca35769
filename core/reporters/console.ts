// Console progress: plain lines in CI or a pipe; on a terminal, the same lines plus a live status line.
// Its stream is guarded (core/output/guard-stream.ts): a stream that fails never throws out of a hook.
import { formatDuration } from '../duration.ts';
import { type DrillEvent, type EventOf, formatEvent } from '../events.ts';
import type { ConsoleLog } from '../output/console-log.ts';
import { guardStream } from '../output/guard-stream.ts';
import type { Redactor } from '../redact.ts';
import type { Reporter } from './reporter.ts';

export interface ConsoleReporterOptions {
  stream?: NodeJS.WriteStream | NodeJS.WritableStream;
  /** Live status line; default: the stream is a TTY and CI is not set. */
  live?: boolean;
  redactor?: Redactor;
  /** Where the lines also go, e.g. the run's console.log (the CLI's own stdout is guarded with it already). */
  log?: ConsoleLog;
}

export class ConsoleReporter implements Reporter {
  readonly #out: NodeJS.WritableStream;
  readonly #live: boolean;
  readonly #redactor?: Redactor;
  /** Last state per probe: only changes are printed, not every sample. */
  readonly #probeState = new Map<string, boolean>();
  #status = {
    phase: '',
    step: '',
    plannedAtMs: undefined as number | undefined,
    t0Wall: undefined as number | undefined,
  };
  #timer: NodeJS.Timeout | undefined;
  /** A checkpoint asks a person on this terminal: the status line would overwrite the prompt. */
  #asking = false;

  constructor(opts: ConsoleReporterOptions = {}) {
    const stream = opts.stream ?? process.stdout;
    guardStream(stream, { name: 'console', log: opts.log });
    this.#out = stream;
    this.#live = opts.live ?? (Boolean((stream as NodeJS.WriteStream).isTTY) && !process.env.CI);
    this.#redactor = opts.redactor;
  }

  #print(event: DrillEvent): void {
    if (event.sinceT0Ms !== undefined) this.#status.t0Wall = event.wallMs - event.sinceT0Ms;
    const text = formatEvent(event);
    const safe = this.#redactor ? this.#redactor.redactText(text) : text;
    if (this.#live) this.#out.write('\r\x1b[K');
    this.#out.write(`${safe}\n`);
    if (this.#live) this.#drawStatus();
  }

  #drawStatus(): void {
    const { phase, step, plannedAtMs, t0Wall } = this.#status;
    if (!phase || this.#asking) return;
    const since = t0Wall === undefined ? '' : ` · T0+${formatDuration(Date.now() - t0Wall)}`;
    const planned = plannedAtMs === undefined ? '' : ` (planned by T0+${formatDuration(plannedAtMs)})`;
    this.#out.write(`\r\x1b[K⏵ ${phase}${step ? ` · ${step}` : ''}${since}${planned}`);
  }

  onRunStart(e: EventOf<'run-start'>): void {
    this.#print(e);
    if (this.#live) this.#timer = setInterval(() => this.#drawStatus(), 250).unref();
  }
  onPlan(e: EventOf<'plan'>): void {
    this.#print(e);
  }
  onPhaseStart(e: EventOf<'phase-start'>): void {
    this.#status = { ...this.#status, phase: e.phase, step: '', plannedAtMs: undefined };
    if (e.sinceT0Ms !== undefined && this.#status.t0Wall === undefined)
      this.#status.t0Wall = e.wallMs - e.sinceT0Ms;
    this.#print(e);
  }
  onPhaseEnd(e: EventOf<'phase-end'>): void {
    this.#print(e);
  }
  onStepStart(e: EventOf<'step-start'>): void {
    this.#status = { ...this.#status, step: e.title, plannedAtMs: e.plannedAtMs };
    this.#print(e);
  }
  onStepEnd(e: EventOf<'step-end'>): void {
    this.#status = { ...this.#status, step: '', plannedAtMs: undefined };
    this.#print(e);
  }
  onProbeSample(e: EventOf<'probe-sample'>): void {
    const key = `${e.phase}:${e.probe}`;
    if (e.phase === 'recover' || e.phase === 'failover' || e.phase === 'inject') {
      if (this.#probeState.get(e.probe) === e.ok) return;
      this.#probeState.set(e.probe, e.ok);
    } else if (this.#probeState.get(key) === e.ok) return;
    this.#probeState.set(key, e.ok);
    this.#print(e);
  }
  onUndo(e: EventOf<'undo'>): void {
    this.#print(e);
  }
  onLog(e: EventOf<'log'>): void {
    if (e.level !== 'debug' || process.env.DEBUG?.includes('drill')) this.#print(e);
  }
  onCheckpoint(e: EventOf<'checkpoint'>): void {
    this.#asking = e.state === 'waiting';
    this.#print(e);
  }
  onRunEnd(e: EventOf<'run-end'>): void {
    clearInterval(this.#timer);
    this.#status.phase = '';
    this.#print(e);
  }
}

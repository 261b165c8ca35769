// The run as an OpenTelemetry trace (a root span, a span per phase, a span per step under its phase, timed by
// the events' wall clock) and its outcome as metrics, exported over OTLP. A listener of the event stream like
// any reporter: spans are batched in the background; at run end one bounded flush; failures are warnings.
import {
  type Attributes,
  type Context,
  type HrTime,
  ROOT_CONTEXT,
  type Span,
  SpanStatusCode,
  type Tracer,
  trace,
} from '@opentelemetry/api';
import { getNumberFromEnv } from '@opentelemetry/core';
import {
  defaultResource,
  detectResources,
  envDetector,
  resourceFromAttributes,
} from '@opentelemetry/resources';
import { MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { formatDuration } from '../duration.ts';
import type { DrillEvent, EventOf } from '../events.ts';
import type { ProbeSample } from '../measure/samples.ts';
import type { Reporter } from '../reporters/reporter.ts';
import { metricExporter, spanExporter } from './exporters.ts';
import type { OtlpProtocol } from './otlp-config.ts';
import { recordRunMetrics } from './run-metrics.ts';
import { reasonOf, WarnOnce } from './warn-once.ts';

/** How long run end waits for the last export; past it the rest is dropped (the exporter's own timeout applies too). */
export const FLUSH_TIMEOUT_MS = 5_000;
const SCOPE = 'drill';
/** The phases in which the recovery sampler runs (from T0): their samples make the availability. */
const RECOVERY_PHASES = new Set(['inject', 'failover', 'recover']);

export interface OtelReporterOptions {
  /** null: that signal is not exported (core/telemetry/otlp-config.ts decides from OTEL_*). */
  traces: OtlpProtocol | null;
  metrics: OtlpProtocol | null;
  warnings?: WarnOnce;
  flushTimeoutMs?: number;
}

/** Epoch ms as the SDK's [seconds, nanoseconds]: a plain number before the process started would read as a performance offset. */
const hrTime = (wallMs: number): HrTime => [Math.floor(wallMs / 1000), Math.trunc((wallMs % 1000) * 1e6)];

function resource() {
  // OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES (envDetector) win over our default service name.
  return defaultResource()
    .merge(resourceFromAttributes({ 'service.name': 'drill' }))
    .merge(detectResources({ detectors: [envDetector] }));
}

const t0Attributes = (e: Pick<DrillEvent, 'sinceT0Ms'>): Attributes =>
  e.sinceT0Ms === undefined ? {} : { 'drill.since_t0_ms': e.sinceT0Ms };

export class OtelReporter implements Reporter {
  readonly #warnings: WarnOnce;
  readonly #flushTimeoutMs: number;
  readonly #tracerProvider?: BasicTracerProvider;
  readonly #tracer?: Tracer;
  readonly #meterProvider?: MeterProvider;
  #common: Attributes = {};
  #dryRun = false;
  #root?: Span;
  #rootContext: Context = ROOT_CONTEXT;
  readonly #phaseContexts = new Map<string, Context>();
  readonly #openPhases = new Map<string, Span>();
  readonly #openSteps = new Map<string, Span>();
  readonly #samples: ProbeSample[] = [];

  constructor(opts: OtelReporterOptions) {
    this.#warnings = opts.warnings ?? new WarnOnce();
    this.#flushTimeoutMs = opts.flushTimeoutMs ?? FLUSH_TIMEOUT_MS;
    const res = resource();
    if (opts.traces) {
      this.#tracerProvider = new BasicTracerProvider({
        resource: res,
        spanProcessors: [new BatchSpanProcessor(spanExporter(opts.traces, this.#warnings))],
      });
      this.#tracer = this.#tracerProvider.getTracer(SCOPE);
    }
    if (opts.metrics) {
      const exportIntervalMillis = getNumberFromEnv('OTEL_METRIC_EXPORT_INTERVAL') ?? 60_000;
      this.#meterProvider = new MeterProvider({
        resource: res,
        readers: [
          new PeriodicExportingMetricReader({
            exporter: metricExporter(opts.metrics, this.#warnings),
            exportIntervalMillis,
            exportTimeoutMillis: Math.min(
              getNumberFromEnv('OTEL_METRIC_EXPORT_TIMEOUT') ?? 30_000,
              exportIntervalMillis,
            ),
          }),
        ],
      });
    }
  }

  #guard(hook: string, body: () => void): void {
    try {
      body();
    } catch (error) {
      this.#warnings.warn(`telemetry: ${hook}`, reasonOf(error));
    }
  }

  #start(name: string, wallMs: number, attributes: Attributes, parent: Context): Span | undefined {
    return this.#tracer?.startSpan(
      name,
      { startTime: hrTime(wallMs), attributes: { ...this.#common, ...attributes } },
      parent,
    );
  }

  onRunStart(e: EventOf<'run-start'>): void {
    this.#guard('run start', () => {
      this.#common = { 'drill.run.id': e.runId, 'drill.scenario': e.scenario, 'drill.target': e.target };
      this.#dryRun = e.dryRun;
      this.#root = this.#start(`drill ${e.scenario}`, e.wallMs, { 'drill.dry_run': e.dryRun }, ROOT_CONTEXT);
      if (this.#root) this.#rootContext = trace.setSpan(ROOT_CONTEXT, this.#root);
    });
  }

  onPhaseStart(e: EventOf<'phase-start'>): void {
    this.#guard('phase start', () => {
      this.#openPhases.get(e.phase)?.end(hrTime(e.wallMs));
      const span = this.#start(
        `phase: ${e.phase}`,
        e.wallMs,
        { 'drill.phase': e.phase, ...t0Attributes(e) },
        this.#rootContext,
      );
      if (!span) return;
      this.#openPhases.set(e.phase, span);
      this.#phaseContexts.set(e.phase, trace.setSpan(ROOT_CONTEXT, span));
    });
  }

  onPhaseEnd(e: EventOf<'phase-end'>): void {
    this.#guard('phase end', () => {
      const span =
        this.#openPhases.get(e.phase) ??
        this.#start(
          `phase: ${e.phase}`,
          e.wallMs - e.durationMs,
          { 'drill.phase': e.phase },
          this.#rootContext,
        );
      this.#openPhases.delete(e.phase);
      span?.setAttributes({
        'drill.phase.status': e.status,
        'drill.duration_ms': e.durationMs,
        ...(e.detail ? { 'drill.detail': e.detail } : {}),
      });
      if (e.status === 'failed' || e.status === 'aborted')
        span?.setStatus({ code: SpanStatusCode.ERROR, message: e.detail ?? e.status });
      span?.end(hrTime(e.wallMs));
    });
  }

  #stepAttributes(e: EventOf<'step-start'> | EventOf<'step-end'>): Attributes {
    return {
      'drill.phase': e.phase,
      'drill.step.id': e.stepId,
      ...('runbook' in e && e.runbook !== undefined ? { 'drill.runbook.section': e.runbook } : {}),
      ...(e.plannedAtMs === undefined ? {} : { 'drill.step.planned_at_ms': e.plannedAtMs }),
    };
  }

  onStepStart(e: EventOf<'step-start'>): void {
    this.#guard('step start', () => {
      const parent = this.#phaseContexts.get(e.phase) ?? this.#rootContext;
      const span = this.#start(e.title, e.wallMs, { ...this.#stepAttributes(e), ...t0Attributes(e) }, parent);
      if (span) this.#openSteps.set(`${e.phase}/${e.stepId}`, span);
    });
  }

  onStepEnd(e: EventOf<'step-end'>): void {
    this.#guard('step end', () => {
      const key = `${e.phase}/${e.stepId}`;
      const span =
        this.#openSteps.get(key) ??
        this.#start(
          e.title,
          e.wallMs - e.durationMs,
          this.#stepAttributes(e),
          this.#phaseContexts.get(e.phase) ?? this.#rootContext,
        );
      this.#openSteps.delete(key);
      span?.setAttributes({
        ...this.#stepAttributes(e),
        'drill.step.status': e.status,
        'drill.duration_ms': e.durationMs,
        ...(e.lateByMs === undefined ? {} : { 'drill.step.late_by_ms': e.lateByMs }),
        ...(e.detail ? { 'drill.detail': e.detail } : {}),
      });
      if (e.status === 'failed' || e.status === 'aborted')
        span?.setStatus({ code: SpanStatusCode.ERROR, message: e.error ?? e.status });
      span?.end(hrTime(e.wallMs));
    });
  }

  /** A manual checkpoint's wait and who confirmed it, on its step's span (the wait is in the step's duration). */
  onCheckpoint(e: EventOf<'checkpoint'>): void {
    this.#guard('checkpoint', () => {
      const span = this.#openSteps.get(`${e.phase}/${e.stepId}`) ?? this.#root;
      span?.addEvent(
        `checkpoint ${e.state}`,
        {
          'drill.step.id': e.stepId,
          'drill.checkpoint.wait_up_to_ms': e.waitUpToMs,
          'drill.checkpoint.on_timeout': e.onTimeout,
          ...(e.by === undefined ? {} : { 'drill.checkpoint.by': e.by }),
          ...(e.via === undefined ? {} : { 'drill.checkpoint.via': e.via }),
          ...(e.waitedMs === undefined ? {} : { 'drill.checkpoint.waited_ms': e.waitedMs }),
        },
        hrTime(e.wallMs),
      );
    });
  }

  onProbeSample(e: EventOf<'probe-sample'>): void {
    if (e.sinceT0Ms !== undefined && RECOVERY_PHASES.has(e.phase))
      this.#samples.push({ probe: e.probe, at: e.at, ok: e.ok });
  }

  onUndo(e: EventOf<'undo'>): void {
    this.#guard('undo', () => {
      const span = this.#openPhases.get('restore') ?? this.#root;
      span?.addEvent(
        `undo: ${e.title}`,
        {
          'drill.step.id': e.stepId,
          'drill.undo.status': e.status,
          'drill.duration_ms': e.durationMs,
          ...(e.error ? { 'drill.error': e.error } : {}),
          ...(e.note ? { 'drill.detail': e.note } : {}),
        },
        hrTime(e.wallMs),
      );
    });
  }

  onLog(e: EventOf<'log'>): void {
    if (e.level !== 'warn') return;
    this.#guard('log', () =>
      this.#root?.addEvent('warning', { 'drill.message': e.message }, hrTime(e.wallMs)),
    );
  }

  onRunEnd(e: EventOf<'run-end'>): Promise<void> {
    this.#guard('run end', () => {
      const end = hrTime(e.wallMs);
      // A run that stopped on an error may leave spans open: they end with it.
      for (const span of [...this.#openSteps.values(), ...this.#openPhases.values()]) span.end(end);
      this.#openSteps.clear();
      this.#openPhases.clear();
      this.#root?.setAttributes({
        'drill.verdict': e.verdict,
        'drill.outcome': e.outcome,
        'drill.exit_code': e.exitCode,
        ...(e.rto?.achievedMs == null ? {} : { 'drill.rto.achieved_ms': e.rto.achievedMs }),
        ...(e.rto?.lowerMs == null ? {} : { 'drill.rto.lower_ms': e.rto.lowerMs }),
        ...(e.rto?.upperMs == null ? {} : { 'drill.rto.upper_ms': e.rto.upperMs }),
        ...(e.rpo?.achievedMs == null ? {} : { 'drill.rpo.achieved_ms': e.rpo.achievedMs }),
        ...(e.rpo?.lowerMs == null ? {} : { 'drill.rpo.lower_ms': e.rpo.lowerMs }),
        ...(e.rpo?.upperMs == null ? {} : { 'drill.rpo.upper_ms': e.rpo.upperMs }),
        ...(e.rpo ? { 'drill.writes.lost': e.rpo.lostCount } : {}),
      });
      if (e.verdict !== 'passed') this.#root?.setStatus({ code: SpanStatusCode.ERROR, message: e.reason });
      this.#root?.end(end);
      if (this.#meterProvider && !this.#dryRun)
        recordRunMetrics(this.#meterProvider.getMeter(SCOPE), e, this.#samples, this.#common);
    });
    return this.#finish();
  }

  /** Shutdown flushes what is batched (each provider exports once); bounded, whatever the collector does. */
  async #finish(): Promise<void> {
    const done = Promise.allSettled([this.#tracerProvider?.shutdown(), this.#meterProvider?.shutdown()]);
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), this.#flushTimeoutMs);
      timer.unref();
    });
    const outcome = await Promise.race([done, timedOut]);
    clearTimeout(timer);
    if (outcome === 'timeout')
      this.#warnings.warn(
        'telemetry: OTLP export',
        `not done within ${formatDuration(this.#flushTimeoutMs)} of the run's end: the rest is dropped (the drill goes on)`,
      );
  }
}

// The OTLP exporters for a protocol (the SDK reads endpoint, headers, timeout and compression from OTEL_*),
// wrapped so that a failed export is told once as a warning instead of vanishing into the SDK's silent diag.
import { type ExportResult, ExportResultCode } from '@opentelemetry/core';
import { OTLPMetricExporter as JsonMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPMetricExporter as ProtoMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { OTLPTraceExporter as JsonTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtoTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import type { PushMetricExporter, ResourceMetrics } from '@opentelemetry/sdk-metrics';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import type { OtlpProtocol } from './otlp-config.ts';
import { reasonOf, type WarnOnce } from './warn-once.ts';

function reportFailure(warnings: WarnOnce, what: string, done: (result: ExportResult) => void) {
  return (result: ExportResult) => {
    if (result.code !== ExportResultCode.SUCCESS) {
      warnings.warn(`telemetry: OTLP ${what} export failed`, `${reasonOf(result.error)} (the drill goes on)`);
    }
    done(result);
  };
}

class WarningSpanExporter implements SpanExporter {
  constructor(
    private readonly inner: SpanExporter,
    private readonly warnings: WarnOnce,
  ) {}
  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    this.inner.export(spans, reportFailure(this.warnings, 'traces', done));
  }
  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }
  forceFlush(): Promise<void> {
    return this.inner.forceFlush?.() ?? Promise.resolve();
  }
}

class WarningMetricExporter implements PushMetricExporter {
  readonly selectAggregationTemporality: PushMetricExporter['selectAggregationTemporality'];
  readonly selectAggregation: PushMetricExporter['selectAggregation'];
  constructor(
    private readonly inner: PushMetricExporter,
    private readonly warnings: WarnOnce,
  ) {
    // The exporter's temporality preference (OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE) stays its own.
    this.selectAggregationTemporality = inner.selectAggregationTemporality?.bind(inner);
    this.selectAggregation = inner.selectAggregation?.bind(inner);
  }
  export(metrics: ResourceMetrics, done: (result: ExportResult) => void): void {
    this.inner.export(metrics, reportFailure(this.warnings, 'metrics', done));
  }
  forceFlush(): Promise<void> {
    return this.inner.forceFlush();
  }
  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }
}

export function spanExporter(protocol: OtlpProtocol, warnings: WarnOnce): SpanExporter {
  const inner = protocol === 'http/json' ? new JsonTraceExporter() : new ProtoTraceExporter();
  return new WarningSpanExporter(inner, warnings);
}

export function metricExporter(protocol: OtlpProtocol, warnings: WarnOnce): PushMetricExporter {
  const inner = protocol === 'http/json' ? new JsonMetricExporter() : new ProtoMetricExporter();
  return new WarningMetricExporter(inner, warnings);
}

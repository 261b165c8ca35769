// Which signals a run exports over OTLP, and with which protocol, from the standard OTEL_* variables
// (https://opentelemetry.io/docs/specs/otel/protocol/exporter/ and .../configuration/sdk-environment-variables/).
// Endpoints, headers, timeout and compression are read by the SDK's exporters themselves; this only decides
// whether to build them and which one, as the SDK's own Node entry point (sdk-node) does.
import { getBooleanFromEnv, getStringFromEnv } from '@opentelemetry/core';

export type OtlpProtocol = 'http/protobuf' | 'http/json';
export type Signal = 'TRACES' | 'METRICS';

export interface SignalConfig {
  /** null: the signal is not exported (no endpoint, disabled, or a protocol we do not ship). */
  protocol: OtlpProtocol | null;
  /** Why the signal is off although an endpoint is set (told once as a warning). */
  problem?: string;
}

const EXPORTER_VAR: Record<Signal, string> = {
  TRACES: 'OTEL_TRACES_EXPORTER',
  METRICS: 'OTEL_METRICS_EXPORTER',
};

/** The spec's default protocol is http/protobuf; `grpc` needs a gRPC stack this tool does not ship. */
export function signalConfig(signal: Signal): SignalConfig {
  const endpoint =
    getStringFromEnv(`OTEL_EXPORTER_OTLP_${signal}_ENDPOINT`) ??
    getStringFromEnv('OTEL_EXPORTER_OTLP_ENDPOINT');
  if (!endpoint || getBooleanFromEnv('OTEL_SDK_DISABLED')) return { protocol: null };
  const exporters = (getStringFromEnv(EXPORTER_VAR[signal]) ?? 'otlp').split(',').map((e) => e.trim());
  if (!exporters.includes('otlp')) return { protocol: null };
  const protocol =
    getStringFromEnv(`OTEL_EXPORTER_OTLP_${signal}_PROTOCOL`) ??
    getStringFromEnv('OTEL_EXPORTER_OTLP_PROTOCOL') ??
    'http/protobuf';
  if (protocol === 'http/protobuf' || protocol === 'http/json') return { protocol };
  return {
    protocol: null,
    problem: `OTLP protocol "${protocol}" is not supported (http/protobuf or http/json): ${signal.toLowerCase()} not exported`,
  };
}

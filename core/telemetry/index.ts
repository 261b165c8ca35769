// The run's reporters for the outside world, from the environment: OTLP (the standard OTEL_* variables) and a
// Slack-compatible webhook (DRILL_WEBHOOK_URL). Attached wherever a real run attaches its reporters.
import type { Redactor } from '../redact.ts';
import type { Reporter } from '../reporters/reporter.ts';
import { OtelReporter } from './otel-reporter.ts';
import { signalConfig } from './otlp-config.ts';
import { stderrLine, type WarnLine, WarnOnce } from './warn-once.ts';
import { WebhookReporter } from './webhook-reporter.ts';

/** The Slack-compatible incoming webhook the drill posts its start, abort and result to. A secret. */
export const WEBHOOK_URL_VAR = 'DRILL_WEBHOOK_URL';

export interface TelemetryOptions {
  /** The run's redactor: the webhook URL is registered on it, so no event, file or line can show it. */
  redactor: Redactor;
  /** Where warnings go (stderr by default). */
  warn?: WarnLine;
}

export function telemetryReporters(opts: TelemetryOptions): Reporter[] {
  const warnings = new WarnOnce(opts.warn ?? stderrLine, opts.redactor);
  const reporters: Reporter[] = [];
  try {
    const traces = signalConfig('TRACES');
    const metrics = signalConfig('METRICS');
    if (traces.problem) warnings.warn('telemetry (traces)', traces.problem);
    if (metrics.problem) warnings.warn('telemetry (metrics)', metrics.problem);
    if (traces.protocol || metrics.protocol)
      reporters.push(new OtelReporter({ traces: traces.protocol, metrics: metrics.protocol, warnings }));
  } catch (error) {
    warnings.warn('telemetry: OTLP export is off', error instanceof Error ? error.message : String(error));
  }
  const url = process.env[WEBHOOK_URL_VAR]?.trim();
  if (url) {
    opts.redactor.addSecret(url);
    reporters.push(new WebhookReporter({ url, warnings }));
  }
  return reporters;
}

// Test support: what a real run's telemetry must be, checked against its result.json (the ground truth of the
// run): a span per step under its phase, the RTO and RPO metrics, the webhook's start and result. Used by every
// test that runs a drill with the receivers of otlp-receiver.ts and webhook-receiver.ts.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { EVENTS_FILE } from '../../event-log.ts';
import { formatMeasured } from '../../measure/interval.ts';
import { CONSOLE_LOG_FILE } from '../../output/console-log.ts';
import { RESULT_FILE } from '../../runner/report.ts';
import type { RunResult } from '../../runner/result-schema.ts';
import { WEBHOOK_URL_VAR } from '../index.ts';
import { METRICS } from '../run-metrics.ts';
import type { OtlpReceiver } from './otlp-receiver.ts';
import type { WireSpan } from './otlp-wire.ts';
import type { WebhookReceiver } from './webhook-receiver.ts';

/** The standard OTEL_* variables and DRILL_WEBHOOK_URL a drill process needs to report to these receivers. */
export const telemetryEnv = (otlp: OtlpReceiver, hook: WebhookReceiver): NodeJS.ProcessEnv => ({
  OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url,
  OTEL_SERVICE_NAME: 'drill-telemetry-test',
  [WEBHOOK_URL_VAR]: hook.url,
});

export function spansOf(otlp: OtlpReceiver, result: RunResult): WireSpan[] {
  return otlp.spans.filter((s) => s.attributes['drill.run.id'] === result.runId);
}

/** Each step of result.json is one span, under the span of its phase, with its status; the phases under the root. */
export function expectSpanPerStep(otlp: OtlpReceiver, result: RunResult): void {
  const spans = spansOf(otlp, result);
  const root = spans.find((s) => s.parentSpanId === '');
  expect(root?.name).toBe(`drill ${result.scenario.name}`);
  const phaseSpan = (phase: string) => spans.find((s) => s.name === `phase: ${phase}`);
  for (const p of result.phases) expect(phaseSpan(p.phase)?.parentSpanId, p.phase).toBe(root?.spanId);
  expect(result.steps.length).toBeGreaterThan(0);
  for (const step of result.steps) {
    const span = stepSpans(spans, step.phase, step.id);
    expect(span, `one span for ${step.phase}/${step.id}`).toHaveLength(1);
    expect(span[0]?.name).toBe(step.title);
    expect(span[0]?.parentSpanId, `${step.id} under its phase`).toBe(phaseSpan(step.phase)?.spanId);
    expect(span[0]?.attributes['drill.step.status']).toBe(step.status);
    if (step.runbook) expect(span[0]?.attributes['drill.runbook.section']).toBe(step.runbook);
    if (step.plannedAtMs !== undefined)
      expect(span[0]?.attributes['drill.step.planned_at_ms']).toBe(step.plannedAtMs);
  }
}

/** The spans of one step (exactly one in a good trace). */
export const stepSpans = (spans: WireSpan[], phase: string, stepId: string): WireSpan[] =>
  spans.filter((s) => s.attributes['drill.step.id'] === stepId && s.attributes['drill.phase'] === phase);

/** The run's metrics, one point each: RTO and its bounds, RPO, lost writes and verdict, as result.json has them. */
export function expectMetricsOf(otlp: OtlpReceiver, result: RunResult): void {
  const value = (name: string) => {
    const points = otlp.points.filter(
      (p) => p.metric === name && p.attributes['drill.run.id'] === result.runId,
    );
    expect(points, name).toHaveLength(1);
    return points[0]?.value;
  };
  const { rto, rpo } = result;
  expect(value(METRICS.rto)).toBe(rto!.achievedMs! / 1000);
  expect(value(`${METRICS.rto}.lower_bound`)).toBe(rto!.lowerMs! / 1000);
  expect(value(`${METRICS.rto}.upper_bound`)).toBe(rto!.upperMs! / 1000);
  expect(value(METRICS.rpo)).toBe(rpo!.achievedMs! / 1000);
  expect(value(METRICS.lostWrites)).toBe(rpo!.lostCount);
  expect(value(METRICS.verdict)).toBe(result.verdict === 'passed' ? 1 : 0);
}

/** The webhook got this run's start and result, the result with the console's RTO and RPO; the URL is nowhere. */
export function expectWebhookPosts(
  hook: WebhookReceiver,
  result: RunResult,
  runDir: string,
  output: string,
): void {
  const posts = hook.posts
    .map((p) => p.body.text ?? '')
    .filter((t) => t.includes(result.runId) || t.includes(runDir));
  expect(posts.map((t) => t.split('\n')[0])).toEqual([
    `drill ${result.scenario.name} on ${result.target.name}: started`,
    `drill ${result.scenario.name} on ${result.target.name}: PASSED`,
  ]);
  const rto = `  RTO ${formatMeasured(result.rto!)}`;
  expect(output).toContain(rto);
  expect(posts[1]).toContain(rto);
  expect(posts[1]).toContain(`  RPO ${formatMeasured(result.rpo!)}`);
  // The secret part of the URL (its last path segment, as in a Slack webhook URL).
  const secret = new URL(hook.url).pathname.split('/').pop();
  expect(secret).toMatch(/secret/);
  for (const text of [
    output,
    readFileSync(join(runDir, CONSOLE_LOG_FILE), 'utf8'),
    readFileSync(join(runDir, EVENTS_FILE), 'utf8'),
    readFileSync(join(runDir, RESULT_FILE), 'utf8'),
  ]) {
    expect(text).not.toContain(secret);
  }
}

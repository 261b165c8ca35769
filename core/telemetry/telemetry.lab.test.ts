// `pnpm drill aurora-outage` on an ephemeral lab, as a process, with the standard OTEL_* variables pointing at a
// local OTLP receiver and DRILL_WEBHOOK_URL at a local webhook: the trace has a span per step under its phase,
// the metrics' RTO and RPO are result.json's, and the webhook got the start and the result. Plus the --in-process
// path (self-test on the memory platform), which attaches the same reporters.
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stopDaemon } from '../../lab/platform/daemon-control.ts';
import { makeLabDir } from '../../lab/testing/lab-fixture.ts';
import { runDirIn, runDrill, sandbox } from '../cli/spawn-drill.ts';
import { EVENTS_FILE } from '../event-log.ts';
import { formatMeasured } from '../measure/interval.ts';
import { CONSOLE_LOG_FILE } from '../output/console-log.ts';
import { RESULT_FILE } from '../runner/report.ts';
import { type RunResult, runResultSchema } from '../runner/result-schema.ts';
import { WEBHOOK_URL_VAR } from './index.ts';
import { METRICS } from './run-metrics.ts';
import { type OtlpReceiver, startOtlpReceiver } from './testing/otlp-receiver.ts';
import type { WireSpan } from './testing/otlp-wire.ts';
import { startWebhookReceiver, type WebhookReceiver } from './testing/webhook-receiver.ts';

let otlp: OtlpReceiver;
let hook: WebhookReceiver;
let labDir: string;
beforeAll(async () => {
  otlp = await startOtlpReceiver();
  hook = await startWebhookReceiver();
  labDir = makeLabDir('otel-drill');
});
afterAll(async () => {
  await otlp.close();
  await hook.close();
  await stopDaemon(labDir);
  if (process.env.KEEP_LAB !== '1') rmSync(labDir, { recursive: true, force: true });
}, 60_000);

const telemetryEnv = () => ({
  OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url,
  OTEL_SERVICE_NAME: 'drill-telemetry-test',
  [WEBHOOK_URL_VAR]: hook.url,
});

function spansOf(result: RunResult): WireSpan[] {
  return otlp.spans.filter((s) => s.attributes['drill.run.id'] === result.runId);
}

/** Each step of result.json is one span, under the span of its phase, with its status; the phases under the root. */
function expectSpanPerStep(result: RunResult): void {
  const spans = spansOf(result);
  const root = spans.find((s) => s.parentSpanId === '');
  expect(root?.name).toBe(`drill ${result.scenario.name}`);
  const phaseSpan = (phase: string) => spans.find((s) => s.name === `phase: ${phase}`);
  for (const p of result.phases) expect(phaseSpan(p.phase)?.parentSpanId, p.phase).toBe(root?.spanId);
  expect(result.steps.length).toBeGreaterThan(0);
  for (const step of result.steps) {
    const span = spans.filter(
      (s) => s.attributes['drill.step.id'] === step.id && s.attributes['drill.phase'] === step.phase,
    );
    expect(span, `one span for ${step.phase}/${step.id}`).toHaveLength(1);
    expect(span[0]?.name).toBe(step.title);
    expect(span[0]?.parentSpanId, `${step.id} under its phase`).toBe(phaseSpan(step.phase)?.spanId);
    expect(span[0]?.attributes['drill.step.status']).toBe(step.status);
    if (step.runbook) expect(span[0]?.attributes['drill.runbook.section']).toBe(step.runbook);
    if (step.plannedAtMs !== undefined)
      expect(span[0]?.attributes['drill.step.planned_at_ms']).toBe(step.plannedAtMs);
  }
}

function expectMetricsOf(result: RunResult): void {
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
function expectWebhookPosts(result: RunResult, runDir: string, output: string): void {
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
  for (const text of [
    output,
    readFileSync(join(runDir, CONSOLE_LOG_FILE), 'utf8'),
    readFileSync(join(runDir, EVENTS_FILE), 'utf8'),
    readFileSync(join(runDir, RESULT_FILE), 'utf8'),
  ]) {
    expect(text).not.toContain('XXXXsecretXXXX');
  }
}

describe('telemetry of a real drill', () => {
  it('pnpm drill aurora-outage on a lab: a span per step, RTO and RPO as result.json, webhook start and result', async () => {
    const out = join(labDir, 'out');
    const { code, output } = await runDrill(['aurora-outage', '--out', out], {
      ...process.env,
      CI: '1',
      LAB_DIR: labDir,
      ...telemetryEnv(),
    });
    expect(code, output).toBe(0);
    const runDir = runDirIn(out)!;
    const result = runResultSchema.parse(JSON.parse(readFileSync(join(runDir, RESULT_FILE), 'utf8')));
    expectSpanPerStep(result);
    expectMetricsOf(result);
    expectWebhookPosts(result, runDir, output);
    expect(output).not.toContain('⚠ telemetry');
  }, 300_000);

  it('--in-process (self-test on the memory platform) exports and posts the same way', async () => {
    const box = sandbox(telemetryEnv());
    const { code, output } = await runDrill(['self-test', '--in-process', '--out', box.outDir], box.env);
    expect(code, output).toBe(0);
    const runDir = runDirIn(box.outDir)!;
    const result = runResultSchema.parse(JSON.parse(readFileSync(join(runDir, RESULT_FILE), 'utf8')));
    expectSpanPerStep(result);
    expectMetricsOf(result);
    expectWebhookPosts(result, runDir, output);
  }, 120_000);
});

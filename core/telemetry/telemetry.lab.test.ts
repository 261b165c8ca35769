// A drill run --in-process (self-test on the memory platform), as a process, with the standard OTEL_* variables
// pointing at a local OTLP receiver and DRILL_WEBHOOK_URL at a local webhook: the trace has a span per step under
// its phase, the metrics' RTO and RPO are result.json's, and the webhook got the start and the result. The other
// attachment point, a drill run in its vitest worker (pnpm drill aurora-outage on a lab), is proved by the live
// view's test of that drill (live/live-view.lab.test.ts), which checks the same with the same receivers.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDirIn, runDrill, sandbox } from '../cli/spawn-drill.ts';
import { RESULT_FILE } from '../runner/report.ts';
import { runResultSchema } from '../runner/result-schema.ts';
import { type OtlpReceiver, startOtlpReceiver } from './testing/otlp-receiver.ts';
import {
  expectMetricsOf,
  expectSpanPerStep,
  expectWebhookPosts,
  telemetryEnv,
} from './testing/run-telemetry-expectations.ts';
import { startWebhookReceiver, type WebhookReceiver } from './testing/webhook-receiver.ts';

let otlp: OtlpReceiver;
let hook: WebhookReceiver;
beforeAll(async () => {
  otlp = await startOtlpReceiver();
  hook = await startWebhookReceiver();
});
afterAll(async () => {
  await otlp.close();
  await hook.close();
}, 60_000);

describe('telemetry of a real drill', () => {
  it('--in-process (self-test on the memory platform): a span per step, RTO and RPO as result.json, webhook start and result', async () => {
    const box = sandbox(telemetryEnv(otlp, hook));
    const { code, output } = await runDrill(['self-test', '--in-process', '--out', box.outDir], box.env);
    expect(code, output).toBe(0);
    const runDir = runDirIn(box.outDir)!;
    const result = runResultSchema.parse(JSON.parse(readFileSync(join(runDir, RESULT_FILE), 'utf8')));
    expectSpanPerStep(otlp, result);
    expectMetricsOf(otlp, result);
    expectWebhookPosts(hook, result, runDir, output);
  }, 120_000);
});

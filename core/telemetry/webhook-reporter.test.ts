// The drill posts its start, abort and result to a Slack-compatible webhook (a local receiver here); the posts
// never fail or hold up the drill, and the URL, a secret, shows nowhere.
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DrillError } from '../errors.ts';
import { formatMeasured } from '../measure/interval.ts';
import { Redactor } from '../redact.ts';
import { ConsoleReporter } from '../reporters/console.ts';
import type { Reporter } from '../reporters/reporter.ts';
import type { RunResult } from '../runner/result-schema.ts';
import { runScenario } from '../runner/run-scenario.ts';
import { type MarkerOptions, markerScenario, markerTarget, markerWorld } from '../runner/testing.ts';
import { telemetryReporters, WEBHOOK_URL_VAR } from './index.ts';
import { startWebhookReceiver, type WebhookReceiver } from './testing/webhook-receiver.ts';
import { WarnOnce } from './warn-once.ts';
import { WebhookReporter } from './webhook-reporter.ts';

let hook: WebhookReceiver;
beforeEach(async () => {
  hook = await startWebhookReceiver();
  vi.stubEnv(WEBHOOK_URL_VAR, hook.url);
  vi.stubEnv('OTEL_EXPORTER_OTLP_ENDPOINT', undefined);
});
afterEach(async () => {
  vi.unstubAllEnvs();
  await hook.close();
});

/** Every file the run wrote, as text. */
function filesOf(dir: string): string {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => readFileSync(join(d.parentPath, d.name), 'utf8'))
    .join('\n');
}

async function markerRun(
  opts: MarkerOptions & { reporters?: (redactor: Redactor) => Reporter[]; dryRun?: boolean } = {},
  signal?: AbortSignal,
) {
  const outDir = mkdtempSync(join(tmpdir(), 'drill-webhook-'));
  const stream = new PassThrough();
  let console = '';
  stream.on('data', (chunk: Buffer) => {
    console += chunk.toString();
  });
  const warnings: string[] = [];
  const redactor = new Redactor();
  const result: RunResult = await runScenario(markerScenario(markerWorld(), opts), markerTarget, {
    runId: 'run-hook',
    outDir,
    redactor,
    ...(opts.dryRun ? { dryRun: true } : {}),
    ...(signal ? { signal } : {}),
    reporters: [
      new ConsoleReporter({ stream, live: false, redactor }),
      ...(opts.reporters?.(redactor) ??
        telemetryReporters({ redactor, warn: (line) => warnings.push(line) })),
    ],
  });
  const runDir = join(outDir, 'runs', 'run-hook');
  return { result, runDir, console, warnings, files: filesOf(runDir) };
}

const texts = () => hook.posts.map((p) => p.body.text ?? '');

describe('the drill webhook', () => {
  it('posts start and result as Slack JSON: the verdict, RTO and RPO as the console shows them, the results path', async () => {
    const run = await markerRun();
    expect(run.result.verdict).toBe('passed');
    expect(hook.posts.map((p) => p.contentType)).toEqual(['application/json', 'application/json']);
    const [start, end] = texts();
    expect(start).toMatch(/^drill markers on markers: started\ndrill markers on markers: run run-hook → /);
    const rtoLine = `  RTO ${formatMeasured(run.result.rto!)} (objective 5.0s: met)`;
    expect(run.console).toContain(rtoLine);
    expect(end).toContain('drill markers on markers: PASSED\nverdict: PASSED (exit 0)');
    expect(end).toContain(rtoLine);
    expect(end).toContain(`  RPO ${formatMeasured(run.result.rpo!)}`);
    expect(end).toContain(`  results: ${run.runDir}`);
    expect(hook.posts[1]?.body.blocks).toHaveLength(2);
    // The URL (its path is the credential) is nowhere: console, events.jsonl, result.json, journal, any file.
    for (const where of [run.console, run.files, run.warnings.join('\n')]) {
      expect(where).not.toContain('XXXXsecretXXXX');
      expect(where).not.toContain(hook.url);
    }
    expect(run.files).toContain('"verdict": "passed"');
  });

  it('posts the abort when it happens, then the result', async () => {
    const controller = new AbortController();
    const run = await markerRun(
      {
        onStep: (title) =>
          title === 'b' &&
          queueMicrotask(() => controller.abort(new DrillError('E_ABORTED', 'operator said stop'))),
        hangAt: 'b',
      },
      controller.signal,
    );
    expect(run.result.verdict).toBe('aborted');
    const posted = texts();
    expect(posted).toHaveLength(3);
    expect(posted[1]).toMatch(
      /^drill markers on markers: ABORTED in failover at T0\+[\d.]+m?s, rolling back/,
    );
    expect(posted[2]).toMatch(/^drill markers on markers: ABORTED\nverdict: ABORTED \(exit 3\)/);
  });

  it('retries once after a 5xx; a second failure is one warning without the URL, and the drill passes', {
    timeout: 30_000,
  }, async () => {
    hook.script = [503];
    const once = await markerRun();
    expect(hook.attempts).toBe(3);
    expect(texts().map((t) => t.split('\n')[0])).toEqual([
      'drill markers on markers: started',
      'drill markers on markers: PASSED',
    ]);
    expect(once.warnings).toEqual([]);

    hook.posts = [];
    hook.attempts = 0;
    hook.script = [500, 500, 500, 500];
    const twice = await markerRun();
    expect(twice.result.verdict).toBe('passed');
    expect(hook.attempts).toBe(4);
    expect(twice.warnings).toEqual([
      '⚠ webhook: a post failed: start: HTTP 500, then HTTP 500 on the retry (the drill goes on)',
    ]);
  });

  it('a 4xx is not retried (the URL is wrong or revoked)', async () => {
    hook.script = [404, 404];
    const run = await markerRun();
    expect(hook.attempts).toBe(2);
    expect(run.warnings).toEqual(['⚠ webhook: a post failed: start: HTTP 404 (the drill goes on)']);
  });

  it('a webhook that never answers costs each post its bounded wait, and the drill passes', async () => {
    hook.script = ['hang', 'hang', 'hang', 'hang'];
    const warnings: string[] = [];
    const run = await markerRun({
      reporters: () => [
        new WebhookReporter({
          url: hook.url,
          warnings: new WarnOnce((line) => warnings.push(line)),
          policy: { timeoutMs: 100, retryDelayMs: 10 },
        }),
      ],
    });
    expect(run.result.verdict).toBe('passed');
    // How many attempts reached the receiver before their 100 ms ran out depends on the machine's load.
    expect(warnings).toEqual([
      '⚠ webhook: a post failed: start: no answer within 100 ms, then no answer within 100 ms on the retry (the drill goes on)',
    ]);
  });

  it('a dry run posts nothing', async () => {
    await markerRun({ dryRun: true });
    expect(hook.attempts).toBe(0);
  });
});

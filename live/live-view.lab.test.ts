// Issue 18, the live view, end to end: `pnpm drill aurora-outage` as a real process on an ephemeral lab, its page
// open in Chromium from the URL the drill printed. The page follows the run step by step (every step change it drew
// is logged in the page, with when), a person confirms its two manual checkpoints on it (their waits count in the RTO
// phase split), it catches up after a reload mid-run, and ends with the RTO and RPO of result.json. The same drill
// reports to a local OTLP receiver and webhook (the standard OTEL_* variables, DRILL_WEBHOOK_URL): a span per step
// of result.json under its phase, the checkpoints confirmed on the page as events of their step's span with who
// confirmed them, the RTO, RPO and lost writes as metrics equal to result.json's, the webhook's start and result.
// Then a second drill, on a lab this file keeps, is halted with the page's button: it ends aborted and the lab is
// left serving from one region (writer and DNS agree) and takes an order.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { attachment } from 'allure-js-commons';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DrillProcess, readJournal, runDirIn, spawnDrill } from '../core/cli/spawn-drill.ts';
import type { DrillEvent } from '../core/events.ts';
import { PROJECT_ROOT } from '../core/registry.ts';
import { EVENTS_FILE, parseEventLog } from '../core/runner/event-log.ts';
import { type RunResult, runResultSchema } from '../core/runner/result-schema.ts';
import { startOtlpReceiver } from '../core/telemetry/testing/otlp-receiver.ts';
import {
  expectMetricsOf,
  expectSpanPerStep,
  expectWebhookPosts,
  spansOf,
  stepSpans,
  telemetryEnv,
} from '../core/telemetry/testing/run-telemetry-expectations.ts';
import { startWebhookReceiver } from '../core/telemetry/testing/webhook-receiver.ts';
import { makeLabDir } from '../lab/testing/lab-fixture.ts';
import { achievedText } from '../reports/run/facts.ts';
import { launchChromium } from '../reports/testing/report-page.ts';
import { regionServingAfter } from '../safety/testing/interrupt-case.ts';
import { servingRegion, startSafetyLab } from '../safety/testing/safety-lab.ts';

const SHOTS = join(PROJECT_ROOT, 'out', 'test-artifacts', 'live-view');
const DRILL_MS = 600_000;

/** Logs, in the page, every (step, status) the steps table shows, when it first shows it and after how many events. */
const STEP_RECORDER = `
  window.__steps = [];
  const seen = new Set();
  const scan = () => {
    for (const row of document.querySelectorAll('#steps tbody tr')) {
      const key = row.dataset.key + ' ' + row.dataset.status;
      if (seen.has(key)) continue;
      seen.add(key);
      window.__steps.push({ key: row.dataset.key, status: row.dataset.status, at: Date.now(), events: Number(document.body.dataset.events || 0) });
    }
  };
  new MutationObserver(scan).observe(document, { subtree: true, childList: true, attributes: true });
`;

interface Seen {
  key: string;
  status: string;
  at: number;
  events: number;
}

let browser: Browser;
const cleanup: (() => Promise<void> | void)[] = [];

beforeAll(async () => {
  browser = await launchChromium();
  mkdirSync(SHOTS, { recursive: true });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  for (const undo of cleanup.reverse()) await undo();
}, 120_000);

/** The URL the drill printed, as soon as it printed it. */
async function liveUrl(drill: DrillProcess): Promise<string> {
  for (;;) {
    const found = drill.output().match(/live view: (http:\/\/127\.0\.0\.1:\d+\/[A-Za-z0-9_-]+\/)/);
    if (found?.[1]) return found[1];
    if (drill.child.exitCode !== null)
      throw new Error(`the drill exited without a live view:\n${drill.output()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function openPage(url: string): Promise<{ page: Page; problems: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(`page error: ${String(e)}`));
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console error: ${m.text()}`);
  });
  await page.addInitScript(STEP_RECORDER);
  await page.goto(url);
  return { page, problems };
}

async function shot(page: Page, name: string): Promise<Buffer> {
  const png = await page.screenshot({ fullPage: true });
  writeFileSync(join(SHOTS, `${name}.png`), png);
  await attachment(`${name}.png`, png, 'image/png');
  return png;
}

const PERSON = 'Test Commander';

/** A person on the page: waits for the checkpoint to wait, confirms it under their name, sees it confirmed. */
async function confirmOnPage(page: Page, stepId: string): Promise<void> {
  const waiting = `#checkpoints li.waiting[data-step-id="${stepId}"] button`;
  await page.waitForSelector(waiting, { timeout: DRILL_MS });
  if ((await page.inputValue('#person')) !== PERSON) await page.fill('#person', PERSON);
  await page.click(waiting);
  await page.waitForSelector(`#checkpoints li.confirmed[data-step-id="${stepId}"]`, { timeout: 60_000 });
}

const eventsOf = (runDir: string): DrillEvent[] =>
  parseEventLog(readFileSync(join(runDir, EVENTS_FILE), 'utf8'));

/** What the steps table shows now: key → status. */
const shownSteps = (page: Page) =>
  page.$$eval('#steps tbody tr', (rows) =>
    Object.fromEntries(rows.map((r) => [(r as HTMLElement).dataset.key, (r as HTMLElement).dataset.status])),
  );

describe('the live page of pnpm drill aurora-outage', () => {
  it(
    'follows the run step by step, takes its checkpoints, catches up after a reload, ends with the RTO and RPO of result.json; its trace, metrics and webhook posts say the same',
    async () => {
      const outDir = mkdtempSync(join(tmpdir(), 'live-view-out-'));
      const labDir = makeLabDir('live-view-lab');
      const otlp = await startOtlpReceiver();
      const hook = await startWebhookReceiver();
      cleanup.push(async () => {
        await otlp.close();
        await hook.close();
        rmSync(outDir, { recursive: true, force: true });
        rmSync(labDir, { recursive: true, force: true });
      });
      // No lab is up in labDir: the drill boots an ephemeral one and stops it after the run. Its two manual
      // checkpoints wait for a person (--no-auto-confirm), who confirms them on the page.
      const drill = spawnDrill(['aurora-outage', '--no-auto-confirm', '--out', outDir], {
        ...process.env,
        CI: '1',
        LAB_DIR: labDir,
        ...telemetryEnv(otlp, hook),
      });
      const exited = drill.exited;
      const { page, problems } = await openPage(await liveUrl(drill));
      const runDir = () => runDirIn(outDir) as string;

      await confirmOnPage(page, 'incident-ticket');
      // Mid-run: the promotion done, the DNS switch still to come or running.
      await page.waitForSelector('#steps tr[data-step-id="promotion"][data-status="ok"]', {
        timeout: DRILL_MS,
      });
      await shot(page, 'live-view-mid-run');
      // The clock runs against the objective the run announced (run-start), before any measurement.
      expect(await page.locator('#rto-label').textContent()).toContain('objective 30m 00s');
      const before: Seen[] = await page.evaluate('window.__steps');

      // Reload mid-run: the page starts from nothing and replays every event from the first.
      const atReload = eventsOf(runDir()).filter((e) => e.kind === 'step-end');
      await page.reload();
      await expect
        .poll(
          async () => {
            const shown = await shownSteps(page);
            return atReload.every((e) => shown[`${e.phase}:${e.stepId}`] === e.status);
          },
          { timeout: 60_000 },
        )
        .toBe(true);
      expect(await page.locator('#phases li[data-phase="plan"]').getAttribute('data-status')).toBe('ok');
      const reloadedEarly = await page.locator('#verdict-section').isHidden();

      // The reloaded page confirms the second checkpoint (the name it was given is remembered).
      await confirmOnPage(page, 'freeze-deploys');

      // The end: the page has the verdict with the measurements exactly as result.json has them.
      await page.waitForSelector('#verdict-section:not([hidden])', { timeout: DRILL_MS });
      const code = await exited;
      const result = runResultSchema.parse(JSON.parse(readFileSync(join(runDir(), 'result.json'), 'utf8')));
      expect(code, drill.output().slice(-3000)).toBe(result.exitCode);
      expect(await page.locator('#rto-achieved').textContent()).toBe(achievedText(result.rto));
      expect(await page.locator('#rpo-achieved').textContent()).toBe(achievedText(result.rpo));
      expect(await page.locator('#ledger').textContent()).toContain(
        `${result.rpo?.acknowledgedCount} acknowledged, ${result.rpo?.lostCount} lost`,
      );
      expect(await page.locator('#state').textContent()).toBe(result.verdict.toUpperCase());
      await shot(page, 'live-view-end');
      // The README's screenshot (the first screen): UPDATE_DOCS_SCREENSHOT=1 refreshes docs/live-view.png.
      if (process.env.UPDATE_DOCS_SCREENSHOT === '1')
        writeFileSync(join(PROJECT_ROOT, 'docs', 'live-view.png'), await page.screenshot());
      const after: Seen[] = await page.evaluate('window.__steps');
      const events = eventsOf(runDir());

      // Each checkpoint was confirmed from the page by the person named there, and its wait is in the RTO phase split.
      for (const stepId of ['incident-ticket', 'freeze-deploys']) {
        const confirmed = events.find(
          (e) => e.kind === 'checkpoint' && e.stepId === stepId && e.state === 'confirmed',
        ) as Extract<DrillEvent, { kind: 'checkpoint' }> | undefined;
        expect(confirmed).toMatchObject({ by: PERSON, via: 'page' });
        const phase = result.rto?.phases.find((p) => p.name === stepId);
        expect(phase?.durationMs).toBeGreaterThanOrEqual(confirmed?.waitedMs ?? Number.POSITIVE_INFINITY);
        expect(await page.locator(`#checkpoints li[data-step-id="${stepId}"]`).textContent()).toContain(
          `confirmed by ${PERSON} (page)`,
        );
      }

      // Step by step: before the reload the page drew each step done as the run did them, in the run's order,
      // each while the run was still going (fewer events than the run ended with), and long steps running first.
      const ends = events.filter((e) => e.kind === 'step-end');
      const runEnd = events.findLast((e) => e.kind === 'run-end');
      const doneBefore = before.filter((s) => s.status === 'ok');
      const expectedOrder = ends.map((e) => `${e.phase}:${e.stepId}`).slice(0, doneBefore.length);
      expect(doneBefore.map((s) => s.key)).toEqual(expectedOrder);
      expect(doneBefore.length).toBeGreaterThan(5);
      for (const s of doneBefore) expect(s.events).toBeLessThan(events.length);
      // How late the page drew a step done after the run ended it (same machine clock): the page's own lag.
      const lag = Math.max(
        ...doneBefore.map((s) => s.at - (ends.find((e) => `${e.phase}:${e.stepId}` === s.key)?.wallMs ?? 0)),
      );
      const longSteps = ends.filter(
        (e) => expectedOrder.includes(`${e.phase}:${e.stepId}`) && e.durationMs > 2 * lag + 500,
      );
      for (const e of longSteps)
        expect(before.some((s) => s.key === `${e.phase}:${e.stepId}` && s.status === 'running')).toBe(true);
      // After the reload the page kept following to the run's end: it has every event of the log.
      expect(await page.evaluate('document.body.dataset.events')).toBe(String(events.length));
      expect(after.length).toBeGreaterThan(0);
      expect(runEnd?.kind).toBe('run-end');
      console.log(
        `live view: ${doneBefore.length} steps seen done live before the reload (page lag up to ${lag} ms, ${longSteps.length} long steps seen running); reloaded ${reloadedEarly ? 'before' : 'after'} the verdict; ${events.length} events`,
      );
      expect(problems).toEqual([]);
      await page.close();

      // Telemetry: the run passed, and its trace, metrics and webhook posts say what result.json says.
      expect(code, drill.output().slice(-3000)).toBe(0);
      expectSpanPerStep(otlp, result);
      expectMetricsOf(otlp, result);
      expectWebhookPosts(hook, result, runDir(), drill.output());
      expect(drill.output()).not.toContain('⚠ telemetry');
      // Each checkpoint confirmed on the page is an event of its step's span: who confirmed it, through what, the wait.
      const spans = spansOf(otlp, result);
      for (const stepId of ['incident-ticket', 'freeze-deploys']) {
        const confirmed = events.find(
          (e) => e.kind === 'checkpoint' && e.stepId === stepId && e.state === 'confirmed',
        ) as Extract<DrillEvent, { kind: 'checkpoint' }> | undefined;
        expect(confirmed?.waitedMs, stepId).toEqual(expect.any(Number));
        const [span, ...more] = stepSpans(spans, confirmed?.phase ?? '', stepId);
        expect(more, stepId).toEqual([]);
        expect(span?.events.map((e) => e.name)).toEqual(['checkpoint waiting', 'checkpoint confirmed']);
        expect(span?.events[1]?.attributes).toMatchObject({
          'drill.step.id': stepId,
          'drill.checkpoint.by': PERSON,
          'drill.checkpoint.via': 'page',
          'drill.checkpoint.waited_ms': confirmed?.waitedMs,
        });
      }
    },
    DRILL_MS,
  );

  it(
    "halts a second drill from the page's button: aborted, and the lab serves from one region and takes an order",
    async () => {
      const lab = await startSafetyLab('live-view-halt');
      cleanup.push(() => lab.close());
      const drill = spawnDrill(['aurora-outage', '--in-process', '--out', lab.outDir], lab.env);
      const { page, problems } = await openPage(await liveUrl(drill));
      // After T0, while the runbook's first failover step runs.
      await page.waitForSelector('#phases li[data-phase="failover"][data-status="running"]', {
        timeout: DRILL_MS,
      });
      await page.fill('#person', PERSON);
      await page.click('#halt');
      await expect.poll(() => page.locator('#halt-confirm').isVisible()).toBe(true);
      await page.click('#halt-yes');
      await expect
        .poll(() => page.locator('#control-status').textContent())
        .toContain('halt requested by Test Commander');
      const code = await drill.exited;
      const runDir = runDirIn(lab.outDir) as string;
      const result = JSON.parse(readFileSync(join(runDir, 'result.json'), 'utf8')) as RunResult;
      expect([result.verdict, code], drill.output().slice(-3000)).toEqual(['aborted', result.exitCode]);
      expect(result.reason).toContain('Test Commander');
      await page.waitForSelector('#verdict-section:not([hidden])', { timeout: 60_000 });
      expect(await page.locator('#state').textContent()).toBe('ABORTED');
      await shot(page, 'live-view-halted');
      const journal = readJournal(runDir);
      if (!journal) throw new Error(`no journal in ${runDir}`);
      const status = await lab.status();
      expect(
        { writer: status.writer, dns: status.dns.region, serving: servingRegion(status) },
        drill.output().slice(-4000),
      ).toEqual({
        writer: regionServingAfter(journal),
        dns: regionServingAfter(journal),
        serving: regionServingAfter(journal),
      });
      expect(await lab.placeOrder()).toEqual(expect.any(String));
      expect(problems).toEqual([]);
      await page.close();
    },
    DRILL_MS,
  );
});

// The live page in Chromium through a network path the test can cut: a TCP forward on 127.0.0.1 between the
// browser and the live view. The run's events.jsonl (a real aurora-outage log, replayed line by line) grows while
// the path is cut and while it is down; the page's EventSource reconnects, resumes after the last event it had
// (Last-Event-ID) and ends with exactly the run's events: none lost, none twice. No lab: only the page and its server.
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../reports/testing/report-page.ts';
import { type LiveViewServer, startLiveView } from './server.ts';

const LINES = readFileSync(join(import.meta.dirname, 'fixtures', 'aurora-outage', 'events.jsonl'), 'utf8')
  .trimEnd()
  .split('\n');

/** A TCP forward to `port` that can drop every connection, or stop listening and start again on its port. */
class Forward {
  readonly #sockets = new Set<Socket>();
  #server: Server | undefined;
  port = 0;

  constructor(readonly target: number) {}

  async listen(): Promise<void> {
    const server = createServer((client) => {
      const upstream = connect(this.target, '127.0.0.1');
      for (const s of [client, upstream]) {
        this.#sockets.add(s);
        s.on('close', () => this.#sockets.delete(s));
        s.on('error', () => {});
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
    this.port = (server.address() as { port: number }).port;
    this.#server = server;
  }

  /** A blip: every connection through the forward is cut at once. */
  cut(): void {
    for (const s of this.#sockets) s.destroy();
  }

  /** Down: nothing answers on the port until listen() again. */
  async down(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => this.#server?.close(() => resolve()) ?? resolve());
  }
}

let browser: Browser;
let view: LiveViewServer;
let runDir: string;

beforeAll(async () => {
  browser = await launchChromium();
  runDir = mkdtempSync(join(tmpdir(), 'live-reconnect-'));
}, 120_000);

afterAll(async () => {
  await view?.close();
  await browser?.close();
  rmSync(runDir, { recursive: true, force: true });
});

const append = (from: number, to: number) =>
  appendFileSync(
    join(runDir, 'events.jsonl'),
    LINES.slice(from, to)
      .map((l) => `${l}\n`)
      .join(''),
  );

describe('the live page over a network that blips', () => {
  it('reconnects, resumes after the last event it had and ends with every event once', async () => {
    append(0, 60);
    view = await startLiveView({ runDir, mode: 'live', pollMs: 50 });
    const forward = new Forward(Number(new URL(view.url).port));
    await forward.listen();
    const page = await browser.newPage();
    const pageUrl = `http://127.0.0.1:${forward.port}${new URL(view.url).pathname}`;
    await page.goto(pageUrl);
    const events = () => page.evaluate('document.body.dataset.events');
    await expect.poll(events).toBe('60');

    forward.cut();
    append(60, 120);
    await expect.poll(events, { timeout: 30_000 }).toBe('120');

    await forward.down();
    await expect.poll(() => page.locator('#connection').textContent()).toBe('reconnecting…');
    append(120, LINES.length);
    await forward.listen();
    await expect.poll(events, { timeout: 30_000 }).toBe(String(LINES.length));

    // Once each: as many step rows as the run has steps, and the verdict of the run's last event.
    const ends = LINES.map((l) => JSON.parse(l) as { kind: string }).filter((e) => e.kind === 'step-end');
    expect(await page.locator('#steps tbody tr').count()).toBe(ends.length);
    expect(await page.locator('#rto-achieved').textContent()).toBe('24.8s, between 24.6s and 24.9s');
    await expect
      .poll(() => page.locator('#connection').textContent())
      .toBe('run over: this is its full record');
    await page.close();
  }, 120_000);
});

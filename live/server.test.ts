// The live view's server on a run directory whose events.jsonl grows as a run's does: only the token's paths exist,
// the stream replays from the first event and resumes after Last-Event-ID, and only a same-origin JSON POST reaches
// the control channel (core/control), and only while the drill runs.
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readCheckpoint, readHalt } from '../core/control/index.ts';
import { type LiveViewServer, startLiveView } from './server.ts';

const FIXTURE = join(import.meta.dirname, 'fixtures', 'aurora-outage', 'events.jsonl');
const LINES = readFileSync(FIXTURE, 'utf8').trimEnd().split('\n');

let dirs: string[] = [];
let views: LiveViewServer[] = [];
afterEach(async () => {
  await Promise.all(views.map((v) => v.close()));
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  dirs = [];
  views = [];
});

async function serve(mode: 'live' | 'replay' = 'live', lines: string[] = []) {
  const runDir = mkdtempSync(join(tmpdir(), 'live-view-'));
  dirs.push(runDir);
  const write = (more: string[]) =>
    appendFileSync(join(runDir, 'events.jsonl'), more.map((l) => `${l}\n`).join(''));
  if (lines.length) write(lines);
  const view = await startLiveView({ runDir, mode, pollMs: 20 });
  views.push(view);
  return { runDir, view, write, origin: new URL(view.url).origin };
}

interface Frame {
  id?: string;
  event?: string;
  data: string;
}

const parseFrames = (text: string): Frame[] =>
  text
    .split('\n\n')
    .filter((f) => f.includes('data: '))
    .map((f) => {
      const field = (name: string) => f.match(new RegExp(`^${name}: (.*)$`, 'm'))?.[1];
      return { id: field('id'), event: field('event'), data: field('data') ?? '' };
    });

/** Reads the stream until `enough` holds for its frames (complete frames only), or fails after 20 s. */
async function stream(
  url: string,
  enough: (frames: Frame[]) => boolean,
  headers: Record<string, string> = {},
) {
  const controller = new AbortController();
  const res = await fetch(`${url}events`, { headers, signal: controller.signal });
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  const timer = setTimeout(() => controller.abort(), 20_000);
  let text = '';
  try {
    while (!enough(parseFrames(text.slice(0, text.lastIndexOf('\n\n') + 2)))) {
      const { value, done } = await reader.read();
      if (done) break;
      text += Buffer.from(value).toString('utf8');
    }
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
  return { res, frames: parseFrames(text.slice(0, text.lastIndexOf('\n\n') + 2)) };
}

const eventsIn = (frames: Frame[]) => frames.filter((f) => f.event === undefined);
const atLeast = (n: number) => (frames: Frame[]) => eventsIn(frames).length >= n;

/** Retries `check` until it passes (the server looks at the run directory every 20 ms here). */
async function eventually(check: () => Promise<void>): Promise<void> {
  for (let tries = 0; ; tries++) {
    try {
      return await check();
    } catch (error) {
      if (tries > 200) throw error;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

const post = (url: string, body: unknown, headers: Record<string, string>) =>
  fetch(url, { method: 'POST', headers, body: JSON.stringify(body) });

describe('the live view server', () => {
  it('answers only under its token, to its own host name', async () => {
    const { view, origin } = await serve('replay', LINES.slice(0, 3));
    expect(view.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/[A-Za-z0-9_-]{22}\/$/);
    expect((await fetch(view.url)).status).toBe(200);
    expect((await fetch(`${view.url}app.js`)).headers.get('content-type')).toContain('javascript');
    expect((await fetch(`${origin}/`)).status).toBe(404);
    expect((await fetch(`${origin}/AAAAAAAAAAAAAAAAAAAAAA/`)).status).toBe(404);
    expect((await fetch(`${origin}/AAAAAAAAAAAAAAAAAAAAAA/events`)).status).toBe(404);
    // The same port reached under another name (DNS rebinding) is refused.
    const status = await new Promise<number | undefined>((resolve) => {
      const u = new URL(view.url);
      request(
        { host: '127.0.0.1', port: u.port, path: u.pathname, headers: { host: `evil.example:${u.port}` } },
        (r) => {
          r.resume();
          resolve(r.statusCode);
        },
      ).end();
    });
    expect(status).toBe(404);
    const page = await fetch(view.url);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(page.headers.get('referrer-policy')).toBe('no-referrer');
  });

  it('replays every event from the first with its line number, then resumes after Last-Event-ID', async () => {
    const { view } = await serve('live', LINES.slice(0, 10));
    const first = await stream(view.url, atLeast(10));
    expect(first.res.headers.get('content-type')).toContain('text/event-stream');
    const events = eventsIn(first.frames);
    expect(events.map((f) => f.id)).toEqual(LINES.slice(0, 10).map((_, i) => String(i + 1)));
    expect(events.map((f) => f.data)).toEqual(LINES.slice(0, 10));
    const resumed = await stream(view.url, atLeast(3), { 'last-event-id': '7' });
    expect(eventsIn(resumed.frames).map((f) => f.id)).toEqual(['8', '9', '10']);
  });

  it('pushes events as the run appends them, never a line still being written', async () => {
    const { view, write, runDir } = await serve('live');
    let seen: Frame[] = [];
    const following = stream(view.url, (frames) => {
      seen = frames;
      return atLeast(3)(frames);
    });
    write(LINES.slice(0, 2));
    // Half a line: held back until its newline arrives.
    appendFileSync(join(runDir, 'events.jsonl'), (LINES[2] as string).slice(0, 40));
    await eventually(async () => expect(eventsIn(seen)).toHaveLength(2));
    await new Promise((r) => setTimeout(r, 200)); // ten looks at the half line
    expect(eventsIn(seen)).toHaveLength(2);
    appendFileSync(join(runDir, 'events.jsonl'), `${(LINES[2] as string).slice(40)}\n`);
    const { frames } = await following;
    expect(eventsIn(frames).map((f) => f.data)).toEqual(LINES.slice(0, 3));
  });

  it('halts the run for a same-origin JSON POST only, and only while the drill runs', async () => {
    const { view, write, runDir, origin } = await serve('live', LINES.slice(0, 5));
    const halt = `${view.url}halt`;
    const json = { 'content-type': 'application/json' };
    expect((await post(halt, { by: 'Ana' }, json)).status).toBe(403); // no Origin
    expect((await post(halt, { by: 'Ana' }, { ...json, origin: 'http://evil.example' })).status).toBe(403);
    expect((await post(halt, { by: 'Ana' }, { origin, 'content-type': 'text/plain' })).status).toBe(415);
    expect(readHalt(runDir)).toBeUndefined();
    const ok = await post(halt, { by: 'Ana\n<b>' }, { ...json, origin });
    expect(ok.status).toBe(202);
    expect(readHalt(runDir)).toMatchObject({ by: 'Ana <b>', via: 'page' });
    write(LINES.slice(-1)); // run-end
    await eventually(async () => expect((await post(halt, {}, { ...json, origin })).status).toBe(409));
  });

  it('confirms a checkpoint the run announced as waiting, for the page, and no other', async () => {
    const base = JSON.parse(LINES[0] as string) as { at: number; wallMs: number };
    const checkpoint = (state: string) =>
      JSON.stringify({
        kind: 'checkpoint',
        phase: 'failover',
        stepId: 'freeze-deploys',
        title: 'Manual: Suspend production deploy pipelines',
        state,
        waitUpToMs: 600_000,
        onTimeout: 'abort',
        at: base.at + 1,
        wallMs: base.wallMs + 1,
      });
    const { view, write, runDir, origin } = await serve('live', LINES.slice(0, 5));
    const confirm = (stepId: string) =>
      post(
        `${view.url}checkpoints/confirm`,
        { stepId, by: 'Ana' },
        { 'content-type': 'application/json', origin },
      );
    expect((await confirm('freeze-deploys')).status).toBe(409);
    write([checkpoint('waiting')]);
    await eventually(async () => expect((await confirm('freeze-deploys')).status).toBe(200));
    expect((await confirm('detection')).status).toBe(409);
    expect(readCheckpoint(runDir, 'freeze-deploys')).toMatchObject({
      outcome: 'confirmed',
      by: 'Ana',
      via: 'page',
    });
  });

  it('serves a finished run (replay) with its undos and ledger, and refuses to halt it', async () => {
    const runDir = join(import.meta.dirname, 'fixtures', 'aurora-outage');
    const view = await startLiveView({ runDir, mode: 'replay', pollMs: 20 });
    views.push(view);
    const { frames } = await stream(view.url, (f) => f.some((x) => x.event === 'end'));
    expect(eventsIn(frames)).toHaveLength(LINES.length);
    // The whole record, then "end": the page stops listening instead of reconnecting for ever.
    expect(frames.filter((f) => f.event).map((f) => f.event)).toEqual(['undos', 'ledger', 'end']);
    const origin = new URL(view.url).origin;
    expect((await post(`${view.url}halt`, {}, { 'content-type': 'application/json', origin })).status).toBe(
      409,
    );
  });
});

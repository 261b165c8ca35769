import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeSmokeBrowser, smoke } from './smoke.ts';
import { createTestRun } from './testing/context.ts';
import { type ProbePlatform, startProbePlatform } from './testing/platform.ts';

let platform: ProbePlatform;
const publicUrl = (ctx: { target: { resources: { publicUrl: string } } }) => ctx.target.resources.publicUrl;

beforeAll(async () => {
  platform = await startProbePlatform(['api', 'frontend']);
});
afterAll(async () => {
  await closeSmokeBrowser();
  await platform?.close();
});

const isPng = (body: string | Uint8Array | undefined) =>
  body instanceof Uint8Array && Buffer.from(body.subarray(0, 8)).toString('hex') === '89504e470d0a1a0a';

describe('smoke in Chromium through the public URL', () => {
  it('places an order through the shop page and sees its confirmation, twice on one browser', async () => {
    const t = createTestRun({ publicUrl: platform.publicUrl }, 'run-smoke');
    const probe = smoke({ url: publicUrl, sku: 'LUN-PST-003', quantity: 2 });
    const first = await probe.check(t.ctx, { signal: t.ctx.signal });
    expect(first.detail).toBeUndefined();
    expect(first.ok).toBe(true);
    expect((first.data as { orderId: string }).orderId).toMatch(/^[0-9a-f-]{36}$/);
    expect((first.data as { consoleErrors: string[] }).consoleErrors).toEqual([]);
    const second = await probe.check(t.ctx, { signal: t.ctx.signal });
    expect(second.ok).toBe(true);
    expect(isPng(t.attachments.get('smoke-1.png')?.body)).toBe(true);
    expect(isPng(t.attachments.get('smoke-2.png')?.body)).toBe(true);
    expect(t.attachments.has('smoke-1-console.json')).toBe(false);
  }, 120_000); // the first launch of Chromium on a busy 2-core machine

  it('fails with what the shop shows when the API is down, attaching the screenshot and console errors', async () => {
    await platform.stopPod('api');
    const t = createTestRun({ publicUrl: platform.publicUrl }, 'run-smoke-down');
    const outcome = await smoke({ url: publicUrl }).check(t.ctx, { signal: t.ctx.signal });
    expect(outcome.ok).toBe(false);
    expect(outcome.detail).toBe(
      `smoke at ${platform.publicUrl}: the shop shows "Products are unavailable: no ready pod of luneo-api in eu-west-1" instead of products`,
    );
    expect(isPng(t.attachments.get('smoke-1.png')?.body)).toBe(true);
    expect(JSON.parse(String(t.attachments.get('smoke-1-console.json')?.body))).toEqual([
      'Failed to load resource: the server responded with a status of 503 (Service Unavailable)',
    ]);
  });

  it('says what to install when no browser is found', async () => {
    const t = createTestRun({ publicUrl: platform.publicUrl }, 'run-smoke-nobrowser');
    const saved = process.env.DRILL_BROWSER;
    process.env.DRILL_BROWSER = '/nonexistent/chromium';
    try {
      const outcome = await smoke({ url: publicUrl }).check(t.ctx, { signal: t.ctx.signal });
      expect(outcome).toMatchObject({
        ok: false,
        detail:
          'no browser for the smoke test (looked at DRILL_BROWSER=/nonexistent/chromium): install one: apt-get install -y chromium (or set DRILL_BROWSER to a Chromium executable)',
      });
    } finally {
      if (saved === undefined) delete process.env.DRILL_BROWSER;
      else process.env.DRILL_BROWSER = saved;
    }
  });
});

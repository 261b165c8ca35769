// smoke(): a real browser loads the shop through the public URL, places an order and sees its confirmation.
import type { Page } from 'playwright-core';
import { errorMessage } from '../core/errors.ts';
import type { Duration, ProbeDefinition, RunContext } from '../core/model.ts';
import { closeSmokeBrowser, findBrowser, INSTALL_HINT, sharedBrowser } from './browser.ts';
import { guardProbe, ProbeFailure } from './outcome.ts';
import { type FromContext, resolveOption, safeText } from './resolve.ts';
import { ms } from './timing.ts';

// It includes starting Chromium: 10 s on a quiet 2-core machine, past 30 s under load (an order confirmed just late).
export const SMOKE_TIMEOUT = '60s';
export { closeSmokeBrowser };

export interface SmokeOptions<R> {
  /** The public URL; the shop page is at its root. */
  url: FromContext<string, R>;
  /** Product to order (data-sku of a product card); default: the first card. */
  sku?: string;
  /** Default 1. */
  quantity?: number;
  /** Default "drill-<runId>@example.com". */
  email?: FromContext<string, R>;
  /** Default "smoke". */
  name?: string;
  /** Default "30s". */
  timeout?: Duration;
  /** Browser search (default: DRILL_BROWSER, system Chromium, Playwright's cache). */
  browserPath?: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Loads the shop, chooses a product, fills quantity and email, places the order and waits for the
 * confirmation with an order id. Attaches a screenshot (`<name>-<n>.png`) and, when there are any,
 * the page's console errors (`<name>-<n>-console.json`). The browser is shared across samples:
 * call `closeSmokeBrowser()` at the end of the run.
 */
export function smoke<R = unknown>(options: SmokeOptions<R>): ProbeDefinition<R> {
  const name = options.name ?? 'smoke';
  const timeout = options.timeout ?? SMOKE_TIMEOUT;
  let samples = 0;
  return {
    name,
    description: 'The shop page loads through the public URL and takes an order in a real browser',
    timeout,
    check: (ctx, { signal }) =>
      guardProbe(
        signal,
        { name, timeoutMs: ms(timeout, SMOKE_TIMEOUT), setting: `${name}.timeout` },
        async (run) => {
          const found = options.browserPath
            ? { path: options.browserPath, looked: [options.browserPath] }
            : findBrowser();
          if (!found.path) {
            throw new ProbeFailure(
              `no browser for the smoke test (looked at ${found.looked.join(', ')}): ${INSTALL_HINT}`,
            );
          }
          const url = await resolveOption(options.url, ctx);
          const email = options.email
            ? await resolveOption(options.email, ctx)
            : `drill-${ctx.runId}@example.com`;
          const sample = ++samples;
          const browser = await sharedBrowser(found.path);
          const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
          const closeOnAbort = () => void context.close().catch(() => {});
          run.signal.addEventListener('abort', closeOnAbort, { once: true });
          const consoleErrors: string[] = [];
          const page = await context.newPage();
          // Playwright gives up a little before the probe does, so the failure still gets its screenshot.
          const timeoutMs = ms(timeout, SMOKE_TIMEOUT);
          page.setDefaultTimeout(Math.max(500, timeoutMs - Math.min(2_000, timeoutMs / 4)));
          page.on('console', (message) => {
            if (message.type() === 'error') consoleErrors.push(safeText(message.text()));
          });
          page.on('pageerror', (error) => consoleErrors.push(safeText(error.message)));
          try {
            const orderId = await placeOrder(
              page,
              { url, email, sku: options.sku, quantity: options.quantity ?? 1 },
              run.data,
            );
            return { ok: true, data: { orderId, url: safeText(url), consoleErrors } };
          } catch (error) {
            if (signal.aborted || error instanceof ProbeFailure) throw error;
            const step = typeof run.data.step === 'string' ? run.data.step : 'the smoke test';
            throw new ProbeFailure(
              `smoke at ${safeText(url)}: ${step} failed: ${firstLine(errorMessage(error))}`,
            );
          } finally {
            run.signal.removeEventListener('abort', closeOnAbort);
            await attachEvidence(ctx, page, `${name}-${sample}`, consoleErrors);
            await context.close().catch(() => {});
          }
        },
      ),
  };
}

async function placeOrder(
  page: Page,
  o: { url: string; email: string; sku: string | undefined; quantity: number },
  progress: Record<string, unknown>,
): Promise<string> {
  progress.step = `loading ${safeText(o.url)}`;
  const response = await page.goto(o.url, { waitUntil: 'load' });
  if (response?.status() !== 200) {
    throw new ProbeFailure(
      `smoke at ${safeText(o.url)}: the shop page returned ${response?.status() ?? 'no response'}, expected 200`,
    );
  }
  progress.step = 'waiting for the product list';
  const listed = page.locator('[data-testid=product-card], [data-testid=product-list].error').first();
  await listed.waitFor();
  if ((await listed.getAttribute('data-testid')) !== 'product-card') {
    throw new ProbeFailure(
      `smoke at ${safeText(o.url)}: the shop shows "${(await listed.textContent())?.trim()}" instead of products`,
    );
  }
  progress.step = `choosing ${o.sku ?? 'the first product'}`;
  const card = o.sku
    ? page.locator(`[data-testid=product-card][data-sku="${o.sku}"]`)
    : page.getByTestId('product-card').first();
  await card.getByTestId('choose-product').click();
  progress.step = 'filling the order form';
  await page.getByTestId('quantity').fill(String(o.quantity));
  await page.getByTestId('email').fill(o.email);
  progress.step = 'placing the order';
  await page.getByTestId('place-order').click();
  progress.step = 'waiting for the order confirmation';
  const outcome = page
    .locator('[data-testid=order-confirmation]:visible, [data-testid=order-error]:visible')
    .first();
  await outcome.waitFor();
  if ((await outcome.getAttribute('data-testid')) === 'order-error') {
    throw new ProbeFailure(
      `smoke at ${safeText(o.url)}: the order was refused: "${(await outcome.textContent())?.trim()}"`,
    );
  }
  const orderId = ((await page.getByTestId('order-id').textContent()) ?? '').trim();
  if (!UUID.test(orderId)) {
    throw new ProbeFailure(
      `smoke at ${safeText(o.url)}: the confirmation shows order id "${orderId}", expected a UUID`,
    );
  }
  return orderId;
}

async function attachEvidence<R>(
  ctx: RunContext<R>,
  page: Page,
  base: string,
  consoleErrors: string[],
): Promise<void> {
  try {
    const png = await page.screenshot({ fullPage: true, timeout: 5_000 });
    await ctx.attach(`${base}.png`, 'image/png', png);
  } catch (error) {
    ctx.log.warn(`smoke: no screenshot for ${base}: ${firstLine(errorMessage(error))}`);
  }
  if (consoleErrors.length > 0) {
    await ctx.attach(`${base}-console.json`, 'application/json', JSON.stringify(consoleErrors, null, 2));
  }
}

function firstLine(text: string): string {
  return text.split('\n')[0]!.trim();
}

// Test helper: a report file opened in headless Chromium, with everything that went wrong while it loaded
// (console errors, page errors, failed or remote requests), and screenshots kept twice: as an Allure
// attachment of the running test and as a PNG in the test's out dir.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { attachment } from 'allure-js-commons';
import { type Browser, chromium, type Locator, type Page } from 'playwright-core';
import { findBrowser, launchArgs } from '../../probes/browser.ts';

export interface ReportPage {
  page: Page;
  /** Console errors, uncaught page errors and failed requests, in the order seen. */
  problems: string[];
  /** innerText of the body: the text as rendered, line breaks included. */
  text(): Promise<string>;
  /** Full-page PNG, attached to the current Allure test and written to `<dir>/<name>.png`. */
  screenshot(name: string): Promise<string>;
}

/** The text as rendered: line breaks between blocks, tabs between table cells (textContent has neither). */
// biome-ignore lint/performance/useDomNodeTextContent: the rendered text is what a reader sees
export const renderedText = (locator: Locator): Promise<string> => locator.innerText();

export async function launchChromium(): Promise<Browser> {
  const found = findBrowser();
  if (!found.path) throw new Error(`no Chromium: looked at ${found.looked.join(', ')}`);
  return chromium.launch({ executablePath: found.path, args: launchArgs() });
}

/** Opens `file` (file://) in a fresh page; anything remote is refused at once and counted as a problem. */
export async function openReport(browser: Browser, file: string, screenshotDir: string): Promise<ReportPage> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console error: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${String(e)}`));
  page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()} (${r.failure()?.errorText})`));
  // This machine has no network beyond localhost: a remote fetch would hang, so fail it fast and say what it was.
  await page.route(/^https?:/, (route) => {
    problems.push(`remote request: ${route.request().url()}`);
    return route.abort();
  });
  await page.goto(pathToFileURL(file).href, { timeout: 60_000 });
  mkdirSync(screenshotDir, { recursive: true });
  return {
    page,
    problems,
    text: () => renderedText(page.locator('body')),
    async screenshot(name) {
      const png = await page.screenshot({ fullPage: true });
      const path = join(screenshotDir, `${name}.png`);
      writeFileSync(path, png);
      await attachment(`${name}.png`, png, 'image/png');
      return path;
    },
  };
}

/**
 * The red and green pixels of a PNG (a channel clearly above the other two: antialiased edges of a 1 px dashed
 * line count too), decoded and counted by the browser itself on a canvas; the script is a string because this
 * file is typed for Node, not the DOM.
 */
export function redAndGreen(page: ReportPage, png: Buffer): Promise<{ red: number; green: number }> {
  const src = `data:image/png;base64,${png.toString('base64')}`;
  return page.page.evaluate(`(async () => {
    const img = new Image();
    img.src = ${JSON.stringify(src)};
    await img.decode();
    const canvas = document.createElement('canvas');
    canvas.width = img.width;
    canvas.height = img.height;
    const ctx = canvas.getContext('2d');
    ctx.drawImage(img, 0, 0);
    const d = ctx.getImageData(0, 0, img.width, img.height).data;
    let red = 0;
    let green = 0;
    for (let i = 0; i < d.length; i += 4) {
      if (d[i] > d[i + 1] + 60 && d[i] > d[i + 2] + 60) red += 1;
      if (d[i + 1] > d[i] + 40 && d[i + 1] > d[i + 2] + 20) green += 1;
    }
    return { red, green };
  })()`) as Promise<{ red: number; green: number }>;
}

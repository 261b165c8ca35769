// Prints an HTML file to PDF with headless Chromium (playwright-core), collecting the page's console errors.
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { DrillError } from '../../core/errors.ts';
import { findBrowser, INSTALL_HINT, launchArgs } from '../../probes/browser.ts';

export interface PrintResult {
  /** console.error messages, page errors and failed requests seen while loading the HTML: a clean report has none. */
  consoleErrors: string[];
}

export async function printPdf(
  htmlFile: string,
  pdfFile: string,
  screenshotFile?: string,
): Promise<PrintResult> {
  const found = findBrowser();
  if (!found.path) {
    throw new DrillError(
      'E_NOT_FOUND',
      `no Chromium to print the compliance PDF (looked at ${found.looked.join(', ')}): ${INSTALL_HINT}`,
    );
  }
  const browser = await chromium.launch({ executablePath: found.path, args: launchArgs(), headless: true });
  try {
    const page = await browser.newPage();
    const consoleErrors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
    page.on('pageerror', (e) => consoleErrors.push(e.message));
    // The report is self-contained: any request that fails (a missing local file, anything remote) is an error too.
    page.on('requestfailed', (r) =>
      consoleErrors.push(`request failed: ${r.url()} (${r.failure()?.errorText})`),
    );
    await page.goto(pathToFileURL(htmlFile).href, { waitUntil: 'load' });
    if (screenshotFile) await page.screenshot({ path: screenshotFile, fullPage: true });
    await page.pdf({
      path: pdfFile,
      format: 'A4',
      printBackground: true,
      preferCSSPageSize: true,
    });
    return { consoleErrors };
  } finally {
    await browser.close();
  }
}

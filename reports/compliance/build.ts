// buildComplianceReport: history → compliance.{html,md,json,pdf}. `pnpm report` and reports/compliance/cli.ts call it.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderHtml } from './html.ts';
import { renderMarkdown } from './markdown.ts';
import { printPdf } from './pdf.ts';
import { readRecords } from './store.ts';
import { type ComplianceSummary, summarizeHistory } from './summary.ts';
import { type VerifyReport, verifyHistory } from './verify.ts';

export const REPORT_BASENAME = 'compliance';

export interface ComplianceBuildOptions {
  historyDir: string;
  outDir: string;
  /** "Now" for due dates and overdue flags (default: the real time). */
  now?: Date;
  /** Print the PDF with headless Chromium (default true). */
  pdf?: boolean;
  /** Screenshot of the HTML as Chromium rendered it (while printing the PDF). */
  screenshot?: string;
  /** The chain hash a previous run published; a shorter chain then shows as tampering. */
  expectedHead?: string;
}

export interface ComplianceReportFiles {
  html: string;
  md: string;
  json: string;
  pdf: string | null;
  /** Console errors Chromium saw while loading the HTML ([] when clean or not printed). */
  consoleErrors: string[];
  verify: VerifyReport;
  summary: ComplianceSummary;
}

export async function buildComplianceReport(opts: ComplianceBuildOptions): Promise<ComplianceReportFiles> {
  const now = opts.now ?? new Date();
  const verify = verifyHistory(opts.historyDir, opts.expectedHead);
  const summary = summarizeHistory(readRecords(opts.historyDir), now);
  mkdirSync(opts.outDir, { recursive: true });
  const file = (ext: string) => join(opts.outDir, `${REPORT_BASENAME}.${ext}`);
  writeFileSync(file('html'), renderHtml(summary, verify));
  writeFileSync(file('md'), renderMarkdown(summary, verify));
  writeFileSync(file('json'), `${JSON.stringify({ summary, verify }, null, 2)}\n`);
  let consoleErrors: string[] = [];
  if (opts.pdf !== false) ({ consoleErrors } = await printPdf(file('html'), file('pdf'), opts.screenshot));
  return {
    html: file('html'),
    md: file('md'),
    json: file('json'),
    pdf: opts.pdf === false ? null : file('pdf'),
    consoleErrors,
    verify,
    summary,
  };
}

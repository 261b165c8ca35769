// Writes one run's run report (HTML, Markdown, timeline SVG) and post-mortem draft into a directory.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Redactor } from '../../core/redact.ts';
import { renderPostmortem } from '../postmortem/markdown.ts';
import type { RunBundle } from './facts.ts';
import { renderRunHtml } from './html.ts';
import { renderRunMarkdown } from './markdown.ts';
import type { RunbookLinker } from './runbook-links.ts';
import { timelineSvg } from './timeline-svg.ts';

export const RUN_REPORT_FILES = {
  html: 'run-report.html',
  markdown: 'run-report.md',
  timeline: 'timeline.svg',
  postmortem: 'postmortem.md',
} as const;

/** Writes the files and returns their paths (the timeline only when a fault was injected). */
export function writeRunReports(bundle: RunBundle, outDir: string, link?: RunbookLinker): string[] {
  mkdirSync(outDir, { recursive: true });
  // Last line of defence: whatever a renderer printed goes through the same redaction as result.json.
  const redactor = new Redactor();
  const written: string[] = [];
  const put = (name: string, text: string) => {
    const path = join(outDir, name);
    writeFileSync(path, redactor.redactText(text));
    written.push(path);
  };
  const svg = timelineSvg(bundle.result);
  if (svg) put(RUN_REPORT_FILES.timeline, `<?xml version="1.0" encoding="UTF-8"?>\n${svg}\n`);
  put(RUN_REPORT_FILES.html, renderRunHtml(bundle, { ...(link ? { link } : {}) }));
  put(
    RUN_REPORT_FILES.markdown,
    renderRunMarkdown(bundle, {
      ...(link ? { link } : {}),
      ...(svg ? { timelineFile: RUN_REPORT_FILES.timeline } : {}),
    }),
  );
  put(RUN_REPORT_FILES.postmortem, renderPostmortem(bundle));
  return written;
}

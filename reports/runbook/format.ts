// The runbook traceability report as a text table for people and as JSON for machines.
import type { RunbookFinding } from '../../core/model.ts';
import { COVERAGE_KINDS, type CoverageKind } from '../../core/runbook-coverage.ts';
import type { CoverageReport, CoverageRow } from './check.ts';
import { plainText } from './parse.ts';

export interface CoverageSummary {
  lines: number;
  byKind: Record<CoverageKind | 'uncovered', number>;
  /** Stale entries plus rows with a stale reference or an ambiguous match. */
  stale: number;
}

const LABEL: Record<CoverageKind | 'uncovered', string> = {
  steps: 'steps',
  fault: 'fault injection',
  probes: 'probes',
  manual: 'manual',
  engine: 'engine',
  rejected: 'rejected',
  notAutomatable: 'not automatable',
  planned: 'planned',
  uncovered: 'UNCOVERED',
};

const LINE_WIDTH = 56;

export function summarize(report: CoverageReport): CoverageSummary {
  const byKind = Object.fromEntries(
    [...COVERAGE_KINDS, 'uncovered'].map((k) => [k, 0]),
  ) as CoverageSummary['byKind'];
  for (const row of report.rows) byKind[row.kind] += 1;
  const stale = report.stale.length + report.rows.filter((r) => r.problems.length > 0).length;
  return { lines: report.rows.length, byKind, stale };
}

/** Every line covered or explained, and no reference stale. */
export function isClean(summary: CoverageSummary): boolean {
  return summary.byKind.uncovered === 0 && summary.stale === 0;
}

/** "70 lines: covered by steps 30, …, uncovered 0; stale 0". */
export function formatSummary(s: CoverageSummary): string {
  const k = s.byKind;
  return (
    `${s.lines} lines: covered by steps ${k.steps}, fault injection ${k.fault}, probes ${k.probes}, ` +
    `manual ${k.manual}, engine ${k.engine}; rejected ${k.rejected}, not automatable ${k.notAutomatable}, ` +
    `planned ${k.planned}, uncovered ${k.uncovered}; stale ${s.stale}`
  );
}

/** "aurora-outage/promotion", "region-outage/promotion" → "promotion [aurora-outage, region-outage]". */
export function groupRefs(by: string[]): string {
  const groups = new Map<string, string[]>();
  for (const ref of by) {
    const slash = ref.indexOf('/');
    const [scenario, what] =
      slash < 0 || ref.startsWith('core/') ? ['', ref] : [ref.slice(0, slash), ref.slice(slash + 1)];
    groups.set(what, [...(groups.get(what) ?? []), ...(scenario ? [scenario] : [])]);
  }
  return [...groups]
    .map(([what, scenarios]) => (scenarios.length ? `${what} [${scenarios.join(', ')}]` : what))
    .join(', ');
}

function shorten(text: string, width: number): string {
  return text.length <= width ? text : `${text.slice(0, width - 1)}…`;
}

function how(row: CoverageRow): string {
  return row.kind === 'planned' && row.planned ? `planned (${row.planned})` : LABEL[row.kind];
}

/** The readable table, the findings it cites, stale entries and the summary. */
export function formatText(report: CoverageReport, runbookPath: string): string {
  const findings: RunbookFinding[] = [];
  const ids = (row: CoverageRow) =>
    row.findings
      .map((f) => {
        if (!findings.includes(f)) findings.push(f);
        return `F${findings.indexOf(f) + 1}`;
      })
      .join(' ');
  const table = report.rows.map((row) => ({ row, how: how(row), findings: ids(row), by: groupRefs(row.by) }));
  const w = {
    section: Math.max(7, ...table.map((t) => t.row.section.length)),
    how: Math.max(3, ...table.map((t) => t.how.length)),
    findings: Math.max(8, ...table.map((t) => t.findings.length)),
  };
  const cols = (section: string, line: string, h: string, f: string, by: string) =>
    `${section.padEnd(w.section)}  ${line.padEnd(LINE_WIDTH)}  ${h.padEnd(w.how)}  ${f.padEnd(w.findings)}  ${by}`.trimEnd();

  const out = [
    `Runbook traceability: ${runbookPath}`,
    '',
    cols('Section', 'Runbook line', 'How', 'Findings', 'By'),
  ];
  for (const t of table) {
    out.push(cols(t.row.section, shorten(plainText(t.row.text), LINE_WIDTH), t.how, t.findings, t.by));
    if (t.row.why) out.push(`${' '.repeat(w.section + 2)}why: ${t.row.why}`);
    for (const p of t.row.problems) out.push(`${' '.repeat(w.section + 2)}STALE: ${p}`);
  }
  if (findings.length > 0) {
    out.push('', 'Findings (where the runbook is wrong or misleading)');
    findings.forEach((f, i) => {
      out.push(`F${i + 1} [${f.severity}] ${f.runbook} says: ${f.says}`, `   actually: ${f.actually}`);
    });
  }
  if (report.stale.length > 0) {
    out.push('', 'Stale coverage entries');
    for (const s of report.stale) out.push(`${s.section} "${s.fragment}": ${s.problem}`);
  }
  const summary = summarize(report);
  out.push('', formatSummary(summary));
  if (!isClean(summary)) {
    out.push(
      'Not every line is traced: cover each UNCOVERED line and fix each STALE reference in the coverage map',
    );
  }
  return `${out.join('\n')}\n`;
}

export function formatJson(report: CoverageReport, runbookPath: string): string {
  const summary = summarize(report);
  return `${JSON.stringify({ runbook: runbookPath, ok: isClean(summary), summary, rows: report.rows, stale: report.stale }, null, 2)}\n`;
}

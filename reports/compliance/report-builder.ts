// The compliance report as one of `pnpm report`'s builders: records the reported runs in the history, then builds.
import { join } from 'node:path';
import { isExecutedDrill } from '../../core/runner/outcome.ts';
import type { RunResult } from '../../core/runner/result-schema.ts';
import { buildComplianceReport } from './build.ts';
import { ingestRun, readRecords } from './store.ts';

/** `pnpm report` writes the compliance report into <report out dir>/compliance/. */
export const COMPLIANCE_SUBDIR = 'compliance';

/** Env var naming the history directory CI keeps between runs. */
export const HISTORY_ENV = 'DRILL_COMPLIANCE_HISTORY';

/** $DRILL_COMPLIANCE_HISTORY, else <outRoot>/compliance-history. */
export const historyDirOf = (outRoot: string, env: NodeJS.ProcessEnv = process.env): string =>
  env[HISTORY_ENV] || join(outRoot, 'compliance-history');

export interface ComplianceBuilderContext {
  runs: { runDir: string; result: RunResult }[];
  outDir: string;
  outRoot: string;
}

/** Same shape as reports/cli.ts ReportBuilder: add it to REPORT_BUILDERS. */
export const complianceReportBuilder = {
  name: 'compliance report',
  async build(ctx: ComplianceBuilderContext): Promise<string[]> {
    const historyDir = historyDirOf(ctx.outRoot);
    const known = new Set(readRecords(historyDir).map((r) => r.run.runId));
    for (const run of ctx.runs) {
      // Dry and refused runs executed nothing: no evidence to keep, no due date moved.
      if (!isExecutedDrill(run.result) || known.has(run.result.runId)) continue;
      ingestRun({ historyDir, runDir: run.runDir });
    }
    const files = await buildComplianceReport({ historyDir, outDir: join(ctx.outDir, COMPLIANCE_SUBDIR) });
    if (files.consoleErrors.length > 0) {
      throw new Error(`the compliance HTML logged console errors: ${files.consoleErrors.join('; ')}`);
    }
    return [files.html, files.md, files.json, ...(files.pdf ? [files.pdf] : [])];
  },
};

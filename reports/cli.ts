// `pnpm report [run-id|--all] [--out dir]`: the run report, the post-mortem draft and the Allure HTML of the latest
// run (or of one, or of all), built offline, then every other report in REPORT_BUILDERS. Prints the paths it wrote.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Command, CommanderError } from 'commander';
import { DrillError, errorMessage } from '../core/errors.ts';
import { RESULT_FILE } from '../core/runner/report.ts';
import { buildAllureHtml } from './allure/build.ts';
import { complianceReportBuilder } from './compliance/report-builder.ts';
import { loadRun, type RunBundle } from './run/facts.ts';
import { projectRunbookLinker, type RunbookLinker } from './run/runbook-links.ts';
import { writeRunReports } from './run/write.ts';

export interface ReportContext {
  /** The runs to report on, oldest first. */
  runs: RunBundle[];
  /** Where this invocation writes. */
  outDir: string;
  /** The drill output root (holds runs/), e.g. "out". */
  outRoot: string;
  link?: RunbookLinker;
}

/** One report kind: writes under ctx.outDir and returns the paths it wrote. */
export interface ReportBuilder {
  name: string;
  build(ctx: ReportContext): Promise<string[]>;
}

/** Per run: run report (HTML, Markdown, SVG) and post-mortem draft, in <out>/<run-id>/ when there are several. */
export const runReports: ReportBuilder = {
  name: 'run report and post-mortem draft',
  async build(ctx) {
    const several = ctx.runs.length > 1;
    return ctx.runs.flatMap((run) =>
      writeRunReports(run, several ? join(ctx.outDir, run.result.runId) : ctx.outDir, ctx.link),
    );
  },
};

/** One Allure HTML over every selected run's allure-results. */
export const allureHtml: ReportBuilder = {
  name: 'Allure HTML',
  async build(ctx) {
    const dirs = ctx.runs.map((r) => join(r.runDir, 'allure-results'));
    const name =
      ctx.runs.length === 1 ? `DR drill ${ctx.runs[0]?.result.runId}` : `DR drills (${ctx.runs.length} runs)`;
    return [await buildAllureHtml(dirs, join(ctx.outDir, 'allure'), { name })];
  },
};

/**
 * The reports `pnpm report` builds, in order; add a builder here to add a report. The compliance builder records
 * the selected runs in the history ($DRILL_COMPLIANCE_HISTORY, else <out>/compliance-history) and reports on it all.
 */
export const REPORT_BUILDERS: ReportBuilder[] = [runReports, allureHtml, complianceReportBuilder];

/** Run directories under <outRoot>/runs that finished (have a result.json), oldest first by result time. */
export function finishedRuns(outRoot: string): string[] {
  const runsDir = join(outRoot, 'runs');
  if (!existsSync(runsDir)) return [];
  return readdirSync(runsDir)
    .map((name) => join(runsDir, name))
    .filter((dir) => existsSync(join(dir, RESULT_FILE)))
    .map((dir) => ({ dir, at: statSync(join(dir, RESULT_FILE)).mtimeMs }))
    .sort((a, b) => a.at - b.at || a.dir.localeCompare(b.dir))
    .map((r) => r.dir);
}

/** A run id (under <outRoot>/runs) or a run directory; else the latest finished run; --all: every one. */
export function selectRuns(outRoot: string, opts: { runId?: string; all?: boolean }): string[] {
  if (opts.runId && opts.all) throw new DrillError('E_USAGE', 'give a run id or --all, not both');
  if (opts.runId) {
    const asDir = resolve(opts.runId);
    const dir = existsSync(join(asDir, RESULT_FILE)) ? asDir : join(outRoot, 'runs', opts.runId);
    if (!existsSync(join(dir, RESULT_FILE))) {
      const known = finishedRuns(outRoot)
        .map((d) => basename(d))
        .slice(-5);
      throw new DrillError(
        'E_NOT_FOUND',
        `no run "${opts.runId}" in ${join(outRoot, 'runs')}${known.length ? `; latest runs: ${known.join(', ')}` : ''}`,
      );
    }
    return [dir];
  }
  const runs = finishedRuns(outRoot);
  if (runs.length === 0)
    throw new DrillError(
      'E_NOT_FOUND',
      `no finished run in ${join(outRoot, 'runs')}: run a drill first (pnpm drill <scenario>)`,
    );
  return opts.all ? runs : runs.slice(-1);
}

export interface ReportOptions {
  runId?: string;
  all?: boolean;
  out?: string;
  /** The drill output root; default $DRILL_OUT_DIR or "out". */
  outRoot?: string;
  builders?: ReportBuilder[];
}

/** Builds every report; returns the paths written. A failing builder does not stop the others: it is reported. */
export async function buildReports(
  opts: ReportOptions = {},
): Promise<{ written: string[]; failures: { builder: string; message: string }[] }> {
  const outRoot = resolve(opts.outRoot ?? process.env.DRILL_OUT_DIR ?? 'out');
  const dirs = selectRuns(outRoot, {
    ...(opts.runId ? { runId: opts.runId } : {}),
    ...(opts.all ? { all: true } : {}),
  });
  const runs = dirs.map(loadRun);
  const single = runs.length === 1 ? runs[0]?.result.runId : 'all';
  const outDir = resolve(opts.out ?? join(outRoot, 'reports', single ?? 'all'));
  let link: RunbookLinker | undefined;
  try {
    link = projectRunbookLinker();
  } catch {
    link = undefined; // no runbook at hand: sections are shown without links
  }
  const ctx: ReportContext = { runs, outDir, outRoot, ...(link ? { link } : {}) };
  const written: string[] = [];
  const failures: { builder: string; message: string }[] = [];
  for (const builder of opts.builders ?? REPORT_BUILDERS) {
    try {
      written.push(...(await builder.build(ctx)));
    } catch (error) {
      failures.push({ builder: builder.name, message: errorMessage(error) });
    }
  }
  return { written, failures };
}

export async function main(argv: string[]): Promise<number> {
  const cli = new Command('report')
    .description('build the run report, post-mortem draft and Allure HTML of the latest run (offline)')
    .argument('[run-id]', 'a run id under out/runs (or a run directory); default: the latest run')
    .option('--all', 'every finished run under out/runs')
    .option('--out <dir>', 'where to write (default out/reports/<run-id>, or out/reports/all)')
    .exitOverride();
  try {
    cli.parse(argv, { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    throw error;
  }
  const o = cli.opts<{ all?: boolean; out?: string }>();
  const runId = cli.args[0];
  try {
    const { written, failures } = await buildReports({
      ...(runId ? { runId } : {}),
      ...(o.all ? { all: true } : {}),
      ...(o.out ? { out: o.out } : {}),
    });
    for (const path of written) process.stdout.write(`${path}\n`);
    for (const f of failures) process.stderr.write(`report: ${f.builder} failed: ${f.message}\n`);
    return failures.length ? 1 : 0;
  } catch (error) {
    process.stderr.write(`report: ${errorMessage(error)}\n`);
    return error instanceof DrillError && (error.code === 'E_USAGE' || error.code === 'E_NOT_FOUND') ? 2 : 4;
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  process.exitCode = await main(process.argv.slice(2));
}

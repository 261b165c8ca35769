// `pnpm drill runbook`: every actionable line of the runbook §4–§13, and what rehearses it or why nothing does.
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DrillError } from '../../core/errors.ts';
import type { Scenario } from '../../core/model.ts';
import { loadModule, PROJECT_ROOT, scenarioNames } from '../../core/registry.ts';
import type { CoverageEntry } from '../../core/runbook-coverage.ts';
import { type CoverageReport, checkCoverage, type ScenarioLoader } from './check.ts';
import { formatJson, formatText, isClean, summarize } from './format.ts';
import { linesInRange, parseRunbook } from './parse.ts';

export const RUNBOOK_ENV = 'DRILL_RUNBOOK';
/** The runbook's actionable part. */
export const RUNBOOK_SECTIONS = { from: 4, to: 13 } as const;

/** The scenarios `pnpm drill list` shows, imported on demand; undefined for a name with no file. */
export const loadScenario: ScenarioLoader = async (name) => {
  if (!scenarioNames().includes(name)) return undefined;
  return (await loadModule('scenario', name)).value as Scenario;
};

/** --runbook, else $DRILL_RUNBOOK, else runbooks/RUNBOOK_DR_MULTI_REGION.md in the repository. */
export function runbookPathOf(explicit?: string, env: NodeJS.ProcessEnv = process.env): string {
  const given = explicit ?? env[RUNBOOK_ENV];
  // Luneo's runbook is kept in the repository (runbooks/), so traceability works from any clone.
  const path = given ? resolve(given) : join(PROJECT_ROOT, 'runbooks', 'RUNBOOK_DR_MULTI_REGION.md');
  if (!existsSync(path)) {
    throw new DrillError(
      'E_NOT_FOUND',
      `runbook not found at ${path}: set ${RUNBOOK_ENV}=<path to RUNBOOK_DR_MULTI_REGION.md>${given ? '' : ' (the default is runbooks/RUNBOOK_DR_MULTI_REGION.md in the repository)'}`,
    );
  }
  return path;
}

/** Parses the runbook text and checks the map against it and the scenarios. */
export async function traceRunbook(
  markdown: string,
  entries: CoverageEntry[],
  load: ScenarioLoader = loadScenario,
): Promise<CoverageReport> {
  const lines = linesInRange(parseRunbook(markdown), RUNBOOK_SECTIONS.from, RUNBOOK_SECTIONS.to);
  return checkCoverage(lines, entries, load);
}

/**
 * Checks an app's coverage map (the CLI hands in Luneo's) against the runbook; exit code 1 when a line is uncovered
 * or a reference is stale, else 0.
 */
export async function runbookCommand(
  coverage: CoverageEntry[],
  opts: { runbookPath?: string; json?: boolean } = {},
): Promise<{ text: string; exitCode: number }> {
  const path = runbookPathOf(opts.runbookPath);
  const report = await traceRunbook(readFileSync(path, 'utf8'), coverage);
  const text = opts.json ? formatJson(report, path) : formatText(report, path);
  return { text, exitCode: isClean(summarize(report)) ? 0 : 1 };
}

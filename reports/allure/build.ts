// Builds the Allure 3 HTML report offline from one or more runs' allure-results (`allure awesome`).
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { DrillError } from '../../core/errors.ts';
import { PROJECT_ROOT } from '../../core/registry.ts';
import { outcomeLabel, type RunOutcome, runOutcome } from '../../core/runner/outcome.ts';
import { RESULT_FILE } from '../../core/runner/report.ts';
import type { RunResult } from '../../core/runner/result-schema.ts';
import { drillLabels } from './evidence.ts';

const exec = promisify(execFile);

/** The Allure 3 CLI the project pins (devDependency `allure`). */
export function allureCli(): string {
  // Its package exports no ./package.json nor ./cli.js: find the bin where pnpm installed it.
  const cli = join(PROJECT_ROOT, 'node_modules', 'allure', 'cli.js');
  if (!existsSync(cli))
    throw new DrillError('E_NOT_FOUND', `${cli} is missing: run pnpm install (devDependency allure)`);
  return cli;
}

// Allure 3's awesome plugin always embeds Google Analytics (ALLURE_NO_ANALYTICS only reaches the allure2 plugin):
// an offline report must fetch nothing, and a drill report must not call home.
const ANALYTICS =
  /\s*<script async src="https:\/\/www\.googletagmanager\.com\/gtag\/js[^"]*"><\/script>\s*<script>[^<]*?gtag\('config'[^<]*?<\/script>/;

/** The report page without its analytics scripts; throws if any other remote script is left. */
export function stripAnalytics(html: string): string {
  const out = html.replace(ANALYTICS, '');
  const remote = /<script[^>]+src="https?:\/\/[^"]+"/.exec(out);
  if (remote) throw new DrillError('E_INTERNAL', `the Allure report loads a remote script: ${remote[0]}`);
  return out;
}

/** Result directories that hold at least one result file (a run killed early may have none). */
export function usableResultsDirs(dirs: string[]): string[] {
  return dirs.filter((d) => existsSync(d) && readdirSync(d).some((f) => f.endsWith('-result.json')));
}

interface AllureResultFile {
  historyId?: string;
  status?: string;
  statusDetails?: { message?: string; trace?: string };
  labels?: { name: string; value: string }[];
}

/**
 * What a test of a run may show, given the run's outcome: a run that executed nothing (planned, refused) is
 * skipped, never green; a run that never concluded (aborted, interrupted) is broken where its test passed.
 */
export function statusForOutcome(
  outcome: RunOutcome,
  status: string | undefined,
  reason: string,
): Pick<AllureResultFile, 'status' | 'statusDetails'> | undefined {
  const message = `${outcomeLabel(outcome)}: ${reason}`;
  if (outcome === 'planned' || outcome === 'refused')
    return { status: 'skipped', statusDetails: { message } };
  if ((outcome === 'aborted' || outcome === 'interrupted') && (status === 'passed' || status === undefined))
    return { status: 'broken', statusDetails: { message } };
  return undefined;
}

function readRunResult(runDir: string): RunResult | undefined {
  const file = join(runDir, RESULT_FILE);
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as RunResult) : undefined;
}

const tagsOf = (run: RunResult | undefined): string[] =>
  run ? [`outcome:${runOutcome(run)}`, `target:${run.target.kind}`] : ['outcome:unfinished'];

/**
 * One Allure result for a run that wrote none (killed, then recovered by `drill rollback`; or run --in-process):
 * its outcome, reason and phases, so `pnpm report --all` shows every run.
 */
export function runOnlyResult(runDir: string, run: RunResult): Record<string, unknown> {
  const outcome = runOutcome(run);
  const label = outcomeLabel(outcome);
  const started = Date.parse(run.startedAt);
  const phaseStatus = { ok: 'passed', failed: 'failed', aborted: 'broken', skipped: 'skipped' } as const;
  return {
    uuid: createHash('sha256').update(runDir).digest('hex').slice(0, 32),
    historyId: `drill:${run.scenario.name}:${run.target.name}:${run.runId}`,
    name: `drill ${run.scenario.name} on ${run.target.name}: ${label}`,
    fullName: `drill ${run.scenario.name} on ${run.target.name}`,
    status: outcome === 'passed' ? 'passed' : outcome === 'failed' ? 'failed' : 'broken',
    statusDetails: { message: `${label}: ${run.reason}` },
    ...statusForOutcome(outcome, undefined, run.reason),
    stage: 'finished',
    start: started,
    stop: Date.parse(run.endedAt),
    labels: [
      ...drillLabels({ scenario: run.scenario.name, target: run.target.name, kind: run.target.kind }, 'run'),
      ...tagsOf(run).map((value) => ({ name: 'tag', value })),
    ],
    parameters: [{ name: 'run id', value: run.runId, excluded: true }],
    steps: run.phases.map((p) => ({
      name: `phase: ${p.phase}`,
      status: phaseStatus[p.status],
      stage: 'finished',
      start: started + p.startMs,
      stop: started + p.endMs,
      ...(p.detail ? { statusDetails: { message: p.detail } } : {}),
      steps: [],
      attachments: [],
      parameters: [],
    })),
    attachments: [],
  };
}

/**
 * One run's results as a report of several runs needs them: Allure takes results that share a history id for
 * retries of one test, so each run's ids carry its run id (separate runs are not retries); and tags for the
 * run's outcome and target kind, so the report filters dry, refused, lab and live runs apart.
 */
export function stageRunResults(resultsDir: string, into: string): void {
  const runDir = dirname(resultsDir);
  const runId = basename(runDir);
  const run = readRunResult(runDir);
  const tags = tagsOf(run);
  mkdirSync(into, { recursive: true });
  if (run && usableResultsDirs([resultsDir]).length === 0) {
    const only = runOnlyResult(runDir, run);
    writeFileSync(join(into, `${only.uuid}-result.json`), JSON.stringify(only));
    return;
  }
  for (const name of readdirSync(resultsDir)) {
    if (!name.endsWith('-result.json')) {
      copyFileSync(join(resultsDir, name), join(into, name));
      continue;
    }
    const result = JSON.parse(readFileSync(join(resultsDir, name), 'utf8')) as AllureResultFile;
    if (result.historyId) result.historyId = `${result.historyId}:${runId}`;
    result.labels = [...(result.labels ?? []), ...tags.map((value) => ({ name: 'tag', value }))];
    if (run) Object.assign(result, statusForOutcome(runOutcome(run), result.status, run.reason));
    writeFileSync(join(into, name), JSON.stringify(result));
  }
}

/**
 * `allure awesome <dirs…> -o <outDir> --single-file`: one index.html that opens from disk with no server
 * and no network (its analytics removed). Returns the path of index.html.
 */
export async function buildAllureHtml(
  resultsDirs: string[],
  outDir: string,
  opts: { name?: string; timeoutMs?: number } = {},
): Promise<string> {
  // A run that wrote no Allure results but has a result.json (killed then rolled back, or --in-process) is shown too.
  const dirs = resultsDirs.filter(
    (d) => usableResultsDirs([d]).length > 0 || readRunResult(dirname(d)) !== undefined,
  );
  if (dirs.length === 0) {
    throw new DrillError(
      'E_NOT_FOUND',
      `no Allure results in ${resultsDirs.join(', ')}: the run wrote none (was it started with \`pnpm drill <scenario>\`?)`,
    );
  }
  mkdirSync(outDir, { recursive: true });
  const staging = mkdtempSync(join(tmpdir(), 'drill-allure-'));
  const staged = dirs.map((dir, i) => {
    const into = join(staging, String(i));
    stageRunResults(dir, into);
    return into;
  });
  const args = [allureCli(), 'awesome', ...staged, '-o', outDir, '--single-file'];
  if (opts.name) args.push('--name', opts.name);
  try {
    await exec(process.execPath, args, {
      timeout: opts.timeoutMs ?? 120_000,
      env: { ...process.env, NO_COLOR: '1' },
    });
  } catch (error) {
    const e = error as { stderr?: string; message: string };
    throw new DrillError(
      'E_INTERNAL',
      `allure awesome failed for ${dirs.join(', ')}: ${(e.stderr || e.message).trim().slice(0, 500)}`,
      { cause: error },
    );
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  const index = join(outDir, 'index.html');
  if (!existsSync(index)) throw new DrillError('E_INTERNAL', `allure awesome wrote no ${index}`);
  writeFileSync(index, stripAnalytics(readFileSync(index, 'utf8')));
  return index;
}

// Builds the Allure 3 HTML report offline from one or more runs' allure-results (`allure awesome`).
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DrillError } from '../../core/errors.ts';
import { PROJECT_ROOT } from '../../core/registry.ts';

const run = promisify(execFile);

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

/**
 * `allure awesome <dirs…> -o <outDir> --single-file`: one index.html that opens from disk with no server
 * and no network (its analytics removed). Returns the path of index.html.
 */
export async function buildAllureHtml(
  resultsDirs: string[],
  outDir: string,
  opts: { name?: string; timeoutMs?: number } = {},
): Promise<string> {
  const dirs = usableResultsDirs(resultsDirs);
  if (dirs.length === 0) {
    throw new DrillError(
      'E_NOT_FOUND',
      `no Allure results in ${resultsDirs.join(', ')}: the run wrote none (was it started with \`pnpm drill <scenario>\`?)`,
    );
  }
  mkdirSync(outDir, { recursive: true });
  const args = [allureCli(), 'awesome', ...dirs, '-o', outDir, '--single-file'];
  if (opts.name) args.push('--name', opts.name);
  try {
    await run(process.execPath, args, {
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
  }
  const index = join(outDir, 'index.html');
  if (!existsSync(index)) throw new DrillError('E_INTERNAL', `allure awesome wrote no ${index}`);
  writeFileSync(index, stripAnalytics(readFileSync(index, 'utf8')));
  return index;
}

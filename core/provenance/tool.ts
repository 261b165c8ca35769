// Which build of the tool ran: its version (package.json) and the git commit of its checkout, and the CI run that
// started it. Recorded in every result.json and printed by `drill --version`.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../registry.ts';

export interface ToolBuild {
  version: string;
  /** The commit of the checkout (null outside a git checkout, e.g. an unpacked tarball, without $GITHUB_SHA). */
  commit: string | null;
  /** The checkout has changes the commit does not hold. */
  dirty: boolean;
}

export interface CiRun {
  url: string;
  runId: string;
  attempt: number;
  workflow?: string;
  repository: string;
  ref?: string;
  actor?: string;
}

function git(args: string[]): string | null {
  try {
    return execFileSync('git', ['-C', PROJECT_ROOT, ...args], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: 5_000,
    }).trim();
  } catch {
    return null;
  }
}

/** Asked at each call, never kept: a process that runs several drills (a test worker) may see the checkout move. */
export function toolBuild(): ToolBuild {
  const { version } = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as {
    version: string;
  };
  const commit = git(['rev-parse', 'HEAD']) ?? process.env.GITHUB_SHA ?? null;
  const status = commit ? git(['status', '--porcelain', '--untracked-files=no']) : null;
  return { version, commit, dirty: Boolean(status) };
}

/** `drill 0.1.0 (commit 1a2b3c4…, local changes)`. */
export function versionText(b: ToolBuild = toolBuild()): string {
  const commit = b.commit ? `commit ${b.commit}${b.dirty ? ', local changes' : ''}` : 'commit unknown';
  return `drill ${b.version} (${commit})`;
}

// https://docs.github.com/en/actions/reference/variables-reference (default environment variables)
/** The GitHub Actions run this process belongs to, from the runner's default variables; undefined elsewhere. */
export function ciRun(env: NodeJS.ProcessEnv = process.env): CiRun | undefined {
  const { GITHUB_SERVER_URL, GITHUB_REPOSITORY, GITHUB_RUN_ID } = env;
  if (!GITHUB_SERVER_URL || !GITHUB_REPOSITORY || !GITHUB_RUN_ID) return undefined;
  const attempt = Number(env.GITHUB_RUN_ATTEMPT ?? '1') || 1;
  return {
    url: `${GITHUB_SERVER_URL}/${GITHUB_REPOSITORY}/actions/runs/${GITHUB_RUN_ID}/attempts/${attempt}`,
    runId: GITHUB_RUN_ID,
    attempt,
    repository: GITHUB_REPOSITORY,
    ...(env.GITHUB_WORKFLOW ? { workflow: env.GITHUB_WORKFLOW } : {}),
    ...(env.GITHUB_REF ? { ref: env.GITHUB_REF } : {}),
    ...(env.GITHUB_ACTOR ? { actor: env.GITHUB_ACTOR } : {}),
  };
}

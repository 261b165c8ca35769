// result.json says which build of the tool produced it (git's own answer for the commit), from which CI run, and
// as which AWS identity the target's safety platform says the drill ran.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { PROJECT_ROOT } from '../registry.ts';
import { runResultSchema } from '../runner/result-schema.ts';
import { runScenario } from '../runner/run-scenario.ts';
import { markerScenario, markerTarget, markerWorld } from '../runner/testing.ts';
import { ciRun, toolBuild, versionText } from './tool.ts';

const CALLER = { account: '123456789012', arn: 'arn:aws:sts::123456789012:assumed-role/dr-drill/gha-42' };

async function resultOf(target: typeof markerTarget) {
  const outDir = mkdtempSync(join(tmpdir(), 'drill-provenance-'));
  await runScenario(markerScenario(markerWorld()), target, { runId: 'run-1', outDir });
  const json = JSON.parse(readFileSync(join(outDir, 'runs', 'run-1', 'result.json'), 'utf8'));
  return runResultSchema.parse(json);
}

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('provenance in result.json', () => {
  it('names the tool version and the commit git reports for this checkout', async () => {
    const head = execFileSync('git', ['-C', PROJECT_ROOT, 'rev-parse', 'HEAD'], { encoding: 'utf8' }).trim();
    const { version } = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8'));
    const result = await resultOf(markerTarget);
    expect(result.provenance?.tool).toMatchObject({ version, commit: head });
    expect(result.provenance?.ci).toBeUndefined();
    expect(result.provenance?.caller).toBeUndefined();
  });

  it('links the GitHub Actions run and records the caller identity as its own field', async () => {
    vi.stubEnv('GITHUB_SERVER_URL', 'https://github.com');
    vi.stubEnv('GITHUB_REPOSITORY', 'acme/drill');
    vi.stubEnv('GITHUB_RUN_ID', '987654');
    vi.stubEnv('GITHUB_RUN_ATTEMPT', '2');
    vi.stubEnv('GITHUB_WORKFLOW', 'dr-drill');
    const result = await resultOf({
      ...markerTarget,
      safety: { platform: async () => ({ callerIdentity: async () => CALLER }) },
    } as typeof markerTarget);
    expect(result.provenance?.ci).toEqual({
      url: 'https://github.com/acme/drill/actions/runs/987654/attempts/2',
      runId: '987654',
      attempt: 2,
      repository: 'acme/drill',
      workflow: 'dr-drill',
    });
    expect(result.provenance?.caller).toEqual(CALLER);
  });

  it('an STS failure is recorded as such, not as an identity', async () => {
    const result = await resultOf({
      ...markerTarget,
      safety: {
        platform: async () => ({
          callerIdentity: async () => {
            throw new Error('ExpiredToken: the security token included in the request is expired');
          },
        }),
      },
    } as typeof markerTarget);
    expect(result.provenance?.caller).toEqual({
      error: 'STS GetCallerIdentity: ExpiredToken: the security token included in the request is expired',
    });
  });
});

describe('tool', () => {
  it('toolBuild asks git at each call: a process that runs several drills sees the checkout move', () => {
    const before = toolBuild();
    const other = mkdtempSync(join(tmpdir(), 'provenance-git-'));
    const git = (...args: string[]) =>
      execFileSync('git', ['-C', other, ...args], { encoding: 'utf8' }).trim();
    git('init', '-q');
    git(
      '-c',
      'user.name=t',
      '-c',
      'user.email=t@example.com',
      'commit',
      '-q',
      '--allow-empty',
      '-m',
      'moved',
    );
    const moved = git('rev-parse', 'HEAD');
    vi.stubEnv('GIT_DIR', join(other, '.git')); // the checkout's HEAD, as if someone had committed meanwhile
    expect(toolBuild().commit).toBe(moved);
    expect(before.commit).not.toBe(moved);
  });

  it('ciRun is undefined outside GitHub Actions', () => {
    expect(ciRun({})).toBeUndefined();
  });

  it('versionText names version and commit', () => {
    expect(versionText({ version: '1.2.3', commit: 'abc', dirty: true })).toBe(
      'drill 1.2.3 (commit abc, local changes)',
    );
    expect(versionText({ version: '1.2.3', commit: null, dirty: false })).toBe(
      'drill 1.2.3 (commit unknown)',
    );
  });
});

// `pnpm test` wall time (issue 20: within 360 s on the 2-core machine), with where it goes: the unit group (which
// runs first), the lab group, the sum of the lab files' durations (their CPU-free waits included) and the slowest
// files, from bench/suite-profile-reporter.ts. Heavy: it runs the whole suite once (SUITE_BENCH_ARGS adds vitest
// arguments, e.g. `--project unit`). A failed test makes the figure a MISS: a fast suite that fails proves nothing.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FileProfile, SuiteProfile } from './suite-profile-reporter.ts';
import type { BenchResult } from './types.ts';

const TARGET_MS = 360_000;
const ROOT = fileURLToPath(new URL('..', import.meta.url));

/**
 * CPU time (user + sys, ms) of this process's children that ended and were waited for: vitest and its workers.
 * /proc/self/stat fields 16-17 (cutime, cstime), in clock ticks (USER_HZ, 100 on Linux).
 */
function childrenCpuMs(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[13]) + Number(fields[14])) * 10;
}

/** Wall time from the first file of `files` handed to a worker to the last one's end, ms. */
const span = (files: FileProfile[]) =>
  files.length ? Math.max(...files.map((f) => f.endMs)) - Math.min(...files.map((f) => f.startMs)) : 0;

export default async function testSuite(): Promise<BenchResult[]> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-test-suite-'));
  const profileFile = join(dir, 'profile.json');
  const loadBefore = loadavg()[0]?.toFixed(1) ?? '?';
  try {
    const started = Date.now();
    const cpuBefore = childrenCpuMs();
    const extra = (process.env.SUITE_BENCH_ARGS ?? '').split(' ').filter(Boolean);
    const code = await new Promise<number | null>((resolve, reject) => {
      const child = spawn(
        process.execPath,
        [
          'node_modules/vitest/vitest.mjs',
          'run',
          // The config's reporters but Allure (its results are not this figure), plus the profile.
          '--reporter=default',
          '--reporter=./scripts/summary-reporter.ts',
          '--reporter=./bench/suite-profile-reporter.ts',
          ...extra,
        ],
        { cwd: ROOT, env: { ...process.env, SUITE_PROFILE_OUT: profileFile }, stdio: 'inherit' },
      );
      child.on('error', reject);
      child.on('exit', resolve);
    });
    const wallMs = Date.now() - started;
    const cpuMs = childrenCpuMs() - cpuBefore;
    const profile = JSON.parse(readFileSync(profileFile, 'utf8')) as SuiteProfile;
    const loads = `1-min load ${loadBefore} at the start, ${loadavg()[0]?.toFixed(1)} at the end`;
    const failed = profile.files.reduce((n, f) => n + f.failed, 0);
    const unit = profile.files.filter((f) => f.project === 'unit');
    const lab = profile.files.filter((f) => f.project !== 'unit');
    const labSum = lab.reduce((n, f) => n + (f.endMs - f.startMs), 0);
    const slowest = [...lab]
      .sort((a, b) => b.endMs - b.startMs - (a.endMs - a.startMs))
      .slice(0, 8)
      .map((f) => `${f.file} ${((f.endMs - f.startMs) / 1000).toFixed(1)} s`)
      .join(', ');
    return [
      {
        name: 'pnpm test wall (vitest run, all projects)',
        value: wallMs,
        unit: 'ms',
        target: TARGET_MS,
        ok: code === 0 && failed === 0 && wallMs <= TARGET_MS,
        note: `exit ${code}, ${failed} failed test(s), ${profile.files.length} files; ${loads}`,
      },
      {
        name: 'pnpm test CPU (user + sys of vitest and its workers)',
        value: cpuMs,
        unit: 'ms',
        // The suite cannot end sooner than its CPU time spread over every core.
        note: `at least ${Math.round(cpuMs / availableParallelism() / 1000)} s of wall on ${availableParallelism()} cores; ${loads}`,
      },
      { name: 'unit group wall', value: span(unit), unit: 'ms', note: `${unit.length} files; ${loads}` },
      { name: 'lab group wall', value: span(lab), unit: 'ms', note: `${lab.length} files; ${loads}` },
      {
        name: 'lab files, sum of their durations',
        value: labSum,
        unit: 'ms',
        note: `slowest: ${slowest}`,
      },
    ];
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

// The profile pnpm bench test-suite reads: a real vitest run of two small files with the reporter gives one row
// per file, with its project, its tests and failures, and a start and end inside the run's wall time.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from 'vitest';
import type { SuiteProfile } from './suite-profile-reporter.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
// Under the checkout, so the fixture files resolve `vitest` from its node_modules.
mkdirSync(join(ROOT, 'out'), { recursive: true });
const dir = mkdtempSync(join(ROOT, 'out', 'suite-profile-'));
afterAll(() => rm(dir, { recursive: true, force: true }));

it('writes one row per file with its project, tests, failures and when it ran', async () => {
  writeFileSync(
    join(dir, 'slow.test.ts'),
    "import { it } from 'vitest';\nit('one', () => {});\nit('two', () => new Promise((r) => setTimeout(r, 200)));\n",
  );
  writeFileSync(
    join(dir, 'failing.test.ts'),
    "import { expect, it } from 'vitest';\nit('fails', () => expect(1).toBe(2));\n",
  );
  writeFileSync(
    join(dir, 'vitest.config.ts'),
    `export default { test: { name: 'fixture', include: ['*.test.ts'], reporters: [${JSON.stringify(join(ROOT, 'bench', 'suite-profile-reporter.ts'))}] } };\n`,
  );
  const out = join(dir, 'profile.json');
  // A vitest run of its own, in its own process, as pnpm bench test-suite runs the suite.
  const status = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [join(ROOT, 'node_modules/vitest/vitest.mjs'), 'run', '--root', dir],
      {
        cwd: dir,
        env: { ...process.env, SUITE_PROFILE_OUT: out },
        stdio: 'ignore',
      },
    );
    child.on('error', reject);
    child.on('close', resolve);
  });
  expect(status).toBe(1); // the fixture's failing test
  const profile = JSON.parse(readFileSync(out, 'utf8')) as SuiteProfile;
  const row = (file: string) => profile.files.find((f) => f.file === file);
  expect(profile.files.map((f) => f.file).sort()).toEqual(['failing.test.ts', 'slow.test.ts']);
  expect(row('slow.test.ts')).toMatchObject({ project: 'fixture', tests: 2, failed: 0 });
  expect(row('failing.test.ts')).toMatchObject({ project: 'fixture', tests: 1, failed: 1 });
  for (const f of profile.files) {
    expect(f.startMs).toBeLessThanOrEqual(f.endMs);
    expect(f.endMs).toBeLessThanOrEqual(profile.wallMs);
  }
  // Its tests' own time is in the row: the 200 ms wait of the second test.
  expect(row('slow.test.ts')?.testsMs).toBeGreaterThanOrEqual(200);
}, 60_000);

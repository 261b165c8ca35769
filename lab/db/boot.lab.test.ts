// A clone under `mktemp -d` (0700, root's) puts the lab dir where the postgres user cannot go: the database
// files then live in os.tmpdir(), and the lab still starts (found by running the README's Quick start that way).
import { chmod, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { serverReachableDir } from './boot.ts';
import { run, serverUser } from './run.ts';

const runAs = serverUser();
const made: string[] = [];
afterAll(async () => {
  await Promise.all(made.map((d) => rm(d, { recursive: true, force: true })));
});

describe.runIf(runAs)('the database dir as the postgres user sees it (as root)', () => {
  it('keeps a dir the server user can reach', async () => {
    const open = await mkdtemp(join(tmpdir(), 'drill-boot-open-'));
    made.push(open);
    expect(await serverReachableDir(open, runAs)).toEqual({ dir: open, relocated: false });
  });

  it('moves to a fresh dir in os.tmpdir() when a parent is closed, and says so', async () => {
    const closed = await mkdtemp(join(tmpdir(), 'drill-boot-closed-'));
    made.push(closed);
    await chmod(closed, 0o700);
    const labDb = join(closed, 'p', '.lab', 'db');
    await mkdir(labDb, { recursive: true });
    const said: string[] = [];
    const got = await serverReachableDir(labDb, runAs, (m) => said.push(m));
    made.push(got.dir);
    expect(got.relocated).toBe(true);
    expect(got.dir.startsWith(join(tmpdir(), 'drill-lab-db-'))).toBe(true);
    await expect(run('test', ['-x', got.dir], { runAs })).resolves.toBeDefined();
    expect(said).toEqual([
      `${labDb} is not reachable by the user postgres (a parent is closed): database files in ${got.dir}`,
    ]);
  });
});

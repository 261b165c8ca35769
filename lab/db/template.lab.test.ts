// The template cluster every lab copies: its init SQL is in it, another init SQL names another template, and one
// that lost files (a /tmp cleaner deletes old files one by one) is rebuilt rather than copied broken.
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeLabDir } from '../testing/lab-fixture.ts';
import { findPostgres } from './binaries.ts';
import { chownPaths, serverUser } from './run.ts';
import { PgServer } from './server.ts';
import { query } from './sql.ts';
import { copyTemplate } from './standby.ts';
import { ensureTemplate } from './template.ts';

const bins = findPostgres();
const runAs = serverUser();
let cacheRoot: string;
const said: string[] = [];
const log = (line: string) => said.push(line);

beforeAll(() => {
  cacheRoot = makeLabDir('drill-template-test');
});
afterAll(async () => {
  await rm(cacheRoot, { recursive: true, force: true });
});

/** The tables of the `luneo` database in a copy of `template`, with their owners. */
async function tablesInACopy(template: string): Promise<Record<string, string>> {
  const dir = makeLabDir('drill-template-copy');
  const server = new PgServer({
    name: 'copy',
    bins,
    runAs,
    dataDir: join(dir, 'data'),
    socketDir: dir,
    logFile: join(dir, 'postgres.log'),
    port: 5432,
  });
  try {
    await chownPaths([dir], runAs);
    await copyTemplate(template, join(dir, 'data'), runAs);
    await server.start();
    const rows = await query<{ name: string; owner: string }>(
      server.socketTarget(),
      "SELECT tablename AS name, tableowner AS owner FROM pg_tables WHERE schemaname = 'public'",
    );
    return Object.fromEntries(rows.map((r) => [r.name, r.owner]));
  } finally {
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

describe('the template cluster', () => {
  let first: string;

  it('holds the init SQL, run as luneo, and the heartbeat table; a second lab reuses it as it is', async () => {
    first = await ensureTemplate(bins, runAs, log, {
      initSql: 'CREATE TABLE first_schema (id int)',
      cacheRoot,
    });
    expect(said).toEqual([`building the PostgreSQL ${bins.major} template cluster in ${first}`]);
    expect(await tablesInACopy(first)).toEqual({ first_schema: 'luneo', lab_heartbeat: 'postgres' });
    said.length = 0;
    const again = await ensureTemplate(bins, runAs, log, {
      initSql: 'CREATE TABLE first_schema (id int)',
      cacheRoot,
    });
    expect(again).toBe(first);
    expect(said).toEqual([]);
  }, 120_000);

  it('is another template when the init SQL changes (the old one stays for whoever still uses it)', async () => {
    said.length = 0;
    const second = await ensureTemplate(bins, runAs, log, {
      initSql: 'CREATE TABLE second_schema (id int)',
      cacheRoot,
    });
    expect(second).not.toBe(first);
    expect(said).toEqual([`building the PostgreSQL ${bins.major} template cluster in ${second}`]);
    expect(await tablesInACopy(second)).toEqual({ second_schema: 'luneo', lab_heartbeat: 'postgres' });
    expect(await readdir(first)).toContain('PG_VERSION');
  }, 120_000);

  it('is rebuilt when files of it are gone, instead of being copied broken', async () => {
    const catalogs = join(first, 'global');
    const [victim] = (await readdir(catalogs)).filter((name) => /^\d+$/.test(name));
    if (!victim) throw new Error(`no catalog file in ${catalogs}`);
    await rm(join(catalogs, victim));
    said.length = 0;
    const rebuilt = await ensureTemplate(bins, runAs, log, {
      initSql: 'CREATE TABLE first_schema (id int)',
      cacheRoot,
    });
    expect(rebuilt).toBe(first);
    expect(said).toEqual([`the template cluster ${first} is incomplete: rebuilding it`]);
    expect(await readdir(catalogs)).toContain(victim);
    expect(await tablesInACopy(first)).toEqual({ first_schema: 'luneo', lab_heartbeat: 'postgres' });
  }, 120_000);
});

import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { findPostgres } from './binaries.ts';
import { PgLabError } from './errors.ts';
import { lsnToNumber, writeStandbyConfig } from './standby.ts';

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

describe('lsnToNumber', () => {
  it('reads both halves of an LSN as hex', () => {
    expect(lsnToNumber('0/A50918')).toBe(0xa50918);
    expect(lsnToNumber('16/B374D848')).toBe(0x16 * 2 ** 32 + 0xb374d848);
    expect(lsnToNumber('1/0') > lsnToNumber('0/FFFFFFFF')).toBe(true);
  });
});

describe('writeStandbyConfig', () => {
  it('writes standby.signal and replaces postgresql.auto.conf with primary_conninfo through the upstream port', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'drill-standby-unit-'));
    dirs.push(dir);
    await writeStandbyConfig(
      dir,
      { port: 41234, applicationName: 'us-east-1', replicatorPassword: "p'w", superuserPassword: 'unused' },
      undefined,
    );
    expect(await readFile(join(dir, 'standby.signal'), 'utf8')).toBe('');
    expect(await readFile(join(dir, 'postgresql.auto.conf'), 'utf8')).toBe(
      "primary_conninfo = 'host=127.0.0.1 port=41234 user=replicator password=p''w application_name=us-east-1 sslmode=disable connect_timeout=15'\n",
    );
  });

  it('without an upstream: standby.signal and an empty postgresql.auto.conf (no stale setting, no walreceiver yet)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'drill-standby-unit-'));
    dirs.push(dir);
    await writeFile(join(dir, 'postgresql.auto.conf'), "default_transaction_read_only = 'on'\n");
    await writeStandbyConfig(dir, null, undefined);
    expect(await readFile(join(dir, 'standby.signal'), 'utf8')).toBe('');
    expect(await readFile(join(dir, 'postgresql.auto.conf'), 'utf8')).toBe('');
  });
});

describe('findPostgres', () => {
  it('says what to install when the binaries are missing', () => {
    let caught: unknown;
    try {
      findPostgres({ LAB_PG_BIN: '/nonexistent/bin' });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(PgLabError);
    expect(caught).toMatchObject({
      code: 'PostgresNotInstalled',
      message:
        'PostgreSQL server binaries (initdb, postgres, pg_basebackup, pg_rewind) not found in LAB_PG_BIN=/nonexistent/bin: ' +
        'install them with `apt-get install -y postgresql`, or set LAB_PG_BIN to a directory that has them',
    });
  });
});

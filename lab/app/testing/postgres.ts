// A throwaway PostgreSQL for lab tests of the app: initdb + pg_ctl into a temp dir, password auth.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chown, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { freePort } from '../../net/ports.ts';
import { readSchemaSql } from '../schema.ts';

const run = promisify(execFile);
const PG_BIN = process.env.PG_BIN ?? '/usr/lib/postgresql/15/bin';
const isRoot = process.getuid?.() === 0;

export interface ThrowawayPostgres {
  port: number;
  /** postgres://luneo:<password>@127.0.0.1:<port>/luneo, schema applied. */
  url: string;
  dir: string;
  /** Stops the server at once (like a crash), keeping its data. */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops it and deletes its directory. */
  destroy(): Promise<void>;
}

// The server binaries refuse to run as root: run them as `postgres` then.
function pgTool(tool: string, args: string[]) {
  const bin = join(PG_BIN, tool);
  return isRoot ? run('runuser', ['-u', 'postgres', '--', bin, ...args]) : run(bin, args);
}

async function postgresIds(): Promise<{ uid: number; gid: number }> {
  const { stdout } = await run('id', ['postgres']);
  const uid = Number(/uid=(\d+)/.exec(stdout)?.[1]);
  const gid = Number(/gid=(\d+)/.exec(stdout)?.[1]);
  return { uid, gid };
}

export async function startThrowawayPostgres(): Promise<ThrowawayPostgres> {
  const dir = await mkdtemp(join(tmpdir(), 'luneo-app-pg-'));
  const data = join(dir, 'data');
  const password = randomBytes(12).toString('hex');
  await writeFile(join(dir, 'pwfile'), `${password}\n`, { mode: 0o600 });
  if (isRoot) {
    const { uid, gid } = await postgresIds();
    await chown(dir, uid, gid);
    await chown(join(dir, 'pwfile'), uid, gid);
  }
  await pgTool('initdb', [
    '-D',
    data,
    '-U',
    'luneo',
    '--auth=scram-sha-256',
    `--pwfile=${join(dir, 'pwfile')}`,
    '-E',
    'UTF8',
    '--no-sync',
  ]);
  const port = await freePort();
  const options = `-p ${port} -c listen_addresses=127.0.0.1 -k ${dir} -c fsync=off -c synchronous_commit=off -c full_page_writes=off`;
  const start = async () => {
    await pgTool('pg_ctl', [
      'start',
      '-D',
      data,
      '-l',
      join(dir, 'server.log'),
      '-w',
      '-t',
      '30',
      '-o',
      options,
    ]);
  };
  const stop = async () => {
    await pgTool('pg_ctl', ['stop', '-D', data, '-m', 'immediate', '-w']);
  };
  await start();
  const base = `postgres://luneo:${password}@127.0.0.1:${port}`;
  const admin = new pg.Client({ connectionString: `${base}/postgres` });
  await admin.connect();
  await admin.query('create database luneo');
  await admin.end();
  const url = `${base}/luneo`;
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query(await readSchemaSql());
  await client.end();
  return {
    port,
    url,
    dir,
    stop,
    start,
    destroy: async () => {
      await stop().catch(() => {});
      await rm(dir, { recursive: true, force: true });
    },
  };
}

// An initdb'ed cluster with the lab's settings, roles, database and schema, built once per machine (per PostgreSQL
// build, server user and init SQL) and copied for every lab: initdb, the schema and their WAL are not paid per boot.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PgBinaries } from './binaries.ts';
import { HEARTBEAT_TABLE_SQL } from './heartbeat.ts';
import { chownPaths, chownTree, type RunAs, run } from './run.ts';
import { PgServer } from './server.ts';
import { query } from './sql.ts';

/** Settings shared by every server of the lab (per-server ones go on the command line). */
export const LAB_POSTGRESQL_CONF = `
# --- drill lab ---
listen_addresses = '127.0.0.1'
max_connections = 100
shared_buffers = 16MB
dynamic_shared_memory_type = posix
wal_level = replica
wal_log_hints = on            # pg_rewind needs it
hot_standby = on
hot_standby_feedback = on
max_wal_senders = 6
wal_keep_size = 256MB         # the old writer can rewind, a lagging standby can catch up
max_wal_size = 256MB
min_wal_size = 32MB
wal_sender_timeout = 10s
wal_receiver_timeout = 10s
wal_receiver_status_interval = 1s
wal_retrieve_retry_interval = 500ms
password_encryption = scram-sha-256
log_line_prefix = '%m [%p] %q%u@%d '
log_connections = off
`;

export const LAB_PG_HBA = `# drill lab: the superuser may use the unix socket (its directory is private to the server user)
local   all          postgres                  trust
host    replication  replicator  127.0.0.1/32  scram-sha-256
host    all          all         127.0.0.1/32  scram-sha-256
`;

// One statement per query: CREATE DATABASE cannot run in the implicit transaction of a multi-statement query.
const ROLES_SQL = [
  'CREATE ROLE luneo LOGIN',
  'CREATE ROLE replicator LOGIN REPLICATION',
  'CREATE DATABASE luneo OWNER luneo',
];
// Nobody connects to `postgres` nor creates databases from template0 in the lab: 14 MB less to copy per boot.
const DROP_SQL = [
  'DROP DATABASE postgres',
  'ALTER DATABASE template0 IS_TEMPLATE false',
  'DROP DATABASE template0',
];

// 1 MB WAL segments: each copy of the template is 15 MB lighter, so every boot is faster.
const INITDB_ARGS = ['-U', 'postgres', '-E', 'UTF8', '--no-locale', '--wal-segsize=1'];
const INITDB_AUTH = ['--auth-local=trust', '--auth-host=reject'];
/** Bump when the way a template is built changes (the key then names a new one). */
const TEMPLATE_FORMAT = 'v3: init SQL as luneo, heartbeat table, no template0, WAL trimmed, manifest';
/** Written last into a template: how many entries it holds (a /tmp cleaner may delete files of an old one). */
const MANIFEST = 'drill-template.json';
/** A template nobody copied for this long is removed when another one is built. */
const UNUSED_TEMPLATE_MS = 24 * 3600_000;

export interface TemplateOptions {
  /** Run once in the template as `luneo` in the database `luneo` (the lab's schema): every copy has it. */
  initSql?: string;
  /** Where templates live (default os.tmpdir()). */
  cacheRoot?: string;
}

/**
 * Path of the cached template data directory, building it if it is missing, incomplete, or was built from another
 * PostgreSQL binary or init SQL (those name a different template). Safe when labs start in parallel.
 */
export async function ensureTemplate(
  bins: PgBinaries,
  runAs: RunAs | undefined,
  log: (msg: string) => void,
  opts: TemplateOptions = {},
): Promise<string> {
  const cacheRoot = opts.cacheRoot ?? tmpdir();
  const initSql = opts.initSql ?? '';
  const prefix = `drill-pg${bins.major}-template-${runAs?.uid ?? process.getuid?.()}-`;
  const templateDir = join(cacheRoot, `${prefix}${await templateKey(bins, initSql)}`);
  if (await isComplete(templateDir)) {
    // Marks it as in use (pruneUnused keeps it); a failure here costs nothing.
    const now = new Date();
    await utimes(templateDir, now, now).catch(() => {});
    return templateDir;
  }
  if (existsSync(templateDir)) log(`the template cluster ${templateDir} is incomplete: rebuilding it`);
  else log(`building the PostgreSQL ${bins.major} template cluster in ${templateDir}`);
  const build = await mkdtemp(join(cacheRoot, 'drill-pg-build-'));
  try {
    const dataDir = join(build, 'data');
    await buildTemplate(bins, runAs, build, dataDir, initSql);
    await replaceTemplate(dataDir, templateDir);
    await pruneUnused(cacheRoot, prefix, templateDir, log);
    return templateDir;
  } finally {
    await rm(build, { recursive: true, force: true });
  }
}

/**
 * What a template is made from: the PostgreSQL build (its directory and its `postgres` binary: an upgrade replaces
 * it), how it is made, and the init SQL.
 */
async function templateKey(bins: PgBinaries, initSql: string): Promise<string> {
  const binary = await stat(bins.bin('postgres'));
  return createHash('sha256')
    .update(
      [
        TEMPLATE_FORMAT,
        bins.binDir,
        `${binary.size} ${binary.mtimeMs}`,
        INITDB_ARGS.join(' '),
        LAB_POSTGRESQL_CONF,
        LAB_PG_HBA,
        [...ROLES_SQL, ...DROP_SQL, HEARTBEAT_TABLE_SQL].join(';'),
        initSql,
      ].join('\n\0'),
    )
    .digest('hex')
    .slice(0, 12);
}

/** The template is there with every entry its manifest counted. */
async function isComplete(templateDir: string): Promise<boolean> {
  try {
    const manifest = JSON.parse(await readFile(join(templateDir, MANIFEST), 'utf8')) as { entries?: number };
    return manifest.entries === (await countEntries(templateDir));
  } catch {
    return false;
  }
}

async function countEntries(dir: string): Promise<number> {
  return (await readdir(dir, { recursive: true })).filter((name) => name !== MANIFEST).length;
}

async function buildTemplate(
  bins: PgBinaries,
  runAs: RunAs | undefined,
  build: string,
  dataDir: string,
  initSql: string,
): Promise<void> {
  await chownTree(build, runAs);
  await run(bins.bin('initdb'), ['-D', dataDir, ...INITDB_ARGS, ...INITDB_AUTH], { runAs });
  await writeFile(join(dataDir, 'postgresql.conf'), LAB_POSTGRESQL_CONF, { flag: 'a' });
  await writeFile(join(dataDir, 'pg_hba.conf'), LAB_PG_HBA);
  await mkdir(join(build, 'run'));
  await chownTree(build, runAs);
  const server = new PgServer({
    name: 'template',
    bins,
    runAs,
    dataDir,
    socketDir: join(build, 'run'),
    logFile: join(build, 'template.log'),
    port: 5432,
  });
  // Unix socket only while we set it up: the port is not opened (listen_addresses below is overridden).
  await startSocketOnly(server);
  try {
    for (const statement of ROLES_SQL) await query(server.socketTarget('postgres'), statement);
    for (const statement of DROP_SQL) await query(server.socketTarget('luneo'), statement);
    // As `luneo` (the owner of what it creates), as the lab's apps would have run it.
    if (initSql)
      await query(server.socketTarget('luneo'), `SET SESSION AUTHORIZATION luneo;\n${initSql}`, [], 60_000);
    await query(server.socketTarget('luneo'), HEARTBEAT_TABLE_SQL);
  } finally {
    await server.stop();
  }
  await trimWal(bins, runAs, dataDir);
  await writeFile(join(dataDir, MANIFEST), JSON.stringify({ entries: await countEntries(dataDir) }));
  await chownPaths([join(dataDir, MANIFEST)], runAs);
}

/**
 * After a clean shutdown only the WAL segment holding the shutdown checkpoint is needed: the others (older ones,
 * and the recycled ones ahead) are dropped, so no copy carries them. Best effort: pg_controldata may be missing.
 */
async function trimWal(bins: PgBinaries, runAs: RunAs | undefined, dataDir: string): Promise<void> {
  let control: string;
  try {
    control = await run(bins.bin('pg_controldata'), ['-D', dataDir], { runAs });
  } catch {
    return;
  }
  const redoSegment = /Latest checkpoint's REDO WAL file:\s+([0-9A-F]{24})/.exec(control)?.[1];
  const cleanShutdown = /Database cluster state:\s+shut down\n/.test(control);
  if (!redoSegment || !cleanShutdown) return;
  const walDir = join(dataDir, 'pg_wal');
  const segments = (await readdir(walDir)).filter((name) => /^[0-9A-F]{24}$/.test(name));
  await Promise.all(segments.filter((s) => s !== redoSegment).map((s) => rm(join(walDir, s))));
}

/** Put a finished build in place; a broken template there is moved away first; a complete one built meanwhile wins. */
async function replaceTemplate(dataDir: string, templateDir: string): Promise<void> {
  if (existsSync(templateDir) && !(await isComplete(templateDir))) {
    const aside = `${templateDir}.broken-${process.pid}-${Date.now()}`;
    await rename(templateDir, aside).catch(() => {});
    await rm(aside, { recursive: true, force: true });
  }
  try {
    await rename(dataDir, templateDir);
  } catch (error) {
    // Another lab built it first: use theirs.
    if (!(await isComplete(templateDir))) throw error;
  }
}

/** Remove this user's other templates that no lab copied for a day (an old schema's, an old PostgreSQL's). */
async function pruneUnused(
  cacheRoot: string,
  prefix: string,
  keep: string,
  log: (msg: string) => void,
): Promise<void> {
  const names = (await readdir(cacheRoot).catch(() => [] as string[])).filter((n) => n.startsWith(prefix));
  for (const name of names) {
    const path = join(cacheRoot, name);
    if (path === keep) continue;
    const { mtimeMs } = await stat(path).catch(() => ({ mtimeMs: Date.now() }));
    if (Date.now() - mtimeMs < UNUSED_TEMPLATE_MS) continue;
    await rm(path, { recursive: true, force: true }).catch(() => {});
    log(`removed the unused template cluster ${path}`);
  }
}

async function startSocketOnly(server: PgServer): Promise<void> {
  const original = server.opts.dataDir;
  await writeFile(join(original, 'postgresql.auto.conf'), "listen_addresses = ''\n");
  try {
    await server.start();
  } finally {
    // Read at start only: the template keeps an empty auto.conf.
    await writeFile(join(original, 'postgresql.auto.conf'), '');
  }
}

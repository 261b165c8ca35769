// An initdb'ed cluster with the lab's settings, roles and database, built once per PostgreSQL version and
// server user and copied for every lab: initdb is the slowest part of a boot.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PgBinaries } from './binaries.ts';
import { chownTree, type RunAs, run } from './run.ts';
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

// 1 MB WAL segments: each copy of the template is 15 MB lighter, so every boot is faster.
const INITDB_ARGS = ['-U', 'postgres', '-E', 'UTF8', '--no-locale', '--wal-segsize=1'];
const INITDB_AUTH = ['--auth-local=trust', '--auth-host=reject'];

/** Path of the cached template data directory, building it if needed (safe when labs start in parallel). */
export async function ensureTemplate(
  bins: PgBinaries,
  runAs: RunAs | undefined,
  log: (msg: string) => void,
  cacheRoot = tmpdir(),
): Promise<string> {
  const key = createHash('sha256')
    .update(
      `${bins.binDir}\n${INITDB_ARGS.join(' ')}\n${LAB_POSTGRESQL_CONF}\n${LAB_PG_HBA}\n${ROLES_SQL.join(';')};drop postgres`,
    )
    .digest('hex')
    .slice(0, 12);
  const templateDir = join(
    cacheRoot,
    `drill-pg${bins.major}-template-${runAs?.uid ?? process.getuid?.()}-${key}`,
  );
  if (existsSync(join(templateDir, 'PG_VERSION'))) return templateDir;

  log(`building the PostgreSQL ${bins.major} template cluster in ${templateDir}`);
  const build = await mkdtemp(join(cacheRoot, 'drill-pg-build-'));
  try {
    const dataDir = join(build, 'data');
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
      // Nobody uses the `postgres` database (the control plane connects to luneo): 7 MB less to copy per boot.
      await query(server.socketTarget('luneo'), 'DROP DATABASE postgres');
    } finally {
      await server.stop();
    }
    try {
      await rename(dataDir, templateDir);
    } catch (error) {
      // Another lab built it first: use theirs.
      if (!existsSync(join(templateDir, 'PG_VERSION'))) throw error;
    }
    return templateDir;
  } finally {
    await rm(build, { recursive: true, force: true });
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

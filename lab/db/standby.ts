// Making a data directory into a standby of the writer: a copy of the template, pg_rewind, or a base backup.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { PgBinaries } from './binaries.ts';
import { chownPaths, type RunAs, run } from './run.ts';
import type { PgServer } from './server.ts';

/** How a standby (or pg_rewind) reaches the writer: through the WAN link. */
export interface UpstreamAccess {
  port: number;
  /** Name the writer shows in pg_stat_replication.application_name. */
  applicationName: string;
  replicatorPassword: string;
  superuserPassword: string;
}

/** A cold copy of the template: the same system identifier and checkpoint, so copies can stream from each other. */
export async function copyTemplate(
  templateDir: string,
  dataDir: string,
  runAs: RunAs | undefined,
): Promise<void> {
  // As the server user: the copy is born with the right owner (the parent must be theirs already).
  await run('cp', ['-a', templateDir, dataDir], { runAs });
}

/**
 * standby.signal + primary_conninfo (none when `upstream` is null: a standby that waits for setUpstream).
 * postgresql.auto.conf is rewritten whole: no stale fence setting survives.
 */
export async function writeStandbyConfig(
  dataDir: string,
  upstream: UpstreamAccess | null,
  runAs: RunAs | undefined,
) {
  const settings = upstream ? `primary_conninfo = ${quoted(primaryConninfo(upstream))}\n` : '';
  await writeFile(join(dataDir, 'postgresql.auto.conf'), settings);
  await writeFile(join(dataDir, 'standby.signal'), '');
  await chownPaths([join(dataDir, 'postgresql.auto.conf'), join(dataDir, 'standby.signal')], runAs);
}

/**
 * Point a running standby at its upstream: primary_conninfo in its postgresql.auto.conf (what ALTER SYSTEM would
 * write) and a reload (what pg_reload_conf() does): its walreceiver starts at once, and no connection is spent.
 */
export async function setUpstream(
  server: PgServer,
  upstream: UpstreamAccess,
  runAs: RunAs | undefined,
): Promise<void> {
  await writeStandbyConfig(server.opts.dataDir, upstream, runAs);
  server.reload();
}

function primaryConninfo(upstream: UpstreamAccess): string {
  return [
    'host=127.0.0.1',
    `port=${upstream.port}`,
    'user=replicator',
    `password=${upstream.replicatorPassword}`,
    `application_name=${upstream.applicationName}`,
    // The lab's servers have no TLS: without this, libpq asks for it first and spends a WAN round trip on a "no".
    'sslmode=disable',
    // Generous: on a slow WAN the SCRAM handshake alone takes three round trips.
    'connect_timeout=15',
  ].join(' ');
}

const quoted = (text: string) => `'${text.replaceAll("'", "''")}'`;

/** Drop whatever the writer is not aware of: pg_rewind from the writer (the server must be stopped). */
export async function rewind(
  bins: PgBinaries,
  dataDir: string,
  upstream: UpstreamAccess,
  runAs: RunAs | undefined,
  signal?: AbortSignal,
) {
  const source = `host=127.0.0.1 port=${upstream.port} user=postgres dbname=luneo connect_timeout=15`;
  return run(bins.bin('pg_rewind'), [`--target-pgdata=${dataDir}`, `--source-server=${source}`], {
    runAs,
    env: { PGPASSWORD: upstream.superuserPassword },
    timeoutMs: 120_000,
    signal,
  });
}

/** A fresh copy of the writer into an empty dataDir (pg_basebackup over the replication protocol). */
export async function baseBackup(
  bins: PgBinaries,
  dataDir: string,
  upstream: UpstreamAccess,
  runAs: RunAs | undefined,
  signal?: AbortSignal,
) {
  await run(
    bins.bin('pg_basebackup'),
    [
      '-D',
      dataDir,
      '-h',
      '127.0.0.1',
      '-p',
      String(upstream.port),
      '-U',
      'replicator',
      '-X',
      'stream',
      '-c',
      'fast',
    ],
    { runAs, env: { PGPASSWORD: upstream.replicatorPassword }, timeoutMs: 300_000, signal },
  );
}

/** "16/B374D848" as a number of bytes (exact up to 2^53, plenty for a lab). */
export function lsnToNumber(lsn: string): number {
  const [hi, lo] = lsn.split('/');
  return Number.parseInt(hi ?? '0', 16) * 2 ** 32 + Number.parseInt(lo ?? '0', 16);
}

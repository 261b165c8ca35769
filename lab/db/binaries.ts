// Where the PostgreSQL server binaries are: Debian's /usr/lib/postgresql/<newest>/bin, or LAB_PG_BIN.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { PgLabError } from './errors.ts';

export interface PgBinaries {
  binDir: string;
  /** Major version, e.g. 15 (keys the template cache). */
  major: number;
  /** Absolute path of one binary, e.g. bin('pg_rewind'). */
  bin(name: PgTool): string;
}

export type PgTool = 'initdb' | 'postgres' | 'pg_basebackup' | 'pg_rewind' | 'pg_controldata';

const REQUIRED: PgTool[] = ['initdb', 'postgres', 'pg_basebackup', 'pg_rewind'];
const DEBIAN_ROOT = '/usr/lib/postgresql';

export function findPostgres(env: NodeJS.ProcessEnv = process.env): PgBinaries {
  const candidates: string[] = [];
  if (env.LAB_PG_BIN) candidates.push(env.LAB_PG_BIN);
  else if (existsSync(DEBIAN_ROOT)) {
    const majors = readdirSync(DEBIAN_ROOT)
      .filter((name) => /^\d+$/.test(name))
      .sort((a, b) => Number(b) - Number(a));
    candidates.push(...majors.map((major) => join(DEBIAN_ROOT, major, 'bin')));
  }
  for (const binDir of candidates) {
    const missing = REQUIRED.filter((tool) => !existsSync(join(binDir, tool)));
    if (missing.length === 0) return binaries(binDir);
  }
  const where = env.LAB_PG_BIN ? `LAB_PG_BIN=${env.LAB_PG_BIN}` : `${DEBIAN_ROOT}/<version>/bin`;
  throw new PgLabError(
    'PostgresNotInstalled',
    `PostgreSQL server binaries (${REQUIRED.join(', ')}) not found in ${where}: ` +
      'install them with `apt-get install -y postgresql`, or set LAB_PG_BIN to a directory that has them',
  );
}

function binaries(binDir: string): PgBinaries {
  const fromPath = /\/(\d+)\/bin\/?$/.exec(binDir)?.[1];
  if (fromPath) return { binDir, major: Number(fromPath), bin: (name) => join(binDir, name) };
  const version = execFileSync(join(binDir, 'postgres'), ['--version'], { encoding: 'utf8' });
  const major = Number(/\(PostgreSQL\) (\d+)/.exec(version)?.[1] ?? 0);
  return { binDir, major, bin: (name) => join(binDir, name) };
}

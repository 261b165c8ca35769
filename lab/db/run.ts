// Running PostgreSQL tools as the server's OS user: `postgres` when we are root, ourselves otherwise.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { chown } from 'node:fs/promises';
import { PgLabError } from './errors.ts';

export interface RunAs {
  name: string;
  uid: number;
  gid: number;
}

/** The user the servers run as, or undefined to run as ourselves (servers refuse to run as root). */
export function serverUser(): RunAs | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('postgres:'));
  const fields = line?.split(':');
  if (!fields || fields.length < 4) {
    throw new PgLabError(
      'NoPostgresUser',
      'running as root, and PostgreSQL refuses to: create the `postgres` user ' +
        '(`apt-get install -y postgresql` does) or run the lab as a non-root user',
    );
  }
  return { name: 'postgres', uid: Number(fields[2]), gid: Number(fields[3]) };
}

export interface RunOptions {
  runAs: RunAs | undefined;
  /** Extra environment (e.g. PGPASSWORD): passed to the child only, never logged. */
  env?: Record<string, string>;
  timeoutMs?: number;
  /** Kills the command when aborted (the lab is stopping). */
  signal?: AbortSignal;
}

/** Run a command to completion; on failure the error says which command and shows its stderr tail. */
export function run(file: string, args: string[], opts: RunOptions): Promise<string> {
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C.UTF-8', ...opts.env };
  const ids = opts.runAs ? { uid: opts.runAs.uid, gid: opts.runAs.gid } : {};
  return new Promise((resolve, reject) => {
    execFile(
      file,
      args,
      {
        env,
        ...ids,
        signal: opts.signal,
        timeout: opts.timeoutMs ?? 60_000,
        maxBuffer: 16 * 1024 * 1024,
        cwd: '/',
      },
      (error, stdout, stderr) => {
        if (!error) return resolve(stdout);
        const tail = `${stderr}`.trim().split('\n').slice(-6).join('\n');
        const name = file.split('/').at(-1);
        reject(
          new PgLabError('CommandFailed', `${name} ${args.join(' ')} failed: ${tail}`, { cause: error }),
        );
      },
    );
  });
}

/** Give a directory tree to the server user (no-op when we run as ourselves). */
export async function chownTree(path: string, runAs: RunAs | undefined): Promise<void> {
  if (!runAs) return;
  await run('chown', ['-R', `${runAs.uid}:${runAs.gid}`, path], { runAs: undefined });
}

/** Give files or directories we just made (not their contents) to the server user, in-process: no `chown` to spawn. */
export async function chownPaths(paths: string[], runAs: RunAs | undefined): Promise<void> {
  if (!runAs) return;
  await Promise.all(paths.map((path) => chown(path, runAs.uid, runAs.gid)));
}

// Booting one region's database: its directories, a copy of the template, its server and client Link.
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Link } from '../net/link.ts';
import type { Region } from '../regions.ts';
import type { PgBinaries } from './binaries.ts';
import { PgLabError } from './errors.ts';
import { DbNode, nodeDirs } from './node.ts';
import { chownPaths, type RunAs, run } from './run.ts';
import { PgServer } from './server.ts';
import { query } from './sql.ts';
import { copyTemplate } from './standby.ts';

export interface BootContext {
  dir: string;
  bins: PgBinaries;
  runAs: RunAs | undefined;
  superuserPassword: string;
  /** The cached template data directory (template.ts). */
  template: string;
}

export async function prepareNode(ctx: BootContext, region: Region, port: number): Promise<DbNode> {
  const root = join(ctx.dir, region);
  await rm(root, { recursive: true, force: true });
  // A unix socket path must stay under ~100 bytes: fall back to a short private dir when `dir` is deep.
  let socketDir = join(root, 'run');
  if (socketDir.length > 80) socketDir = join(tmpdir(), `drill-pg-${randomBytes(4).toString('hex')}`);
  const dirs = nodeDirs(ctx.dir, region, socketDir);
  await Promise.all([dirs.log, dirs.socket].map((d) => mkdir(d, { recursive: true, mode: 0o700 })));
  await chownPaths([root, dirs.log, socketDir], ctx.runAs);
  await copyTemplate(ctx.template, dirs.data, ctx.runAs);
  const server = new PgServer({
    name: region,
    bins: ctx.bins,
    runAs: ctx.runAs,
    dataDir: dirs.data,
    socketDir,
    logFile: join(dirs.log, 'postgres.log'),
    port,
  });
  const clientLink = new Link({ name: `db-${region}`, target: { host: '127.0.0.1', port } });
  // Clients keep the Link's port; the Link follows its server when a start had to take another port.
  server.onPortChange((moved) => clientLink.setTarget({ host: '127.0.0.1', port: moved }));
  await clientLink.start();
  return new DbNode(region, server, clientLink, dirs, ctx.superuserPassword);
}

/** Set the lab's random passwords (over the superuser's unix socket: nothing else can log in yet). */
export async function setPasswords(node: DbNode, passwords: Record<string, string>): Promise<void> {
  const statements = Object.entries(passwords)
    .map(([role, password]) => `ALTER ROLE ${role} PASSWORD '${password.replaceAll("'", "''")}';`)
    .join('\n');
  await query(node.server.socketTarget(), statements);
}

/**
 * Where the server user can keep its files: `dir` (made passable with o+x), or, when a parent of `dir` is closed to
 * that user (a clone under `mktemp -d`, root's home), a fresh directory in os.tmpdir() that the caller removes.
 */
export async function serverReachableDir(
  dir: string,
  runAs: RunAs | undefined,
  log: (msg: string) => void = () => {},
): Promise<{ dir: string; relocated: boolean }> {
  if (!runAs) return { dir, relocated: false };
  // Our own lab dir may be private (mkdtemp makes 0700): let the server user pass through it.
  if (await passable(dir, runAs)) return { dir, relocated: false };
  const elsewhere = await mkdtemp(join(tmpdir(), 'drill-lab-db-'));
  if (await passable(elsewhere, runAs)) {
    log(
      `${dir} is not reachable by the user ${runAs.name} (a parent is closed): database files in ${elsewhere}`,
    );
    return { dir: elsewhere, relocated: true };
  }
  await rm(elsewhere, { recursive: true, force: true });
  throw new PgLabError(
    'DirNotAccessible',
    `${dir} is not reachable by the user ${runAs.name}, nor is ${tmpdir()}: allow it (chmod o+x on each parent)`,
  );
}

async function passable(dir: string, runAs: RunAs): Promise<boolean> {
  const { mode } = await stat(dir);
  await chmod(dir, (mode & 0o7777) | 0o001);
  try {
    await run('test', ['-x', dir], { runAs });
    return true;
  } catch {
    return false;
  }
}

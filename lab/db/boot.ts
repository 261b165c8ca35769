// Booting one region's database: its directories, a copy of the template, its server and client Link.
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Link } from '../net/link.ts';
import type { Region } from '../regions.ts';
import type { PgBinaries } from './binaries.ts';
import { PgLabError } from './errors.ts';
import { DbNode, nodeDirs } from './node.ts';
import { chownTree, type RunAs, run } from './run.ts';
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
  await Promise.all([chownTree(root, ctx.runAs), chownTree(socketDir, ctx.runAs)]);
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

export async function runInitSql(
  node: DbNode,
  initSql: string | undefined,
  luneoPassword: string,
): Promise<void> {
  if (!initSql) return;
  const target = { ...node.admin('luneo'), user: 'luneo', password: luneoPassword };
  await query(target, initSql, [], 60_000);
}

/** The lab dir must be reachable by the server user (root's home is not, for `postgres`). */
export async function letServerUserIn(dir: string, runAs: RunAs | undefined): Promise<void> {
  if (!runAs) return;
  // Our own lab dir may be private (mkdtemp makes 0700): let the server user pass through it.
  const { mode } = await stat(dir);
  await chmod(dir, (mode & 0o7777) | 0o001);
  try {
    await run('test', ['-x', dir], { runAs });
  } catch (error) {
    throw new PgLabError(
      'DirNotAccessible',
      `${dir} is not reachable by the user ${runAs.name}: allow it (chmod o+x on each parent) or use a dir under /tmp`,
      { cause: error },
    );
  }
}

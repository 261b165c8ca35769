// One region's database: its server, its client Link, its directories and what the control plane knows of it.
import { join } from 'node:path';
import type { Link } from '../net/link.ts';
import type { Region } from '../regions.ts';
import type { PgServer } from './server.ts';
import { type ConnectTarget, query } from './sql.ts';

export type DbRole = 'writer' | 'replica' | 'fenced' | 'down' | 'rebuilding';
export type SyncStatus = 'connected' | 'pending-resync';

export interface NodeDirs {
  root: string;
  data: string;
  log: string;
  socket: string;
}

export function nodeDirs(dir: string, region: Region, socketDir: string): NodeDirs {
  const root = join(dir, region);
  return { root, data: join(root, 'data'), log: join(root, 'log'), socket: socketDir };
}

export class DbNode {
  sync: SyncStatus = 'connected';
  /** Cut off the network by isolate(). */
  isolated = false;
  /** Its subnets are cut off (isolateSubnets): clients cannot reach it, replication still runs. */
  subnetsIsolated = false;
  /** We stopped it (or made it refuse writes) because it is no longer the writer. */
  fenced = false;
  /** rejoin() is rebuilding it. */
  rebuilding = false;

  constructor(
    readonly region: Region,
    readonly server: PgServer,
    readonly clientLink: Link,
    readonly dirs: NodeDirs,
    private readonly superuserPassword: string,
  ) {}

  /** The superuser on the server's own port: the control plane's path, not the clients' Link. */
  admin(database = 'luneo'): ConnectTarget {
    return {
      host: '127.0.0.1',
      port: this.server.port,
      user: 'postgres',
      password: this.superuserPassword,
      database,
    };
  }

  async sql<Row extends Record<string, unknown>>(text: string, params: unknown[] = [], timeoutMs = 5_000) {
    return query<Row>(this.admin(), text, params, timeoutMs);
  }

  /** The real role, asked of the server itself; our own knowledge only tells fenced/rebuilding from down. */
  async role(): Promise<DbRole> {
    if (this.rebuilding) return 'rebuilding';
    let row: { recovery: boolean; read_only: string } | undefined;
    // Two tries: on a loaded machine one slow handshake must not make a live server look down.
    for (let attempt = 1; !row; attempt++) {
      try {
        [row] = await this.sql<{ recovery: boolean; read_only: string }>(
          "SELECT pg_is_in_recovery() AS recovery, current_setting('default_transaction_read_only') AS read_only",
          [],
          3_000,
        );
      } catch {
        if (attempt >= 2 || !this.server.running) return this.fenced ? 'fenced' : 'down';
      }
    }
    if (!row) return 'down';
    if (row.recovery) return 'replica';
    if (row.read_only === 'on' || this.fenced) return 'fenced';
    return 'writer';
  }

  /** The replay position of a standby, or undefined if it does not answer. */
  async replayLsn(): Promise<string | undefined> {
    const [row] = await this.sql<{ lsn: string | null }>('SELECT pg_last_wal_replay_lsn()::text AS lsn');
    return row?.lsn ?? undefined;
  }
}

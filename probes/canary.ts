// canary(): the write ledger behind the achieved RPO. Writes a numbered row every interval to the primary,
// and after failover reads which rows the new primary has. See probes/README.md for its precision.
import { DrillError, errorMessage } from '../core/errors.ts';
import type { Duration, LedgerWrite, RunContext, WriteLedger } from '../core/model.ts';
import { registerSecret } from '../core/redact.ts';
import { CanaryThread } from './canary-thread.ts';
import { discardClient, openClient } from './canary-writer.ts';
import { type FromContext, resolveOption, safeText } from './resolve.ts';
import { backoffStep, delay, ms } from './timing.ts';

/** Time between writes: with the write latencies, the width of the RPO's evidence bracket (core/measure/README.md). */
export const CANARY_INTERVAL = '50ms';

export interface CanaryOptions<R> {
  /** Default "canary". */
  name?: string;
  /** Time between writes (default CANARY_INTERVAL, 50 ms): part of the RPO's uncertainty. */
  interval?: Duration;
  /** The writer's URL, e.g. read from the DATABASE_URL secret. Asked at start. */
  databaseUrl: FromContext<string, R>;
  /** Where survivors are read after failover (default: `databaseUrl`, asked again, so it names the NEW primary). */
  survivorUrl?: FromContext<string, R>;
  /** Replication lag the platform reported before T0 in ms (CloudWatch AuroraGlobalDBRPOLag, the lab's pg_stat_replication). Read at stop. */
  reportedLag?: (ctx: RunContext<R>) => Promise<number | null>;
  /** Default "drill_canary". */
  table?: string;
  /** First connection and table creation (default "10s"). */
  startTimeout?: Duration;
  /** Default "1s": a write during the outage fails this fast instead of hanging. */
  connectTimeout?: Duration;
  /** Default "2s". */
  writeTimeout?: Duration;
  /** How long collect() keeps trying to read the new primary (default "30s"). */
  collectTimeout?: Duration;
}

export interface CanaryLedger<R> extends WriteLedger<R> {
  /** Every write so far in this run (a copy). */
  writes(ctx: RunContext<R>): LedgerWrite[];
}

interface RunState {
  writer: CanaryThread;
  lag?: Promise<number | null>;
}

/** A WriteLedger writing `drill_canary(run_id, seq, sent_at)` rows; collect() attaches the ledger as CSV. */
export function canary<R = unknown>(options: CanaryOptions<R>): CanaryLedger<R> {
  const name = options.name ?? 'canary';
  const interval = options.interval ?? CANARY_INTERVAL;
  const table = options.table ?? 'drill_canary';
  if (!/^[a-z_][a-z0-9_]*$/.test(table)) {
    throw new DrillError(
      'E_VALIDATION',
      `canary table must be a plain lower-case SQL name, got ${JSON.stringify(table)}`,
    );
  }
  const key = `probes:canary:${name}`;
  const state = (ctx: RunContext<R>) => {
    const found = ctx.state.get(key) as RunState | undefined;
    if (!found) throw new DrillError('E_INTERNAL', `canary "${name}" was not started in run ${ctx.runId}`);
    return found;
  };
  const url = async (ctx: RunContext<R>, option: FromContext<string, R>) => {
    const value = await resolveOption(option, ctx);
    const password = passwordOf(value);
    if (password) registerSecret(ctx.state, password);
    return value;
  };

  return {
    name,
    interval,
    async start(ctx) {
      const target = await url(ctx, options.databaseUrl);
      const writer = new CanaryThread({
        url: target,
        runId: ctx.runId,
        table,
        intervalMs: ms(interval, CANARY_INTERVAL),
        connectTimeoutMs: ms(options.connectTimeout, '1s'),
        writeTimeoutMs: ms(options.writeTimeout, '2s'),
        clock: ctx.clock,
        log: ctx.log,
      });
      try {
        await writer.start(ctx.signal, ms(options.startTimeout, '10s'));
      } catch (error) {
        if (ctx.signal.aborted) throw error;
        throw new DrillError(
          'E_PREFLIGHT',
          `canary "${name}" cannot write to ${where(target)}: ${safeText(errorMessage(error))}; check the database URL and that the writer accepts connections`,
          { cause: error },
        );
      }
      ctx.state.set(key, { writer } satisfies RunState);
      ctx.log.info(`canary "${name}": writing one row every ${interval} to ${where(target)}`);
    },

    async stop(ctx) {
      const run = state(ctx);
      run.writer.stop();
      // Read now, while the platform's lag still describes the moment before T0.
      run.lag ??= readLag(ctx, options.reportedLag, name);
    },

    async collect(ctx) {
      const run = state(ctx);
      run.writer.stop();
      await run.writer.done();
      const reportedLagMs = await (run.lag ?? Promise.resolve(null));
      const source = await url(ctx, options.survivorUrl ?? options.databaseUrl);
      const survivors = await readSurvivors(ctx, source, table, ms(options.collectTimeout, '30s'));
      const writes = run.writer.writes.map((w) => ({ ...w }));
      await ctx.attach(`${name}-ledger.csv`, 'text/csv', ledgerCsv(writes, survivors, ctx));
      return { writes, survivors, reportedLagMs };
    },

    writes: (ctx) => state(ctx).writer.writes.map((w) => ({ ...w })),
  };
}

async function readLag<R>(
  ctx: RunContext<R>,
  reportedLag: CanaryOptions<R>['reportedLag'],
  name: string,
): Promise<number | null> {
  if (!reportedLag) return null;
  try {
    return await reportedLag(ctx);
  } catch (error) {
    ctx.log.warn(
      `canary "${name}": could not read the reported replication lag: ${safeText(errorMessage(error))}`,
    );
    return null;
  }
}

/** The seqs of this run on the new primary, retried with stepped backoff until `timeoutMs`. */
async function readSurvivors<R>(
  ctx: RunContext<R>,
  url: string,
  table: string,
  timeoutMs: number,
): Promise<number[]> {
  const signal = AbortSignal.any([ctx.signal, AbortSignal.timeout(timeoutMs)]);
  let lastError: unknown;
  for (let attempt = 0; ; attempt++) {
    const client = openClient(url, 2_000, 10_000);
    try {
      await client.connect();
      const result = await client.query<{ seq: string }>(
        `select seq from ${table} where run_id = $1 order by seq`,
        [ctx.runId],
      );
      return result.rows.map((row) => Number(row.seq));
    } catch (error) {
      lastError = error;
    } finally {
      discardClient(client);
    }
    try {
      await delay(backoffStep(attempt), signal);
    } catch {
      if (ctx.signal.aborted) throw ctx.signal.reason;
      throw new DrillError(
        'E_TIMEOUT',
        `canary could not read its rows from the new primary ${where(url)} within ${timeoutMs}ms: ${safeText(errorMessage(lastError))}; raise it with \`collectTimeout\``,
        { cause: lastError },
      );
    }
  }
}

/** seq, sent/acked on the run clock (ms, stamped on the canary's own thread), their wall times, and whether the row survived. */
export function ledgerCsv<R>(writes: LedgerWrite[], survivors: number[], ctx: RunContext<R>): string {
  const alive = new Set(survivors);
  const lines = ['seq,sent_at_ms,acked_at_ms,sent_at_wall,acked_at_wall,acked,survived'];
  for (const w of writes) {
    lines.push(
      [
        w.seq,
        w.sentAt.toFixed(1),
        w.ackedAt === null ? '' : w.ackedAt.toFixed(1),
        ctx.clock.wall(w.sentAt).toISOString(),
        w.ackedAt === null ? '' : ctx.clock.wall(w.ackedAt).toISOString(),
        w.ackedAt !== null,
        alive.has(w.seq),
      ].join(','),
    );
  }
  return `${lines.join('\n')}\n`;
}

/** host:port/db of a postgres URL, never its credentials. */
export function where(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || '5432'}${u.pathname}`;
  } catch {
    return '<unparseable database URL>';
  }
}

function passwordOf(url: string): string | undefined {
  try {
    return decodeURIComponent(new URL(url).password) || undefined;
  } catch {
    return undefined;
  }
}

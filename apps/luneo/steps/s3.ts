// Runbook §9.4 (and §12's `aws s3api list-object-versions`): the artifacts bucket replicated eu-west-1 → us-east-1.
// The backlog is what the primary bucket holds that the DR bucket does not: compared version by version.

import { connection } from '../../../actions/connection.ts';
import { declaredProbe, declaredStep } from '../../../actions/declared.ts';
import type { ObjectVersionInfo, S3 } from '../../../clients/aws/s3.ts';
import { formatDuration } from '../../../core/duration.ts';
import { DrillError, errorMessage } from '../../../core/errors.ts';
import type { PlannedCall, ProbeDefinition, StepDefinition } from '../../../core/model.ts';
import type { LuneoRun, Side } from '../context.ts';
import type { LuneoResources } from '../resources.ts';

export const BACKLOG_WHAT = 'S3 object versions';

export interface S3Backlog {
  /** Versions on the primary bucket that the DR bucket does not hold, oldest first. */
  pending: ObjectVersionInfo[];
  count: number;
  bytes: number;
  /** Versions the primary bucket holds in all. */
  sourceVersions: number;
}

/** Compare by (key, versionId): S3 replication keeps version ids, so a replica has its source's id. */
export function backlogOf(source: ObjectVersionInfo[], destination: ObjectVersionInfo[]): S3Backlog {
  const replicated = new Set(destination.map((v) => `${v.key}\u0000${v.versionId}`));
  const pending = source
    .filter((v) => !replicated.has(`${v.key}\u0000${v.versionId}`))
    .sort((a, b) => (a.lastModified?.getTime() ?? 0) - (b.lastModified?.getTime() ?? 0));
  return {
    pending,
    count: pending.length,
    bytes: pending.reduce((sum, v) => sum + v.size, 0),
    sourceVersions: source.length,
  };
}

/** "3 S3 object versions (96 bytes) on a not yet on b, oldest x/y.json written 2026-…". */
export function describeBacklog(b: S3Backlog, buckets: { source: string; destination: string }): string {
  if (b.count === 0)
    return `all ${b.sourceVersions} object versions of ${buckets.source} are on ${buckets.destination}`;
  const oldest = b.pending[0] as ObjectVersionInfo;
  return `${b.count} ${BACKLOG_WHAT} (${b.bytes} bytes) of ${b.sourceVersions} on ${buckets.source} not yet on ${buckets.destination}; oldest ${oldest.key} (${oldest.versionId}) written ${oldest.lastModified?.toISOString() ?? 'at an unknown time'}`;
}

/** What to bind when the target has no artifacts buckets. */
export const S3_UNBOUND =
  "resources.s3 is not set (the replicated artifacts buckets, e.g. { primaryBucket: 'luneo-prod-artifacts', drBucket: 'luneo-prod-artifacts-dr' })";

export function s3Buckets(ctx: LuneoRun): { source: string; destination: string } {
  const s3 = ctx.target.resources.s3;
  if (!s3) {
    throw new DrillError('E_USAGE', `target ${ctx.target.name}: ${S3_UNBOUND}`);
  }
  return { source: s3.primaryBucket, destination: s3.drBucket };
}

/** The run's S3 wrapper for one side (path-style on the lab), audited under this step or probe like every client. */
export async function s3Of(ctx: LuneoRun, side: Side): Promise<S3> {
  const conn = await connection(ctx);
  return conn.s3(conn.r[side].region);
}

/** Lists the primary bucket first, then the DR one: a copy landing in between cannot read as missing. */
export async function readBacklog(ctx: LuneoRun, signal: AbortSignal): Promise<S3Backlog> {
  const { source, destination } = s3Buckets(ctx);
  const sourceVersions = await (await s3Of(ctx, 'primary')).listAllVersions(source, { signal });
  const drVersions = await (await s3Of(ctx, 'secondary')).listAllVersions(destination, { signal });
  return backlogOf(sourceVersions, drVersions);
}

const planList = (ctx: LuneoRun): PlannedCall[] => {
  const r = ctx.target.resources;
  return [
    { side: 'primary' as const, bucket: r.s3?.primaryBucket },
    { side: 'secondary' as const, bucket: r.s3?.drBucket },
  ].map(({ side, bucket }) => ({
    service: 's3',
    operation: 'ListObjectVersions',
    scope: r[side].region,
    params: { Bucket: bucket ?? '<resources.s3 not set>' },
    mutating: false,
  }));
};

/** How long the backlog probe waits for both listings. */
const BACKLOG_READ_MS = 20_000;

/**
 * The residual replication backlog as probe data (`data.backlog`), which the run report shows next to lost
 * writes. `expect: 'drained'` fails while any version is missing on the DR side; 'report' only measures it.
 */
export function s3BacklogProbe(
  opts: { name?: string; expect?: 'report' | 'drained' } = {},
): ProbeDefinition<LuneoResources> {
  const expect = opts.expect ?? 'report';
  return declaredProbe<LuneoResources>({
    name: opts.name ?? 's3-backlog',
    description: `S3 replication backlog ${expect === 'drained' ? 'is drained' : 'is measured'} (runbook §9.4)`,
    runbook: '§9.4',
    timeout: '60s',
    calls: planList,
    async check(ctx, { signal }) {
      let backlog: S3Backlog;
      // In a regional outage the primary bucket's region does not answer at all: give up before the probe's
      // own deadline and say so, instead of timing the probe out.
      const patience = AbortSignal.timeout(BACKLOG_READ_MS);
      try {
        backlog = await readBacklog(ctx, AbortSignal.any([signal, patience]));
      } catch (error) {
        if (signal.aborted) throw error;
        const why = patience.aborted
          ? `a bucket could not be listed within ${formatDuration(BACKLOG_READ_MS)} (its region does not answer)`
          : errorMessage(error);
        // Measuring is all 'report' promises: a backlog that cannot be read in an outage is unknown, not a failure.
        return {
          ok: expect === 'report' && patience.aborted,
          detail: `cannot compare S3 object versions across regions: ${why}`,
        };
      }
      const detail = describeBacklog(backlog, s3Buckets(ctx));
      return {
        ok: expect === 'report' || backlog.count === 0,
        detail: expect === 'drained' && backlog.count > 0 ? `replication not drained: ${detail}` : detail,
        data: { backlog: { what: BACKLOG_WHAT, count: backlog.count, bytes: backlog.bytes } },
      };
    },
  });
}

/** Failover evidence: what the primary bucket held that us-east-1 did not, read right after T0. */
export function s3BacklogAtFailover(opts: { plannedAt?: string } = {}): StepDefinition<LuneoResources> {
  return declaredStep<LuneoResources>({
    id: 's3-backlog',
    title: 'Record the S3 replication backlog (object versions not yet in us-east-1)',
    runbook: '§8',
    plannedAt: opts.plannedAt ?? '5m',
    // Evidence only: a primary bucket that cannot be listed in a regional outage (its region's S3 does not
    // answer) must not hold up the failover: give up after a short while, as a best effort.
    timeout: '20s',
    bestEffort: true,
    calls: planList,
    async run(ctx) {
      const backlog = await readBacklog(ctx, ctx.signal);
      const t0 = ctx.clock.t0 === undefined ? undefined : ctx.clock.wall(ctx.clock.t0).getTime();
      const beforeT0 =
        t0 === undefined ? [] : backlog.pending.filter((v) => (v.lastModified?.getTime() ?? 0) <= t0);
      const oldest = beforeT0[0]?.lastModified?.getTime();
      const exposure =
        t0 === undefined
          ? ''
          : `; written before T0: ${beforeT0.length}${oldest === undefined ? '' : `, the oldest ${formatDuration(Math.max(0, t0 - oldest))} before T0`}`;
      return {
        detail: `${describeBacklog(backlog, s3Buckets(ctx))}${exposure}`,
        measurements: {
          s3BacklogVersions: backlog.count,
          s3BacklogBytes: backlog.bytes,
          s3BacklogBeforeT0: beforeT0.length,
        },
      };
    },
  });
}

// Runbook §9.4 on the way back: re-enable the replication rule if it was suspended, then wait until every
// version the primary bucket held when the step started is in the DR bucket.

import { enableBucketReplication } from '../../../actions/aws/s3-replication.ts';
import { declaredStep } from '../../../actions/declared.ts';
import { pollUntil } from '../../../clients/poll.ts';
import { parseDuration } from '../../../core/duration.ts';
import { DrillError, errorMessage } from '../../../core/errors.ts';
import type { StepDefinition } from '../../../core/model.ts';
import type { LuneoResources } from '../resources.ts';
import { backlogOf, describeBacklog, readBacklog, S3_UNBOUND, s3Buckets, s3Of } from './s3.ts';

/** §9.4: the generic step (actions/aws/s3-replication.ts) on Luneo's artifacts bucket. */
export function enableS3Replication(opts: { plannedAt?: string } = {}): StepDefinition<LuneoResources> {
  return enableBucketReplication<LuneoResources>(
    {
      id: 's3-replication-rule',
      title: 'Re-enable the S3 replication rule if it is suspended',
      runbook: '§9.4',
      ...(opts.plannedAt ? { plannedAt: opts.plannedAt } : {}),
      timeout: '2m',
    },
    {
      bucket: (r) => r.s3?.primaryBucket,
      region: (r) => r.primary.region,
      unbound: S3_UNBOUND,
    },
  );
}

/** Waits until the DR bucket holds every version the primary bucket held when the step started. */
export function waitS3Drained(
  opts: { timeout?: string; plannedAt?: string } = {},
): StepDefinition<LuneoResources> {
  const timeout = opts.timeout ?? '10m';
  return declaredStep<LuneoResources>({
    id: 's3-drained',
    title: 'Wait for the residual S3 replication to complete (list-object-versions on both sides)',
    runbook: '§9.4',
    ...(opts.plannedAt ? { plannedAt: opts.plannedAt } : {}),
    timeout,
    calls: (ctx) => {
      const r = ctx.target.resources;
      return (['primary', 'secondary'] as const).map((side) => ({
        service: 's3',
        operation: 'ListObjectVersions',
        scope: r[side].region,
        params: {
          Bucket: (side === 'primary' ? r.s3?.primaryBucket : r.s3?.drBucket) ?? '<resources.s3 not set>',
        },
        mutating: false,
      }));
    },
    async run(ctx) {
      const buckets = s3Buckets(ctx);
      const first = await readBacklog(ctx, ctx.signal);
      // Versions written after this instant are the next backlog, not the residual one §9.4 asks about.
      const snapshot = first.pending;
      if (snapshot.length === 0) return { detail: `nothing to drain: ${describeBacklog(first, buckets)}` };
      const dr = await s3Of(ctx, 'secondary');
      const started = Date.now();
      try {
        const drained = await pollUntil({
          site: { service: 's3', operation: 'ListObjectVersions', scope: dr.region },
          what: `the ${snapshot.length} pending version(s) of ${buckets.source} to reach ${buckets.destination}`,
          intervalMs: 250,
          maxIntervalMs: 5000,
          timeoutMs: parseDuration(timeout) - 2000,
          signal: ctx.signal,
          check: async () => {
            const now = backlogOf(
              snapshot,
              await dr.listAllVersions(buckets.destination, { signal: ctx.signal }),
            );
            return now.count === 0
              ? { done: true, value: now }
              : { done: false, seen: describeBacklog(now, buckets) };
          },
        });
        return {
          detail: `the residual backlog drained: ${first.count} version(s), ${first.bytes} bytes, now on ${buckets.destination} (${drained.sourceVersions} checked)`,
          measurements: {
            s3DrainedVersions: first.count,
            s3DrainedBytes: first.bytes,
            s3DrainMs: Date.now() - started,
          },
        };
      } catch (error) {
        if (ctx.signal.aborted) throw error;
        throw new DrillError(
          'E_STEP_FAILED',
          `${errorMessage(error)}. Is the rule enabled and the replication not paused (a FIS experiment still running)? Versions written while no rule was enabled never replicate: copy them with S3 Batch Replication`,
        );
      }
    },
  });
}

// Runbook §9.4 on the way back: re-enable the replication rule if it was suspended, then wait until every
// version the primary bucket held when the step started is in the DR bucket.

import type { ReplicationConfiguration } from '../../clients/aws/s3.ts';
import { planPutBucketReplication } from '../../clients/aws/s3.ts';
import { pollUntil } from '../../clients/poll.ts';
import { parseDuration } from '../../core/duration.ts';
import { DrillError, errorMessage } from '../../core/errors.ts';
import type { JsonValue, StepDefinition } from '../../core/model.ts';
import { declaredStep } from '../declared.ts';
import type { LuneoResources } from './resources.ts';
import { backlogOf, describeBacklog, readBacklog, s3Buckets, s3Of } from './s3.ts';

/** GetBucketReplication, then PutBucketReplication with every rule Enabled, only when one is not. */
export function enableS3Replication(opts: { plannedAt?: string } = {}): StepDefinition<LuneoResources> {
  return declaredStep<LuneoResources>({
    id: 's3-replication-rule',
    title: 'Re-enable the S3 replication rule if it is suspended',
    runbook: '§9.4',
    ...(opts.plannedAt ? { plannedAt: opts.plannedAt } : {}),
    timeout: '2m',
    calls: (ctx) => {
      const r = ctx.target.resources;
      const bucket = r.s3?.primaryBucket ?? '<resources.s3 not set>';
      return [
        {
          service: 's3',
          operation: 'GetBucketReplication',
          scope: r.primary.region,
          params: { Bucket: bucket },
          mutating: false,
        },
        planPutBucketReplication(r.primary.region, bucket, 'Enabled'),
      ];
    },
    async run(ctx) {
      const { source } = s3Buckets(ctx);
      const s3 = await s3Of(ctx, 'primary');
      const config = await s3.getBucketReplication(source, { signal: ctx.signal });
      const rules = config.Rules ?? [];
      if (rules.length === 0) {
        throw new DrillError(
          'E_STEP_FAILED',
          `${source} has no replication rule: restore the replication configuration (Terraform aws_s3_bucket_replication_configuration) before the switchback`,
        );
      }
      const suspended = rules.filter((rule) => rule.Status !== 'Enabled').map((rule) => rule.ID ?? '(no id)');
      if (suspended.length === 0) {
        return {
          detail: `replication of ${source} already enabled (${rules.map((r) => r.ID).join(', ')}): nothing to change`,
        };
      }
      const enabled: ReplicationConfiguration = {
        ...config,
        Rules: rules.map((rule) => ({ ...rule, Status: 'Enabled' })),
      };
      await s3.putBucketReplication(source, enabled, { signal: ctx.signal });
      return {
        detail: `re-enabled replication rule(s) ${suspended.join(', ')} of ${source}`,
        // The configuration as it was, so an abort puts the suspension back.
        undoData: JSON.parse(JSON.stringify(config)) as JsonValue,
      };
    },
    async undo(ctx, undoData) {
      if (!undoData) return;
      const { source } = s3Buckets(ctx);
      const s3 = await s3Of(ctx, 'primary');
      await s3.putBucketReplication(source, undoData as unknown as ReplicationConfiguration, {
        signal: ctx.signal,
      });
    },
  });
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

// S3 Cross-Region Replication on the way back: re-enable a bucket's replication rules that are not Enabled
// (GetBucketReplication, then PutBucketReplication with every rule Enabled, only when one is not); the undo puts the
// configuration back as it was. https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketReplication.html
import { planPutBucketReplication, type ReplicationConfiguration } from '../../clients/aws/s3.ts';
import { DrillError } from '../../core/errors.ts';
import type { JsonValue, StepDefinition } from '../../core/model.ts';
import { connection } from '../connection.ts';
import { declaredStep } from '../declared.ts';
import type { Select, StepMeta } from '../select.ts';

export function enableBucketReplication<R>(
  meta: StepMeta<R>,
  opts: {
    /** The replicated (source) bucket; undefined: the target binds none. */
    bucket: Select<R, string | undefined>;
    region: Select<R, string>;
    /** Said when the target binds no bucket. */
    unbound: string;
  },
): StepDefinition<R> {
  const bucketOf = (ctx: { target: { name: string } }, r: R) => {
    const bucket = opts.bucket(r);
    if (!bucket) throw new DrillError('E_USAGE', `target ${ctx.target.name}: ${opts.unbound}`);
    return bucket;
  };
  return declaredStep<R>({
    ...meta,
    calls: (ctx) => {
      const r = ctx.target.resources;
      const bucket = opts.bucket(r) ?? '<resources.s3 not set>';
      return [
        {
          service: 's3',
          operation: 'GetBucketReplication',
          scope: opts.region(r),
          params: { Bucket: bucket },
          mutating: false,
        },
        planPutBucketReplication(opts.region(r), bucket, 'Enabled'),
      ];
    },
    async run(ctx) {
      const conn = await connection(ctx);
      const source = bucketOf(ctx, conn.r);
      const s3 = conn.s3(opts.region(conn.r));
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
      const conn = await connection(ctx);
      await conn
        .s3(opts.region(conn.r))
        .putBucketReplication(bucketOf(ctx, conn.r), undoData as unknown as ReplicationConfiguration, {
          signal: ctx.signal,
        });
    },
  });
}

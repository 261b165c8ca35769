// Sequence-numbered artifacts put to the primary bucket while the drill runs (like the database canary), so the
// S3 backlog at failover is made of real, recent versions. By default it stops writing at T0: a dark region's
// workloads write nothing more.
import { parseDuration } from '../../../core/duration.ts';
import { errorMessage } from '../../../core/errors.ts';
import type { BackgroundActivity, JsonValue } from '../../../core/model.ts';
import type { LuneoRun } from '../context.ts';
import type { LuneoResources } from '../resources.ts';
import { s3Buckets, s3Of } from './s3.ts';

export interface ArtifactPut {
  seq: number;
  key: string;
  /** Run clock (monotonic ms). */
  sentAt: number;
  ackedAt: number | null;
  versionId?: string;
  error?: string;
}

export interface S3WriterOptions {
  /** Time between puts (default "250ms"). */
  interval?: string;
  /** Key prefix; the run id and the sequence number follow (default "drill-artifacts"). */
  prefix?: string;
  /** Stop at T0 (default) or write until the drill ends. */
  until?: 't0' | 'end';
}

export const S3_WRITER_STATE = 'luneo:s3-writer';

export function s3ArtifactWriter(opts: S3WriterOptions = {}): BackgroundActivity<LuneoResources> {
  const intervalMs = parseDuration(opts.interval ?? '250ms');
  const prefix = opts.prefix ?? 'drill-artifacts';
  const until = opts.until ?? 't0';
  let loop: Promise<void> | undefined;
  let stopped = false;
  let wake: (() => void) | undefined;
  const puts: ArtifactPut[] = [];
  return {
    name: 's3-artifacts',
    plan: (ctx) => [
      {
        service: 's3',
        operation: 'PutObject',
        scope: ctx.target.resources.primary.region,
        params: {
          Bucket: ctx.target.resources.s3?.primaryBucket ?? '<resources.s3 not set>',
          Key: `${prefix}/<run-id>/<seq>.json`,
        },
        mutating: true,
      },
    ],
    async start(ctx: LuneoRun) {
      const { source } = s3Buckets(ctx);
      const s3 = await s3Of(ctx, 'primary');
      stopped = false;
      puts.length = 0;
      ctx.state.set(S3_WRITER_STATE, puts);
      const putOne = async (seq: number) => {
        const key = `${prefix}/${ctx.runId}/${String(seq).padStart(6, '0')}.json`;
        const put: ArtifactPut = { seq, key, sentAt: ctx.clock.now(), ackedAt: null };
        puts.push(put);
        try {
          const body = JSON.stringify({
            runId: ctx.runId,
            seq,
            sentAt: ctx.clock.wall(put.sentAt).toISOString(),
          });
          const out = await s3.putObject(source, key, body, {
            signal: AbortSignal.any([ctx.signal, AbortSignal.timeout(5000)]),
          });
          put.ackedAt = ctx.clock.now();
          if (out.versionId) put.versionId = out.versionId;
        } catch (error) {
          put.error = errorMessage(error);
        }
      };
      loop = (async () => {
        for (let seq = 1; !stopped && !ctx.signal.aborted; seq++) {
          if (until === 't0' && ctx.clock.t0 !== undefined) break;
          await putOne(seq);
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, intervalMs);
            wake = () => {
              clearTimeout(timer);
              resolve();
            };
          });
        }
      })();
    },
    async stop(): Promise<JsonValue> {
      stopped = true;
      wake?.();
      await loop;
      const acked = puts.filter((p) => p.ackedAt !== null);
      const failed = puts.filter((p) => p.error !== undefined);
      return {
        prefix,
        written: puts.length,
        acknowledged: acked.length,
        failed: failed.length,
        lastAcknowledgedSeq: acked[acked.length - 1]?.seq ?? null,
        ...(failed[0]?.error ? { firstError: failed[0].error } : {}),
        stoppedAt: until === 't0' ? 'T0' : 'end of drill',
      };
    },
  };
}

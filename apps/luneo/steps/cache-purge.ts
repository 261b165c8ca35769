// Runbook §9.3 "purger les clés obsolètes (redis-cli --scan)". Stale, here, means: a BullMQ job in the restored
// primary Redis whose render record no longer exists (its database write was lost in the failover), so the job
// can never complete and only clutters bull-board. Found with SCAN (the runbook's redis-cli --scan), checked one
// by one through the API (404 = no record), removed with BullMQ's own Queue.remove (all of the job's keys).

import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { declaredStep } from '../../../actions/declared.ts';
import { DrillError } from '../../../core/errors.ts';
import type { StepDefinition } from '../../../core/model.ts';
import { luneo } from '../context.ts';
import type { LuneoResources } from '../resources.ts';
import { cacheOf } from './cache.ts';

const QUEUE = 'renders';
const JOB_KEY = /^bull:renders:([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;

/** Job ids of every BullMQ job hash in `redis` (SCAN MATCH bull:renders:*, never KEYS). */
export async function scanJobIds(redis: Redis): Promise<{ scanned: number; ids: string[] }> {
  const ids: string[] = [];
  let scanned = 0;
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `bull:${QUEUE}:*`, 'COUNT', 1000);
    cursor = next;
    scanned += keys.length;
    for (const key of keys) {
      const id = JOB_KEY.exec(key)?.[1];
      if (id) ids.push(id);
    }
  } while (cursor !== '0');
  return { scanned, ids };
}

/** §9.3: remove the BullMQ jobs of the restored primary whose render record is gone (lost in the failover). */
export function purgeStaleKeys(): StepDefinition<LuneoResources> {
  return declaredStep<LuneoResources>({
    id: 'cache-purge-stale',
    title: 'Purge stale queue keys: BullMQ jobs whose render record was lost (SCAN, then Queue.remove)',
    runbook: '§9.3',
    timeout: '2m',
    calls: (ctx) => [
      {
        service: 'secretsmanager',
        operation: 'GetSecretValue',
        scope: ctx.target.resources.primary.region,
        params: { SecretId: ctx.target.resources.secrets.redisUrl ?? '<unbound>' },
        mutating: false,
      },
      { service: 'redis', operation: 'SCAN MATCH bull:renders:* on REDIS_URL', mutating: false },
      {
        service: 'http',
        operation: `GET ${ctx.target.resources.publicUrl}/api/renders/<id> for each job`,
        mutating: false,
      },
      {
        service: 'redis',
        operation: 'BullMQ Queue.remove(<id>) for each job without a record',
        mutating: true,
      },
    ],
    async run(ctx) {
      const l = await luneo(ctx);
      const c = cacheOf(l.r);
      const url = (
        await l.aws.secrets(l.r.primary.region).getSecretValue(c.redisUrlSecret, { signal: ctx.signal })
      ).value;
      const redis = new Redis(url, {
        maxRetriesPerRequest: 1,
        connectTimeout: 2000,
        commandTimeout: 5000,
      });
      redis.on('error', () => {});
      const queue = new Queue(QUEUE, { connection: redis });
      try {
        // The Queue connects the client itself; a PING says whether Redis answers at all.
        await redis.ping().catch((error: Error) => {
          throw new DrillError(
            'E_STEP_FAILED',
            `cannot reach Redis at ${new URL(url).host}: ${error.message}`,
          );
        });
        const { scanned, ids } = await scanJobIds(redis);
        const stale: string[] = [];
        for (const id of ids) {
          const response = await fetch(`${l.publicUrl}/api/renders/${id}`, { signal: ctx.signal });
          await response.body?.cancel();
          if (response.status === 404) stale.push(id);
        }
        for (const id of stale) {
          await ctx.audit.mutate(
            { service: 'redis', operation: 'BullMQ Queue.remove', params: { jobId: id }, mutating: true },
            () => queue.remove(id),
          );
        }
        return {
          detail: `scanned ${scanned} key(s) of ${ids.length} job(s) on ${new URL(url).host}: ${stale.length} stale removed${stale.length ? ` (${stale.join(', ')})` : ''}`,
          measurements: { staleJobs: stale.length, jobsScanned: ids.length },
        };
      } finally {
        await queue.close().catch(() => {});
        redis.disconnect();
      }
    },
  });
}

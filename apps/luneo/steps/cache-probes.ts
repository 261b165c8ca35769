// Runbook §8: BullMQ queues drained in the serving region, and render jobs lost in the failover counted like
// lost writes: sequence-numbered sentinel jobs are enqueued through the public URL until T0, then each
// acknowledged one is looked up after recovery (lost = its record is gone, or this Redis never heard of it).

import { setTimeout as sleep } from 'node:timers/promises';
import { declaredProbe } from '../../../actions/declared.ts';
import { pollUntil } from '../../../clients/poll.ts';
import { parseDuration } from '../../../core/duration.ts';
import { errorMessage } from '../../../core/errors.ts';
import type { BackgroundActivity, JsonValue, ProbeDefinition } from '../../../core/model.ts';
import { type LuneoRun, luneo } from '../context.ts';
import type { LuneoResources } from '../resources.ts';

const SENTINELS = 'luneo:render-sentinels';
const LOST_JOBS = 'luneo:render-jobs-lost';

interface Sentinel {
  seq: number;
  id: string;
}
interface SentinelLedger {
  acked: Sentinel[];
  refused: number;
  failedBefore: number | null;
}

function ledgerOf(ctx: LuneoRun): SentinelLedger {
  let ledger = ctx.state.get(SENTINELS) as SentinelLedger | undefined;
  if (!ledger) {
    ledger = { acked: [], refused: 0, failedBefore: null };
    ctx.state.set(SENTINELS, ledger);
  }
  return ledger;
}

async function queueCounts(base: string, signal: AbortSignal) {
  const response = await fetch(`${base}/api/queue`, { signal });
  const body = (await response.json()) as Record<string, number | string>;
  return { status: response.status, body };
}

/** Enqueues a sandbox render "drill sentinel <run> #<seq>" every `interval` through the public URL until T0. */
export function renderSentinels(opts: { interval?: string } = {}): BackgroundActivity<LuneoResources> {
  const interval = parseDuration(opts.interval ?? '250ms');
  let stop: AbortController | undefined;
  let loop: Promise<void> | undefined;
  return {
    name: 'render-sentinels',
    async start(ctx) {
      const base = (await luneo(ctx)).publicUrl;
      const ledger = ledgerOf(ctx);
      ledger.failedBefore = await queueCounts(base, ctx.signal)
        .then((q) => Number(q.body.failed ?? 0))
        .catch(() => null);
      stop = new AbortController();
      const signal = AbortSignal.any([stop.signal, ctx.signal]);
      loop = (async () => {
        for (let seq = 1; !signal.aborted && ctx.clock.t0 === undefined; seq++) {
          try {
            const response = await fetch(`${base}/api/renders`, {
              method: 'POST',
              headers: { 'content-type': 'application/json' },
              body: JSON.stringify({ prompt: `drill sentinel ${ctx.runId} #${seq}`, sandbox: true }),
              signal,
            });
            const body = (await response.json()) as { id?: string };
            if (response.status === 202 && body.id && ctx.clock.t0 === undefined)
              ledger.acked.push({ seq, id: body.id });
            else ledger.refused++;
          } catch {
            ledger.refused++;
          }
          await sleep(interval, undefined, { signal }).catch(() => {});
        }
      })();
    },
    async stop() {
      stop?.abort();
      await loop;
      return null;
    },
  };
}

/** After recovery: which acknowledged sentinel jobs never completed and are gone. Reports data.loss. */
export function renderJobsLost(opts: { timeout?: string } = {}): ProbeDefinition<LuneoResources> {
  const timeout = opts.timeout ?? '60s';
  return declaredProbe<LuneoResources>({
    name: 'render-jobs-lost',
    description:
      'Acknowledged sentinel render jobs from before T0 completed in the serving region (lost ones counted)',
    runbook: '§8',
    timeout,
    calls: (ctx) => [
      {
        service: 'http',
        operation: `POST ${ctx.target.resources.publicUrl}/api/renders (sentinels until T0)`,
        mutating: true,
      },
      {
        service: 'http',
        operation: `GET ${ctx.target.resources.publicUrl}/api/renders/<id>`,
        mutating: false,
      },
    ],
    async check(ctx, { signal }) {
      const base = (await luneo(ctx)).publicUrl;
      const ledger = ledgerOf(ctx);
      const verdict = new Map<number, 'done' | 'lost' | string>();
      try {
        await pollUntil({
          site: { service: 'http', operation: `GET ${base}/api/renders/<id>` },
          what: 'every acknowledged sentinel job to be done or lost',
          intervalMs: 250,
          maxIntervalMs: 2000,
          timeoutMs: parseDuration(timeout) - 2000,
          signal,
          check: async () => {
            for (const s of ledger.acked) {
              if (verdict.get(s.seq) === 'done' || verdict.get(s.seq) === 'lost') continue;
              const response = await fetch(`${base}/api/renders/${s.id}`, { signal });
              if (response.status === 404) {
                verdict.set(s.seq, 'lost'); // its record went with the database's last writes
                continue;
              }
              const job = (await response.json()) as { status?: string; queue?: string };
              if (job.status === 'done') verdict.set(s.seq, 'done');
              else if (
                job.queue === 'absent' ||
                job.queue === 'failed' ||
                job.status === 'failed' ||
                // Redis says completed but the record never got its result: the database lost the 'done' write.
                job.queue === 'completed'
              )
                verdict.set(s.seq, 'lost');
              else verdict.set(s.seq, `${job.status}/${job.queue}`);
            }
            const pending = ledger.acked.filter((s) => !['done', 'lost'].includes(verdict.get(s.seq) ?? ''));
            return pending.length === 0
              ? { done: true, value: null }
              : {
                  done: false,
                  seen: `${pending.length} pending, e.g. #${pending[0]?.seq} ${verdict.get(pending[0]!.seq)}`,
                };
          },
        });
      } catch (error) {
        if (signal.aborted) throw error;
        return { ok: false, detail: `sentinel jobs not settled: ${errorMessage(error)}` };
      }
      const lost = ledger.acked.filter((s) => verdict.get(s.seq) === 'lost').map((s) => s.seq);
      ctx.state.set(LOST_JOBS, lost.length);
      const data: JsonValue = {
        loss: { what: 'render jobs', count: lost.length, items: lost },
        acknowledged: ledger.acked.length,
        refusedBeforeT0: ledger.refused,
      };
      if (ledger.acked.length === 0)
        return {
          ok: false,
          detail: 'no sentinel render job was acknowledged before T0: nothing to measure',
          data,
        };
      return {
        ok: true,
        detail: `${lost.length} of ${ledger.acked.length} acknowledged sentinel render jobs lost${lost.length ? ` (#${lost.join(', #')})` : ''}; the others completed`,
        data,
      };
    },
  });
}

/**
 * §8 (bull-board): the serving region's BullMQ queues are drained: nothing waiting, active or delayed, and no job failed
 * since the drill started beyond the sentinel jobs render-jobs-lost counted as lost.
 */
export function queuesDrained(opts: { timeout?: string } = {}): ProbeDefinition<LuneoResources> {
  const timeout = opts.timeout ?? '30s';
  return declaredProbe<LuneoResources>({
    name: 'queues-drained',
    description:
      'BullMQ render queue drained in the serving region: waiting, active, delayed and new failed jobs (runbook §8)',
    runbook: '§8',
    timeout,
    calls: (ctx) => [
      { service: 'http', operation: `GET ${ctx.target.resources.publicUrl}/api/queue`, mutating: false },
    ],
    async check(ctx, { signal }) {
      const base = (await luneo(ctx)).publicUrl;
      const ledger = ledgerOf(ctx);
      const lostJobs = (ctx.state.get(LOST_JOBS) as number | undefined) ?? 0;
      let last = '';
      try {
        const body = await pollUntil({
          site: { service: 'http', operation: `GET ${base}/api/queue` },
          what: 'no render job waiting or active',
          intervalMs: 100,
          maxIntervalMs: 1000,
          timeoutMs: parseDuration(timeout) - 1000,
          signal,
          check: async () => {
            const q = await queueCounts(base, signal).catch((e: Error) => e);
            if (q instanceof Error) return { done: false, seen: q.message };
            // delayed: a job put back during the outage or waiting out its retry backoff is not done yet.
            const delayed = Number(q.body.delayed ?? 0);
            last = `HTTP ${q.status} waiting ${q.body.waiting} active ${q.body.active} delayed ${delayed} failed ${q.body.failed} completed ${q.body.completed} (Redis ${q.body.redis})`;
            return q.status === 200 && q.body.waiting === 0 && q.body.active === 0 && delayed === 0
              ? { done: true, value: q.body }
              : { done: false, seen: last };
          },
        });
        const newFailed = Number(body.failed) - (ledger.failedBefore ?? Number(body.failed));
        const unexplained = newFailed - lostJobs;
        const data = {
          waiting: 0,
          active: 0,
          failed: Number(body.failed),
          newFailed,
          completed: Number(body.completed),
        };
        if (unexplained > 0)
          return {
            ok: false,
            detail: `queue drained but ${newFailed} job(s) failed since the drill started, ${lostJobs} of them lost sentinel jobs: look at the failed jobs in bull-board (${last})`,
            data,
          };
        return { ok: true, detail: `queue drained: ${last}`, data };
      } catch (error) {
        if (signal.aborted) throw error;
        return { ok: false, detail: `queue not drained: ${errorMessage(error)}` };
      }
    },
  });
}

// The user-facing probes bound to a Luneo target: the public URL and the DATABASE_URL secret.
import { setTimeout as sleep } from 'node:timers/promises';
import type { ProbeDefinition } from '../../core/model.ts';
import { canary } from '../../probes/canary.ts';
import { type HealthExpectation, health, version } from '../../probes/health.ts';
import { order } from '../../probes/order.ts';
import { render } from '../../probes/render.ts';
import { smoke } from '../../probes/smoke.ts';
import { type LuneoRun, luneo } from './context.ts';
import { reportedRpoLag } from './database.ts';
import type { LuneoResources } from './resources.ts';

const publicUrl = async (ctx: LuneoRun) => (await luneo(ctx)).publicUrl;

/** DATABASE_URL as the app reads it now (after failover: the new writer). */
async function databaseUrl(ctx: LuneoRun): Promise<string> {
  const l = await luneo(ctx);
  const secret = await l.aws
    .secrets(l.r.primary.region)
    .getSecretValue(l.r.secrets.databaseUrl, { signal: ctx.signal });
  return secret.value;
}

export const luneoProbes = {
  health: (
    opts: {
      name?: string;
      expect?: HealthExpectation | ((ctx: LuneoRun) => HealthExpectation);
      interval?: string;
    } = {},
  ) => health<LuneoResources>({ url: publicUrl, ...opts }),
  version: () => version<LuneoResources>({ url: publicUrl }),
  order: (opts: { interval?: string; name?: string } = {}) =>
    order<LuneoResources>({ url: publicUrl, ...opts }),
  render: () => render<LuneoResources>({ url: publicUrl }),
  smoke: () => smoke<LuneoResources>({ url: publicUrl }),
  canary: (interval = '100ms') =>
    canary<LuneoResources>({
      interval,
      databaseUrl,
      reportedLag: async (ctx) => (await reportedRpoLag(ctx))?.value ?? null,
    }),
  queueDrained: (opts: { timeout?: string } = {}): ProbeDefinition<LuneoResources> => ({
    name: 'queue-drained',
    description: 'No render job waiting or active in the serving region (runbook §8, bull-board)',
    runbook: '§8',
    timeout: opts.timeout ?? '30s',
    async check(ctx, { signal }) {
      const url = `${await publicUrl(ctx)}/api/queue`;
      const started = performance.now();
      let last = '';
      for (let delay = 100; !signal.aborted; delay = Math.min(delay * 2, 1000)) {
        try {
          const response = await fetch(url, { signal });
          const counts = (await response.json()) as {
            waiting?: number;
            active?: number;
            failed?: number;
            done?: number;
          };
          last = `HTTP ${response.status} waiting ${counts.waiting} active ${counts.active} failed ${counts.failed} done ${counts.done}`;
          if (response.ok && counts.waiting === 0 && counts.active === 0) {
            return {
              ok: true,
              detail: `queue drained: ${last}`,
              latencyMs: performance.now() - started,
              data: counts,
            };
          }
        } catch (error) {
          if (signal.aborted) break;
          last = (error as Error).message;
        }
        await sleep(delay, undefined, { signal }).catch(() => {});
      }
      return {
        ok: false,
        detail: `queue not drained at ${url}: last seen ${last}`,
        latencyMs: performance.now() - started,
      };
    },
  }),
};

// The user-facing probes bound to a Luneo target: the public URL and the DATABASE_URL secret.

import { declaredProbe } from '../../actions/declared.ts';
import { formatDuration, parseDuration } from '../../core/duration.ts';
import type { PlannedCall, ProbeDefinition } from '../../core/model.ts';
import { availability } from '../../probes/availability.ts';
import { canary } from '../../probes/canary.ts';
import { HEALTH_TIMEOUT, type HealthExpectation, version } from '../../probes/health.ts';
import { asNewUser } from '../../probes/http.ts';
import { k6Load } from '../../probes/k6.ts';
import { order } from '../../probes/order.ts';
import { render } from '../../probes/render.ts';
import { smoke } from '../../probes/smoke.ts';
import { type LuneoRun, luneo, PROBE_READ } from './context.ts';
import type { LuneoResources } from './resources.ts';
import { readServingSecret } from './steps/app-secrets.ts';
import { reportedRpoLag } from './steps/database.ts';

const LAG_BEFORE_T0 = 'luneo:rpo-lag-before-t0';

type Plan = (ctx: LuneoRun) => PlannedCall[];
const http =
  (...requests: [method: string, path: string][]): Plan =>
  (ctx) =>
    requests.map(([method, path]) => ({
      service: 'http',
      operation: `${method} ${ctx.target.resources.publicUrl}${path}`,
      mutating: method !== 'GET',
    }));
const readSecret: Plan = (ctx) => [
  {
    service: 'secretsmanager',
    operation: 'GetSecretValue',
    scope: ctx.target.resources.primary.region,
    params: { SecretId: ctx.target.resources.secrets.databaseUrl },
    mutating: false,
  },
];

const publicUrl = async (ctx: LuneoRun) => (await luneo(ctx)).publicUrl;

/** DATABASE_URL as the serving region's app reads it now (after failover: us-east-1's copy, the new writer). */
const databaseUrl = (ctx: LuneoRun): Promise<string> =>
  readServingSecret(ctx, ctx.target.resources.secrets.databaseUrl);

export const luneoProbes = {
  health: (
    opts: {
      name?: string;
      expect?: HealthExpectation | ((ctx: LuneoRun) => HealthExpectation);
      interval?: string;
    } = {},
    // As a recovery probe it is sampled on its own thread (probes/availability.ts): the engine's busy loop
    // cannot make its send or answer instants late.
  ) =>
    declaredProbe({
      ...availability<LuneoResources>({
        url: publicUrl,
        name: opts.name ?? 'health',
        ...(opts.expect ? { expect: opts.expect } : {}),
        ...(opts.interval ? { interval: opts.interval } : {}),
        timeout: HEALTH_TIMEOUT,
      }),
      calls: http(['GET', '/health']),
    }),
  version: () =>
    declaredProbe({ ...version<LuneoResources>({ url: publicUrl }), calls: http(['GET', '/version']) }),
  order: (opts: { interval?: string; name?: string } = {}) =>
    declaredProbe({
      ...asNewUser(order<LuneoResources>({ url: publicUrl, ...opts })),
      calls: http(['POST', '/api/orders'], ['GET', '/api/orders/<id>']),
    }),
  render: () =>
    declaredProbe({
      ...render<LuneoResources>({ url: publicUrl }),
      calls: http(['POST', '/api/renders'], ['GET', '/api/renders/<id>'], ['GET', '/api/renders/<id>/image']),
    }),
  smoke: () =>
    declaredProbe({
      ...smoke<LuneoResources>({ url: publicUrl }),
      calls: http(['GET', '/ (shop page, Chromium)'], ['POST', '/api/orders (from the page)']),
    }),
  /** The write ledger (not a probe): its plan lists the secret it reads and the writes it makes. */
  canary: (interval = '100ms') => ({
    ...canary<LuneoResources>({
      interval,
      databaseUrl,
      // The lag the platform reported before T0 (stored by the steady-state lag probe); after T0 it is stale.
      reportedLag: async (ctx) => (ctx.state.get(LAG_BEFORE_T0) as number | undefined) ?? null,
    }),
    plan: (ctx: LuneoRun): PlannedCall[] => [
      ...readSecret(ctx),
      {
        service: 'postgres',
        operation: `INSERT INTO drill_canary every ${interval}, read back on the new writer`,
        mutating: true,
      },
    ],
  }),
  /** Load through the public URL for the whole drill: k6 when installed, else the built-in generator. */
  load: (opts: { rate?: number; path?: string } = {}) =>
    k6Load<LuneoResources>({
      name: 'load',
      url: publicUrl,
      rate: opts.rate ?? 20,
      path: opts.path ?? '/api/products',
    }),
  /**
   * Steady state of a failover drill: the primary region serves and its database is the writer. On a target
   * that is already failed over it says so and what to run, instead of failing obscurely later.
   */
  primaryServes: (): ProbeDefinition<LuneoResources> =>
    declaredProbe<LuneoResources>({
      name: 'primary-serves',
      description: 'eu-west-1 serves users and holds the writer',
      timeout: '10s',
      calls: (ctx) => [
        {
          service: 'rds',
          operation: 'DescribeGlobalClusters',
          scope: ctx.target.resources.secondary.region,
          mutating: false,
        },
        ...http(['GET', '/health'])(ctx),
      ],
      async check(ctx, { signal }) {
        const l = await luneo(ctx);
        const gc = await l.aws
          .rds(l.r.secondary.region)
          .describeGlobalCluster(l.r.globalClusterId, { signal, ...PROBE_READ });
        const writer = gc.members.find((m) => m.isWriter);
        // A target naming a cluster the platform does not have would drive the failover blind: refuse here.
        const members = gc.members.map((m) => m.clusterId);
        const missing = (['primary', 'secondary'] as const).filter(
          (side) => !members.includes(l.r[side].clusterId),
        );
        if (missing.length > 0) {
          return {
            ok: false,
            detail: `${missing.map((side) => `resources.${side}.clusterId "${l.r[side].clusterId}"`).join(' and ')} of target ${ctx.target.name} ${missing.length > 1 ? 'are not members' : 'is not a member'} of global cluster ${l.r.globalClusterId} (members: ${members.join(', ') || 'none'}): fix the target's resources`,
          };
        }
        const response = await fetch(`${l.publicUrl}/health`, { signal }).catch((e: Error) => e);
        const body =
          response instanceof Error
            ? null
            : ((await response.json().catch(() => null)) as { region?: string } | null);
        const served = body?.region ?? 'nobody';
        const failedOver = writer?.region === l.r.secondary.region || served === l.r.secondary.region;
        if (failedOver) {
          return {
            ok: false,
            detail: `the target is failed over: writer ${writer?.clusterId ?? 'none'} (${writer?.region ?? '-'}), users served by ${served}. Bring it back first: pnpm drill switchback`,
          };
        }
        const ok =
          writer?.region === l.r.primary.region &&
          served === l.r.primary.region &&
          !(response instanceof Error) &&
          response.status === 200;
        return {
          ok,
          detail: ok
            ? `writer ${writer?.clusterId} in ${writer?.region}, users served by ${served}`
            : `not a steady state: writer ${writer?.clusterId ?? 'none'}, public /health ${response instanceof Error ? response.message : `HTTP ${response.status}`} from ${served}`,
        };
      },
    }),
  /** Steady state: the platform's AuroraGlobalDBRPOLag is below the RPO target (and remembered for the report). */
  replicationLag: (opts: { below: string }): ProbeDefinition<LuneoResources> =>
    declaredProbe<LuneoResources>({
      name: 'replication-lag',
      description: `AuroraGlobalDBRPOLag below ${opts.below}`,
      runbook: '§6.1',
      timeout: '10s',
      calls: (ctx) => [
        {
          service: 'cloudwatch',
          operation: 'GetMetricData',
          scope: ctx.target.resources.secondary.region,
          params: { MetricName: 'AuroraGlobalDBRPOLag' },
          mutating: false,
        },
      ],
      async check(ctx) {
        const lag = await reportedRpoLag(ctx);
        if (!lag)
          return {
            ok: false,
            detail: 'no AuroraGlobalDBRPOLag datapoint in the last 15 minutes: replication state unknown',
          };
        ctx.state.set(LAG_BEFORE_T0, lag.value);
        const belowMs = parseDuration(opts.below);
        return {
          ok: lag.value < belowMs,
          detail: `AuroraGlobalDBRPOLag ${formatDuration(lag.value)} at ${lag.at.toISOString()} (${lag.value < belowMs ? 'below' : 'NOT below'} ${opts.below})`,
          data: { lagMs: lag.value },
        };
      },
    }),
};

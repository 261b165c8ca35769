// The self-test: every phase of a drill on the in-memory platform (targets/memory.ts), in a few seconds.
import type { PlannedCall, RunContext } from '../core/model.ts';
import { defineProbe, defineScenario, defineStep } from '../core/model.ts';
import { registerSecret } from '../core/redact.ts';
import {
  canaryLedger,
  databaseUrl,
  MemoryPlatform,
  type MemoryResources,
  PRIMARY,
  SECONDARY,
} from '../targets/memory.ts';

type Ctx = RunContext<MemoryResources>;
const platform = (ctx: Ctx) => new MemoryPlatform(ctx.target.resources);
const call = (service: string, operation: string, params?: PlannedCall['params']): PlannedCall => ({
  service,
  operation,
  scope: 'memory',
  mutating: true,
  ...(params ? { params } : {}),
});

const publicApi = defineProbe<MemoryResources>({
  name: 'public-api',
  description: 'The public name serves requests that reach a writable database',
  interval: '100ms',
  timeout: '2s',
  check: async (ctx) => platform(ctx).apiHealth(),
});

export default defineScenario<MemoryResources>({
  name: 'self-test',
  summary: 'Self-test on the in-memory platform: outage, failover, recovery, verification, rollback',
  defaultTarget: 'memory',
  objectives: { rto: '30s', rpo: '5s', stableFor: '1s' },
  recoveryTimeout: '10s',
  steadyState: [publicApi],
  fault: {
    title: 'Cut the primary region off the network',
    runbook: '§5',
    plan: () => [call('memory', 'CutRegion', { region: PRIMARY })],
    inject: async (ctx) => {
      await ctx.audit.mutate(call('memory', 'CutRegion', { region: PRIMARY }), async () => {
        await platform(ctx).wait(100, ctx.signal);
        platform(ctx).mutate('cut-region', (s) => {
          s.outage = true;
        });
      });
      return { detail: `${PRIMARY} unreachable` };
    },
    revert: async (ctx) => {
      await ctx.audit.mutate(call('memory', 'RestoreRegion', { region: PRIMARY }), async () => {
        platform(ctx).mutate('restore-region', (s) => {
          s.outage = false;
        });
      });
    },
  },
  failover: [
    defineStep<MemoryResources>({
      title: 'Fail over the global database to us-east-1',
      runbook: '§6.1',
      plannedAt: '1s',
      plan: () => [call('rds', 'FailoverGlobalCluster', { to: SECONDARY, allowDataLoss: true })],
      irreversible: {
        reason: 'a promoted secondary cannot be demoted in place',
        wayBack: 'switch the writer back: `pnpm drill rollback <run-id> --restore` (runs the restore steps)',
      },
      run: async (ctx) => {
        await ctx.audit.mutate(
          call('rds', 'FailoverGlobalCluster', { to: SECONDARY, allowDataLoss: true }),
          async () => {
            await platform(ctx).wait(600, ctx.signal);
            platform(ctx).mutate('failover-global-cluster', (s) => {
              s.writer = SECONDARY;
            });
          },
        );
        return { detail: `writer is ${SECONDARY}` };
      },
    }),
    defineStep<MemoryResources>({
      title: 'Point DATABASE_URL at the new writer',
      runbook: '§6.1',
      plannedAt: '2s',
      plan: (ctx) => [
        call('secretsmanager', 'PutSecretValue', {
          SecretId: 'DATABASE_URL',
          SecretString: databaseUrl(SECONDARY, ctx.target.resources.dbPassword),
        }),
      ],
      run: async (ctx) => {
        const password = ctx.target.resources.dbPassword;
        registerSecret(ctx.state, password);
        const url = databaseUrl(SECONDARY, password);
        const previous = platform(ctx).read().secret.current;
        let version = previous;
        await ctx.audit.mutate(
          call('secretsmanager', 'PutSecretValue', { SecretId: 'DATABASE_URL', SecretString: url }),
          async () => {
            await platform(ctx).wait(100, ctx.signal);
            platform(ctx).mutate('put-secret', (s) => {
              version = `v${Object.keys(s.secret.versions).length + 1}`;
              s.secret.versions[version] = url;
              s.secret.previous = s.secret.current;
              s.secret.current = version;
            });
          },
        );
        // A version id, never the value: the journal keeps undoData and must hold no secret.
        return {
          detail: `DATABASE_URL version ${version}`,
          undoData: { secretId: 'DATABASE_URL', previousVersion: previous },
        };
      },
      undo: async (ctx, undoData) => {
        // Without undoData (killed before run() returned), fall back to the AWSPREVIOUS-like label.
        const previous =
          (undoData as { previousVersion?: string } | undefined)?.previousVersion ??
          platform(ctx).read().secret.previous;
        if (!previous) return; // run() never wrote a new version
        await ctx.audit.mutate(
          call('secretsmanager', 'UpdateSecretVersionStage', { SecretId: 'DATABASE_URL', current: previous }),
          async () => {
            platform(ctx).mutate('restore-secret-version', (s) => {
              s.secret.current = previous;
            });
          },
        );
      },
    }),
    defineStep<MemoryResources>({
      title: 'Stop the primary AI workers',
      runbook: '§6.2',
      bestEffort: true,
      timeout: '2s',
      plan: () => [call('kubernetes', 'scale deployment/ai-worker', { context: PRIMARY, replicas: 0 })],
      run: async (ctx) => {
        const before = platform(ctx).read().workers[PRIMARY];
        await ctx.audit.mutate(
          call('kubernetes', 'scale deployment/ai-worker', { context: PRIMARY, replicas: 0 }),
          async () => {
            await platform(ctx).wait(50, ctx.signal);
            if (!platform(ctx).reachable(PRIMARY))
              throw new Error(`${PRIMARY} Kubernetes API is unreachable`);
            platform(ctx).mutate('scale-primary-workers', (s) => {
              s.workers[PRIMARY] = 0;
            });
          },
        );
        return { undoData: { replicas: before } };
      },
      undo: async (ctx, undoData) => {
        const replicas = (undoData as { replicas?: number } | undefined)?.replicas;
        if (replicas === undefined) return; // the scale never happened
        await ctx.audit.mutate(
          call('kubernetes', 'scale deployment/ai-worker', { context: PRIMARY, replicas }),
          async () => {
            platform(ctx).mutate('scale-primary-workers', (s) => {
              s.workers[PRIMARY] = replicas;
            });
          },
        );
      },
    }),
    defineStep<MemoryResources>({
      title: 'Route traffic to us-east-1',
      runbook: '§6.3',
      plannedAt: '3s',
      plan: () => [call('route53', 'UpdateHealthCheck', { HealthCheckId: 'primary', Inverted: true })],
      run: async (ctx) => {
        const previous = platform(ctx).read().dns;
        await ctx.audit.mutate(
          call('route53', 'UpdateHealthCheck', { HealthCheckId: 'primary', Inverted: true }),
          async () => {
            await platform(ctx).wait(500, ctx.signal);
            platform(ctx).mutate('invert-health-check', (s) => {
              s.dns = SECONDARY;
            });
          },
        );
        return { detail: `DNS answers ${SECONDARY}`, undoData: { previous } };
      },
      undo: async (ctx, undoData) => {
        const previous =
          (undoData as { previous?: 'eu-west-1' | 'us-east-1' } | undefined)?.previous ?? PRIMARY;
        await ctx.audit.mutate(
          call('route53', 'UpdateHealthCheck', { HealthCheckId: 'primary', Inverted: false }),
          async () => {
            platform(ctx).mutate('uninvert-health-check', (s) => {
              s.dns = previous;
            });
          },
        );
      },
    }),
  ],
  recovery: [publicApi],
  verify: [
    defineProbe<MemoryResources>({
      name: 'order',
      description: 'An order can be written through the public name',
      check: async (ctx, { signal }) => {
        await platform(ctx).wait(100, signal); // an order round trip
        const health = platform(ctx).apiHealth();
        return { ok: health.ok, detail: health.ok ? 'order accepted' : `order refused: ${health.detail}` };
      },
    }),
    defineProbe<MemoryResources>({
      name: 'secondary-serving',
      description: 'Traffic is served by us-east-1',
      check: async (ctx) => {
        const dns = platform(ctx).read().dns;
        return { ok: dns === SECONDARY, detail: `DNS answers ${dns}` };
      },
    }),
  ],
  restore: [
    defineStep<MemoryResources>({
      title: 'Switch the writer back to eu-west-1',
      runbook: '§8',
      plan: () => [call('rds', 'SwitchoverGlobalCluster', { to: PRIMARY })],
      run: async (ctx) => {
        await ctx.audit.mutate(call('rds', 'SwitchoverGlobalCluster', { to: PRIMARY }), async () => {
          await platform(ctx).wait(200, ctx.signal);
          platform(ctx).mutate('switchover-global-cluster', (s) => {
            s.writer = PRIMARY;
          });
        });
        return { detail: `writer is ${PRIMARY}` };
      },
    }),
  ],
  ledger: canaryLedger(),
});

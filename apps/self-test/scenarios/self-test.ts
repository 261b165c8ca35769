// The self-test: every phase of a drill on the in-memory platform (apps/self-test/targets/memory.ts), in a few seconds.
import type { JsonValue, PlannedCall, RunContext, StepDefinition } from '../../../core/model.ts';
import { defineProbe, defineScenario } from '../../../core/model.ts';
import { registerSecret } from '../../../core/redact.ts';
import {
  canaryLedger,
  databaseUrl,
  MemoryPlatform,
  type MemoryResources,
  type MemoryState,
  PRIMARY,
  SECONDARY,
  urlRegion,
} from '../targets/memory.ts';

type Ctx = RunContext<MemoryResources>;
type Step = StepDefinition<MemoryResources>;
const platform = (ctx: Ctx) => new MemoryPlatform(ctx.target.resources);
const call = (service: string, operation: string, params?: Record<string, JsonValue>): PlannedCall => ({
  service,
  operation,
  scope: 'memory',
  mutating: true,
  ...(params ? { params } : {}),
});

/** One audited call to the fake platform: it takes `ms` (scaled), then applies `change`. */
async function act(
  ctx: Ctx,
  planned: PlannedCall,
  ms: number,
  change: (s: MemoryState) => void,
): Promise<void> {
  await ctx.audit.mutate(planned, async () => {
    await platform(ctx).wait(ms, ctx.signal);
    platform(ctx).mutate(planned.operation, change);
  });
}

/** Points DATABASE_URL at `region` as a new version (like PutSecretValue); returns the version it replaced. */
async function putDatabaseUrl(ctx: Ctx, region: typeof PRIMARY | typeof SECONDARY): Promise<string> {
  const password = ctx.target.resources.dbPassword;
  registerSecret(ctx.state, password);
  const url = databaseUrl(region, password);
  const previous = platform(ctx).read().secret.current;
  await act(
    ctx,
    call('secretsmanager', 'PutSecretValue', { SecretId: 'DATABASE_URL', SecretString: url }),
    100,
    (s) => {
      if (urlRegion(s.secret.versions[s.secret.current] ?? '') === region) return; // already there
      const version = `v${Object.keys(s.secret.versions).length + 1}`;
      s.secret.versions[version] = url;
      s.secret.previous = s.secret.current;
      s.secret.current = version;
    },
  );
  return previous;
}

const routeTo = (region: typeof PRIMARY | typeof SECONDARY) =>
  call('route53', 'UpdateHealthCheck', { HealthCheckId: 'primary', Inverted: region === SECONDARY });
const drMode = (on: boolean) =>
  call('kubernetes', 'apply configmap/dr-overrides', { context: SECONDARY, dr_mode: on });
const scaleWorkers = (replicas: number) =>
  call('kubernetes', 'scale deployment/ai-worker', { context: PRIMARY, replicas });

const publicApi = defineProbe<MemoryResources>({
  name: 'public-api',
  description: 'The public name serves requests that reach a writable database',
  interval: '100ms',
  timeout: '2s',
  check: async (ctx) => platform(ctx).apiHealth(),
});

const failover: Step[] = [
  {
    title: 'Turn dr_mode on in us-east-1',
    runbook: '§6.4',
    plannedAt: '1s',
    plan: () => [drMode(true)],
    run: async (ctx) => {
      await act(ctx, drMode(true), 100, (s) => {
        s.drMode = true;
      });
      return { undoData: { drMode: false } };
    },
    undo: (ctx) =>
      act(ctx, drMode(false), 0, (s) => {
        s.drMode = false;
      }),
  },
  {
    title: 'Stop the primary AI workers',
    runbook: '§6.2',
    bestEffort: true,
    timeout: '2s',
    plan: () => [scaleWorkers(0)],
    run: async (ctx) => {
      const replicas = platform(ctx).read().workers[PRIMARY];
      await act(ctx, scaleWorkers(0), 50, (s) => {
        if (s.outage) throw new Error(`${PRIMARY} Kubernetes API is unreachable`);
        s.workers[PRIMARY] = 0;
      });
      return { undoData: { replicas } };
    },
    undo: async (ctx, undoData) => {
      const replicas = (undoData as { replicas?: number } | undefined)?.replicas;
      if (replicas === undefined) return; // the scale never happened
      await act(ctx, scaleWorkers(replicas), 0, (s) => {
        s.workers[PRIMARY] = replicas;
      });
    },
  },
  {
    title: 'Fail over the global database to us-east-1',
    runbook: '§6.1',
    plannedAt: '2s',
    plan: () => [call('rds', 'FailoverGlobalCluster', { to: SECONDARY, allowDataLoss: true })],
    irreversible: {
      reason: 'a promoted secondary cannot be demoted in place',
      wayBack: 'switch back: `pnpm drill rollback <run-id> --restore` (runs the restore steps)',
    },
    run: async (ctx) => {
      await act(
        ctx,
        call('rds', 'FailoverGlobalCluster', { to: SECONDARY, allowDataLoss: true }),
        600,
        (s) => {
          s.writer = SECONDARY;
        },
      );
      return { detail: `writer is ${SECONDARY}` };
    },
  },
  {
    title: 'Point DATABASE_URL at the new writer',
    runbook: '§6.1',
    plannedAt: '3s',
    plan: (ctx) => [
      call('secretsmanager', 'PutSecretValue', {
        SecretId: 'DATABASE_URL',
        SecretString: databaseUrl(SECONDARY, ctx.target.resources.dbPassword),
      }),
    ],
    run: async (ctx) => {
      const previous = await putDatabaseUrl(ctx, SECONDARY);
      // A version id, never the value: the journal keeps undoData and must hold no secret.
      return { detail: 'DATABASE_URL points at us-east-1', undoData: { previousVersion: previous } };
    },
    undo: async (ctx, undoData) => {
      // Without undoData (killed before run() returned), fall back to the AWSPREVIOUS-like label.
      const previous =
        (undoData as { previousVersion?: string } | undefined)?.previousVersion ??
        platform(ctx).read().secret.previous;
      if (!previous) return;
      await act(
        ctx,
        call('secretsmanager', 'UpdateSecretVersionStage', { SecretId: 'DATABASE_URL', current: previous }),
        0,
        (s) => {
          s.secret.current = previous;
        },
      );
    },
  },
  {
    title: 'Route traffic to us-east-1',
    runbook: '§6.3',
    plannedAt: '4s',
    plan: () => [routeTo(SECONDARY)],
    run: async (ctx) => {
      await act(ctx, routeTo(SECONDARY), 500, (s) => {
        s.dns = SECONDARY;
      });
      return { detail: `DNS answers ${SECONDARY}` };
    },
    undo: (ctx) =>
      act(ctx, routeTo(PRIMARY), 0, (s) => {
        s.dns = PRIMARY;
      }),
  },
];

// The planned way back (§8): also what `drill rollback --restore` runs. Each step is idempotent.
const restore: Step[] = [
  {
    title: 'Switch the writer back to eu-west-1',
    runbook: '§8',
    plan: () => [call('rds', 'SwitchoverGlobalCluster', { to: PRIMARY })],
    run: async (ctx) => {
      await act(ctx, call('rds', 'SwitchoverGlobalCluster', { to: PRIMARY }), 200, (s) => {
        s.writer = PRIMARY;
      });
      return { detail: `writer is ${PRIMARY}` };
    },
  },
  {
    title: 'Point DATABASE_URL back at eu-west-1',
    runbook: '§8',
    plan: () => [call('secretsmanager', 'PutSecretValue', { SecretId: 'DATABASE_URL' })],
    run: async (ctx) => {
      await putDatabaseUrl(ctx, PRIMARY);
      return { detail: 'DATABASE_URL points at eu-west-1' };
    },
  },
  {
    title: 'Route traffic back to eu-west-1',
    runbook: '§8',
    plan: () => [routeTo(PRIMARY)],
    run: async (ctx) => {
      await act(ctx, routeTo(PRIMARY), 100, (s) => {
        s.dns = PRIMARY;
      });
      return undefined;
    },
  },
  {
    title: 'Turn dr_mode off in us-east-1',
    runbook: '§8',
    plan: () => [drMode(false)],
    run: async (ctx) => {
      await act(ctx, drMode(false), 0, (s) => {
        s.drMode = false;
      });
      return undefined;
    },
  },
];

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
      await act(ctx, call('memory', 'CutRegion', { region: PRIMARY }), 100, (s) => {
        s.outage = true;
      });
      return { detail: `${PRIMARY} unreachable` };
    },
    revert: (ctx) =>
      act(ctx, call('memory', 'RestoreRegion', { region: PRIMARY }), 0, (s) => {
        s.outage = false;
      }),
  },
  failover,
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
      description: 'Traffic is served by us-east-1 in dr_mode',
      check: async (ctx) => {
        const { dns, drMode } = platform(ctx).read();
        return {
          ok: dns === SECONDARY && drMode,
          detail: `DNS answers ${dns}, dr_mode ${drMode ? 'on' : 'off'}`,
        };
      },
    }),
  ],
  restore,
  ledger: canaryLedger(),
});

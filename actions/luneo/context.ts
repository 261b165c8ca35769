// Per-run connections to a Luneo target: AWS clients (audited), Kubernetes clients, the public URL.
// Lab targets read their endpoints from lab.json; live targets use AWS's default credential chain.
import { resolve } from 'node:path';
import { AwsClients } from '../../clients/aws/clients.ts';
import { KubeClient } from '../../clients/kube/kube.ts';
import { DrillError } from '../../core/errors.ts';
import type { RunContext } from '../../core/model.ts';
import { type LabInfo, readLabInfo } from '../../lab/platform/info.ts';
import type { LuneoResources } from './resources.ts';

export type LuneoRun = RunContext<LuneoResources>;

/**
 * What a probe's AWS read under a 10 s deadline adds to its call options: an unanswered attempt is resent after
 * 5 s instead of waiting out the client's 30 s request timeout (and the probe's deadline with it). Not less: a
 * lab DescribeGlobalClusters asks each database its role, which takes seconds on a loaded machine.
 */
export const PROBE_READ = { attemptTimeoutMs: 5000 } as const;
export type Side = 'primary' | 'secondary';

export interface Luneo {
  r: LuneoResources;
  aws: AwsClients;
  kube(side: Side): KubeClient;
  publicUrl: string;
  /** The hosted zone id (given by the target, or from the lab). */
  zoneId: string;
  /** The health check on the PRIMARY failover record. */
  primaryHealthCheckId(): Promise<string>;
  clusterArn(side: Side): string;
  lab?: LabInfo;
}

const KEY = 'luneo';
const views = new WeakMap<LuneoRun, Promise<Luneo>>();

/**
 * The run's Luneo connections, built once per run, seen through this step's or probe's context: the
 * clients share their connections but record each call under the phase and step that made it.
 */
export function luneo(ctx: LuneoRun): Promise<Luneo> {
  let view = views.get(ctx);
  if (!view) {
    view = connection(ctx).then((conn) => boundTo(conn, ctx));
    views.set(ctx, view);
  }
  return view;
}

function connection(ctx: LuneoRun): Promise<Luneo> {
  const cached = ctx.state.get(KEY) as Promise<Luneo> | undefined;
  if (cached) return cached;
  const built = connect(ctx);
  ctx.state.set(KEY, built);
  return built;
}

function boundTo(conn: Luneo, ctx: LuneoRun): Luneo {
  const kubes = new Map<Side, KubeClient>();
  return {
    ...conn,
    aws: conn.aws.withAudit(ctx.audit),
    kube(side) {
      let client = kubes.get(side);
      if (!client) {
        client = conn.kube(side).withAudit(ctx.audit);
        kubes.set(side, client);
      }
      return client;
    },
  };
}

async function connect(ctx: LuneoRun): Promise<Luneo> {
  const r = ctx.target.resources;
  const lab = r.lab ? await requireLab(r.lab.dir) : undefined;
  const accountId = lab?.aws.accountId ?? ctx.target.aws.accountIds?.[0] ?? '000000000000';
  const aws = new AwsClients(
    {
      region: r.primary.region,
      ...(lab
        ? {
            endpoint: lab.aws.endpoint,
            credentials: { accessKeyId: lab.aws.accessKeyId, secretAccessKey: lab.aws.secretAccessKey },
          }
        : {}),
    },
    { audit: ctx.audit },
  );
  const kubeClients = new Map<Side, KubeClient>();
  const zoneId = lab?.hostedZoneId ?? r.hostedZone.id;
  if (!zoneId)
    throw new DrillError(
      'E_USAGE',
      `target ${ctx.target.name}: resources.hostedZone.id is not set (Route 53 hosted zone of ${r.hostedZone.name})`,
    );
  let healthCheckId = r.primaryHealthCheckId ?? lab?.healthChecks.primary;
  return {
    r,
    aws,
    lab,
    zoneId,
    publicUrl: lab?.publicUrl ?? r.publicUrl,
    kube(side) {
      let client = kubeClients.get(side);
      if (!client) {
        client = KubeClient.fromKubeconfig({
          ...(lab ? { kubeconfigPath: lab.kubeconfig } : {}),
          context: r[side].kubeContext,
          audit: ctx.audit,
        });
        kubeClients.set(side, client);
      }
      return client;
    },
    async primaryHealthCheckId() {
      if (healthCheckId) return healthCheckId;
      const records = await aws.route53().listFailoverRecords(zoneId, r.apiRecord, { signal: ctx.signal });
      healthCheckId = records.find((rec) => rec.failover === 'PRIMARY')?.healthCheckId;
      if (!healthCheckId)
        throw new DrillError(
          'E_NOT_FOUND',
          `the PRIMARY record ${r.apiRecord} in zone ${zoneId} has no health check`,
        );
      return healthCheckId;
    },
    clusterArn: (side) => `arn:aws:rds:${r[side].region}:${accountId}:cluster:${r[side].clusterId}`,
  };
}

async function requireLab(dir: string): Promise<LabInfo> {
  const info = await readLabInfo(resolve(dir));
  if (!info) {
    throw new DrillError(
      'E_PREFLIGHT',
      `no lab is running in ${resolve(dir)}: start one with \`pnpm lab up\` (or let the drill start an ephemeral one)`,
    );
  }
  return info;
}

/** ARN form for planning (no network): the account comes from the target's allow-list. */
export function plannedClusterArn(ctx: LuneoRun, side: Side): string {
  const r = ctx.target.resources;
  return `arn:aws:rds:${r[side].region}:${ctx.target.aws.accountIds?.[0] ?? '<account>'}:cluster:${r[side].clusterId}`;
}

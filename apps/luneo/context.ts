// Per-run connections to a Luneo target: the generic connection (actions/connection.ts: AWS and Kubernetes
// clients, audited; the resources as the target resolved them) with Luneo's own lookups on top.

import { connection } from '../../actions/connection.ts';
import type { AwsClients } from '../../clients/aws/clients.ts';
import type { KubeClient } from '../../clients/kube/kube.ts';
import { DrillError } from '../../core/errors.ts';
import type { RunContext } from '../../core/model.ts';
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
  /** The resources as the target resolved them (the lab's zone, health check, URLs). */
  r: LuneoResources;
  aws: AwsClients;
  kube(side: Side): KubeClient;
  /** The kubeconfig of the contexts (undefined: the default one). */
  kubeconfig: string | undefined;
  publicUrl: string;
  /** The hosted zone id (given by the target, or resolved when it connected). */
  zoneId: string;
  /** The health check on the PRIMARY failover record. */
  primaryHealthCheckId(): Promise<string>;
  clusterArn(side: Side): string;
}

const KEY = 'luneo:health-check';
const views = new WeakMap<LuneoRun, Promise<Luneo>>();

/** The run's Luneo view of its connection, seen through this step's or probe's context (its audit). */
export function luneo(ctx: LuneoRun): Promise<Luneo> {
  let view = views.get(ctx);
  if (!view) {
    view = connection(ctx).then((conn) => {
      const r = conn.r;
      const zone = () => {
        if (r.hostedZone.id) return r.hostedZone.id;
        throw new DrillError(
          'E_USAGE',
          `target ${ctx.target.name}: resources.hostedZone.id is not set (Route 53 hosted zone of ${r.hostedZone.name})`,
        );
      };
      return {
        r,
        aws: conn.aws,
        kube: (side: Side) => conn.kube(r[side].kubeContext),
        kubeconfig: conn.kubeconfig,
        get zoneId() {
          return zone();
        },
        publicUrl: r.publicUrl,
        async primaryHealthCheckId() {
          const known = r.primaryHealthCheckId ?? (ctx.state.get(KEY) as string | undefined);
          if (known) return known;
          const zoneId = zone();
          const records = await conn.aws
            .route53()
            .listFailoverRecords(zoneId, r.apiRecord, { signal: ctx.signal });
          const found = records.find((rec) => rec.failover === 'PRIMARY')?.healthCheckId;
          if (!found)
            throw new DrillError(
              'E_NOT_FOUND',
              `the PRIMARY record ${r.apiRecord} in zone ${zoneId} has no health check`,
            );
          ctx.state.set(KEY, found);
          return found;
        },
        clusterArn: (side: Side) =>
          `arn:aws:rds:${r[side].region}:${conn.accountId}:cluster:${r[side].clusterId}`,
      };
    });
    views.set(ctx, view);
  }
  return view;
}

/** ARN form for planning (no network): the account comes from the target's allow-list. */
export function plannedClusterArn(ctx: LuneoRun, side: Side): string {
  const r = ctx.target.resources;
  return `arn:aws:rds:${r[side].region}:${ctx.target.aws.accountIds?.[0] ?? '<account>'}:cluster:${r[side].clusterId}`;
}

// Runbook §9–§10: the way back. The old primary must have rejoined as a replica before one planned switchover.

import { declaredFault, declaredProbe, declaredStep } from '../../../actions/declared.ts';
import { sleep } from '../../../clients/abort.ts';
import { pollUntil } from '../../../clients/poll.ts';
import { formatDuration, parseDuration } from '../../../core/duration.ts';
import { DrillError } from '../../../core/errors.ts';
import type { FaultDefinition, ProbeDefinition, StepDefinition } from '../../../core/model.ts';
import { luneo, PROBE_READ } from '../context.ts';
import type { LuneoResources } from '../resources.ts';

/** A planned operation has no fault: T0 is the moment the maintenance window opens. */
export function plannedWindow(title: string): FaultDefinition<LuneoResources> {
  return declaredFault<LuneoResources>({
    title,
    runbook: '§9',
    calls: () => [],
    async inject() {
      return { detail: 'maintenance window open (nothing injected)' };
    },
    async revert() {},
  });
}

/** Environment variable: how long a switchback waits for the old primary to rejoin, e.g. `2h` (default 10m; 0: refuse at once). */
export const REJOIN_WAIT_ENV = 'DRILL_REJOIN_WAIT';
const DEFAULT_REJOIN_WAIT = '10m';
/** How often the wait says where it is. */
const PROGRESS_EVERY_MS = 30_000;

/** The bound a switchback waits for the rejoin: DRILL_REJOIN_WAIT, else 10 minutes. */
export function rejoinWaitFromEnv(env: NodeJS.ProcessEnv = process.env): string {
  const value = env[REJOIN_WAIT_ENV]?.trim();
  if (!value) return DEFAULT_REJOIN_WAIT;
  try {
    parseDuration(value);
  } catch {
    throw new DrillError('E_USAGE', `${REJOIN_WAIT_ENV}=${value} is not a duration such as 45m, 2h or 0s`);
  }
  return value;
}

interface MemberView {
  region: string;
  clusterId?: string;
  isWriter?: boolean;
  syncStatus?: string;
}

/**
 * Steady state of a switchback: us-east-1 writes, and the old primary is a connected secondary. After an unplanned
 * failover Aurora rebuilds the old primary as a secondary, which "can take a few minutes to several hours"
 * (Aurora User Guide, global database failover): SwitchoverGlobalCluster needs it synchronized. So the gate waits
 * for SynchronizationStatus connected, saying how long it has waited, up to `rejoinWait`, then refuses.
 */
export function failedOver(opts: { rejoinWait?: string } = {}): ProbeDefinition<LuneoResources> {
  const rejoinWait = opts.rejoinWait ?? rejoinWaitFromEnv();
  const boundMs = parseDuration(rejoinWait);
  return declaredProbe<LuneoResources>({
    name: 'failed-over',
    description: 'us-east-1 is writer and the old primary is a connected secondary again (rejoined)',
    // The wait is the probe's own; the deadline leaves it room to answer.
    timeout: `${boundMs + 30_000}ms`,
    calls: (ctx) => [
      {
        service: 'rds',
        operation: 'DescribeGlobalClusters',
        scope: ctx.target.resources.secondary.region,
        params: { until: 'primary connected', bound: rejoinWait },
        mutating: false,
      },
    ],
    async check(ctx, { signal }) {
      const l = await luneo(ctx);
      const rds = l.aws.rds(l.r.secondary.region);
      const began = ctx.clock.now();
      let lastProgress = Number.NEGATIVE_INFINITY;
      for (;;) {
        const gc = await rds.describeGlobalCluster(l.r.globalClusterId, { signal, ...PROBE_READ });
        const writer: MemberView | undefined = gc.members.find((m) => m.isWriter);
        const primary: MemberView | undefined = gc.members.find((m) => m.region === l.r.primary.region);
        if (writer?.region === l.r.primary.region) {
          return {
            ok: false,
            detail: `nothing to switch back: ${writer.clusterId} in ${writer.region} is already writer`,
          };
        }
        if (writer?.region !== l.r.secondary.region || !primary) {
          return {
            ok: false,
            detail: `writer ${writer?.clusterId ?? 'none'}; ${l.r.primary.clusterId} is not a member of ${l.r.globalClusterId}: nothing to switch back to`,
          };
        }
        const waited = ctx.clock.now() - began;
        if (primary.syncStatus === 'connected' && gc.status === 'available') {
          const after = waited >= 1000 ? ` after waiting ${formatDuration(waited)}` : '';
          return {
            ok: true,
            detail: `writer ${writer.clusterId}; ${primary.clusterId} is a connected secondary${after}`,
          };
        }
        const state = `${primary.clusterId} is ${primary.syncStatus ?? 'not synchronized'} (global cluster ${gc.status})`;
        if (waited >= boundMs) {
          return {
            ok: false,
            detail:
              `${state}${boundMs > 0 ? ` after ${formatDuration(waited)}` : ''}: the switchback needs it to be a connected ` +
              'secondary. After an unplanned failover Aurora rebuilds the old primary as a secondary, which can take a few ' +
              `minutes to several hours. Run the switchback once its SynchronizationStatus is connected (aws rds describe-global-clusters --region ${l.r.secondary.region}), ` +
              `or let it wait longer: ${REJOIN_WAIT_ENV}=2h (now ${rejoinWait})`,
          };
        }
        if (ctx.clock.now() - lastProgress >= PROGRESS_EVERY_MS) {
          lastProgress = ctx.clock.now();
          ctx.log.info(
            `switchback: waiting for ${l.r.primary.clusterId} to rejoin: ${state}, waited ${formatDuration(waited)} of ${rejoinWait}`,
          );
        }
        await sleep(
          Math.min(2000, Math.max(0, boundMs - waited)),
          rds.caller.site('DescribeGlobalClusters'),
          signal,
        );
      }
    },
  });
}

/** §9.1: the primary cluster's nodes are back (`kubectl get nodes`). */
export function primaryNodesReady(): StepDefinition<LuneoResources> {
  return declaredStep<LuneoResources>({
    id: 'primary-nodes',
    title: 'Primary EKS is back: every node Ready (kubectl get nodes)',
    runbook: '§9.1',
    timeout: '5m',
    calls: (ctx) => [
      {
        service: 'kubernetes',
        operation: 'list nodes',
        scope: ctx.target.resources.primary.kubeContext,
        mutating: false,
      },
    ],
    async run(ctx) {
      const l = await luneo(ctx);
      const nodes = await l.kube('primary').listNodes({ signal: ctx.signal });
      const notReady = nodes.filter((n) => !n.ready).map((n) => n.name);
      if (nodes.length === 0 || notReady.length > 0) {
        throw new DrillError(
          'E_STEP_FAILED',
          `primary nodes not ready: ${nodes.length === 0 ? 'no node' : notReady.join(', ')}`,
        );
      }
      return { detail: `${nodes.length} node(s) Ready: ${nodes.map((n) => n.name).join(', ')}` };
    },
  });
}

/** §9.2: the old primary still streams from the new writer (the steady state waited for it), just before the switchover. */
export function waitForRejoin(): StepDefinition<LuneoResources> {
  return declaredStep<LuneoResources>({
    id: 'rejoined',
    title: 'The old primary is a connected secondary of the global cluster (SynchronizationStatus connected)',
    runbook: '§9.2',
    timeout: '1m',
    calls: (ctx) => [
      {
        service: 'rds',
        operation: 'DescribeGlobalClusters',
        scope: ctx.target.resources.secondary.region,
        params: { until: 'primary connected' },
        mutating: false,
      },
    ],
    async run(ctx) {
      const l = await luneo(ctx);
      const rds = l.aws.rds(l.r.secondary.region);
      const primary = await pollUntil({
        site: { service: 'rds', operation: 'DescribeGlobalClusters', scope: rds.region },
        what: `${l.r.primary.clusterId} to stream from the new writer (SynchronizationStatus connected)`,
        intervalMs: 250,
        maxIntervalMs: 2000,
        timeoutMs: 55_000,
        signal: ctx.signal,
        check: async () => {
          const gc = await rds.describeGlobalCluster(l.r.globalClusterId, { signal: ctx.signal });
          const member = gc.members.find((m) => m.region === l.r.primary.region);
          const done =
            member && !member.isWriter && member.syncStatus === 'connected' && gc.status === 'available';
          return done
            ? { done: true, value: member }
            : {
                done: false,
                seen: `global cluster ${gc.status}, ${member?.clusterId ?? 'primary'} ${member?.syncStatus ?? 'not a member'}`,
              };
        },
      });
      return { detail: `${primary.clusterId} connected as replica` };
    },
  });
}

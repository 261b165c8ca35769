// Runbook §9–§10: the way back. The old primary must have rejoined as a replica before one planned switchover.
import { pollUntil } from '../../clients/poll.ts';
import { DrillError } from '../../core/errors.ts';
import {
  defineFault,
  defineStep,
  type FaultDefinition,
  type ProbeDefinition,
  type StepDefinition,
} from '../../core/model.ts';
import { luneo, PROBE_READ } from './context.ts';
import type { LuneoResources } from './resources.ts';

/** A planned operation has no fault: T0 is the moment the maintenance window opens. */
export function plannedWindow(title: string): FaultDefinition<LuneoResources> {
  return defineFault<LuneoResources>({
    title,
    runbook: '§9',
    plan: () => [],
    async inject() {
      return { detail: 'maintenance window open (nothing injected)' };
    },
    async revert() {},
  });
}

/** Steady state of a switchback: us-east-1 writes and serves, and the old primary streams from it again. */
export function failedOver(): ProbeDefinition<LuneoResources> {
  return {
    name: 'failed-over',
    description: 'us-east-1 is writer and the old primary is a member again (rejoined or rejoining)',
    timeout: '10s',
    plan: (ctx) => [
      {
        service: 'rds',
        operation: 'DescribeGlobalClusters',
        scope: ctx.target.resources.secondary.region,
        mutating: false,
      },
    ],
    async check(ctx, { signal }) {
      const l = await luneo(ctx);
      const gc = await l.aws
        .rds(l.r.secondary.region)
        .describeGlobalCluster(l.r.globalClusterId, { signal, ...PROBE_READ });
      const writer = gc.members.find((m) => m.isWriter);
      const primary = gc.members.find((m) => m.region === l.r.primary.region);
      if (writer?.region === l.r.primary.region) {
        return {
          ok: false,
          detail: `nothing to switch back: ${writer.clusterId} in ${writer.region} is already writer`,
        };
      }
      // The old primary may still be rebuilding: the switchback's first steps wait for it (§9.2).
      const ok = writer?.region === l.r.secondary.region && primary !== undefined && !primary.isWriter;
      return {
        ok,
        detail: ok
          ? `writer ${writer?.clusterId}; ${primary?.clusterId} is ${primary?.syncStatus ?? 'rejoining'}`
          : `writer ${writer?.clusterId ?? 'none'}; ${l.r.primary.clusterId} is not a member of ${l.r.globalClusterId}: nothing to switch back to`,
      };
    },
  };
}

/** §9.1: the primary cluster's nodes are back (`kubectl get nodes`). */
export function primaryNodesReady(): StepDefinition<LuneoResources> {
  return defineStep<LuneoResources>({
    id: 'primary-nodes',
    title: 'Primary EKS is back: every node Ready (kubectl get nodes)',
    runbook: '§9.1',
    timeout: '5m',
    plan: (ctx) => [
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

/** §9.2: wait until the old primary streams from the new writer (SynchronizationStatus connected). */
export function waitForRejoin(): StepDefinition<LuneoResources> {
  return defineStep<LuneoResources>({
    id: 'rejoined',
    title: 'The old primary has rejoined the global cluster as a replica (connected)',
    runbook: '§9.2',
    timeout: '10m',
    plan: (ctx) => [
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
        what: `${l.r.primary.clusterId} to stream again from the new writer (SynchronizationStatus connected)`,
        intervalMs: 250,
        maxIntervalMs: 2000,
        timeoutMs: 590_000,
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

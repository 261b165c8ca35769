// Aurora Global Database: describe, FailoverGlobalCluster (unplanned, AllowDataLoss), SwitchoverGlobalCluster
// (planned), and a waiter for the writer. Failover and switchover check before they act.

import {
  DescribeDBClustersCommand,
  DescribeGlobalClustersCommand,
  FailoverGlobalClusterCommand,
  type GlobalCluster,
  type RDSClient,
  SwitchoverGlobalClusterCommand,
} from '@aws-sdk/client-rds';
import type { PlannedCall } from '../../core/model.ts';
import { type CallOptions, sleep } from '../abort.ts';
import { ClientError } from '../errors.ts';
import { DEFAULT_WAIT, pollUntil, type WaitOptions } from '../poll.ts';
import { backoffDelay } from '../retry.ts';
import { AwsCaller } from './call.ts';
import type { AwsWrapperOptions } from './config.ts';

import {
  type ChangeWriterResult,
  type DbClusterInfo,
  type GlobalClusterInfo,
  type GlobalTargetInput,
  planFailoverGlobalCluster,
  planSwitchoverGlobalCluster,
  summarize,
  toGlobalClusterInfo,
  writerOf,
} from './rds-model.ts';

export * from './rds-model.ts';

export class Rds {
  readonly caller: AwsCaller;
  constructor(
    readonly client: RDSClient,
    readonly region: string,
    opts: AwsWrapperOptions = {},
  ) {
    this.caller = new AwsCaller('rds', region, opts.audit, opts.retry);
  }

  async describeGlobalCluster(id: string, opts: CallOptions = {}): Promise<GlobalClusterInfo> {
    const resource = { kind: 'global cluster', id };
    const out = await this.caller.send(
      'DescribeGlobalClusters',
      resource,
      (abortSignal) =>
        this.client.send(new DescribeGlobalClustersCommand({ GlobalClusterIdentifier: id }), { abortSignal }),
      opts,
    );
    const gc = out.GlobalClusters?.find((g) => g.GlobalClusterIdentifier === id) ?? out.GlobalClusters?.[0];
    if (!gc) {
      throw new ClientError({
        code: 'E_NOT_FOUND',
        message: `global cluster "${id}" not found in ${this.region} (empty DescribeGlobalClusters result)`,
        ...this.caller.site('DescribeGlobalClusters'),
      });
    }
    return toGlobalClusterInfo(gc);
  }

  async describeDbCluster(id: string, opts: CallOptions = {}): Promise<DbClusterInfo> {
    const out = await this.caller.send(
      'DescribeDBClusters',
      { kind: 'DB cluster', id },
      (abortSignal) =>
        this.client.send(new DescribeDBClustersCommand({ DBClusterIdentifier: id }), { abortSignal }),
      opts,
    );
    const c = out.DBClusters?.[0];
    if (!c) {
      throw new ClientError({
        code: 'E_NOT_FOUND',
        message: `DB cluster "${id}" not found in ${this.region} (empty DescribeDBClusters result)`,
        ...this.caller.site('DescribeDBClusters'),
      });
    }
    return {
      id: c.DBClusterIdentifier ?? id,
      arn: c.DBClusterArn ?? '',
      status: c.Status ?? 'unknown',
      endpoint: c.Endpoint,
      readerEndpoint: c.ReaderEndpoint,
      port: c.Port,
      engine: c.Engine,
      engineVersion: c.EngineVersion,
      globalClusterId: c.GlobalClusterIdentifier,
      instances: (c.DBClusterMembers ?? []).map((m) => ({
        instanceId: m.DBInstanceIdentifier ?? '',
        isWriter: m.IsClusterWriter === true,
      })),
    };
  }

  /** Unplanned failover (call it in the target's region). No-op if the target already is, or is becoming, writer. */
  failoverGlobalCluster(
    input: GlobalTargetInput & { allowDataLoss: boolean },
    opts: CallOptions = {},
  ): Promise<ChangeWriterResult> {
    return this.#changeWriter(planFailoverGlobalCluster(this.region, input), input, opts, (abortSignal) =>
      this.client.send(
        new FailoverGlobalClusterCommand({
          GlobalClusterIdentifier: input.globalClusterId,
          TargetDbClusterIdentifier: input.targetClusterArn,
          AllowDataLoss: input.allowDataLoss,
        }),
        { abortSignal },
      ),
    );
  }

  /** Planned switchover (RPO 0). No-op if the target already is, or is becoming, writer. */
  switchoverGlobalCluster(input: GlobalTargetInput, opts: CallOptions = {}): Promise<ChangeWriterResult> {
    return this.#changeWriter(planSwitchoverGlobalCluster(this.region, input), input, opts, (abortSignal) =>
      this.client.send(
        new SwitchoverGlobalClusterCommand({
          GlobalClusterIdentifier: input.globalClusterId,
          TargetDbClusterIdentifier: input.targetClusterArn,
        }),
        { abortSignal },
      ),
    );
  }

  // Check before act, and again before every retry: a timed-out request may have been applied.
  async #changeWriter(
    call: PlannedCall,
    input: GlobalTargetInput,
    opts: CallOptions,
    send: (abortSignal: AbortSignal | undefined) => Promise<{ GlobalCluster?: GlobalCluster }>,
  ): Promise<ChangeWriterResult> {
    const before = await this.describeGlobalCluster(input.globalClusterId, opts);
    this.#assertMember(before, input.targetClusterArn);
    if (this.#reached(before, input.targetClusterArn)) return { alreadyDone: true, globalCluster: before };
    return this.caller.mutate(call, async () => {
      for (let attempt = 1; ; attempt++) {
        try {
          const out = await this.caller.once(
            call.operation,
            { kind: 'global cluster', id: input.globalClusterId },
            send,
            opts,
          );
          return {
            alreadyDone: false,
            globalCluster: out.GlobalCluster ? toGlobalClusterInfo(out.GlobalCluster) : before,
          };
        } catch (err) {
          const retryable = (err as ClientError).retryable === true;
          // A resend refused for the cluster's state may be refused because an unanswered attempt went through.
          if (
            !retryable &&
            attempt > 1 &&
            (err as ClientError).remoteCode === 'InvalidGlobalClusterStateFault'
          ) {
            const now = await this.describeGlobalCluster(input.globalClusterId, opts);
            if (this.#reached(now, input.targetClusterArn)) return { alreadyDone: false, globalCluster: now };
          }
          if (!retryable || attempt >= this.caller.retry.maxAttempts) throw err;
          await sleep(
            backoffDelay(attempt, this.caller.retry),
            this.caller.site(call.operation),
            opts.signal,
          );
          const now = await this.describeGlobalCluster(input.globalClusterId, opts);
          if (this.#reached(now, input.targetClusterArn)) return { alreadyDone: false, globalCluster: now };
        }
      }
    });
  }

  #reached(gc: GlobalClusterInfo, targetArn: string): boolean {
    if (gc.failoverState) return gc.failoverState.toClusterArn === targetArn;
    return writerOf(gc)?.clusterArn === targetArn;
  }

  #assertMember(gc: GlobalClusterInfo, targetArn: string): void {
    if (gc.members.some((m) => m.clusterArn === targetArn)) return;
    throw new ClientError({
      code: 'E_NOT_FOUND',
      message: `cluster ${targetArn} is not a member of global cluster "${gc.id}" (members: ${gc.members.map((m) => m.clusterArn).join(', ') || 'none'})`,
      ...this.caller.site('DescribeGlobalClusters'),
    });
  }

  /** Polls until `clusterArn` is writer and no failover/switchover is running (status available). */
  waitUntilWriter(
    input: { globalClusterId: string; clusterArn: string } & WaitOptions,
  ): Promise<GlobalClusterInfo> {
    return pollUntil({
      site: this.caller.site('DescribeGlobalClusters'),
      what: `global cluster "${input.globalClusterId}" to have writer ${input.clusterArn} and status available`,
      timeoutMs: input.timeoutMs ?? DEFAULT_WAIT.timeoutMs,
      intervalMs: input.intervalMs ?? 2_000,
      ...(input.maxIntervalMs ? { maxIntervalMs: input.maxIntervalMs } : {}),
      ...(input.signal ? { signal: input.signal } : {}),
      check: async () => {
        const gc = await this.describeGlobalCluster(input.globalClusterId, { signal: input.signal });
        const done =
          writerOf(gc)?.clusterArn === input.clusterArn && !gc.failoverState && gc.status === 'available';
        return done ? { done: true, value: gc } : { done: false, seen: summarize(gc) };
      },
    });
  }
}

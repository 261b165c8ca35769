// ElastiCache Global Datastore: describe, FailoverGlobalReplicationGroup (check before act, read back before
// every retry: it takes no idempotency token), a waiter for the new primary, and a replication group's endpoint.

import {
  DescribeGlobalReplicationGroupsCommand,
  DescribeReplicationGroupsCommand,
  type ElastiCacheClient,
  FailoverGlobalReplicationGroupCommand,
  type GlobalReplicationGroup,
} from '@aws-sdk/client-elasticache';
import type { PlannedCall } from '../../core/model.ts';
import { type CallOptions, sleep } from '../abort.ts';
import { ClientError, isClientError } from '../errors.ts';
import { pollUntil, type WaitOptions } from '../poll.ts';
import { backoffDelay } from '../retry.ts';
import { AwsCaller } from './call.ts';
import type { AwsWrapperOptions } from './config.ts';

export interface DatastoreMember {
  replicationGroupId: string;
  region: string;
  role: 'PRIMARY' | 'SECONDARY' | string;
  status: string;
}

export interface GlobalDatastoreInfo {
  id: string;
  /** 'available', or 'modifying' while a failover runs. */
  status: string;
  members: DatastoreMember[];
  /** The replication group whose role is PRIMARY. */
  primary: string | undefined;
}

export interface DatastoreFailoverInput {
  globalReplicationGroupId: string;
  /** The member to promote; it must live in the wrapper's region. */
  primaryReplicationGroupId: string;
}

export function planFailoverGlobalReplicationGroup(
  region: string,
  input: DatastoreFailoverInput,
): PlannedCall {
  return {
    service: 'elasticache',
    operation: 'FailoverGlobalReplicationGroup',
    scope: region,
    params: {
      GlobalReplicationGroupId: input.globalReplicationGroupId,
      PrimaryRegion: region,
      PrimaryReplicationGroupId: input.primaryReplicationGroupId,
    },
    mutating: true,
  };
}

export function toDatastoreInfo(g: GlobalReplicationGroup): GlobalDatastoreInfo {
  const members = (g.Members ?? []).map((m) => ({
    replicationGroupId: m.ReplicationGroupId ?? '',
    region: m.ReplicationGroupRegion ?? '',
    role: m.Role ?? 'unknown',
    status: m.Status ?? 'unknown',
  }));
  return {
    id: g.GlobalReplicationGroupId ?? '',
    status: g.Status ?? 'unknown',
    members,
    primary: members.find((m) => m.role === 'PRIMARY')?.replicationGroupId,
  };
}

export class ElastiCache {
  readonly caller: AwsCaller;
  constructor(
    readonly client: ElastiCacheClient,
    readonly region: string,
    opts: AwsWrapperOptions = {},
  ) {
    this.caller = new AwsCaller('elasticache', region, opts.audit, opts.retry);
  }

  async describeGlobalDatastore(id: string, opts: CallOptions = {}): Promise<GlobalDatastoreInfo> {
    const out = await this.caller.send(
      'DescribeGlobalReplicationGroups',
      { kind: 'global datastore', id },
      (abortSignal) =>
        this.client.send(
          new DescribeGlobalReplicationGroupsCommand({ GlobalReplicationGroupId: id, ShowMemberInfo: true }),
          { abortSignal },
        ),
      opts,
    );
    const group = out.GlobalReplicationGroups?.find((g) => g.GlobalReplicationGroupId === id);
    if (!group) {
      throw new ClientError({
        code: 'E_NOT_FOUND',
        message: `global datastore "${id}" not found in ${this.region} (empty DescribeGlobalReplicationGroups result)`,
        ...this.caller.site('DescribeGlobalReplicationGroups'),
      });
    }
    return toDatastoreInfo(group);
  }

  /**
   * Promotes `primaryReplicationGroupId` (call it in that member's region). No-op when it already is the
   * primary. After a failed attempt the datastore is read back before anything is sent again: an attempt whose
   * answer was lost may have been accepted (the member is PRIMARY, or a failover is running).
   */
  async failoverGlobalDatastore(
    input: DatastoreFailoverInput,
    opts: CallOptions = {},
  ): Promise<{ alreadyDone: boolean; datastore: GlobalDatastoreInfo }> {
    const wanted = input.primaryReplicationGroupId;
    const before = await this.describeGlobalDatastore(input.globalReplicationGroupId, opts);
    if (!before.members.some((m) => m.replicationGroupId === wanted)) {
      throw new ClientError({
        code: 'E_NOT_FOUND',
        message: `replication group "${wanted}" is not a member of global datastore "${before.id}" (members: ${before.members.map((m) => `${m.replicationGroupId} (${m.region})`).join(', ') || 'none'})`,
        ...this.caller.site('DescribeGlobalReplicationGroups'),
      });
    }
    if (before.primary === wanted) return { alreadyDone: true, datastore: before };
    const call = planFailoverGlobalReplicationGroup(this.region, input);
    const resource = { kind: 'global datastore', id: input.globalReplicationGroupId };
    // Accepted by an attempt whose answer we never got: the member is PRIMARY, or a failover is under way
    // that was not before we acted.
    const acceptedMeanwhile = (now: GlobalDatastoreInfo) =>
      now.primary === wanted || (now.status === 'modifying' && before.status !== 'modifying');
    return this.caller.mutate(call, async () => {
      let unanswered = false;
      for (let attempt = 1; ; attempt++) {
        try {
          const out = await this.caller.once(
            call.operation,
            resource,
            (abortSignal) =>
              this.client.send(
                new FailoverGlobalReplicationGroupCommand({
                  GlobalReplicationGroupId: input.globalReplicationGroupId,
                  PrimaryRegion: this.region,
                  PrimaryReplicationGroupId: wanted,
                }),
                { abortSignal },
              ),
            opts,
          );
          return {
            alreadyDone: false,
            datastore: out.GlobalReplicationGroup ? toDatastoreInfo(out.GlobalReplicationGroup) : before,
          };
        } catch (err) {
          const retryable = isClientError(err) && err.retryable;
          // A refusal after a lost answer ("already the primary", "modifying") may be our own success.
          if (!retryable && !unanswered) throw err;
          if (retryable && attempt >= this.caller.retry.maxAttempts) throw err;
          unanswered ||= isClientError(err) && err.status === undefined;
          if (retryable)
            await sleep(
              backoffDelay(attempt, this.caller.retry),
              this.caller.site(call.operation),
              opts.signal,
            );
          const now = await this.describeGlobalDatastore(input.globalReplicationGroupId, opts);
          if (acceptedMeanwhile(now)) return { alreadyDone: false, datastore: now };
          if (!retryable) throw err;
        }
      }
    });
  }

  /** Polls until `replicationGroupId` is PRIMARY and the datastore is available again. */
  waitUntilPrimary(
    input: { globalReplicationGroupId: string; replicationGroupId: string } & WaitOptions,
  ): Promise<GlobalDatastoreInfo> {
    return pollUntil({
      site: this.caller.site('DescribeGlobalReplicationGroups'),
      what: `global datastore "${input.globalReplicationGroupId}" to be available with ${input.replicationGroupId} PRIMARY`,
      timeoutMs: input.timeoutMs ?? 600_000,
      intervalMs: input.intervalMs ?? 2_000,
      ...(input.maxIntervalMs ? { maxIntervalMs: input.maxIntervalMs } : {}),
      ...(input.signal ? { signal: input.signal } : {}),
      check: async () => {
        const g = await this.describeGlobalDatastore(input.globalReplicationGroupId, {
          signal: input.signal,
        });
        return g.status === 'available' && g.primary === input.replicationGroupId
          ? { done: true, value: g }
          : { done: false, seen: `status ${g.status}, primary ${g.primary ?? 'none'}` };
      },
    });
  }

  /** The primary endpoint of a (non-clustered) replication group in this region. */
  async primaryEndpoint(
    replicationGroupId: string,
    opts: CallOptions = {},
  ): Promise<{ address: string; port: number }> {
    const out = await this.caller.send(
      'DescribeReplicationGroups',
      { kind: 'replication group', id: replicationGroupId },
      (abortSignal) =>
        this.client.send(new DescribeReplicationGroupsCommand({ ReplicationGroupId: replicationGroupId }), {
          abortSignal,
        }),
      opts,
    );
    const endpoint = out.ReplicationGroups?.[0]?.NodeGroups?.[0]?.PrimaryEndpoint;
    if (!endpoint?.Address) {
      throw new ClientError({
        code: 'E_NOT_FOUND',
        message: `replication group "${replicationGroupId}" in ${this.region} has no PrimaryEndpoint (DescribeReplicationGroups)`,
        ...this.caller.site('DescribeReplicationGroups'),
      });
    }
    return { address: endpoint.Address, port: endpoint.Port ?? 6379 };
  }
}

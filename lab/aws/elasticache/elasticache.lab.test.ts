// The ElastiCache Global Datastore over the lab's real Redis pair, through the AWS SDK v3 and the AWS CLI.
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import {
  DescribeGlobalReplicationGroupsCommand,
  DescribeReplicationGroupsCommand,
  ElastiCacheClient,
  FailoverGlobalReplicationGroupCommand,
} from '@aws-sdk/client-elasticache';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LUNEO_CACHE } from '../../redis/names.ts';
import { ReplicatedCache } from '../../redis/replicated-cache.ts';
import { type Harness, startHarness } from '../testing/harness.ts';

const run = promisify(execFile);
const GRG = LUNEO_CACHE.globalReplicationGroupId;

describe('ElastiCache Global Datastore over real Redis (SDK v3 and AWS CLI)', () => {
  let dir: string;
  let cache: ReplicatedCache;
  let h: Harness;
  const sdk = (region: string) => new ElastiCacheClient(h.client(region));

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lab-elasticache-'));
    cache = new ReplicatedCache({ dir, primary: 'eu-west-1', secondary: 'us-east-1', wanLatencyMs: 50 });
    await cache.start();
    h = await startHarness({
      cache: {
        backend: cache,
        seed: { globalReplicationGroupId: GRG, replicationGroups: LUNEO_CACHE.replicationGroups },
      },
    });
  });
  afterAll(async () => {
    await h?.close();
    await cache?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('describes the Global Datastore with its members only when ShowMemberInfo is set', async () => {
    const bare = await sdk('us-east-1').send(
      new DescribeGlobalReplicationGroupsCommand({ GlobalReplicationGroupId: GRG }),
    );
    expect(bare.GlobalReplicationGroups?.[0]?.Members).toBeUndefined();
    const out = await sdk('us-east-1').send(
      new DescribeGlobalReplicationGroupsCommand({ GlobalReplicationGroupId: GRG, ShowMemberInfo: true }),
    );
    const group = out.GlobalReplicationGroups?.[0];
    expect(group?.Status).toBe('available');
    expect(group?.Members).toEqual([
      {
        ReplicationGroupId: 'luneo-prod-redis-primary',
        ReplicationGroupRegion: 'eu-west-1',
        Role: 'PRIMARY',
        AutomaticFailover: 'enabled',
        Status: 'associated',
      },
      {
        ReplicationGroupId: 'luneo-prod-redis-secondary',
        ReplicationGroupRegion: 'us-east-1',
        Role: 'SECONDARY',
        AutomaticFailover: 'enabled',
        Status: 'associated',
      },
    ]);
    const rg = await sdk('us-east-1').send(
      new DescribeReplicationGroupsCommand({ ReplicationGroupId: 'luneo-prod-redis-secondary' }),
    );
    const nodeGroup = rg.ReplicationGroups?.[0]?.NodeGroups?.[0];
    expect(nodeGroup?.PrimaryEndpoint).toEqual({
      Address: '127.0.0.1',
      Port: cache.endpoint('us-east-1').port,
    });
    expect(nodeGroup?.NodeGroupMembers?.[0]?.CurrentRole).toBe('replica');
    expect(rg.ReplicationGroups?.[0]?.GlobalReplicationGroupInfo).toEqual({
      GlobalReplicationGroupId: GRG,
      GlobalReplicationGroupMemberRole: 'SECONDARY',
    });
    await expect(
      sdk('eu-west-1').send(
        new DescribeReplicationGroupsCommand({ ReplicationGroupId: 'luneo-prod-redis-secondary' }),
      ),
    ).rejects.toMatchObject({
      name: 'ReplicationGroupNotFoundFault',
      message:
        'ReplicationGroup luneo-prod-redis-secondary not found. It exists in us-east-1: send the request to that region.',
    });
  });

  it('FailoverGlobalReplicationGroup (SDK) really promotes the us-east-1 Redis; a second one is refused', async () => {
    const out = await sdk('us-east-1').send(
      new FailoverGlobalReplicationGroupCommand({
        GlobalReplicationGroupId: GRG,
        PrimaryRegion: 'us-east-1',
        PrimaryReplicationGroupId: 'luneo-prod-redis-secondary',
      }),
    );
    expect(out.GlobalReplicationGroup?.Status).toBe('modifying');
    for (let i = 0; i < 100 && (await cache.role('us-east-1')) !== 'primary'; i++) await sleep(50);
    const redis = new Redis(cache.url('us-east-1'), { maxRetriesPerRequest: 0 });
    expect(await redis.set('written-in-us-east-1', '1')).toBe('OK');
    redis.disconnect();
    expect(h.server.mutationCounts()).toMatchObject({ FailoverGlobalReplicationGroup: 1 });
    for (let i = 0; i < 100 && (await cache.role('eu-west-1')) !== 'replica'; i++) await sleep(50);
    await expect(
      sdk('us-east-1').send(
        new FailoverGlobalReplicationGroupCommand({
          GlobalReplicationGroupId: GRG,
          PrimaryRegion: 'us-east-1',
          PrimaryReplicationGroupId: 'luneo-prod-redis-secondary',
        }),
      ),
    ).rejects.toMatchObject({
      name: 'InvalidGlobalReplicationGroupStateFault', // the SDK's name for the wire code InvalidGlobalReplicationGroupState
      message: `Replication group luneo-prod-redis-secondary is already the primary of Global datastore ${GRG}.`,
    });
  });

  it('the AWS CLI fails the datastore back to eu-west-1 (one call: the Python CLI takes seconds to start)', async () => {
    const env = {
      ...process.env,
      AWS_ACCESS_KEY_ID: 'AKIALAB',
      AWS_SECRET_ACCESS_KEY: 'lab-secret',
      AWS_PAGER: '',
      AWS_CONFIG_FILE: '/dev/null',
    };
    const aws = async (...args: string[]) =>
      JSON.parse(
        (
          await run(
            'aws',
            [...args, '--endpoint-url', h.server.url, '--region', 'eu-west-1', '--output', 'json'],
            { env },
          )
        ).stdout,
      );
    const failback = await aws(
      'elasticache',
      'failover-global-replication-group',
      '--global-replication-group-id',
      GRG,
      '--primary-region',
      'eu-west-1',
      '--primary-replication-group-id',
      'luneo-prod-redis-primary',
    );
    expect(failback.GlobalReplicationGroup.Status).toBe('modifying');
    expect(
      failback.GlobalReplicationGroup.Members.map(
        (m: { ReplicationGroupRegion: string }) => m.ReplicationGroupRegion,
      ),
    ).toEqual(['eu-west-1', 'us-east-1']);
    for (let i = 0; i < 100 && (await cache.role('eu-west-1')) !== 'primary'; i++) await sleep(50);
    expect([await cache.role('eu-west-1'), await cache.role('us-east-1')]).toEqual(['primary', 'replica']);
  }, 120_000);
});

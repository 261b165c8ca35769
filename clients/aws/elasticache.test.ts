import {
  DescribeGlobalReplicationGroupsCommand,
  DescribeReplicationGroupsCommand,
  ElastiCacheClient,
  FailoverGlobalReplicationGroupCommand,
  type GlobalReplicationGroup,
} from '@aws-sdk/client-elasticache';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { awsError, FAST_RETRY, mockClientInSuite, RecordingAudit } from '../testing.ts';
import { ElastiCache, planFailoverGlobalReplicationGroup } from './elasticache.ts';

const GLOBAL = 'ldgnf-luneo-prod-redis';
const PRIMARY = 'luneo-prod-redis-primary';
const SECONDARY = 'luneo-prod-redis-secondary';
const INPUT = { globalReplicationGroupId: GLOBAL, primaryReplicationGroupId: SECONDARY };

function datastore(
  primary: string,
  status = 'available',
): { GlobalReplicationGroups: GlobalReplicationGroup[] } {
  return {
    GlobalReplicationGroups: [
      {
        GlobalReplicationGroupId: GLOBAL,
        Status: status,
        Members: [
          { ReplicationGroupId: PRIMARY, ReplicationGroupRegion: 'eu-west-1' },
          { ReplicationGroupId: SECONDARY, ReplicationGroupRegion: 'us-east-1' },
        ].map((m) => ({
          ...m,
          Role: m.ReplicationGroupId === primary ? 'PRIMARY' : 'SECONDARY',
          Status: 'associated',
        })),
      },
    ],
  };
}

/** What FailoverGlobalReplicationGroup answers: the new primary, the datastore modifying. */
const accepted = datastore(SECONDARY, 'modifying').GlobalReplicationGroups[0];
const lostAnswer = () => Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });

const mock = mockClientInSuite(ElastiCacheClient);
let audit: RecordingAudit;
let cache: ElastiCache;

beforeEach(() => {
  mock.reset();
  audit = new RecordingAudit();
  cache = new ElastiCache(new ElastiCacheClient({ region: 'us-east-1' }), 'us-east-1', {
    audit,
    retry: FAST_RETRY,
  });
});
afterEach(() => mock.reset());

describe('describeGlobalDatastore', () => {
  it('asks for the members and returns them with the PRIMARY', async () => {
    mock.on(DescribeGlobalReplicationGroupsCommand).resolves(datastore(PRIMARY));
    expect(await cache.describeGlobalDatastore(GLOBAL)).toEqual({
      id: GLOBAL,
      status: 'available',
      primary: PRIMARY,
      members: [
        { replicationGroupId: PRIMARY, region: 'eu-west-1', role: 'PRIMARY', status: 'associated' },
        { replicationGroupId: SECONDARY, region: 'us-east-1', role: 'SECONDARY', status: 'associated' },
      ],
    });
    expect(mock.commandCalls(DescribeGlobalReplicationGroupsCommand)[0]!.args[0].input).toEqual({
      GlobalReplicationGroupId: GLOBAL,
      ShowMemberInfo: true,
    });
  });

  it('an empty answer is E_NOT_FOUND naming the datastore and region', async () => {
    mock.on(DescribeGlobalReplicationGroupsCommand).resolves({ GlobalReplicationGroups: [] });
    await expect(cache.describeGlobalDatastore(GLOBAL)).rejects.toMatchObject({
      code: 'E_NOT_FOUND',
      message: `global datastore "${GLOBAL}" not found in us-east-1 (empty DescribeGlobalReplicationGroups result)`,
    });
  });

  it('is retried on throttling by the shared retry layer', async () => {
    mock
      .on(DescribeGlobalReplicationGroupsCommand)
      .rejectsOnce(awsError('Throttling', 400))
      .resolves(datastore(PRIMARY));
    expect((await cache.describeGlobalDatastore(GLOBAL)).primary).toBe(PRIMARY);
    expect(mock.commandCalls(DescribeGlobalReplicationGroupsCommand)).toHaveLength(2);
  });
});

describe('failoverGlobalDatastore', () => {
  it('sends one FailoverGlobalReplicationGroup in its own region, audited as planned', async () => {
    mock.on(DescribeGlobalReplicationGroupsCommand).resolves(datastore(PRIMARY));
    mock.on(FailoverGlobalReplicationGroupCommand).resolves({ GlobalReplicationGroup: accepted });
    const result = await cache.failoverGlobalDatastore(INPUT);
    expect(result.alreadyDone).toBe(false);
    expect(result.datastore).toMatchObject({ status: 'modifying', primary: SECONDARY });
    expect(mock.commandCalls(FailoverGlobalReplicationGroupCommand)[0]!.args[0].input).toEqual({
      GlobalReplicationGroupId: GLOBAL,
      PrimaryRegion: 'us-east-1',
      PrimaryReplicationGroupId: SECONDARY,
    });
    expect(audit.events).toEqual([
      { phase: 'before', call: planFailoverGlobalReplicationGroup('us-east-1', INPUT) },
      { phase: 'after', call: planFailoverGlobalReplicationGroup('us-east-1', INPUT) },
    ]);
  });

  it('does nothing when the member already is the primary', async () => {
    mock.on(DescribeGlobalReplicationGroupsCommand).resolves(datastore(SECONDARY));
    expect(await cache.failoverGlobalDatastore(INPUT)).toMatchObject({ alreadyDone: true });
    expect(mock.commandCalls(FailoverGlobalReplicationGroupCommand)).toHaveLength(0);
    expect(audit.events).toEqual([]);
  });

  it('refuses a replication group that is not a member, naming the members', async () => {
    mock.on(DescribeGlobalReplicationGroupsCommand).resolves(datastore(PRIMARY));
    await expect(
      cache.failoverGlobalDatastore({ ...INPUT, primaryReplicationGroupId: 'luneo-prod-redis-typo' }),
    ).rejects.toThrow(
      `replication group "luneo-prod-redis-typo" is not a member of global datastore "${GLOBAL}" (members: ${PRIMARY} (eu-west-1), ${SECONDARY} (us-east-1))`,
    );
    expect(mock.commandCalls(FailoverGlobalReplicationGroupCommand)).toHaveLength(0);
  });

  it('a lost answer of an accepted failover is not sent again: the datastore is read back', async () => {
    mock
      .on(DescribeGlobalReplicationGroupsCommand)
      .resolvesOnce(datastore(PRIMARY))
      .resolves(datastore(SECONDARY, 'modifying'));
    mock.on(FailoverGlobalReplicationGroupCommand).rejects(lostAnswer());
    const result = await cache.failoverGlobalDatastore(INPUT);
    expect(result).toMatchObject({ alreadyDone: false, datastore: { primary: SECONDARY } });
    expect(mock.commandCalls(FailoverGlobalReplicationGroupCommand)).toHaveLength(1);
    expect(audit.events.map((e) => e.phase)).toEqual(['before', 'after']);
  });

  it('a lost answer read back as "modifying" counts as accepted (the failover was not running before)', async () => {
    mock
      .on(DescribeGlobalReplicationGroupsCommand)
      .resolvesOnce(datastore(PRIMARY))
      .resolves(datastore(PRIMARY, 'modifying'));
    mock.on(FailoverGlobalReplicationGroupCommand).rejects(lostAnswer());
    expect(await cache.failoverGlobalDatastore(INPUT)).toMatchObject({ alreadyDone: false });
    expect(mock.commandCalls(FailoverGlobalReplicationGroupCommand)).toHaveLength(1);
  });

  it('a throttled failover that changed nothing is sent again', async () => {
    mock.on(DescribeGlobalReplicationGroupsCommand).resolves(datastore(PRIMARY));
    mock
      .on(FailoverGlobalReplicationGroupCommand)
      .rejectsOnce(awsError('Throttling', 400))
      .resolves({ GlobalReplicationGroup: accepted });
    expect(await cache.failoverGlobalDatastore(INPUT)).toMatchObject({ alreadyDone: false });
    expect(mock.commandCalls(FailoverGlobalReplicationGroupCommand)).toHaveLength(2);
  });

  it('"already the primary" heard after a lost answer is our own success', async () => {
    // The lost attempt promoted it between our read-back and the retry.
    mock
      .on(DescribeGlobalReplicationGroupsCommand)
      .resolvesOnce(datastore(PRIMARY))
      .resolvesOnce(datastore(PRIMARY))
      .resolves(datastore(SECONDARY));
    mock
      .on(FailoverGlobalReplicationGroupCommand)
      .rejectsOnce(lostAnswer())
      .rejects(awsError('InvalidGlobalReplicationGroupState', 400, 'already the primary'));
    expect(await cache.failoverGlobalDatastore(INPUT)).toMatchObject({
      alreadyDone: false,
      datastore: { primary: SECONDARY },
    });
    expect(mock.commandCalls(FailoverGlobalReplicationGroupCommand)).toHaveLength(2);
  });

  it('a refusal with no lost answer before it fails the call, recorded as an error', async () => {
    mock.on(DescribeGlobalReplicationGroupsCommand).resolves(datastore(PRIMARY));
    mock
      .on(FailoverGlobalReplicationGroupCommand)
      .rejects(awsError('InvalidGlobalReplicationGroupState', 400, 'Global datastore is modifying'));
    await expect(cache.failoverGlobalDatastore(INPUT)).rejects.toMatchObject({
      code: 'E_INVALID_STATE',
      remoteCode: 'InvalidGlobalReplicationGroupState',
    });
    expect(mock.commandCalls(FailoverGlobalReplicationGroupCommand)).toHaveLength(1);
    expect(audit.events.map((e) => e.phase)).toEqual(['before', 'error']);
  });
});

describe('waitUntilPrimary', () => {
  it('polls until the member is PRIMARY and the datastore available', async () => {
    mock
      .on(DescribeGlobalReplicationGroupsCommand)
      .resolvesOnce(datastore(SECONDARY, 'modifying'))
      .resolves(datastore(SECONDARY));
    const g = await cache.waitUntilPrimary({
      globalReplicationGroupId: GLOBAL,
      replicationGroupId: SECONDARY,
      intervalMs: 1,
    });
    expect(g).toMatchObject({ status: 'available', primary: SECONDARY });
    expect(mock.commandCalls(DescribeGlobalReplicationGroupsCommand)).toHaveLength(2);
  });

  it('says what it saw last on timeout', async () => {
    mock.on(DescribeGlobalReplicationGroupsCommand).resolves(datastore(PRIMARY, 'modifying'));
    await expect(
      cache.waitUntilPrimary({
        globalReplicationGroupId: GLOBAL,
        replicationGroupId: SECONDARY,
        timeoutMs: 0,
      }),
    ).rejects.toThrow(
      `timed out after 0ms waiting for global datastore "${GLOBAL}" to be available with ${SECONDARY} PRIMARY; last seen: status modifying, primary ${PRIMARY} (raise timeoutMs to wait longer)`,
    );
  });
});

describe('primaryEndpoint', () => {
  it("returns the replication group's primary endpoint", async () => {
    mock.on(DescribeReplicationGroupsCommand).resolves({
      ReplicationGroups: [
        {
          NodeGroups: [
            { PrimaryEndpoint: { Address: 'master.luneo-prod-redis.use1.cache.amazonaws.com', Port: 6380 } },
          ],
        },
      ],
    });
    expect(await cache.primaryEndpoint(SECONDARY)).toEqual({
      address: 'master.luneo-prod-redis.use1.cache.amazonaws.com',
      port: 6380,
    });
    expect(mock.commandCalls(DescribeReplicationGroupsCommand)[0]!.args[0].input).toEqual({
      ReplicationGroupId: SECONDARY,
    });
  });

  it('a group without a primary endpoint is E_NOT_FOUND saying so', async () => {
    mock.on(DescribeReplicationGroupsCommand).resolves({ ReplicationGroups: [{ NodeGroups: [] }] });
    await expect(cache.primaryEndpoint(SECONDARY)).rejects.toMatchObject({
      code: 'E_NOT_FOUND',
      message: `replication group "${SECONDARY}" in us-east-1 has no PrimaryEndpoint (DescribeReplicationGroups)`,
    });
  });
});

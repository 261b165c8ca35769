import {
  DescribeDBClustersCommand,
  DescribeGlobalClustersCommand,
  FailoverGlobalClusterCommand,
  type GlobalCluster,
  RDSClient,
  SwitchoverGlobalClusterCommand,
} from '@aws-sdk/client-rds';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { awsError, FAST_RETRY, mockClientInSuite, RecordingAudit } from '../testing.ts';
import { planFailoverGlobalCluster, Rds } from './rds.ts';

const PRIMARY = 'arn:aws:rds:eu-west-1:111122223333:cluster:luneo-prod-aurora-primary';
const SECONDARY = 'arn:aws:rds:us-east-1:111122223333:cluster:luneo-prod-aurora-secondary';

function globalCluster(writer: string, extra: Partial<GlobalCluster> = {}): GlobalCluster {
  return {
    GlobalClusterIdentifier: 'luneo-prod-global',
    GlobalClusterArn: 'arn:aws:rds::111122223333:global-cluster:luneo-prod-global',
    Status: 'available',
    Endpoint: 'luneo-prod-global.global-abc123.global.rds.amazonaws.com',
    GlobalClusterMembers: [PRIMARY, SECONDARY].map((arn) => ({
      DBClusterArn: arn,
      IsWriter: arn === writer,
      Readers: arn === writer ? [PRIMARY, SECONDARY].filter((a) => a !== writer) : [],
      SynchronizationStatus: 'connected',
    })),
    ...extra,
  };
}

const rdsMock = mockClientInSuite(RDSClient);
let audit: RecordingAudit;
let rds: Rds;

beforeEach(() => {
  rdsMock.reset();
  audit = new RecordingAudit();
  rds = new Rds(new RDSClient({ region: 'us-east-1' }), 'us-east-1', { audit, retry: FAST_RETRY });
});
afterEach(() => rdsMock.reset());

describe('describeGlobalCluster', () => {
  it('returns typed members with region, cluster id, writer flag and sync status', async () => {
    rdsMock.on(DescribeGlobalClustersCommand).resolves({ GlobalClusters: [globalCluster(PRIMARY)] });
    const gc = await rds.describeGlobalCluster('luneo-prod-global');
    expect(gc).toEqual({
      id: 'luneo-prod-global',
      arn: 'arn:aws:rds::111122223333:global-cluster:luneo-prod-global',
      status: 'available',
      endpoint: 'luneo-prod-global.global-abc123.global.rds.amazonaws.com',
      members: [
        {
          clusterArn: PRIMARY,
          clusterId: 'luneo-prod-aurora-primary',
          region: 'eu-west-1',
          isWriter: true,
          syncStatus: 'connected',
          readers: [SECONDARY],
        },
        {
          clusterArn: SECONDARY,
          clusterId: 'luneo-prod-aurora-secondary',
          region: 'us-east-1',
          isWriter: false,
          syncStatus: 'connected',
          readers: [],
        },
      ],
    });
    expect(rdsMock.commandCalls(DescribeGlobalClustersCommand)[0]!.args[0].input).toEqual({
      GlobalClusterIdentifier: 'luneo-prod-global',
    });
  });

  it('names the global cluster and region when it does not exist', async () => {
    rdsMock.on(DescribeGlobalClustersCommand).rejects(awsError('GlobalClusterNotFoundFault', 404));
    await expect(rds.describeGlobalCluster('x')).rejects.toMatchObject({
      code: 'E_NOT_FOUND',
      message: 'global cluster "x" not found in us-east-1 (GlobalClusterNotFoundFault)',
      remoteCode: 'GlobalClusterNotFoundFault',
      retryable: false,
    });
    expect(rdsMock.commandCalls(DescribeGlobalClustersCommand)).toHaveLength(1);
  });

  it('retries throttling and 5xx, then succeeds', async () => {
    rdsMock
      .on(DescribeGlobalClustersCommand)
      .rejectsOnce(awsError('Throttling', 400, 'Rate exceeded'))
      .rejectsOnce(awsError('InternalFailure', 500))
      .resolves({ GlobalClusters: [globalCluster(PRIMARY)] });
    const gc = await rds.describeGlobalCluster('luneo-prod-global');
    expect(gc.status).toBe('available');
    expect(rdsMock.commandCalls(DescribeGlobalClustersCommand)).toHaveLength(3);
  });

  it('gives up after maxAttempts with a throttling error that says so', async () => {
    rdsMock.on(DescribeGlobalClustersCommand).rejects(awsError('Throttling', 400, 'Rate exceeded'));
    await expect(rds.describeGlobalCluster('g')).rejects.toMatchObject({
      code: 'E_THROTTLED',
      message:
        'rds DescribeGlobalClusters on global cluster "g" in us-east-1 failed: Rate exceeded (Throttling)',
      retryable: true,
    });
    expect(rdsMock.commandCalls(DescribeGlobalClustersCommand)).toHaveLength(4);
  });

  it('rejects promptly with E_ABORTED when the signal aborts mid-call, and passes the signal to the SDK', async () => {
    rdsMock.on(DescribeGlobalClustersCommand).callsFake(() => new Promise(() => {}));
    const controller = new AbortController();
    const pending = rds.describeGlobalCluster('g', { signal: controller.signal });
    const seen = (
      (rdsMock.send.lastCall?.args as unknown[] | undefined)?.[1] as { abortSignal?: AbortSignal }
    )?.abortSignal;
    controller.abort(new Error('operator abort'));
    await expect(pending).rejects.toMatchObject({
      code: 'E_ABORTED',
      message: 'rds DescribeGlobalClusters in us-east-1 aborted',
    });
    expect(seen).toBe(controller.signal);
  });

  it('does not call AWS at all when the signal is already aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(rds.describeGlobalCluster('g', { signal: controller.signal })).rejects.toMatchObject({
      code: 'E_ABORTED',
    });
    expect(rdsMock.calls()).toHaveLength(0);
  });
});

describe('a read with attemptTimeoutMs', () => {
  afterEach(() => vi.useRealTimers());

  it('gives up on an unanswered attempt after attemptTimeoutMs and sends the read again', async () => {
    vi.useFakeTimers();
    rdsMock
      .on(DescribeGlobalClustersCommand)
      .callsFakeOnce(() => new Promise(() => {})) // held by the server: never answered
      .resolves({ GlobalClusters: [globalCluster(PRIMARY)] });
    const read = rds.describeGlobalCluster('luneo-prod-global', { attemptTimeoutMs: 3000 });
    await vi.advanceTimersByTimeAsync(3000 + 1000);
    expect((await read).members.find((m) => m.isWriter)?.region).toBe('eu-west-1');
    expect(rdsMock.commandCalls(DescribeGlobalClustersCommand)).toHaveLength(2);
  });

  it('says which call went unanswered once every attempt timed out', async () => {
    vi.useFakeTimers();
    rdsMock.on(DescribeGlobalClustersCommand).callsFake(() => new Promise(() => {}));
    const read = rds.describeGlobalCluster('luneo-prod-global', { attemptTimeoutMs: 500 });
    const outcome = expect(read).rejects.toMatchObject({
      code: 'E_UNAVAILABLE',
      message: 'rds DescribeGlobalClusters in us-east-1: no answer within 500 ms',
    });
    await vi.advanceTimersByTimeAsync(60_000);
    await outcome;
    expect(rdsMock.commandCalls(DescribeGlobalClustersCommand)).toHaveLength(FAST_RETRY.maxAttempts);
  });

  it('the run aborting is still an abort, not a retry', async () => {
    rdsMock.on(DescribeGlobalClustersCommand).callsFake(() => new Promise(() => {}));
    const controller = new AbortController();
    const read = rds.describeGlobalCluster('luneo-prod-global', {
      attemptTimeoutMs: 60_000,
      signal: controller.signal,
    });
    controller.abort();
    await expect(read).rejects.toMatchObject({ code: 'E_ABORTED' });
    expect(rdsMock.commandCalls(DescribeGlobalClustersCommand)).toHaveLength(1);
  });
});

describe('describeDbCluster', () => {
  it('maps the cluster and its instances', async () => {
    rdsMock.on(DescribeDBClustersCommand, { DBClusterIdentifier: 'luneo-prod-aurora-secondary' }).resolves({
      DBClusters: [
        {
          DBClusterIdentifier: 'luneo-prod-aurora-secondary',
          DBClusterArn: SECONDARY,
          Status: 'available',
          Engine: 'aurora-postgresql',
          EngineVersion: '16.4',
          Endpoint: 'sec.cluster-xyz.us-east-1.rds.amazonaws.com',
          ReaderEndpoint: 'sec.cluster-ro-xyz.us-east-1.rds.amazonaws.com',
          GlobalClusterIdentifier: 'luneo-prod-global',
          DBClusterMembers: [{ DBInstanceIdentifier: 'luneo-sec-1', IsClusterWriter: false }],
        },
      ],
    });
    expect(await rds.describeDbCluster('luneo-prod-aurora-secondary')).toEqual({
      id: 'luneo-prod-aurora-secondary',
      arn: SECONDARY,
      status: 'available',
      endpoint: 'sec.cluster-xyz.us-east-1.rds.amazonaws.com',
      readerEndpoint: 'sec.cluster-ro-xyz.us-east-1.rds.amazonaws.com',
      engine: 'aurora-postgresql',
      engineVersion: '16.4',
      globalClusterId: 'luneo-prod-global',
      instances: [{ instanceId: 'luneo-sec-1', isWriter: false }],
    });
  });

  it('says which DB cluster is missing', async () => {
    rdsMock.on(DescribeDBClustersCommand).rejects(awsError('DBClusterNotFoundFault', 404));
    await expect(rds.describeDbCluster('nope')).rejects.toThrow(
      'DB cluster "nope" not found in us-east-1 (DBClusterNotFoundFault)',
    );
  });
});

describe('failoverGlobalCluster', () => {
  const input = { globalClusterId: 'luneo-prod-global', targetClusterArn: SECONDARY, allowDataLoss: true };

  it('sends FailoverGlobalCluster with AllowDataLoss and the target ARN, audited before and after', async () => {
    rdsMock.on(DescribeGlobalClustersCommand).resolves({ GlobalClusters: [globalCluster(PRIMARY)] });
    rdsMock.on(FailoverGlobalClusterCommand).resolves({
      GlobalCluster: globalCluster(PRIMARY, {
        Status: 'failing-over',
        FailoverState: {
          Status: 'pending',
          FromDbClusterArn: PRIMARY,
          ToDbClusterArn: SECONDARY,
          IsDataLossAllowed: true,
        },
      }),
    });
    const result = await rds.failoverGlobalCluster(input);
    expect(result.alreadyDone).toBe(false);
    expect(result.globalCluster.failoverState).toEqual({
      status: 'pending',
      fromClusterArn: PRIMARY,
      toClusterArn: SECONDARY,
      isDataLossAllowed: true,
    });
    expect(rdsMock.commandCalls(FailoverGlobalClusterCommand)[0]!.args[0].input).toEqual({
      GlobalClusterIdentifier: 'luneo-prod-global',
      TargetDbClusterIdentifier: SECONDARY,
      AllowDataLoss: true,
    });
    expect(audit.operations).toEqual(['before:FailoverGlobalCluster', 'after:FailoverGlobalCluster']);
    expect(audit.events[0]!.call).toEqual(planFailoverGlobalCluster('us-east-1', input));
  });

  it('is a no-op when the target is already writer', async () => {
    rdsMock.on(DescribeGlobalClustersCommand).resolves({ GlobalClusters: [globalCluster(SECONDARY)] });
    const result = await rds.failoverGlobalCluster(input);
    expect(result.alreadyDone).toBe(true);
    expect(rdsMock.commandCalls(FailoverGlobalClusterCommand)).toHaveLength(0);
    expect(audit.events).toEqual([]);
  });

  it('is a no-op when a failover to the target is already running', async () => {
    rdsMock.on(DescribeGlobalClustersCommand).resolves({
      GlobalClusters: [
        globalCluster(PRIMARY, {
          Status: 'failing-over',
          FailoverState: { Status: 'failing-over', ToDbClusterArn: SECONDARY },
        }),
      ],
    });
    expect((await rds.failoverGlobalCluster(input)).alreadyDone).toBe(true);
    expect(rdsMock.commandCalls(FailoverGlobalClusterCommand)).toHaveLength(0);
  });

  it('re-reads the global cluster after a 5xx and does not send twice when the first call was applied', async () => {
    rdsMock
      .on(DescribeGlobalClustersCommand)
      .resolvesOnce({ GlobalClusters: [globalCluster(PRIMARY)] })
      .resolves({
        GlobalClusters: [
          globalCluster(PRIMARY, { FailoverState: { Status: 'pending', ToDbClusterArn: SECONDARY } }),
        ],
      });
    rdsMock.on(FailoverGlobalClusterCommand).rejects(awsError('InternalFailure', 503));
    const result = await rds.failoverGlobalCluster(input);
    expect(result.alreadyDone).toBe(false);
    expect(result.globalCluster.failoverState?.toClusterArn).toBe(SECONDARY);
    expect(rdsMock.commandCalls(FailoverGlobalClusterCommand)).toHaveLength(1);
    expect(rdsMock.commandCalls(DescribeGlobalClustersCommand)).toHaveLength(2);
  });

  it('retries the failover after throttling when the re-read shows it was not applied', async () => {
    rdsMock.on(DescribeGlobalClustersCommand).resolves({ GlobalClusters: [globalCluster(PRIMARY)] });
    rdsMock
      .on(FailoverGlobalClusterCommand)
      .rejectsOnce(awsError('ThrottlingException', 400))
      .resolves({
        GlobalCluster: globalCluster(PRIMARY, {
          FailoverState: { Status: 'pending', ToDbClusterArn: SECONDARY },
        }),
      });
    expect((await rds.failoverGlobalCluster(input)).alreadyDone).toBe(false);
    expect(rdsMock.commandCalls(FailoverGlobalClusterCommand)).toHaveLength(2);
    expect(audit.operations).toEqual(['before:FailoverGlobalCluster', 'after:FailoverGlobalCluster']);
  });

  it('a resend refused for the cluster state after an unanswered attempt is done when the re-read shows the target writer', async () => {
    // The first attempt timed out and the re-read came before the lab/AWS applied it: the resend is then refused.
    rdsMock
      .on(DescribeGlobalClustersCommand)
      .resolvesOnce({ GlobalClusters: [globalCluster(PRIMARY)] })
      .resolvesOnce({ GlobalClusters: [globalCluster(PRIMARY)] })
      .resolves({ GlobalClusters: [globalCluster(SECONDARY)] });
    rdsMock
      .on(FailoverGlobalClusterCommand)
      .rejectsOnce(awsError('RequestTimeout', 504))
      .rejects(awsError('InvalidGlobalClusterStateFault', 400, 'DB cluster is already the primary'));
    const result = await rds.failoverGlobalCluster(input);
    expect(result.alreadyDone).toBe(false);
    expect(rdsMock.commandCalls(FailoverGlobalClusterCommand)).toHaveLength(2);
    expect(audit.operations).toEqual(['before:FailoverGlobalCluster', 'after:FailoverGlobalCluster']);
  });

  it('a first attempt refused for the cluster state is an error, not read back as done', async () => {
    rdsMock
      .on(DescribeGlobalClustersCommand)
      .resolvesOnce({ GlobalClusters: [globalCluster(PRIMARY)] })
      .resolves({ GlobalClusters: [globalCluster(SECONDARY)] });
    rdsMock
      .on(FailoverGlobalClusterCommand)
      .rejects(awsError('InvalidGlobalClusterStateFault', 400, 'Global cluster is busy'));
    await expect(rds.failoverGlobalCluster(input)).rejects.toMatchObject({ code: 'E_INVALID_STATE' });
    expect(rdsMock.commandCalls(DescribeGlobalClustersCommand)).toHaveLength(1);
  });

  it('refuses a target that is not a member, naming the members', async () => {
    rdsMock.on(DescribeGlobalClustersCommand).resolves({ GlobalClusters: [globalCluster(PRIMARY)] });
    await expect(
      rds.failoverGlobalCluster({ ...input, targetClusterArn: 'arn:aws:rds:us-west-2:1:cluster:other' }),
    ).rejects.toThrow(
      `cluster arn:aws:rds:us-west-2:1:cluster:other is not a member of global cluster "luneo-prod-global" (members: ${PRIMARY}, ${SECONDARY})`,
    );
    expect(rdsMock.commandCalls(FailoverGlobalClusterCommand)).toHaveLength(0);
  });

  it('maps an invalid-state refusal and records the error in the audit log', async () => {
    rdsMock.on(DescribeGlobalClustersCommand).resolves({ GlobalClusters: [globalCluster(PRIMARY)] });
    rdsMock
      .on(FailoverGlobalClusterCommand)
      .rejects(awsError('InvalidGlobalClusterStateFault', 400, 'Global cluster is busy'));
    await expect(rds.failoverGlobalCluster(input)).rejects.toMatchObject({
      code: 'E_INVALID_STATE',
      message:
        'rds FailoverGlobalCluster on global cluster "luneo-prod-global" in us-east-1 failed: Global cluster is busy (InvalidGlobalClusterStateFault)',
    });
    expect(audit.operations).toEqual(['before:FailoverGlobalCluster', 'error:FailoverGlobalCluster']);
  });
});

describe('switchoverGlobalCluster', () => {
  it('sends SwitchoverGlobalCluster without AllowDataLoss', async () => {
    rdsMock.on(DescribeGlobalClustersCommand).resolves({ GlobalClusters: [globalCluster(SECONDARY)] });
    rdsMock
      .on(SwitchoverGlobalClusterCommand)
      .resolves({ GlobalCluster: globalCluster(SECONDARY, { Status: 'switching-over' }) });
    const result = await rds.switchoverGlobalCluster({
      globalClusterId: 'luneo-prod-global',
      targetClusterArn: PRIMARY,
    });
    expect(result.alreadyDone).toBe(false);
    expect(rdsMock.commandCalls(SwitchoverGlobalClusterCommand)[0]!.args[0].input).toEqual({
      GlobalClusterIdentifier: 'luneo-prod-global',
      TargetDbClusterIdentifier: PRIMARY,
    });
    expect(audit.operations).toEqual(['before:SwitchoverGlobalCluster', 'after:SwitchoverGlobalCluster']);
  });
});

describe('waitUntilWriter', () => {
  it('polls until the target is writer and the global cluster is available', async () => {
    rdsMock
      .on(DescribeGlobalClustersCommand)
      .resolvesOnce({
        GlobalClusters: [
          globalCluster(PRIMARY, {
            Status: 'failing-over',
            FailoverState: { Status: 'failing-over', ToDbClusterArn: SECONDARY },
          }),
        ],
      })
      .resolvesOnce({
        GlobalClusters: [
          globalCluster(SECONDARY, {
            Status: 'failing-over',
            FailoverState: { Status: 'failing-over', ToDbClusterArn: SECONDARY },
          }),
        ],
      })
      .resolves({ GlobalClusters: [globalCluster(SECONDARY)] });
    const gc = await rds.waitUntilWriter({
      globalClusterId: 'luneo-prod-global',
      clusterArn: SECONDARY,
      timeoutMs: 5_000,
      intervalMs: 1,
    });
    expect(gc.members.find((m) => m.isWriter)?.clusterArn).toBe(SECONDARY);
    expect(rdsMock.commandCalls(DescribeGlobalClustersCommand)).toHaveLength(3);
  });

  it('says what it waited for and what it last saw on timeout', async () => {
    rdsMock.on(DescribeGlobalClustersCommand).resolves({ GlobalClusters: [globalCluster(PRIMARY)] });
    await expect(
      rds.waitUntilWriter({
        globalClusterId: 'luneo-prod-global',
        clusterArn: SECONDARY,
        timeoutMs: 0,
        intervalMs: 1,
      }),
    ).rejects.toMatchObject({
      code: 'E_TIMEOUT',
      message: `timed out after 0ms waiting for global cluster "luneo-prod-global" to have writer ${SECONDARY} and status available; last seen: status available, writer ${PRIMARY} (raise timeoutMs to wait longer)`,
    });
  });
});

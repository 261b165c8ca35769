import {
  DescribeDBClustersCommand,
  DescribeGlobalClustersCommand,
  FailoverGlobalClusterCommand,
  PromoteReadReplicaDBClusterCommand,
  RDSClient,
  SwitchoverGlobalClusterCommand,
} from '@aws-sdk/client-rds';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type Harness, startHarness } from '../testing/harness.ts';

const GLOBAL = 'luneo-prod-aurora-global';
const PRIMARY_ARN = 'arn:aws:rds:eu-west-1:111122223333:cluster:luneo-prod-aurora-primary';
const SECONDARY_ARN = 'arn:aws:rds:us-east-1:111122223333:cluster:luneo-prod-aurora-secondary';

let h: Harness;
let rds: RDSClient;
beforeEach(async () => {
  h = await startHarness();
  rds = new RDSClient(h.client('us-east-1'));
});
afterEach(async () => {
  rds.destroy();
  await h.close();
});

async function writerArn(): Promise<string[]> {
  const { GlobalClusters } = await rds.send(
    new DescribeGlobalClustersCommand({ GlobalClusterIdentifier: GLOBAL }),
  );
  return (GlobalClusters?.[0]?.GlobalClusterMembers ?? [])
    .filter((m) => m.IsWriter)
    .map((m) => m.DBClusterArn as string);
}

describe('DescribeGlobalClusters', () => {
  it('lists both members with the writer taken from the backend roles', async () => {
    const { GlobalClusters } = await rds.send(
      new DescribeGlobalClustersCommand({ GlobalClusterIdentifier: GLOBAL }),
    );
    expect(GlobalClusters).toHaveLength(1);
    const cluster = GlobalClusters?.[0];
    expect(cluster?.Status).toBe('available');
    expect(cluster?.GlobalClusterArn).toBe(
      'arn:aws:rds::111122223333:global-cluster:luneo-prod-aurora-global',
    );
    expect(cluster?.Endpoint).toBe('db.eu-west-1.luneo.lab');
    expect(cluster?.FailoverState).toBeUndefined();
    expect(cluster?.GlobalClusterMembers).toEqual([
      {
        DBClusterArn: PRIMARY_ARN,
        Readers: [SECONDARY_ARN],
        IsWriter: true,
        GlobalWriteForwardingStatus: 'disabled',
        SynchronizationStatus: 'connected',
      },
      {
        DBClusterArn: SECONDARY_ARN,
        Readers: [],
        IsWriter: false,
        GlobalWriteForwardingStatus: 'disabled',
        SynchronizationStatus: 'connected',
      },
    ]);
  });

  it('answers GlobalClusterNotFoundFault with 404 for an unknown id', async () => {
    const error = await rds
      .send(new DescribeGlobalClustersCommand({ GlobalClusterIdentifier: 'nope' }))
      .catch((e) => e);
    expect(error.name).toBe('GlobalClusterNotFoundFault');
    expect(error.message).toBe('GlobalCluster nope not found.');
    expect(error.$metadata.httpStatusCode).toBe(404);
  });
});

describe('DescribeDBClusters', () => {
  it('shows the region’s cluster with its lab endpoint and port', async () => {
    const { DBClusters } = await rds.send(
      new DescribeDBClustersCommand({ DBClusterIdentifier: 'luneo-prod-aurora-secondary' }),
    );
    expect(DBClusters?.[0]).toMatchObject({
      DBClusterIdentifier: 'luneo-prod-aurora-secondary',
      DBClusterArn: SECONDARY_ARN,
      Status: 'available',
      Endpoint: 'db.us-east-1.luneo.lab',
      Port: 25432,
      GlobalClusterIdentifier: GLOBAL,
      DBClusterMembers: [
        {
          DBInstanceIdentifier: 'luneo-prod-aurora-secondary-instance-1',
          IsClusterWriter: false,
          PromotionTier: 1,
        },
      ],
    });
  });

  it('is regional: the primary cluster is not found from us-east-1', async () => {
    const error = await rds
      .send(new DescribeDBClustersCommand({ DBClusterIdentifier: 'luneo-prod-aurora-primary' }))
      .catch((e) => e);
    expect(error.name).toBe('DBClusterNotFoundFault');
    expect(error.$metadata.httpStatusCode).toBe(404);
    expect(error.message).toBe(
      'DBCluster luneo-prod-aurora-primary not found. It exists in eu-west-1: send the request to that region.',
    );
  });
});

describe('FailoverGlobalCluster', () => {
  it('answers failing-over at once, refuses a concurrent one, then shows the new writer', async () => {
    let release = () => {};
    h.backend.gate = new Promise((resolve) => {
      release = resolve;
    });
    const { GlobalCluster } = await rds.send(
      new FailoverGlobalClusterCommand({
        GlobalClusterIdentifier: GLOBAL,
        TargetDbClusterIdentifier: SECONDARY_ARN,
        AllowDataLoss: true,
      }),
    );
    expect(GlobalCluster?.Status).toBe('failing-over');
    expect(GlobalCluster?.FailoverState).toEqual({
      Status: 'pending',
      FromDbClusterArn: PRIMARY_ARN,
      ToDbClusterArn: SECONDARY_ARN,
      IsDataLossAllowed: true,
    });

    const during = await rds.send(new DescribeGlobalClustersCommand({ GlobalClusterIdentifier: GLOBAL }));
    expect(during.GlobalClusters?.[0]?.Status).toBe('failing-over');
    expect(during.GlobalClusters?.[0]?.FailoverState?.Status).toBe('failing-over');

    const concurrent = await rds
      .send(
        new SwitchoverGlobalClusterCommand({
          GlobalClusterIdentifier: GLOBAL,
          TargetDbClusterIdentifier: SECONDARY_ARN,
        }),
      )
      .catch((e) => e);
    expect(concurrent.name).toBe('InvalidGlobalClusterStateFault');
    expect(concurrent.message).toBe(
      'Global cluster luneo-prod-aurora-global is failing-over: wait until its Status is available before another failover or switchover.',
    );

    release();
    await vi.waitFor(async () => expect(await writerArn()).toEqual([SECONDARY_ARN]), { interval: 10 });
    const after = await rds.send(new DescribeGlobalClustersCommand({ GlobalClusterIdentifier: GLOBAL }));
    expect(after.GlobalClusters?.[0]?.Status).toBe('available');
    expect(after.GlobalClusters?.[0]?.GlobalClusterMembers?.[0]?.SynchronizationStatus).toBe(
      'pending-resync',
    );
    expect(h.backend.calls).toEqual(['failover us-east-1 allowDataLoss=true']);
    expect(h.server.mutationCounts()).toEqual({ FailoverGlobalCluster: 1 });
  });

  it('returns the backend’s refusal as the AWS fault and applies nothing', async () => {
    h.backend.roles['eu-west-1'] = 'down';
    const error = await rds
      .send(
        new FailoverGlobalClusterCommand({
          GlobalClusterIdentifier: GLOBAL,
          TargetDbClusterIdentifier: 'luneo-prod-aurora-secondary',
        }),
      )
      .catch((e) => e);
    expect(error.name).toBe('InvalidGlobalClusterStateFault');
    expect(error.message).toBe('The writer in eu-west-1 is unreachable: use AllowDataLoss=true.');
    expect(h.server.mutationCounts()).toEqual({});
    const { GlobalClusters } = await rds.send(new DescribeGlobalClustersCommand({}));
    expect(GlobalClusters?.[0]?.Status).toBe('available');
  });

  it('refuses a target that is already the writer, and an unknown target', async () => {
    const writer = await rds
      .send(
        new FailoverGlobalClusterCommand({
          GlobalClusterIdentifier: GLOBAL,
          TargetDbClusterIdentifier: PRIMARY_ARN,
          AllowDataLoss: true,
        }),
      )
      .catch((e) => e);
    expect(writer.name).toBe('InvalidGlobalClusterStateFault');
    const unknown = await rds
      .send(
        new FailoverGlobalClusterCommand({
          GlobalClusterIdentifier: GLOBAL,
          TargetDbClusterIdentifier: 'other',
          AllowDataLoss: true,
        }),
      )
      .catch((e) => e);
    expect(unknown.name).toBe('DBClusterNotFoundFault');
    expect(unknown.$metadata.httpStatusCode).toBe(404);
  });

  it('treats Switchover=true as a switchover', async () => {
    const { GlobalCluster } = await rds.send(
      new FailoverGlobalClusterCommand({
        GlobalClusterIdentifier: GLOBAL,
        TargetDbClusterIdentifier: SECONDARY_ARN,
        Switchover: true,
      }),
    );
    expect(GlobalCluster?.Status).toBe('switching-over');
    expect(GlobalCluster?.FailoverState?.IsDataLossAllowed).toBe(false);
    await vi.waitFor(async () => expect(await writerArn()).toEqual([SECONDARY_ARN]), { interval: 10 });
    expect(h.backend.calls).toEqual(['switchover us-east-1']);
    expect(h.server.mutationCounts()).toEqual({ SwitchoverGlobalCluster: 1 });
  });
});

describe('PromoteReadReplicaDBCluster', () => {
  it('is refused for a global secondary with a message naming FailoverGlobalCluster', async () => {
    const error = await rds
      .send(new PromoteReadReplicaDBClusterCommand({ DBClusterIdentifier: 'luneo-prod-aurora-secondary' }))
      .catch((e) => e);
    expect(error.name).toBe('InvalidDBClusterStateFault');
    expect(error.$metadata.httpStatusCode).toBe(400);
    expect(error.message).toContain('is a member of global cluster luneo-prod-aurora-global');
    expect(error.message).toContain(
      'use FailoverGlobalCluster (TargetDbClusterIdentifier=<cluster ARN>, AllowDataLoss=true)',
    );
    expect(h.server.mutationCounts()).toEqual({});
  });
});

// The whole lab through real clients (AWS SDK v3, pg, HTTP): replication, a FIS region outage that loses the
// writes in flight, a lossy FailoverGlobalCluster to us-east-1, and a zero-loss switchover back to eu-west-1.
import {
  CreateExperimentTemplateCommand,
  FisClient,
  GetExperimentCommand,
  StartExperimentCommand,
  StopExperimentCommand,
} from '@aws-sdk/client-fis';
import {
  DescribeGlobalClustersCommand,
  FailoverGlobalClusterCommand,
  type GlobalCluster,
  RDSClient,
  SwitchoverGlobalClusterCommand,
} from '@aws-sdk/client-rds';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LUNEO, PRIMARY_REGION, SECONDARY_REGION } from '../regions.ts';
import {
  awsConfig,
  bootTestLab,
  clusterEndpoint,
  databaseUrlFromSecret,
  type TestLab,
  urlAt,
} from '../testing/lab-fixture.ts';
import { waitFor } from '../testing/poll.ts';
import { queryOnce, startWriteStream, streamRows, type WriteStreamResult } from '../testing/write-stream.ts';

const EU = PRIMARY_REGION;
const US = SECONDARY_REGION;
const ARN = {
  [EU]: `arn:aws:rds:${EU}:${LUNEO.accountId}:cluster:${LUNEO.clusters[EU]}`,
  [US]: `arn:aws:rds:${US}:${LUNEO.accountId}:cluster:${LUNEO.clusters[US]}`,
};

let t: TestLab;
let rds: RDSClient;
let fis: FisClient;
let euUrl: string;
let usUrl: string;
let experimentId: string;
let outage: WriteStreamResult;

beforeAll(async () => {
  t = await bootTestLab('lab-global-db');
  rds = new RDSClient(awsConfig(t.info, US));
  fis = new FisClient(awsConfig(t.info, EU));
  const secret = await databaseUrlFromSecret(t.info, EU);
  euUrl = urlAt(secret, await clusterEndpoint(t.info, EU));
  usUrl = urlAt(secret, await clusterEndpoint(t.info, US));
}, 120_000);

afterAll(async () => {
  rds?.destroy();
  fis?.destroy();
  await t?.close();
}, 60_000);

async function globalCluster(): Promise<GlobalCluster> {
  const out = await rds.send(
    new DescribeGlobalClustersCommand({ GlobalClusterIdentifier: LUNEO.globalCluster }),
  );
  const cluster = out.GlobalClusters?.[0];
  if (!cluster) throw new Error('DescribeGlobalClusters returned no cluster');
  return cluster;
}

function member(cluster: GlobalCluster, arn: string) {
  const found = cluster.GlobalClusterMembers?.find((m) => m.DBClusterArn === arn);
  if (!found) throw new Error(`no member ${arn}`);
  return { isWriter: found.IsWriter, sync: found.SynchronizationStatus };
}

/** POST /api/orders; `servedBy` is the region the load balancer says answered (x-luneo-region). */
async function placeOrder(
  email: string,
  baseUrl = t.info.publicUrl,
): Promise<{ status: number; servedBy: string | null; body: Record<string, unknown> }> {
  const response = await fetch(`${baseUrl}/api/orders`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ sku: 'LUN-TEE-001', quantity: 2, email }),
    signal: AbortSignal.timeout(5000),
  });
  return {
    status: response.status,
    servedBy: response.headers.get('x-luneo-region'),
    body: (await response.json()) as Record<string, unknown>,
  };
}

// pg_rewind through the 250 ms WAN takes 8-25 s per rejoin on a loaded 2-core machine.
describe('global database through AWS SDK, pg and the public URL', { timeout: 240_000 }, () => {
  it('replicates an order written through the public URL to the us-east-1 endpoint RDS describes', async () => {
    const { status, servedBy, body } = await placeOrder('replication@drill.lab');
    expect(status).toBe(201);
    // Either region's API writes to the eu-west-1 writer; which one served depends on DNS at that instant.
    expect(body).toMatchObject({
      sku: 'LUN-TEE-001',
      quantity: 2,
      totalCents: 5800,
      regionCreated: servedBy,
    });
    const rows = await waitFor('the order on the us-east-1 replica', async () => {
      const found = await queryOnce<{ email: string; total_cents: number; region_created: string }>(
        usUrl,
        'select email, total_cents, region_created from orders where id = $1',
        [body.id],
      );
      return found.length > 0 ? found : undefined;
    });
    expect(rows).toEqual([{ email: 'replication@drill.lab', total_cents: 5800, region_created: servedBy }]);
    const [replica] = await queryOnce<{ r: boolean }>(usUrl, 'select pg_is_in_recovery() as r');
    expect(replica?.r).toBe(true);
    await expect(
      queryOnce(
        usUrl,
        "insert into orders (sku, quantity, email, total_cents, region_created) values ('LUN-TEE-001', 1, 'x@drill.lab', 2900, 'x')",
      ),
    ).rejects.toThrow('cannot execute INSERT in a read-only transaction');
  });

  it('loses acknowledged writes in flight when FIS takes eu-west-1 dark and us-east-1 is failed over with AllowDataLoss', async () => {
    const { experimentTemplate } = await fis.send(
      new CreateExperimentTemplateCommand({
        description: 'eu-west-1 goes dark (every subnet of the region)',
        roleArn: `arn:aws:iam::${LUNEO.accountId}:role/fis-dr`,
        stopConditions: [{ source: 'none' }],
        targets: {
          RegionSubnets: {
            resourceType: 'aws:ec2:subnet',
            resourceTags: { Region: EU },
            selectionMode: 'ALL',
          },
        },
        actions: {
          Blackout: {
            actionId: 'aws:network:disrupt-connectivity',
            parameters: { duration: 'PT10M', scope: 'all' },
            targets: { Subnets: 'RegionSubnets' },
          },
        },
      }),
    );
    const stream = await startWriteStream(euUrl, 'outage');
    await waitFor('50 acknowledged writes before the outage', () => stream.ackedCount() >= 50);
    const { experiment } = await fis.send(
      new StartExperimentCommand({ experimentTemplateId: experimentTemplate?.id, clientToken: 'h9-outage' }),
    );
    experimentId = experiment?.id as string;
    outage = await stream.ended; // the cut kills the stream's connection: no stop() needed
    expect(outage.error).toBeDefined();
    await waitFor('the experiment to run', async () => {
      const out = await fis.send(new GetExperimentCommand({ id: experimentId }));
      return out.experiment?.state?.status === 'running';
    });

    const accepted = await rds.send(
      new FailoverGlobalClusterCommand({
        GlobalClusterIdentifier: LUNEO.globalCluster,
        TargetDbClusterIdentifier: ARN[US],
        AllowDataLoss: true,
      }),
    );
    expect(accepted.GlobalCluster?.Status).toBe('failing-over');
    expect(accepted.GlobalCluster?.FailoverState?.IsDataLossAllowed).toBe(true);
    await waitFor('the failover to finish', async () => (await globalCluster()).Status === 'available', {
      timeoutMs: 30_000,
    });

    const present = await streamRows(usUrl, 'outage');
    const lost = outage.acked.filter((email) => !present.has(email));
    const kept = outage.acked.filter((email) => present.has(email));
    console.log(
      `outage: ${outage.acked.length} acknowledged, ${kept.length} on us-east-1, ${lost.length} lost (stream ended: ${outage.error})`,
    );
    expect(lost.length).toBeGreaterThan(0);
    // One connection writes in order, so the new writer holds a prefix of what was acknowledged.
    expect(kept).toEqual(outage.acked.slice(0, kept.length));
    expect(present.size).toBeLessThanOrEqual(kept.length + 1); // + at most the one commit whose ack was cut
  });

  it('FailoverGlobalCluster made us-east-1 the writable writer and DescribeGlobalClusters says IsWriter', async () => {
    const cluster = await globalCluster();
    expect(member(cluster, ARN[US])).toEqual({ isWriter: true, sync: 'connected' });
    expect(member(cluster, ARN[EU])).toEqual({ isWriter: false, sync: 'pending-resync' });
    expect(cluster.FailoverState).toBeUndefined();
    const [row] = await queryOnce<{ email: string }>(
      usUrl,
      "insert into orders (sku, quantity, email, total_cents, region_created) values ('LUN-TEE-001', 1, 'after-failover@drill.lab', 2900, 'us-east-1') returning email",
    );
    expect(row?.email).toBe('after-failover@drill.lab');
    const [state] = await queryOnce<{ r: boolean }>(usUrl, 'select pg_is_in_recovery() as r');
    expect(state?.r).toBe(false);
  });

  it('SwitchoverGlobalCluster brings eu-west-1 back as writer with no loss and us-east-1 back as a streaming replica', async () => {
    const stopped = await fis.send(new StopExperimentCommand({ id: experimentId }));
    expect(['stopping', 'stopped']).toContain(stopped.experiment?.state?.status);
    const began = Date.now();
    // Healing the region fences the old writer and rejoins it (pg_rewind) as a replica of us-east-1.
    await waitFor(
      'eu-west-1 to rejoin as a connected reader',
      async () => {
        const eu = member(await globalCluster(), ARN[EU]);
        return eu.isWriter === false && eu.sync === 'connected';
      },
      { timeoutMs: 90_000 },
    );

    const rejoinedMs = Date.now() - began;
    const stream = await startWriteStream(usUrl, 'switchover');
    await waitFor('30 acknowledged writes on us-east-1', () => stream.ackedCount() >= 30);
    const accepted = await rds.send(
      new SwitchoverGlobalClusterCommand({
        GlobalClusterIdentifier: LUNEO.globalCluster,
        TargetDbClusterIdentifier: ARN[EU],
      }),
    );
    expect(accepted.GlobalCluster?.Status).toBe('switching-over');
    const writes = await stream.ended; // fencing the old writer ends the stream
    expect(writes.error).toBeDefined();
    await waitFor(
      'eu-west-1 writer and us-east-1 connected reader',
      async () => {
        const cluster = await globalCluster();
        return (
          cluster.Status === 'available' &&
          member(cluster, ARN[EU]).isWriter === true &&
          member(cluster, ARN[US]).isWriter === false &&
          member(cluster, ARN[US]).sync === 'connected'
        );
      },
      { timeoutMs: 90_000 },
    );

    const switchedMs = Date.now() - began - rejoinedMs;
    const onEu = await streamRows(euUrl, 'switchover');
    console.log(
      `switchover: rejoin ${rejoinedMs} ms, switchover ${switchedMs} ms; ${writes.acked.length} acknowledged on us-east-1, ${onEu.size} on eu-west-1`,
    );
    expect(writes.acked.filter((email) => !onEu.has(email))).toEqual([]);
    expect(writes.acked.length).toBeGreaterThanOrEqual(30);

    const [replica] = await queryOnce<{ r: boolean }>(usUrl, 'select pg_is_in_recovery() as r');
    expect(replica?.r).toBe(true);
    const [written] = await queryOnce<{ id: string }>(
      euUrl,
      "insert into orders (sku, quantity, email, total_cents, region_created) values ('LUN-PST-003', 1, 'after-switchover@drill.lab', 2200, 'eu-west-1') returning id::text",
    );
    await waitFor('the new writer row to stream to us-east-1', async () => {
      const rows = await queryOnce(usUrl, 'select 1 from orders where id = $1', [written?.id]);
      return rows.length === 1;
    });
    // The app in eu-west-1 takes orders again (through its load balancer: DNS may still point anywhere).
    const order = await waitFor('an order through the eu-west-1 load balancer', async () => {
      const placed = await placeOrder('after-switchover-alb@drill.lab', t.info.regions[EU].albUrl);
      return placed.status === 201 ? placed.body : undefined;
    });
    expect(order.regionCreated).toBe(EU);
    console.log(
      `switchover: eu-west-1 takes orders ${Date.now() - began - rejoinedMs - switchedMs} ms later`,
    );
  });
});

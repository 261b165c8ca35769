import { DescribeGlobalClustersCommand, FailoverGlobalClusterCommand, RDSClient } from '@aws-sdk/client-rds';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from './testing/harness.ts';

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

describe('dispatch', () => {
  it('answers an unknown RDS action with InvalidAction in the awsQuery error shape', async () => {
    const res = await fetch(h.server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'Action=DeleteGlobalCluster&Version=2014-10-31&GlobalClusterIdentifier=luneo-prod-aurora-global',
    });
    expect(res.status).toBe(400);
    const xml = await res.text();
    expect(xml).toContain(
      '<ErrorResponse xmlns="http://rds.amazonaws.com/doc/2014-10-31/"><Error><Type>Sender</Type><Code>InvalidAction</Code>',
    );
  });

  it('answers an unknown Secrets Manager operation with UnknownOperationException', async () => {
    const res = await fetch(h.server.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': 'secretsmanager.RotateSecret',
      },
      body: '{}',
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ __type: 'UnknownOperationException' });
  });
});

describe('control-plane faults', () => {
  it('throttles every call in the service’s shape, and clearing them restores service', async () => {
    const sm = new SecretsManagerClient(h.client());
    h.server.setControlPlaneFaults({ throttleRate: 1 });
    const error = await sm
      .send(new GetSecretValueCommand({ SecretId: 'prod/luneo/DATABASE_URL' }))
      .catch((e) => e);
    expect(error.name).toBe('ThrottlingException');
    h.server.setControlPlaneFaults(null);
    const ok = await sm.send(new GetSecretValueCommand({ SecretId: 'prod/luneo/DATABASE_URL' }));
    expect(ok.Name).toBe('prod/luneo/DATABASE_URL');
    sm.destroy();
  });

  it('answers 5xx without applying the call', async () => {
    const rds = new RDSClient(h.client());
    h.server.setControlPlaneFaults({ errorRate: 1 });
    const error = await rds
      .send(
        new FailoverGlobalClusterCommand({
          GlobalClusterIdentifier: 'luneo-prod-aurora-global',
          TargetDbClusterIdentifier: 'luneo-prod-aurora-secondary',
          AllowDataLoss: true,
        }),
      )
      .catch((e) => e);
    expect(error.name).toBe('ServiceUnavailable');
    expect(error.$metadata.httpStatusCode).toBe(503);
    expect(h.server.mutationCounts()).toEqual({});
    expect(h.backend.calls).toEqual([]);
    rds.destroy();
  });

  it('a timeout applies the call but never answers: a retry meets the operation in progress', async () => {
    const rds = new RDSClient(h.client());
    h.backend.gate = new Promise(() => {});
    h.server.setControlPlaneFaults({ timeoutRate: 1 });
    const input = {
      GlobalClusterIdentifier: 'luneo-prod-aurora-global',
      TargetDbClusterIdentifier: 'luneo-prod-aurora-secondary',
      AllowDataLoss: true,
    };
    const timedOut = await rds
      .send(new FailoverGlobalClusterCommand(input), { abortSignal: AbortSignal.timeout(400) })
      .catch((e) => e);
    expect(timedOut.name).toBe('AbortError');
    h.server.setControlPlaneFaults(null);
    const retry = await rds.send(new FailoverGlobalClusterCommand(input)).catch((e) => e);
    expect(retry.name).toBe('InvalidGlobalClusterStateFault');
    expect(h.server.mutationCounts()).toEqual({ FailoverGlobalCluster: 1 });
    const { GlobalClusters } = await rds.send(new DescribeGlobalClustersCommand({}));
    expect(GlobalClusters?.[0]?.Status).toBe('failing-over');
    rds.destroy();
  });
});

describe('regional outage', () => {
  it('a dark region takes the request and never answers, for every service; other regions answer', async () => {
    h.backend.darkRegions.add('eu-west-1');
    const client = (region: string) => ({
      ...h.client(region),
      requestHandler: { requestTimeout: 300, throwOnRequestTimeout: true },
    });
    const dark = new SecretsManagerClient(client('eu-west-1'));
    const darkRds = new RDSClient(client('eu-west-1'));
    const lit = new SecretsManagerClient(client('us-east-1'));
    try {
      const secret = await dark
        .send(new GetSecretValueCommand({ SecretId: 'prod/luneo/DATABASE_URL' }))
        .catch((e) => e);
      expect(secret.name).toBe('TimeoutError');
      const rds = await darkRds.send(new DescribeGlobalClustersCommand({})).catch((e) => e);
      expect(rds.name).toBe('TimeoutError');
      // The replica in the surviving region still answers.
      const replica = await lit.send(new GetSecretValueCommand({ SecretId: 'prod/luneo/DATABASE_URL' }));
      expect(replica.ARN).toMatch(/:us-east-1:/);
      h.backend.darkRegions.delete('eu-west-1');
      const back = await dark.send(new GetSecretValueCommand({ SecretId: 'prod/luneo/DATABASE_URL' }));
      expect(back.ARN).toMatch(/:eu-west-1:/);
    } finally {
      dark.destroy();
      darkRds.destroy();
      lit.destroy();
    }
  });
});

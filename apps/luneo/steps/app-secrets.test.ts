// The DATABASE_URL steps against the lab's AWS endpoint, whose Secrets Manager is regional with read-only replicas
// as AWS's: a failover writes the copy the us-east-1 app reads with us-east-1's control plane only (eu-west-1
// answers nothing), and a switchback writes eu-west-1's and makes us-east-1 a replica again.
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AwsClients } from '../../../clients/aws/clients.ts';
import { type Harness, startHarness } from '../../../lab/aws/testing/harness.ts';
import { testRun, useConnection } from '../testing.ts';
import { pointDatabaseUrlAt } from './database.ts';

const ID = 'prod/luneo/DATABASE_URL';
let h: Harness;
let aws: AwsClients;
beforeEach(async () => {
  h = await startHarness();
  aws = new AwsClients({ ...h.client('eu-west-1'), maxAttempts: 1, requestTimeoutMs: 2000 });
});
afterEach(async () => {
  aws.destroy();
  await h.close();
});

function run() {
  return useConnection(testRun(), { aws });
}

/** The value and ARN the app of `region` reads. */
async function appReads(region: string): Promise<{ value: string; arn: string }> {
  const sm = new SecretsManagerClient(h.client(region));
  try {
    const out = await sm.send(new GetSecretValueCommand({ SecretId: ID }));
    return { value: out.SecretString ?? '', arn: out.ARN ?? '' };
  } finally {
    sm.destroy();
  }
}

describe('DATABASE_URL across regions', () => {
  it('fails over with the surviving region only: promotes the us-east-1 replica and writes it', async () => {
    h.backend.darkRegions.add('eu-west-1');
    const ctx = run();
    const result = await pointDatabaseUrlAt({ side: 'secondary' }).run(ctx);
    expect(result?.detail).toBe(
      'promoted the us-east-1 replica (was replicated from eu-west-1); us-east-1 copy now points at db.us-east-1.luneo.lab:25432 (version run-test-1-secret-secondary00000)',
    );
    expect((await appReads('us-east-1')).value).toBe(
      'postgres://app:s3cret@db.us-east-1.luneo.lab:25432/luneo',
    );
    expect(ctx.audited.map((c) => `${c.operation} ${c.scope}`)).toEqual([
      'StopReplicationToReplica us-east-1',
      'PutSecretValue us-east-1',
    ]);
    // The plan says the same, in the same region.
    const plan = pointDatabaseUrlAt({ side: 'secondary' }).plan?.(ctx) ?? [];
    expect(plan.filter((c) => c.mutating).map((c) => `${c.operation} ${c.scope}`)).toEqual([
      'StopReplicationToReplica us-east-1',
      'PutSecretValue us-east-1',
    ]);
  });

  it('switches back: writes eu-west-1 and makes the us-east-1 copy its replica again', async () => {
    await pointDatabaseUrlAt({ side: 'secondary' }).run(run());
    const ctx = run();
    const result = await pointDatabaseUrlAt({ side: 'primary' }).run(ctx);
    expect(result?.detail).toMatch(
      /already points at db\.eu-west-1\.luneo\.lab:15432; replicated to us-east-1 again$/,
    );
    const east = await appReads('us-east-1');
    expect(east.value).toBe('postgres://app:s3cret@db.eu-west-1.luneo.lab:15432/luneo');
    expect(ctx.audited.map((c) => `${c.operation} ${c.scope}`)).toEqual([
      'ReplicateSecretToRegions eu-west-1',
    ]);
  });
});

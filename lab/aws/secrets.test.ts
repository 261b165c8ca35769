import {
  CreateSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  ListSecretsCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from './testing/harness.ts';

const NAME = 'prod/luneo/DATABASE_URL';
let h: Harness;
let sm: SecretsManagerClient;
beforeEach(async () => {
  h = await startHarness();
  sm = new SecretsManagerClient(h.client('us-east-1'));
});
afterEach(async () => {
  sm.destroy();
  await h.close();
});

describe('Secrets Manager', () => {
  it('returns the seeded secret as AWSCURRENT with a regional ARN', async () => {
    const secret = await sm.send(new GetSecretValueCommand({ SecretId: NAME }));
    expect(secret.SecretString).toBe('postgres://app:s3cret@db.eu-west-1.luneo.lab:15432/luneo');
    expect(secret.VersionStages).toEqual(['AWSCURRENT']);
    expect(secret.ARN).toMatch(
      /^arn:aws:secretsmanager:us-east-1:111122223333:secret:prod\/luneo\/DATABASE_URL-[A-Z0-9]{6}$/,
    );
    expect(secret.CreatedDate).toBeInstanceOf(Date);
    const byArn = await sm.send(new GetSecretValueCommand({ SecretId: secret.ARN }));
    expect(byArn.VersionId).toBe(secret.VersionId);
  });

  it('PutSecretValue makes the token the new AWSCURRENT, the old one AWSPREVIOUS, and is idempotent per token', async () => {
    const before = await sm.send(new GetSecretValueCommand({ SecretId: NAME }));
    const put = {
      SecretId: NAME,
      ClientRequestToken: '11111111-2222-3333-4444-555555555555',
      SecretString: 'postgres://app:s3cret@db.us-east-1.luneo.lab:25432/luneo',
    };
    const first = await sm.send(new PutSecretValueCommand(put));
    expect(first.VersionId).toBe(put.ClientRequestToken);
    expect(first.VersionStages).toEqual(['AWSCURRENT']);
    const again = await sm.send(new PutSecretValueCommand(put));
    expect(again.VersionId).toBe(put.ClientRequestToken);
    expect(h.server.mutationCounts()).toEqual({ PutSecretValue: 1 });
    const current = await sm.send(new GetSecretValueCommand({ SecretId: NAME }));
    expect(current.SecretString).toBe(put.SecretString);
    const previous = await sm.send(
      new GetSecretValueCommand({ SecretId: NAME, VersionStage: 'AWSPREVIOUS' }),
    );
    expect(previous.VersionId).toBe(before.VersionId);
    const conflict = await sm
      .send(new PutSecretValueCommand({ ...put, SecretString: 'other' }))
      .catch((e) => e);
    expect(conflict.name).toBe('ResourceExistsException');
    const described = await sm.send(new DescribeSecretCommand({ SecretId: NAME }));
    expect(described.VersionIdsToStages).toEqual({
      [before.VersionId as string]: ['AWSPREVIOUS'],
      [put.ClientRequestToken]: ['AWSCURRENT'],
    });
  });

  it('answers ResourceNotFoundException for an unknown secret', async () => {
    const error = await sm.send(new GetSecretValueCommand({ SecretId: 'prod/nope' })).catch((e) => e);
    expect(error.name).toBe('ResourceNotFoundException');
    expect(error.$metadata.httpStatusCode).toBe(400);
    expect(error.message).toBe("Secrets Manager can't find the specified secret.");
  });

  it('creates and lists secrets; a second create is ResourceExistsException', async () => {
    await sm.send(new CreateSecretCommand({ Name: 'drill/canary', SecretString: 'x' }));
    const { SecretList } = await sm.send(new ListSecretsCommand({}));
    expect(SecretList?.map((s) => s.Name)).toEqual([NAME, 'drill/canary']);
    const error = await sm
      .send(new CreateSecretCommand({ Name: 'drill/canary', SecretString: 'y' }))
      .catch((e) => e);
    expect(error.name).toBe('ResourceExistsException');
  });

  it('a CreateSecret retried with the same ClientRequestToken and value succeeds without a second create', async () => {
    const create = (value: string) =>
      new CreateSecretCommand({
        Name: 'drill/lock/lab',
        SecretString: value,
        ClientRequestToken: 't'.repeat(32),
      });
    await sm.send(create('held'));
    expect((await sm.send(create('held'))).VersionId).toBe('t'.repeat(32));
    expect(h.server.mutationCounts().CreateSecret).toBe(1);
    expect((await sm.send(create('other')).catch((e) => e)).name).toBe('ResourceExistsException');
  });
});

describe('STS', () => {
  it('GetCallerIdentity returns the backend account and the drill role', async () => {
    const sts = new STSClient(h.client('eu-west-1'));
    const identity = await sts.send(new GetCallerIdentityCommand({}));
    sts.destroy();
    expect(identity.Account).toBe('111122223333');
    expect(identity.Arn).toBe('arn:aws:sts::111122223333:assumed-role/luneo-drill/lab');
  });
});

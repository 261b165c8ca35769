import {
  CreateSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  ListSecretsCommand,
  PutSecretValueCommand,
  ReplicateSecretToRegionsCommand,
  SecretsManagerClient,
  StopReplicationToReplicaCommand,
} from '@aws-sdk/client-secrets-manager';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from './testing/harness.ts';

const NAME = 'prod/luneo/DATABASE_URL';
let h: Harness;
let sm: SecretsManagerClient;
beforeEach(async () => {
  h = await startHarness();
  // The seeded secrets are created in eu-west-1 and replicated to us-east-1.
  sm = new SecretsManagerClient(h.client('eu-west-1'));
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
      /^arn:aws:secretsmanager:eu-west-1:111122223333:secret:prod\/luneo\/DATABASE_URL-[A-Z0-9]{6}$/,
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
    expect(described.PrimaryRegion).toBe('eu-west-1');
    expect(described.ReplicationStatus).toEqual([
      { Region: 'us-east-1', Status: 'InSync', StatusMessage: 'Replication succeeded' },
    ]);
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

describe('Secrets Manager across regions', () => {
  const URL_USE1 = 'postgres://app:s3cret@db.us-east-1.luneo.lab:25432/luneo';
  let replicaRegion: SecretsManagerClient;
  beforeEach(() => {
    replicaRegion = new SecretsManagerClient(h.client('us-east-1'));
  });
  afterEach(() => replicaRegion.destroy());

  it('a replica answers reads with the primary value, and every write to the primary reaches it', async () => {
    const replica = await replicaRegion.send(new GetSecretValueCommand({ SecretId: NAME }));
    const primary = await sm.send(new GetSecretValueCommand({ SecretId: NAME }));
    expect(replica.SecretString).toBe(primary.SecretString);
    expect(replica.ARN).toBe(primary.ARN?.replace(':eu-west-1:', ':us-east-1:'));
    expect((await replicaRegion.send(new DescribeSecretCommand({ SecretId: NAME }))).PrimaryRegion).toBe(
      'eu-west-1',
    );
    await sm.send(new PutSecretValueCommand({ SecretId: NAME, SecretString: URL_USE1 }));
    expect((await replicaRegion.send(new GetSecretValueCommand({ SecretId: NAME }))).SecretString).toBe(
      URL_USE1,
    );
  });

  it('a replica is read-only until StopReplicationToReplica promotes it in its own region', async () => {
    const refused = await replicaRegion
      .send(new PutSecretValueCommand({ SecretId: NAME, SecretString: URL_USE1 }))
      .catch((e) => e);
    expect(refused.name).toBe('InvalidParameterException');
    expect(refused.message).toBe(
      "Operation not permitted on a replica secret. Call must be made in primary secret's region.",
    );
    expect(h.server.mutationCounts()).toEqual({});
    // Only a replica can be promoted: the primary's region has no replication to stop.
    const notReplica = await sm.send(new StopReplicationToReplicaCommand({ SecretId: NAME })).catch((e) => e);
    expect(notReplica.name).toBe('InvalidRequestException');

    const promoted = await replicaRegion.send(new StopReplicationToReplicaCommand({ SecretId: NAME }));
    expect(promoted.ARN).toMatch(
      /^arn:aws:secretsmanager:us-east-1:111122223333:secret:prod\/luneo\/DATABASE_URL-/,
    );
    await replicaRegion.send(new PutSecretValueCommand({ SecretId: NAME, SecretString: URL_USE1 }));
    expect((await replicaRegion.send(new GetSecretValueCommand({ SecretId: NAME }))).SecretString).toBe(
      URL_USE1,
    );
    // Standalone now: the old primary no longer replicates to it, and its value is its own.
    const old = await sm.send(new DescribeSecretCommand({ SecretId: NAME }));
    expect(old.ReplicationStatus).toBeUndefined();
    expect((await sm.send(new GetSecretValueCommand({ SecretId: NAME }))).SecretString).not.toBe(URL_USE1);
    const standalone = await replicaRegion.send(new DescribeSecretCommand({ SecretId: NAME }));
    expect(standalone.PrimaryRegion).toBeUndefined();
  });

  it('ReplicateSecretToRegions will not replace a same-named secret unless told to overwrite it', async () => {
    await replicaRegion.send(new StopReplicationToReplicaCommand({ SecretId: NAME }));
    const add = { SecretId: NAME, AddReplicaRegions: [{ Region: 'us-east-1' }] };
    const failed = await sm.send(new ReplicateSecretToRegionsCommand(add));
    expect(failed.ReplicationStatus).toEqual([
      {
        Region: 'us-east-1',
        Status: 'Failed',
        StatusMessage: `Replication failed: Secret name ${NAME} already exists in region us-east-1.`,
      },
    ]);
    const forced = await sm.send(
      new ReplicateSecretToRegionsCommand({ ...add, ForceOverwriteReplicaSecret: true }),
    );
    expect(forced.ReplicationStatus?.[0]?.Status).toBe('InSync');
    expect((await replicaRegion.send(new DescribeSecretCommand({ SecretId: NAME }))).PrimaryRegion).toBe(
      'eu-west-1',
    );
    const refused = await replicaRegion
      .send(new PutSecretValueCommand({ SecretId: NAME, SecretString: URL_USE1 }))
      .catch((e) => e);
    expect(refused.name).toBe('InvalidParameterException');
  });

  it('a secret created in one region does not exist in another', async () => {
    await replicaRegion.send(new CreateSecretCommand({ Name: 'drill/lock/lab', SecretString: 'x' }));
    const error = await sm.send(new GetSecretValueCommand({ SecretId: 'drill/lock/lab' })).catch((e) => e);
    expect(error.name).toBe('ResourceNotFoundException');
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

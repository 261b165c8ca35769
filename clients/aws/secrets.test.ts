import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
  StopReplicationToReplicaCommand,
} from '@aws-sdk/client-secrets-manager';
import { beforeEach, describe, expect, it } from 'vitest';
import { awsError, FAST_RETRY, mockClientInSuite, RecordingAudit } from '../testing.ts';
import { Secrets } from './secrets.ts';

const ID = 'prod/luneo/DATABASE_URL';
const OLD = 'postgres://app:s3cret-old@primary.example:5432/luneo';
const NEW = 'postgres://app:s3cret-new@luneo-prod-global.global-abc123.global.rds.amazonaws.com:5432/luneo';
const smMock = mockClientInSuite(SecretsManagerClient);
let audit: RecordingAudit;
let secrets: Secrets;

beforeEach(() => {
  smMock.reset();
  audit = new RecordingAudit();
  secrets = new Secrets(new SecretsManagerClient({ region: 'us-east-1' }), 'us-east-1', {
    audit,
    retry: FAST_RETRY,
  });
});

describe('getSecretValue', () => {
  it('returns the value and version, and can read an older version', async () => {
    smMock.on(GetSecretValueCommand).resolves({ SecretString: OLD, VersionId: 'v1', ARN: 'arn:s', Name: ID });
    expect(await secrets.getSecretValue(ID, { versionId: 'v1' })).toEqual({
      value: OLD,
      versionId: 'v1',
      arn: 'arn:s',
      name: ID,
    });
    expect(smMock.commandCalls(GetSecretValueCommand)[0]!.args[0].input).toEqual({
      SecretId: ID,
      VersionId: 'v1',
    });
  });

  it('names the secret when it does not exist', async () => {
    smMock
      .on(GetSecretValueCommand)
      .rejects(
        awsError('ResourceNotFoundException', 400, "Secrets Manager can't find the specified secret."),
      );
    await expect(secrets.getSecretValue('nope')).rejects.toMatchObject({
      code: 'E_NOT_FOUND',
      message: 'secret "nope" not found in us-east-1 (ResourceNotFoundException)',
    });
  });
});

describe('putSecretValue', () => {
  it('writes a new version with a ClientRequestToken and never puts the value in the audit log', async () => {
    smMock.on(GetSecretValueCommand).resolves({ SecretString: OLD, VersionId: 'v1' });
    smMock.on(PutSecretValueCommand).resolves({ VersionId: 'tok-1' });
    expect(await secrets.putSecretValue(ID, NEW, { clientRequestToken: 'tok-1' })).toEqual({
      skipped: false,
      versionId: 'tok-1',
      previousVersionId: 'v1',
    });
    expect(smMock.commandCalls(PutSecretValueCommand)[0]!.args[0].input).toEqual({
      SecretId: ID,
      SecretString: NEW,
      ClientRequestToken: 'tok-1',
    });
    expect(audit.operations).toEqual(['before:PutSecretValue', 'after:PutSecretValue']);
    expect(JSON.stringify(audit.events)).not.toContain('s3cret');
    expect(audit.events[0]!.call.params).toEqual({ SecretId: ID, SecretString: '<redacted>' });
  });

  it('skips the write when the current value is already equal', async () => {
    smMock.on(GetSecretValueCommand).resolves({ SecretString: NEW, VersionId: 'v2' });
    expect(await secrets.putSecretValue(ID, NEW)).toEqual({
      skipped: true,
      versionId: 'v2',
      previousVersionId: 'v2',
    });
    expect(smMock.commandCalls(PutSecretValueCommand)).toHaveLength(0);
    expect(audit.events).toEqual([]);
  });

  it('reuses one generated token across retries, so a retried put makes one version', async () => {
    smMock.on(GetSecretValueCommand).resolves({ SecretString: OLD, VersionId: 'v1' });
    smMock
      .on(PutSecretValueCommand)
      .rejectsOnce(awsError('InternalServiceError', 500))
      .resolves({ VersionId: 'x' });
    await secrets.putSecretValue(ID, NEW);
    const tokens = smMock.commandCalls(PutSecretValueCommand).map((c) => c.args[0].input.ClientRequestToken);
    expect(tokens).toHaveLength(2);
    expect(tokens[0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(tokens[1]).toBe(tokens[0]);
  });

  it('keeps the value out of error messages', async () => {
    smMock.on(GetSecretValueCommand).resolves({ SecretString: OLD, VersionId: 'v1' });
    smMock.on(PutSecretValueCommand).rejects(awsError('AccessDeniedException', 400, 'not allowed'));
    const err = await secrets.putSecretValue(ID, NEW).catch((e: Error) => e);
    expect(err).toMatchObject({
      code: 'E_ACCESS_DENIED',
      message: `secretsmanager PutSecretValue on secret "${ID}" in us-east-1 failed: not allowed (AccessDeniedException)`,
    });
    expect(String((err as Error).message)).not.toContain('s3cret');
  });
});

describe('promoteReplica', () => {
  const lostAnswer = () => Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
  const notAReplica = () =>
    awsError('InvalidRequestException', 400, `The secret ${ID} in us-east-1 is not a replica`);

  it('a resend refused "not a replica" after a lost answer is read back: done, once the copy is its own primary', async () => {
    smMock
      .on(DescribeSecretCommand)
      .resolvesOnce({ ARN: 'arn', PrimaryRegion: 'eu-west-1' })
      .resolves({ ARN: 'arn', PrimaryRegion: 'us-east-1' });
    smMock.on(StopReplicationToReplicaCommand).rejectsOnce(lostAnswer()).rejects(notAReplica());
    expect(await secrets.promoteReplica(ID)).toEqual({ promoted: true, from: 'eu-west-1' });
    expect(smMock.commandCalls(StopReplicationToReplicaCommand)).toHaveLength(2);
  });

  it('the same refusal while the copy is still a replica is an error', async () => {
    smMock.on(DescribeSecretCommand).resolves({ ARN: 'arn', PrimaryRegion: 'eu-west-1' });
    smMock.on(StopReplicationToReplicaCommand).rejects(notAReplica());
    await expect(secrets.promoteReplica(ID)).rejects.toMatchObject({ remoteCode: 'InvalidRequestException' });
  });
});

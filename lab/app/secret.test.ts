import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { freePort } from '../net/ports.ts';
import { loadDatabaseUrl } from './secret.ts';
import { type SecretsStub, startSecretsStub } from './testing/secrets-stub.ts';

const ID = 'prod/luneo/DATABASE_URL';
let stub: SecretsStub | undefined;
// Static credentials, as the kubelet gives every pod (else the SDK walks its whole provider chain).
beforeEach(() => {
  vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIALABTEST');
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'lab-secret');
});
afterEach(async () => {
  vi.unstubAllEnvs();
  await stub?.close();
  stub = undefined;
});

describe('loadDatabaseUrl', () => {
  it('reads the URL with GetSecretValue from the endpoint it is given', async () => {
    stub = await startSecretsStub({ [ID]: 'postgres://luneo:pw@127.0.0.1:5432/luneo' });
    const url = await loadDatabaseUrl({
      endpoint: stub.endpoint,
      region: 'eu-west-1',
      databaseUrlSecretId: ID,
    });
    expect(url).toBe('postgres://luneo:pw@127.0.0.1:5432/luneo');
    expect(stub.reads.get(ID)).toBe(1);
  });

  it('fails at once with SECRET_UNAVAILABLE when the secret does not exist', async () => {
    stub = await startSecretsStub({});
    await expect(
      loadDatabaseUrl({ endpoint: stub.endpoint, region: 'eu-west-1', databaseUrlSecretId: ID }),
    ).rejects.toMatchObject({
      code: 'SECRET_UNAVAILABLE',
      message: expect.stringContaining(`cannot read secret ${ID} from Secrets Manager at ${stub.endpoint}: `),
    });
  });

  it('rejects a secret that is not a postgres URL', async () => {
    stub = await startSecretsStub({ [ID]: '{"host":"db"}' });
    await expect(
      loadDatabaseUrl({ endpoint: stub.endpoint, region: 'eu-west-1', databaseUrlSecretId: ID }),
    ).rejects.toMatchObject({
      code: 'DATABASE_URL_INVALID',
      message: `secret ${ID} must hold a postgres:// URL in SecretString (got another format)`,
    });
  });

  it('gives up with SECRET_UNAVAILABLE after its retry budget when nothing listens', async () => {
    const endpoint = `http://127.0.0.1:${await freePort()}`;
    const started = Date.now();
    await expect(
      loadDatabaseUrl({ endpoint, region: 'eu-west-1', databaseUrlSecretId: ID }, 300),
    ).rejects.toMatchObject({ code: 'SECRET_UNAVAILABLE' });
    expect(Date.now() - started).toBeLessThan(3000);
  });
});

// The lab endpoint verifies SigV4 as AWS does (lab/aws/protocol/sigv4-verify.ts): a wrong secret, an unknown
// key, a signature for another service or region, a stale date or no signature at all get each service's error;
// a good signature is answered by the region it was signed for.

import { FisClient, ListExperimentsCommand } from '@aws-sdk/client-fis';
import { DescribeGlobalClustersCommand, RDSClient } from '@aws-sdk/client-rds';
import { ListHostedZonesCommand, Route53Client } from '@aws-sdk/client-route-53';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { SignatureV4 } from '@smithy/signature-v4';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Sha256 } from './protocol/sigv4-verify.ts';
import { type Harness, startHarness } from './testing/harness.ts';

const KEY = { accessKeyId: 'AKIALAB', secretAccessKey: 'lab-secret' };
let h: Harness;
beforeAll(async () => {
  h = await startHarness({ credentials: [KEY], conformance: 'record' });
});
afterAll(async () => {
  await h.close();
});

const SECRET = 'prod/luneo/DATABASE_URL';
type Config = ReturnType<Harness['client']>;
const wrongSecret = (c: Config): Config => ({
  ...c,
  credentials: { ...KEY, secretAccessKey: 'not-the-secret' },
});
const unknownKey = (c: Config): Config => ({ ...c, credentials: { ...KEY, accessKeyId: 'AKIAUNKNOWN' } });
const stale = (c: Config) => ({ ...c, systemClockOffset: -16 * 60_000 });
const failure = (p: Promise<unknown>) =>
  p.then(
    () => ({ name: 'no error', status: 0, message: '' }),
    (e: { name: string; message: string; $metadata?: { httpStatusCode?: number } }) => ({
      name: e.name,
      status: e.$metadata?.httpStatusCode ?? 0,
      message: e.message,
    }),
  );

describe('a good signature', () => {
  it('is answered, by the region it was signed for', async () => {
    for (const region of ['eu-west-1', 'us-east-1']) {
      const sm = new SecretsManagerClient(h.client(region));
      const secret = await sm.send(new GetSecretValueCommand({ SecretId: SECRET }));
      expect(secret.ARN).toContain(`:secretsmanager:${region}:`);
      sm.destroy();
    }
    const rds = new RDSClient(h.client('us-east-1'));
    expect((await rds.send(new DescribeGlobalClustersCommand({}))).GlobalClusters).toHaveLength(1);
    rds.destroy();
  });
});

describe('a signature by the wrong secret', () => {
  it("gets each service's refusal: SignatureDoesNotMatch (query, restXml), InvalidSignatureException (JSON)", async () => {
    const c = wrongSecret(h.client('eu-west-1'));
    expect(await failure(new RDSClient(c).send(new DescribeGlobalClustersCommand({})))).toMatchObject({
      name: 'SignatureDoesNotMatch',
      status: 403,
      message: expect.stringContaining('The request signature we calculated does not match'),
    });
    expect(await failure(new Route53Client(c).send(new ListHostedZonesCommand({})))).toMatchObject({
      name: 'SignatureDoesNotMatch',
      status: 403,
    });
    expect(
      await failure(new SecretsManagerClient(c).send(new GetSecretValueCommand({ SecretId: SECRET }))),
    ).toMatchObject({ name: 'InvalidSignatureException', status: 400 });
    expect(await failure(new FisClient(c).send(new ListExperimentsCommand({})))).toMatchObject({
      name: 'InvalidSignatureException',
      status: 403,
    });
    expect(h.backend.calls).toEqual([]);
  });
});

describe('an access key the account does not have', () => {
  it('InvalidClientTokenId (query), UnrecognizedClientException (JSON)', async () => {
    const c = unknownKey(h.client('eu-west-1'));
    expect(await failure(new STSClient(c).send(new GetCallerIdentityCommand({})))).toMatchObject({
      name: 'InvalidClientTokenId',
      status: 403,
      message: 'The security token included in the request is invalid.',
    });
    expect(
      await failure(new SecretsManagerClient(c).send(new GetSecretValueCommand({ SecretId: SECRET }))),
    ).toMatchObject({ name: 'UnrecognizedClientException', status: 400 });
  });
});

describe('a signature more than 15 minutes old', () => {
  it('Signature expired: SignatureDoesNotMatch (query), InvalidSignatureException (JSON)', async () => {
    const c = stale(h.client('eu-west-1'));
    const rds = await failure(new RDSClient(c).send(new DescribeGlobalClustersCommand({})));
    expect(rds).toMatchObject({ name: 'SignatureDoesNotMatch', status: 403 });
    expect(rds.message).toMatch(
      /^Signature expired: \d{8}T\d{6}Z is now earlier than \d{8}T\d{6}Z \(\d{8}T\d{6}Z - 15 min\.\)$/,
    );
    const sm = await failure(
      new SecretsManagerClient(c).send(new GetSecretValueCommand({ SecretId: SECRET })),
    );
    expect(sm).toMatchObject({ name: 'InvalidSignatureException', status: 400 });
    expect(sm.message).toMatch(/^Signature expired: /);
  });

  it('14 minutes is within the allowed skew', async () => {
    const c = { ...h.client('eu-west-1'), systemClockOffset: -14 * 60_000 };
    expect((await new RDSClient(c).send(new DescribeGlobalClustersCommand({}))).GlobalClusters).toHaveLength(
      1,
    );
  });
});

/** A request signed by hand, to sign it for what the SDK would not (another service, a tampered scope). */
async function signed(opts: { service: string; region: string; body: string; secret?: string }) {
  const url = new URL(h.server.url);
  const signer = new SignatureV4({
    credentials: { ...KEY, secretAccessKey: opts.secret ?? KEY.secretAccessKey },
    region: opts.region,
    service: opts.service,
    sha256: Sha256,
  });
  return signer.sign({
    method: 'POST',
    protocol: 'http:',
    hostname: url.hostname,
    port: Number(url.port),
    path: '/',
    query: {},
    headers: { host: url.host, 'content-type': 'application/x-www-form-urlencoded' },
    body: opts.body,
  });
}

async function send(request: Awaited<ReturnType<typeof signed>>) {
  const res = await fetch(h.server.url, {
    method: 'POST',
    headers: request.headers as Record<string, string>,
    body: request.body as string,
  });
  return { status: res.status, text: await res.text() };
}

const DESCRIBE = 'Action=DescribeGlobalClusters&Version=2014-10-31';

describe('a signature scoped to another service or region', () => {
  it('a request to RDS signed for STS: SignatureDoesNotMatch, scoped to the correct service', async () => {
    const answer = await send(await signed({ service: 'sts', region: 'eu-west-1', body: DESCRIBE }));
    expect(answer.status).toBe(403);
    expect(answer.text).toContain('<Code>SignatureDoesNotMatch</Code>');
    expect(answer.text).toContain('Credential should be scoped to correct service: &apos;rds&apos;.');
  });

  it('a scope edited from us-east-1 to eu-west-1 after signing: SignatureDoesNotMatch', async () => {
    const good = await signed({ service: 'rds', region: 'us-east-1', body: DESCRIBE });
    expect((await send(good)).status).toBe(200);
    const auth = String(good.headers.authorization).replace('/us-east-1/rds/', '/eu-west-1/rds/');
    const answer = await send({ ...good, headers: { ...good.headers, authorization: auth } });
    expect(answer.status).toBe(403);
    expect(answer.text).toContain('<Code>SignatureDoesNotMatch</Code>');
  });

  it('a body changed after signing: SignatureDoesNotMatch', async () => {
    const good = await signed({ service: 'rds', region: 'eu-west-1', body: DESCRIBE });
    const answer = await send({ ...good, body: `${DESCRIBE}&MaxRecords=20` });
    expect(answer.status).toBe(403);
  });
});

describe('no signature', () => {
  it('MissingAuthenticationToken (query), MissingAuthenticationTokenException (JSON)', async () => {
    const query = await fetch(h.server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: DESCRIBE,
    });
    expect(query.status).toBe(403);
    expect(await query.text()).toContain('<Code>MissingAuthenticationToken</Code>');
    const json = await fetch(h.server.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': 'secretsmanager.GetSecretValue',
      },
      body: JSON.stringify({ SecretId: SECRET }),
    });
    expect(json.status).toBe(400);
    expect(await json.json()).toMatchObject({ __type: 'MissingAuthenticationTokenException' });
  });
});

describe('presigned query authentication', () => {
  const presign = async (signingDate: Date, expiresIn: number) => {
    const url = new URL(h.server.url);
    const signer = new SignatureV4({
      credentials: KEY,
      region: 'eu-west-1',
      service: 'sts',
      sha256: Sha256,
    });
    const request = await signer.presign(
      {
        method: 'GET',
        protocol: 'http:',
        hostname: url.hostname,
        port: Number(url.port),
        path: '/',
        query: { Action: 'GetCallerIdentity', Version: '2011-06-15' },
        headers: { host: url.host },
      },
      { signingDate, expiresIn },
    );
    const query = new URLSearchParams(request.query as Record<string, string>);
    return fetch(`${h.server.url}/?${query}`);
  };

  it('a presigned GET is answered while it lasts, and refused once it has expired', async () => {
    expect((await presign(new Date(), 60)).status).toBe(200);
    const expired = await presign(new Date(Date.now() - 120_000), 60);
    expect(expired.status).toBe(403);
    expect(await expired.text()).toContain('<Code>SignatureDoesNotMatch</Code>');
  });
});

describe('the refusals', () => {
  it('conform to the models: each code is one the services answer to any operation', () => {
    expect(h.server.conformance().violations).toEqual([]);
  });
});

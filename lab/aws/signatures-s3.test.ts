// S3's own SigV4 refusals on the lab endpoint (lab/aws/protocol/sigv4-verify.ts): the SDK's streaming uploads and
// presigned URLs verify; a wrong secret, an unknown key, a stale clock, a body that is not the hash it states
// and an expired presigned URL get S3's error codes.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SignatureV4 } from '@smithy/signature-v4';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PRIMARY_REGION } from '../regions.ts';
import { Sha256 } from './protocol/sigv4-verify.ts';
import { type LabS3, LUNEO_BUCKETS, startLabS3 } from './s3/lab-s3.ts';
import { type Harness, startHarness } from './testing/harness.ts';

const KEY = { accessKeyId: 'AKIALAB', secretAccessKey: 'lab-secret' };
const BUCKET = LUNEO_BUCKETS[PRIMARY_REGION];
let dir: string;
let lab: LabS3;
let h: Harness;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lab-s3-signatures-'));
  lab = await startLabS3({ dir: join(dir, 's3'), wanLatencyMs: 10 });
  h = await startHarness({ s3: lab, credentials: [KEY], conformance: 'record' });
});
afterAll(async () => {
  await h?.close();
  await lab?.close();
  await rm(dir, { recursive: true, force: true });
});

const s3 = (overrides: object = {}) =>
  new S3Client({ ...h.client(PRIMARY_REGION), forcePathStyle: true, ...overrides });
const failure = (p: Promise<unknown>) =>
  p.then(
    () => ({ name: 'no error', status: 0 }),
    (e: { name: string; $metadata?: { httpStatusCode?: number } }) => ({
      name: e.name,
      status: e.$metadata?.httpStatusCode ?? 0,
    }),
  );
const put = (key: string) => new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: 'hello' });

describe('S3 on the lab endpoint', () => {
  it("the SDK's signed put (streaming, with a checksum trailer) and get are answered", async () => {
    await s3().send(put('signed.txt'));
    const got = await s3().send(new GetObjectCommand({ Bucket: BUCKET, Key: 'signed.txt' }));
    expect(await got.Body?.transformToString()).toBe('hello');
  });

  it('refuses a wrong secret (SignatureDoesNotMatch), an unknown key (InvalidAccessKeyId), a stale clock (RequestTimeTooSkewed)', async () => {
    const wrong = s3({ credentials: { ...KEY, secretAccessKey: 'not-the-secret' } });
    expect(await failure(wrong.send(put('x.txt')))).toEqual({ name: 'SignatureDoesNotMatch', status: 403 });
    const unknown = s3({ credentials: { ...KEY, accessKeyId: 'AKIAUNKNOWN' } });
    expect(await failure(unknown.send(put('x.txt')))).toEqual({ name: 'InvalidAccessKeyId', status: 403 });
    const stale = s3({ systemClockOffset: -20 * 60_000 });
    expect(await failure(stale.send(put('x.txt')))).toEqual({ name: 'RequestTimeTooSkewed', status: 403 });
  });

  it('refuses a body that is not the x-amz-content-sha256 it was signed with (XAmzContentSHA256Mismatch)', async () => {
    const url = new URL(h.server.url);
    const signer = new SignatureV4({
      credentials: KEY,
      region: PRIMARY_REGION,
      service: 's3',
      sha256: Sha256,
      uriEscapePath: false,
    });
    const signed = await signer.sign({
      method: 'PUT',
      protocol: 'http:',
      hostname: url.hostname,
      port: Number(url.port),
      path: `/${BUCKET}/tampered.txt`,
      query: {},
      headers: { host: url.host },
      body: 'what was signed',
    });
    const res = await fetch(`${h.server.url}/${BUCKET}/tampered.txt`, {
      method: 'PUT',
      headers: signed.headers as Record<string, string>,
      body: 'what was sent',
    });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('<Code>XAmzContentSHA256Mismatch</Code>');
  });

  it('answers a presigned GET while it lasts; once expired, AccessDenied "Request has expired"', async () => {
    await s3().send(put('presigned.txt'));
    const url = new URL(h.server.url);
    const presigned = async (signingDate: Date) => {
      const signer = new SignatureV4({
        credentials: KEY,
        region: PRIMARY_REGION,
        service: 's3',
        sha256: Sha256,
        uriEscapePath: false,
      });
      const request = await signer.presign(
        {
          method: 'GET',
          protocol: 'http:',
          hostname: url.hostname,
          port: Number(url.port),
          path: `/${BUCKET}/presigned.txt`,
          query: {},
          // As the SDK's presigner: no payload signed, the marker hoisted into the query.
          headers: { host: url.host, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' },
        },
        { signingDate, expiresIn: 60 },
      );
      return fetch(
        `${h.server.url}/${BUCKET}/presigned.txt?${new URLSearchParams(request.query as Record<string, string>)}`,
      );
    };
    const fresh = await presigned(new Date());
    expect(fresh.status).toBe(200);
    expect(await fresh.text()).toBe('hello');
    const expired = await presigned(new Date(Date.now() - 120_000));
    expect(expired.status).toBe(403);
    const text = await expired.text();
    expect(text).toContain('<Code>AccessDenied</Code>');
    expect(text).toContain('Request has expired');
  });

  it('every answer, refusals included, conforms to the S3 model', () => {
    expect(h.server.conformance().violations).toEqual([]);
  });
});

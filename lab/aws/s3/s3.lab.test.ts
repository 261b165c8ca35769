// The lab's S3 through the real AWS SDK v3 client (path-style): objects and versions, replication across the
// s3-wan Link, FIS aws:s3:bucket-pause-replication, and the errors S3 gives.
import { Readable } from 'node:stream';
import {
  CreateExperimentTemplateCommand,
  FisClient,
  GetExperimentCommand,
  StartExperimentCommand,
  StopExperimentCommand,
} from '@aws-sdk/client-fis';
import {
  GetBucketReplicationCommand,
  GetBucketVersioningCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectVersionsCommand,
  PutBucketReplicationCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../testing/poll.ts';
import { type S3TestEndpoint, startS3TestEndpoint } from './testing.ts';

const SRC = 'luneo-prod-artifacts';
const DR = 'luneo-prod-artifacts-dr';

let t: S3TestEndpoint;
let eu: S3Client;
let us: S3Client;
beforeAll(async () => {
  t = await startS3TestEndpoint({ wanLatencyMs: 50 });
  eu = t.s3('eu-west-1');
  us = t.s3('us-east-1');
});
afterAll(async () => {
  await t?.close();
});

const head = (client: S3Client, Bucket: string, Key: string, VersionId?: string) =>
  client.send(new HeadObjectCommand({ Bucket, Key, ...(VersionId ? { VersionId } : {}) }));

async function untilStatus(key: string, versionId: string, status: string): Promise<void> {
  await waitFor(
    `${key} ${status}`,
    async () => (await head(eu, SRC, key, versionId)).ReplicationStatus === status,
    {
      timeoutMs: 5000,
    },
  );
}

describe('objects and versions', () => {
  it('keeps every version: GetObject by versionId, HeadObject headers, a streamed (aws-chunked) put', async () => {
    const first = await eu.send(new PutObjectCommand({ Bucket: SRC, Key: 'v/a.txt', Body: 'one' }));
    const second = await eu.send(
      new PutObjectCommand({
        Bucket: SRC,
        Key: 'v/a.txt',
        Body: Readable.from([Buffer.from('tw'), Buffer.from('o!')]),
        ContentLength: 4,
        ContentType: 'text/plain',
      }),
    );
    expect(first.VersionId).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(second.VersionId).not.toBe(first.VersionId);
    expect(first.ETag).toBe('"f97c5d29941bfb1b2fdab0874906ab82"');
    const old = await eu.send(
      new GetObjectCommand({ Bucket: SRC, Key: 'v/a.txt', VersionId: first.VersionId }),
    );
    expect(await old.Body?.transformToString()).toBe('one');
    const latest = await eu.send(new GetObjectCommand({ Bucket: SRC, Key: 'v/a.txt' }));
    expect(await latest.Body?.transformToString()).toBe('two!');
    expect(latest.VersionId).toBe(second.VersionId);
    const h = await head(eu, SRC, 'v/a.txt');
    expect([h.ContentLength, h.ContentType, h.VersionId]).toEqual([4, 'text/plain', second.VersionId]);
    expect(h.LastModified).toBeInstanceOf(Date);
  });

  it('lists versions key by key, newest first, in pages of MaxKeys', async () => {
    for (const body of ['1', '2'])
      await eu.send(new PutObjectCommand({ Bucket: SRC, Key: 'list/b', Body: body }));
    await eu.send(new PutObjectCommand({ Bucket: SRC, Key: 'list/a', Body: 'a' }));
    const seen: string[] = [];
    let KeyMarker: string | undefined;
    let VersionIdMarker: string | undefined;
    let pages = 0;
    for (;;) {
      const page = await eu.send(
        new ListObjectVersionsCommand({
          Bucket: SRC,
          Prefix: 'list/',
          MaxKeys: 2,
          KeyMarker,
          VersionIdMarker,
        }),
      );
      pages++;
      for (const v of page.Versions ?? []) seen.push(`${v.Key}:${v.Size}:${v.IsLatest}`);
      if (!page.IsTruncated) break;
      KeyMarker = page.NextKeyMarker;
      VersionIdMarker = page.NextVersionIdMarker;
    }
    expect(pages).toBe(2);
    expect(seen).toEqual(['list/a:1:true', 'list/b:1:true', 'list/b:1:false']);
    const versioning = await eu.send(new GetBucketVersioningCommand({ Bucket: SRC }));
    expect(versioning.Status).toBe('Enabled');
  });

  it('answers as S3 does: NoSuchKey, NoSuchVersion, NoSuchBucket, and a request signed for the wrong region', async () => {
    const failure = (p: Promise<unknown>) =>
      p.then(
        () => 'resolved',
        (e: Error) => `${e.name}: ${e.message}`,
      );
    expect(await failure(eu.send(new GetObjectCommand({ Bucket: SRC, Key: 'missing' })))).toBe(
      'NoSuchKey: The specified key does not exist.',
    );
    expect(
      await failure(
        eu.send(
          new GetObjectCommand({
            Bucket: SRC,
            Key: 'v/a.txt',
            VersionId: 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
          }),
        ),
      ),
    ).toBe('NoSuchVersion: The specified version does not exist.');
    expect(await failure(eu.send(new ListObjectVersionsCommand({ Bucket: 'no-such-bucket' })))).toBe(
      'NoSuchBucket: The specified bucket does not exist',
    );
    expect(await failure(us.send(new GetObjectCommand({ Bucket: SRC, Key: 'v/a.txt' })))).toBe(
      "AuthorizationHeaderMalformed: The authorization header is malformed; the region 'us-east-1' is wrong; expecting 'eu-west-1'",
    );
    expect(await failure(us.send(new GetBucketReplicationCommand({ Bucket: DR })))).toBe(
      'ReplicationConfigurationNotFoundError: The replication configuration was not found',
    );
  });
});

describe('replication eu-west-1 → us-east-1', () => {
  it('copies each new version asynchronously: PENDING, then COMPLETED, the replica REPLICA with the same id', async () => {
    const put = await eu.send(new PutObjectCommand({ Bucket: SRC, Key: 'r/1.json', Body: '{"n":1}' }));
    expect((await head(eu, SRC, 'r/1.json')).ReplicationStatus).toBe('PENDING');
    await untilStatus('r/1.json', put.VersionId as string, 'COMPLETED');
    const replica = await head(us, DR, 'r/1.json', put.VersionId);
    expect([replica.ReplicationStatus, replica.VersionId, replica.ETag]).toEqual([
      'REPLICA',
      put.VersionId,
      put.ETag,
    ]);
    const body = await us.send(new GetObjectCommand({ Bucket: DR, Key: 'r/1.json' }));
    expect(await body.Body?.transformToString()).toBe('{"n":1}');
  });

  it('holds copies while the WAN link is cut and delivers them once it is restored', async () => {
    t.lab.wan.cut();
    const put = await eu.send(new PutObjectCommand({ Bucket: SRC, Key: 'r/cut.json', Body: 'x' }));
    await new Promise((r) => setTimeout(r, 400));
    expect((await head(eu, SRC, 'r/cut.json')).ReplicationStatus).toBe('PENDING');
    t.lab.wan.restore();
    await untilStatus('r/cut.json', put.VersionId as string, 'COMPLETED');
  });

  it('a disabled rule replicates nothing new; re-enabled, it resumes for versions written under it', async () => {
    const config = (await eu.send(new GetBucketReplicationCommand({ Bucket: SRC }))).ReplicationConfiguration;
    expect(config?.Rules?.map((r) => [r.ID, r.Status, r.Destination?.Bucket])).toEqual([
      ['artifacts-to-us-east-1', 'Enabled', `arn:aws:s3:::${DR}`],
    ]);
    t.lab.wan.cut();
    const attempts = t.lab.wan.stats().opened;
    const held = await eu.send(new PutObjectCommand({ Bucket: SRC, Key: 'r/held.json', Body: 'h' }));
    // Its first copy has hit the cut link (a copy already under way when the rule is disabled would finish).
    await waitFor('a copy attempt on the cut link', () => t.lab.wan.stats().opened > attempts, {
      timeoutMs: 5000,
    });
    const rules = (status: 'Enabled' | 'Disabled') => ({
      ...config,
      Role: config?.Role,
      Rules: config?.Rules?.map((r) => ({ ...r, Status: status })),
    });
    await eu.send(
      new PutBucketReplicationCommand({ Bucket: SRC, ReplicationConfiguration: rules('Disabled') }),
    );
    t.lab.wan.restore();
    const unreplicated = await eu.send(new PutObjectCommand({ Bucket: SRC, Key: 'r/off.json', Body: 'o' }));
    expect((await head(eu, SRC, 'r/off.json')).ReplicationStatus).toBeUndefined();
    await new Promise((r) => setTimeout(r, 300));
    expect((await head(eu, SRC, 'r/held.json')).ReplicationStatus).toBe('PENDING');
    await eu.send(
      new PutBucketReplicationCommand({ Bucket: SRC, ReplicationConfiguration: rules('Enabled') }),
    );
    await untilStatus('r/held.json', held.VersionId as string, 'COMPLETED');
    const missing = await us
      .send(new HeadObjectCommand({ Bucket: DR, Key: 'r/off.json', VersionId: unreplicated.VersionId }))
      .then(
        () => 'replicated',
        (e: Error) => e.name,
      );
    expect(missing).toBe('NotFound');
  });

  it('refuses a configuration S3 would refuse', async () => {
    const config = (await eu.send(new GetBucketReplicationCommand({ Bucket: SRC }))).ReplicationConfiguration;
    await us.send(
      new PutBucketVersioningCommand({ Bucket: DR, VersioningConfiguration: { Status: 'Suspended' } }),
    );
    const refused = await eu
      .send(new PutBucketReplicationCommand({ Bucket: SRC, ReplicationConfiguration: config }))
      .then(
        () => 'accepted',
        (e: Error) => `${e.name}: ${e.message}`,
      );
    await us.send(
      new PutBucketVersioningCommand({ Bucket: DR, VersioningConfiguration: { Status: 'Enabled' } }),
    );
    expect(refused).toBe('InvalidRequest: Destination bucket must have versioning enabled.');
  });
});

describe('FIS aws:s3:bucket-pause-replication', () => {
  let fis: FisClient;
  beforeAll(() => {
    fis = new FisClient(t.harness.client('eu-west-1'));
  });
  afterAll(() => fis.destroy());

  const template = (parameters: Record<string, string>, target: object) =>
    fis.send(
      new CreateExperimentTemplateCommand({
        description: 'Pause artifacts replication',
        roleArn: 'arn:aws:iam::111122223333:role/fis-dr',
        stopConditions: [{ source: 'none' }],
        targets: { Buckets: { resourceType: 'aws:s3:bucket', selectionMode: 'ALL', ...target } },
        actions: {
          Pause: { actionId: 'aws:s3:bucket-pause-replication', parameters, targets: { Buckets: 'Buckets' } },
        },
      }),
    );

  it('pauses replication for the experiment; stopping the experiment resumes it', async () => {
    const created = await template(
      { duration: 'PT10M', region: 'us-east-1', destinationBuckets: DR },
      { resourceTags: { DisruptS3: 'Allowed', Region: 'eu-west-1' } },
    );
    const started = await fis.send(
      new StartExperimentCommand({
        experimentTemplateId: created.experimentTemplate?.id,
        clientToken: 'pause-1',
      }),
    );
    const id = started.experiment?.id as string;
    await waitFor(
      'experiment running',
      async () => (await fis.send(new GetExperimentCommand({ id }))).experiment?.state?.status === 'running',
      { timeoutMs: 5000 },
    );
    expect(t.faults.active().map((f) => f.detail)).toEqual([
      `S3 replication paused from ${SRC} (to us-east-1)`,
    ]);
    const put = await eu.send(new PutObjectCommand({ Bucket: SRC, Key: 'fis/p.json', Body: 'p' }));
    await new Promise((r) => setTimeout(r, 400));
    expect((await head(eu, SRC, 'fis/p.json')).ReplicationStatus).toBe('PENDING');
    await fis.send(new StopExperimentCommand({ id }));
    await untilStatus('fis/p.json', put.VersionId as string, 'COMPLETED');
    expect(t.faults.active()).toEqual([]);
  });

  it('takes buckets by tag only, and needs the destination region', async () => {
    const message = (p: Promise<unknown>) =>
      p.then(
        () => 'accepted',
        (e: Error) => e.message,
      );
    expect(
      await message(
        template({ duration: 'PT1M', region: 'us-east-1' }, { resourceArns: [`arn:aws:s3:::${SRC}`] }),
      ),
    ).toBe('Target Buckets: aws:s3:bucket targets are selected by resourceTags only, not resourceArns.');
    expect(await message(template({ duration: 'PT1M' }, { resourceTags: { DisruptS3: 'Allowed' } }))).toBe(
      'Action Pause: aws:s3:bucket-pause-replication needs the parameter region.',
    );
  });
});

// The S3 probe, steps and artifact writer against the lab's S3 endpoint (in-process), through a lab.json.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Clock } from '../../../core/model.ts';
import { type S3TestEndpoint, startS3TestEndpoint } from '../../../lab/aws/s3/testing.ts';
import { waitFor } from '../../../lab/testing/poll.ts';
import { testRun } from '../testing.ts';
import { s3BacklogAtFailover, s3BacklogProbe } from './s3.ts';
import { enableS3Replication, waitS3Drained } from './s3-restore.ts';
import { s3ArtifactWriter } from './s3-writer.ts';

const SRC = 'luneo-prod-artifacts';
const DR = 'luneo-prod-artifacts-dr';

let t: S3TestEndpoint;
let eu: S3Client;
beforeAll(async () => {
  t = await startS3TestEndpoint({ wanLatencyMs: 20 });
  eu = t.s3('eu-west-1');
  // What apps/luneo/context.ts reads of a running lab.
  await writeFile(
    join(t.dir, 'lab.json'),
    JSON.stringify({
      version: 1,
      dir: t.dir,
      // The endpoint lives in this test process: the lab that lab.json names is running while it does.
      pid: process.pid,
      publicUrl: 'http://127.0.0.1:9',
      aws: {
        endpoint: t.harness.server.url,
        accessKeyId: 'AKIALAB',
        secretAccessKey: 'lab-secret',
        accountId: '111122223333',
      },
      hostedZoneId: 'Z0LAB',
      healthChecks: { primary: 'hc-primary' },
    }),
  );
});
afterAll(async () => {
  await t?.close();
});

const run = (resources: Parameters<typeof testRun>[0] = {}, opts: { t0?: number } = {}) =>
  testRun({ lab: { dir: t.dir }, ...resources }, opts);
const check = (probe: ReturnType<typeof s3BacklogProbe>, ctx = run()) =>
  probe.check(ctx, { signal: ctx.signal });
const put = (Key: string, Body: string) => eu.send(new PutObjectCommand({ Bucket: SRC, Key, Body }));

describe('S3 backlog probe and steps', () => {
  it('reports the versions replication has not delivered, and fails "drained" while any is missing', async () => {
    const resume = t.lab.replication.pause({ sourceBucket: SRC });
    const first = await put('p/1.json', '12345');
    await put('p/2.json', '123');
    const report = await check(s3BacklogProbe());
    expect(report.ok).toBe(true);
    expect(report.data).toEqual({ backlog: { what: 'S3 object versions', count: 2, bytes: 8 } });
    expect(report.detail).toMatch(
      new RegExp(
        `^2 S3 object versions \\(8 bytes\\) of 2 on ${SRC} not yet on ${DR}; oldest p/1\\.json \\(${first.VersionId}\\) written 20`,
      ),
    );
    const drained = await check(s3BacklogProbe({ name: 's3-drained', expect: 'drained' }));
    expect(drained.ok).toBe(false);
    expect(drained.detail).toBe(`replication not drained: ${report.detail}`);
    resume();
    await waitFor('drained', async () => (await check(s3BacklogProbe({ expect: 'drained' }))).ok, {
      timeoutMs: 10_000,
    });
    expect((await check(s3BacklogProbe())).detail).toBe(`all 2 object versions of ${SRC} are on ${DR}`);
  });

  it('fails with what it could not read', async () => {
    const outcome = await check(s3BacklogProbe(), run({ s3: { primaryBucket: 'luneo-nope', drBucket: DR } }));
    expect(outcome).toEqual({
      ok: false,
      detail:
        'cannot compare S3 object versions across regions: bucket "luneo-nope" not found in eu-west-1 (NoSuchBucket)',
    });
  });

  it('records the backlog at failover with what was written before T0', async () => {
    const resume = t.lab.replication.pause({ sourceBucket: SRC });
    await put('p/3.json', 'abc');
    const ctx = run({}, { t0: 60_000 });
    const outcome = await s3BacklogAtFailover().run(ctx);
    resume();
    expect(outcome?.measurements).toEqual({ s3BacklogVersions: 1, s3BacklogBytes: 3, s3BacklogBeforeT0: 1 });
    expect(outcome?.detail).toMatch(/ written 20\S+; written before T0: 1, the oldest \S+( \S+)? before T0$/);
  });

  it('re-enables a suspended rule once (audited), says so when already enabled, and undoes to the suspension', async () => {
    const rule = t.lab.store.bucket(SRC).replication?.rules[0];
    if (!rule) throw new Error('no seeded rule');
    rule.status = 'Disabled';
    const ctx = run();
    const step = enableS3Replication();
    const outcome = await step.run(ctx);
    expect(outcome?.detail).toBe(`re-enabled replication rule(s) artifacts-to-us-east-1 of ${SRC}`);
    expect(t.lab.store.bucket(SRC).replication?.rules[0]?.status).toBe('Enabled');
    expect(ctx.audited).toEqual([
      {
        service: 's3',
        operation: 'PutBucketReplication',
        scope: 'eu-west-1',
        params: { Bucket: SRC, RuleStatus: 'Enabled' },
        mutating: true,
      },
    ]);
    expect((await step.run(ctx))?.detail).toBe(
      `replication of ${SRC} already enabled (artifacts-to-us-east-1): nothing to change`,
    );
    await step.undo?.(ctx, outcome?.undoData);
    expect(t.lab.store.bucket(SRC).replication?.rules[0]?.status).toBe('Disabled');
    (t.lab.store.bucket(SRC).replication?.rules[0] as { status: string }).status = 'Enabled';
    t.lab.replication.pump();
  });

  it('waits for the residual backlog, and says why when it does not drain', async () => {
    // Earlier tests leave copies in flight (250 ms WAN): start from a drained bucket so the counts are exact.
    await waitFor('drained', async () => (await check(s3BacklogProbe({ expect: 'drained' }))).ok, {
      timeoutMs: 10_000,
    });
    const resume = t.lab.replication.pause({ sourceBucket: SRC });
    await put('p/4.json', 'wait');
    const stuck = await waitS3Drained({ timeout: '3s' })
      .run(run())
      .then(
        () => 'drained',
        (e: Error) => e.message,
      );
    expect(stuck).toMatch(
      new RegExp(
        `^timed out after 1\\.0s waiting for the 1 pending version\\(s\\) of ${SRC} to reach ${DR}; last seen: 1 S3 object versions \\(4 bytes\\) of 1 on ${SRC} not yet on ${DR}; .*Versions written while no rule was enabled never replicate: copy them with S3 Batch Replication$`,
      ),
    );
    resume();
    const drained = await waitS3Drained({ timeout: '10s' }).run(run());
    expect(drained?.detail).toMatch(
      /^the residual backlog drained: 1 version\(s\), 4 bytes, now on luneo-prod-artifacts-dr/,
    );
  });

  it('the artifact writer puts sequence-numbered artifacts until T0', async () => {
    let t0: number | undefined;
    const base = run();
    const clock: Clock = {
      now: base.clock.now,
      wall: base.clock.wall,
      get t0() {
        return t0;
      },
    };
    const ctx = { ...base, clock, runId: 'run-writer' };
    const writer = s3ArtifactWriter({ interval: '20ms' });
    await writer.start(ctx);
    await waitFor(
      'three artifacts',
      async () =>
        (await t.lab.store.allVersions(SRC)).filter((v) => v.key.startsWith('drill-artifacts/run-writer/'))
          .length >= 3,
      { timeoutMs: 10_000 },
    );
    t0 = clock.now();
    const summary = (await writer.stop(ctx)) as Record<string, unknown>;
    const keys = t.lab.store
      .allVersions(SRC)
      .filter((v) => v.key.startsWith('drill-artifacts/run-writer/'))
      .map((v) => v.key);
    expect(summary).toMatchObject({ prefix: 'drill-artifacts', failed: 0, stoppedAt: 'T0' });
    expect(summary.written).toBe(keys.length);
    expect(keys[0]).toBe('drill-artifacts/run-writer/000001.json');
  });
});

// The runbook's `aws s3api` commands (AWS CLI on PATH, v1 here: it ignores AWS_ENDPOINT_URL) against the lab S3.
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type S3TestEndpoint, startS3TestEndpoint } from './testing.ts';

const run = promisify(execFile);
// The Python CLI takes seconds to start on a busy 2-core machine.
vi.setConfig({ testTimeout: 120_000 });

const cli = await run('sh', ['-c', 'command -v aws']).then(
  ({ stdout }) => stdout.trim(),
  () => '',
);
if (!cli)
  console.log(
    's3-cli.lab.test: skipped, no `aws` on PATH (pip install awscli, or apt-get install -y awscli)',
  );

describe.skipIf(!cli)('aws s3api against the lab', () => {
  let t: S3TestEndpoint;
  beforeAll(async () => {
    t = await startS3TestEndpoint({ wanLatencyMs: 20 });
  });
  afterAll(async () => {
    await t?.close();
  });

  async function s3api(region: string, ...args: string[]): Promise<Record<string, unknown>> {
    const env = {
      ...process.env,
      AWS_ACCESS_KEY_ID: 'AKIALAB',
      AWS_SECRET_ACCESS_KEY: 'lab-secret',
      AWS_PAGER: '',
      AWS_CONFIG_FILE: '/dev/null',
    };
    const { stdout } = await run(
      cli,
      ['s3api', ...args, '--endpoint-url', t.harness.server.url, '--region', region, '--output', 'json'],
      { env },
    );
    return stdout.trim() ? (JSON.parse(stdout) as Record<string, unknown>) : {};
  }

  it('put-object, list-object-versions, get-bucket-replication, put-bucket-replication (rule Disabled)', async () => {
    const file = join(t.dir, 'artifact.json');
    await writeFile(file, '{"seq":1}');
    const put = await s3api(
      'eu-west-1',
      'put-object',
      '--bucket',
      'luneo-prod-artifacts',
      '--key',
      'cli/1.json',
      '--body',
      file,
    );
    expect(put.VersionId).toMatch(/^[A-Za-z0-9_-]{32}$/);
    // Two reads at once: each CLI start costs seconds on a loaded machine.
    const [listed, replication] = await Promise.all([
      s3api('eu-west-1', 'list-object-versions', '--bucket', 'luneo-prod-artifacts', '--prefix', 'cli/'),
      s3api('eu-west-1', 'get-bucket-replication', '--bucket', 'luneo-prod-artifacts'),
    ]);
    const versions = listed.Versions as { Key: string; VersionId: string; IsLatest: boolean }[];
    expect(versions.map((v) => [v.Key, v.VersionId, v.IsLatest])).toEqual([
      ['cli/1.json', put.VersionId, true],
    ]);
    const config = replication.ReplicationConfiguration as { Role: string; Rules: { Status: string }[] };
    expect(config.Rules.map((r) => r.Status)).toEqual(['Enabled']);
    const disabled = { ...config, Rules: config.Rules.map((r) => ({ ...r, Status: 'Disabled' })) };
    await s3api(
      'eu-west-1',
      'put-bucket-replication',
      '--bucket',
      'luneo-prod-artifacts',
      '--replication-configuration',
      JSON.stringify(disabled),
    );
    expect(t.lab.store.bucket('luneo-prod-artifacts').replication?.rules.map((r) => r.status)).toEqual([
      'Disabled',
    ]);
    expect(t.harness.server.mutationCounts()).toEqual({ PutObject: 1, PutBucketReplication: 1 });
  });
});

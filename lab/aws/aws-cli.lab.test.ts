// The AWS CLI v2 at /usr/bin/aws (scripts/setup.sh installs Debian's `awscli` when it is missing) against the
// lab endpoint. An AWS CLI v1 may stand first on PATH: these tests name /usr/bin/aws, so every machine runs the
// same CLI, and each test states what that CLI can and cannot do, read from the CLI's own service model.
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { FINDINGS } from '../../apps/luneo/findings.ts';
import { type Harness, startHarness } from './testing/harness.ts';

const run = promisify(execFile);
// The Python CLI takes seconds to start on a busy 2-core machine; each test makes up to 5 calls.
vi.setConfig({ testTimeout: 180_000 });

const CLI = '/usr/bin/aws';

/** The members of an operation's input in the CLI's bundled botocore model (what its options are built from). */
async function inputMembers(service: string, operation: string): Promise<string[]> {
  const interpreter =
    readFileSync(CLI, 'utf8')
      .split('\n', 1)[0]
      ?.replace(/^#!\s*/, '') ?? '';
  const { stdout } = await run(interpreter, [
    '-c',
    'import os, awscli; print(os.path.dirname(awscli.__file__))',
  ]);
  const dataDir = join(stdout.trim(), 'botocore', 'data', service);
  const version = readdirSync(dataDir).sort().at(-1) ?? '';
  const plain = join(dataDir, version, 'service-2.json');
  const text = existsSync(plain)
    ? readFileSync(plain, 'utf8')
    : gunzipSync(readFileSync(`${plain}.gz`)).toString('utf8');
  const model = JSON.parse(text) as {
    operations: Record<string, { input?: { shape: string } }>;
    shapes: Record<string, { members?: Record<string, unknown> }>;
  };
  const shape = model.operations[operation]?.input?.shape ?? '';
  return Object.keys(model.shapes[shape]?.members ?? {});
}

describe(`AWS CLI ${CLI}`, () => {
  let h: Harness;
  let version = '';
  let allowDataLoss = false;
  beforeAll(async () => {
    // No skip: a machine without it gives another answer; scripts/setup.sh installs it (Debian `awscli`).
    expect(existsSync(CLI), `${CLI} is missing: run scripts/setup.sh (apt-get install -y awscli)`).toBe(true);
    version = /^aws-cli\/(\S+)/.exec((await run(CLI, ['--version'])).stdout)?.[1] ?? '';
    allowDataLoss = (await inputMembers('rds', 'FailoverGlobalCluster')).includes('AllowDataLoss');
    console.log(
      `aws-cli.lab.test: AWS CLI ${version}, FailoverGlobalCluster AllowDataLoss: ${allowDataLoss}`,
    );
    h = await startHarness({ changePropagationMs: 0 });
  });
  afterAll(async () => {
    await h?.close();
  });

  async function aws(region: string, ...args: string[]): Promise<unknown> {
    const env = {
      ...process.env,
      AWS_ACCESS_KEY_ID: 'AKIALAB',
      AWS_SECRET_ACCESS_KEY: 'lab-secret',
      AWS_PAGER: '',
      AWS_CONFIG_FILE: '/dev/null',
    };
    const { stdout } = await run(
      CLI,
      [...args, '--endpoint-url', h.server.url, '--region', region, '--output', 'json'],
      { env },
    );
    return stdout.trim() ? JSON.parse(stdout) : {};
  }

  it('describes the global cluster, and fails it over with --allow-data-loss when its model has AllowDataLoss', async () => {
    const described = (await aws(
      'us-east-1',
      'rds',
      'describe-global-clusters',
      '--global-cluster-identifier',
      'luneo-prod-aurora-global',
    )) as {
      GlobalClusters: { GlobalClusterMembers: { DBClusterArn: string; IsWriter: boolean }[] }[];
    };
    expect(described.GlobalClusters[0]?.GlobalClusterMembers.map((m) => m.IsWriter)).toEqual([true, false]);
    const target = 'arn:aws:rds:us-east-1:111122223333:cluster:luneo-prod-aurora-secondary';
    const failover = () =>
      aws(
        'us-east-1',
        'rds',
        'failover-global-cluster',
        '--global-cluster-identifier',
        'luneo-prod-aurora-global',
        '--target-db-cluster-identifier',
        target,
        '--allow-data-loss',
      );
    if (!allowDataLoss) {
      // This CLI cannot send the runbook's command: it refuses the option before any request.
      const refused = (await failover().catch((e: { stderr?: string }) => e)) as { stderr?: string };
      expect(String(refused.stderr)).toContain('Unknown options: --allow-data-loss');
      expect(h.backend.calls).toEqual([]);
      // And the runbook finding that recommends the flag says which CLI cannot run it.
      expect(FINDINGS.promoteReadReplica.actually).toContain('--allow-data-loss');
      expect(FINDINGS.promoteReadReplica.actually).toContain(`AWS CLI ${version}`);
      return;
    }
    const done = (await failover()) as {
      GlobalCluster: { Status: string; FailoverState: { ToDbClusterArn: string } };
    };
    expect(done.GlobalCluster.Status).toBe('failing-over');
    expect(done.GlobalCluster.FailoverState.ToDbClusterArn).toBe(target);
    expect(h.backend.calls).toEqual(['failover us-east-1 allowDataLoss=true']);
  });

  it('shows the InvalidDBClusterStateFault for promote-read-replica-db-cluster', async () => {
    const failure = await aws(
      'us-east-1',
      'rds',
      'promote-read-replica-db-cluster',
      '--db-cluster-identifier',
      'luneo-prod-aurora-secondary',
    ).catch((e: { stderr?: string }) => e as { stderr?: string });
    expect(String((failure as { stderr?: string }).stderr)).toContain('(InvalidDBClusterStateFault)');
    expect(String((failure as { stderr?: string }).stderr)).toContain('use FailoverGlobalCluster');
  });

  it('inverts the primary health check and changes records through rrset/ without a content type', async () => {
    const { primary } = h.server.healthCheckIds();
    await aws('us-east-1', 'route53', 'update-health-check', '--health-check-id', primary, '--inverted');
    expect(h.server.resolve('api.luneo.app')?.region).toBe('us-east-1');
    await aws('us-east-1', 'route53', 'update-health-check', '--health-check-id', primary, '--no-inverted');
    const batch = join(tmpdir(), `batch-${process.pid}.json`);
    await writeFile(
      batch,
      JSON.stringify({
        Changes: [
          {
            Action: 'UPSERT',
            ResourceRecordSet: {
              Name: 'cli.luneo.app.',
              Type: 'CNAME',
              TTL: 60,
              ResourceRecords: [{ Value: 'x.luneo.lab' }],
            },
          },
        ],
      }),
    );
    const change = (await aws(
      'us-east-1',
      'route53',
      'change-resource-record-sets',
      '--hosted-zone-id',
      `/hostedzone/${h.server.zoneId()}`,
      '--change-batch',
      `file://${batch}`,
    )) as {
      ChangeInfo: { Id: string };
    };
    const got = (await aws('us-east-1', 'route53', 'get-change', '--id', change.ChangeInfo.Id)) as {
      ChangeInfo: { Status: string };
    };
    expect(got.ChangeInfo.Status).toBe('INSYNC');
    expect(h.server.resolve('cli.luneo.app')?.value).toBe('x.luneo.lab');
  });

  it('reads the secret, the alarms, the caller identity and the FIS templates', async () => {
    const secret = (await aws(
      'eu-west-1',
      'secretsmanager',
      'get-secret-value',
      '--secret-id',
      'prod/luneo/DATABASE_URL',
    )) as { Name: string };
    expect(secret.Name).toBe('prod/luneo/DATABASE_URL');
    const alarms = (await aws(
      'us-east-1',
      'cloudwatch',
      'describe-alarms',
      '--alarm-name-prefix',
      'luneo-prod-',
    )) as { MetricAlarms: { AlarmName: string }[] };
    // CloudWatch is regional: us-east-1 holds the RPO lag and Route 53 alarms; alb-5xx lives in eu-west-1.
    expect(alarms.MetricAlarms.map((a) => a.AlarmName)).toEqual([
      'luneo-prod-aurora-replication-lag',
      'luneo-prod-route53-healthcheck',
    ]);
    const identity = (await aws('eu-west-1', 'sts', 'get-caller-identity')) as { Account: string };
    expect(identity.Account).toBe('111122223333');
    const templates = (await aws('eu-west-1', 'fis', 'list-experiment-templates')) as {
      experimentTemplates: unknown[];
    };
    expect(templates.experimentTemplates).toEqual([]);
  });

  it('simulates the drill role policy with iam simulate-principal-policy, page by page', async () => {
    const out = (await aws(
      'us-east-1',
      'iam',
      'simulate-principal-policy',
      '--policy-source-arn',
      'arn:aws:iam::111122223333:role/luneo-drill',
      '--action-names',
      'rds:FailoverGlobalCluster',
      'rds:DeleteGlobalCluster',
      'route53:ChangeResourceRecordSets',
      '--page-size',
      '1',
    )) as { EvaluationResults: { EvalActionName: string; EvalDecision: string }[] };
    expect(out.EvaluationResults.map((r) => `${r.EvalActionName}:${r.EvalDecision}`)).toEqual([
      'rds:FailoverGlobalCluster:allowed',
      'rds:DeleteGlobalCluster:implicitDeny',
      'route53:ChangeResourceRecordSets:allowed',
    ]);
  });

  it('simulates iam:PassRole with --context-entries as the CLI sends them: only to the service it is for', async () => {
    const passTo = async (service: string) =>
      (
        (await aws(
          'us-east-1',
          'iam',
          'simulate-principal-policy',
          '--policy-source-arn',
          'arn:aws:iam::111122223333:role/luneo-drill',
          '--action-names',
          'iam:PassRole',
          '--resource-arns',
          'arn:aws:iam::111122223333:role/luneo-fis-dr-drill',
          '--context-entries',
          `ContextKeyName=iam:PassedToService,ContextKeyValues=${service},ContextKeyType=string`,
        )) as { EvaluationResults: { EvalDecision: string }[] }
      ).EvaluationResults.map((r) => r.EvalDecision);
    expect(await passTo('fis.amazonaws.com')).toEqual(['allowed']);
    expect(await passTo('ec2.amazonaws.com')).toEqual(['implicitDeny']);
  });
});

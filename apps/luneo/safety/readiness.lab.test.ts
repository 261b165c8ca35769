// Issue 16: `pnpm drill preflight` on one lab. Healthy: every check passes. Then each precondition is broken in
// turn, through the lab's own AWS and Kubernetes APIs (or its control API where AWS has no call for it), and the
// check names what is wrong and how to fix it. Last, the live `prod` target aimed at the lab's endpoints: the whole
// preflight makes zero mutating calls, counted by the lab.
import { readFileSync } from 'node:fs';
import {
  CloudWatchClient,
  DeleteAlarmsCommand,
  GetMetricStatisticsCommand,
  PutMetricAlarmCommand,
} from '@aws-sdk/client-cloudwatch';
import { IAMClient, UpdateAssumeRolePolicyCommand } from '@aws-sdk/client-iam';
import { SecretsManagerClient, UpdateSecretCommand } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDrill } from '../../../core/cli/spawn-drill.ts';
import { createClock } from '../../../core/clock.ts';
import type { RunContext, Scenario } from '../../../core/model.ts';
import { ReadOnlyAudit, runPreflight } from '../../../core/preflight/command.ts';
import { scenarioPlan } from '../../../core/preflight/plan.ts';
import { runReadiness } from '../../../core/preflight/run.ts';
import type { ReadinessResult } from '../../../core/preflight/types.ts';
import { DEFAULT_POLICY_FILE } from '../../../lab/aws/iam/drill-role.ts';
import { waitFor } from '../../../lab/testing/poll.ts';
import { LIVE_STYLE_TARGET, liveStyleEnv } from '../../../safety/testing/live-style.ts';
import { type SafetyLab, startSafetyLab } from '../../../safety/testing/safety-lab.ts';
import type { LuneoRun } from '../context.ts';
import auroraOutage from '../scenarios/aurora-outage.ts';
import labTarget from '../targets/lab.ts';
import { luneoSafetyPlatform } from './luneo.ts';

const scenario = auroraOutage as Scenario<unknown>;
const signal = new AbortController().signal;
let lab: SafetyLab;
let target: typeof labTarget;
const timings: string[] = [];

const client = <C>(Make: new (config: object) => C, region: string): C =>
  new Make({
    region,
    endpoint: lab.info.aws.endpoint,
    credentials: { accessKeyId: lab.info.aws.accessKeyId, secretAccessKey: lab.info.aws.secretAccessKey },
  });

async function control(path: string, body: unknown): Promise<void> {
  const res = await fetch(`${lab.info.controlUrl}${path}`, { method: 'POST', body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`lab control ${path}: ${res.status} ${await res.text()}`);
}

function contextOf(): LuneoRun {
  return {
    runId: 'preflight-lab-test',
    scenario,
    target,
    signal,
    dryRun: false,
    clock: createClock(),
    log: { info: () => {}, warn: () => {}, debug: () => {} },
    audit: new ReadOnlyAudit(),
    state: new Map(),
    attach: async () => ({ name: '', contentType: '', path: '' }),
  } as unknown as LuneoRun;
}

/** The results of the readiness checks named `check`, on a fresh platform (nothing cached between breaks). */
async function check(name: string): Promise<ReadinessResult[]> {
  const started = performance.now();
  const ctx = contextOf();
  const platform = await luneoSafetyPlatform(ctx);
  const calls = scenarioPlan(scenario, ctx as unknown as RunContext<unknown>).flatMap((e) => e.calls);
  const checks = platform.readiness?.(calls).filter((c) => c.name === name) ?? [];
  expect(checks, name).toHaveLength(1);
  const results = await runReadiness(checks, signal);
  timings.push(`${name} ${Math.round(performance.now() - started)} ms`);
  return results;
}

const failed = (results: ReadinessResult[], name: string) => {
  const found = results.find((r) => r.name === name);
  expect(found, JSON.stringify(results, null, 2)).toBeDefined();
  expect(found?.status, found?.reason).toBe('fail');
  return found as ReadinessResult;
};

// The lab's alarm definitions (lab/aws/cloudwatch/service.ts), to put back what a case removed.
const ALB_5XX = {
  AlarmName: 'luneo-prod-alb-5xx',
  Namespace: 'AWS/ApplicationELB',
  MetricName: 'HTTPCode_ELB_5XX_Count',
  Dimensions: [{ Name: 'LoadBalancer', Value: 'app/luneo-prod-alb-eu-west-1/0000000000000000' }],
  Statistic: 'Sum' as const,
  Period: 10,
  EvaluationPeriods: 1,
  Threshold: 5,
  ComparisonOperator: 'GreaterThanThreshold' as const,
};

beforeAll(async () => {
  const started = performance.now();
  lab = await startSafetyLab('readiness');
  timings.push(`lab boot ${Math.round(performance.now() - started)} ms`);
  // A healthy platform has published its replication lag; a lab just booted may not have sampled it yet.
  const cw = client(CloudWatchClient, 'us-east-1');
  await waitFor('a first AuroraGlobalDBRPOLag datapoint in us-east-1', async () => {
    const out = await cw.send(
      new GetMetricStatisticsCommand({
        Namespace: 'AWS/RDS',
        MetricName: 'AuroraGlobalDBRPOLag',
        Dimensions: [{ Name: 'DBClusterIdentifier', Value: 'luneo-prod-aurora-secondary' }],
        StartTime: new Date(Date.now() - 15 * 60_000),
        EndTime: new Date(Date.now() + 60_000),
        Period: 60,
        Statistics: ['Maximum'],
      }),
    );
    return (out.Datapoints?.length ?? 0) > 0;
  });
  cw.destroy();
  timings.push(`lag published ${Math.round(performance.now() - started)} ms`);
  target = { ...labTarget, prepare: undefined, resources: { ...labTarget.resources, lab: { dir: lab.dir } } };
}, 120_000);
afterAll(async () => {
  await lab?.close();
  process.stdout.write(`[readiness] ${timings.join(', ')}\n`);
}, 60_000);

describe.sequential('pnpm drill preflight on the lab', { timeout: 120_000 }, () => {
  it('a healthy lab: every check passes, and nothing is changed', async () => {
    const started = performance.now();
    const before = await lab.mutations();
    const { results, audit } = await runPreflight(
      scenario,
      target as never,
      'apps/luneo/targets/lab.ts',
      signal,
    );
    timings.push(`full preflight ${Math.round(performance.now() - started)} ms`);
    expect(results.filter((r) => r.status !== 'pass')).toEqual([]);
    // Each kind of precondition was checked, not skipped.
    const names = results.map((r) => r.name).join('\n');
    for (const expected of [
      'global cluster luneo-prod-aurora-global',
      'DNS answer api.luneo.app.',
      'alarm luneo-prod-alb-5xx',
      'metric AWS/RDS AuroraGlobalDBRPOLag in us-east-1',
      'FIS subnets fis.regionSubnetTags',
      'FIS role luneo-fis-dr-drill',
      'kms:Decrypt of prod/luneo/DATABASE_URL',
      'kube context luneo-prod-eks-primary',
      'permissions',
    ])
      expect(names).toContain(expected);
    expect(audit.refused).toEqual([]);
    expect(await lab.mutations()).toEqual(before);
  });

  it('a missing alarm: named, with the command that creates it', async () => {
    const cw = client(CloudWatchClient, 'eu-west-1');
    await cw.send(new DeleteAlarmsCommand({ AlarmNames: ['luneo-prod-alb-5xx'] }));
    try {
      const alarm = failed(await check('alarms'), 'alarm luneo-prod-alb-5xx');
      expect(alarm.reason).toContain('does not exist in eu-west-1');
      expect(alarm.fix).toContain(
        'aws cloudwatch put-metric-alarm --region eu-west-1 --alarm-name luneo-prod-alb-5xx',
      );
    } finally {
      await cw.send(new PutMetricAlarmCommand(ALB_5XX));
      cw.destroy();
    }
  });

  it('an alarm in the wrong region: named with where it is, and the region to move it to', async () => {
    const east = client(CloudWatchClient, 'us-east-1');
    const west = client(CloudWatchClient, 'eu-west-1');
    const lag = {
      ...ALB_5XX,
      AlarmName: 'luneo-prod-aurora-replication-lag',
      Namespace: 'AWS/RDS',
      MetricName: 'AuroraGlobalDBRPOLag',
      Dimensions: [{ Name: 'DBClusterIdentifier', Value: 'luneo-prod-aurora-secondary' }],
      Statistic: 'Maximum' as const,
      Threshold: 60_000,
    };
    await east.send(new DeleteAlarmsCommand({ AlarmNames: [lag.AlarmName] }));
    await west.send(new PutMetricAlarmCommand(lag));
    try {
      const alarm = failed(await check('alarms'), `alarm ${lag.AlarmName}`);
      expect(alarm.reason).toContain(
        'does not exist in us-east-1 (resources.alarms.replicationLag.region) but in eu-west-1',
      );
      expect(alarm.fix).toContain('create the alarm in the region its metric is published in');
    } finally {
      await west.send(new DeleteAlarmsCommand({ AlarmNames: [lag.AlarmName] }));
      await east.send(new PutMetricAlarmCommand(lag));
      east.destroy();
      west.destroy();
    }
  });

  it('more tagged subnets than the FIS quota: named, with the Service Quotas request', async () => {
    // An account whose applied value (1) is below the default: the region's two subnets no longer fit.
    await control('/service-quota', { region: 'eu-west-1', code: 'L-1F59732D', value: 1 });
    try {
      const results = await check('fis-subnet-quota');
      const subnets = failed(results, 'FIS subnets fis.regionSubnetTags');
      expect(subnets.reason).toContain('2 subnets in eu-west-1 carry');
      expect(subnets.reason).toContain('(1): FIS would fail the experiment with QuotaExceededFailure');
      expect(subnets.fix).toContain(
        'aws service-quotas request-service-quota-increase --service-code fis --quota-code L-1F59732D --desired-value 2 --region eu-west-1',
      );
      // The database tier alone (1 subnet) still fits.
      expect(results.find((r) => r.name === 'FIS subnets fis.databaseSubnetTags')?.status).toBe('pass');
    } finally {
      await control('/service-quota', { region: 'eu-west-1', code: 'L-1F59732D', value: null });
    }
  });

  it('a FIS role that does not trust FIS: named, with the trust policy to set', async () => {
    const iam = client(IAMClient, 'us-east-1');
    const trust = (service: string) =>
      JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { Service: service }, Action: 'sts:AssumeRole' }],
      });
    await iam.send(
      new UpdateAssumeRolePolicyCommand({
        RoleName: 'luneo-fis-dr-drill',
        PolicyDocument: trust('ec2.amazonaws.com'),
      }),
    );
    try {
      const role = failed(await check('fis-role-trust'), 'FIS role luneo-fis-dr-drill');
      expect(role.reason).toContain('does not let fis.amazonaws.com assume it');
      expect(role.fix).toContain('aws iam update-assume-role-policy --role-name luneo-fis-dr-drill');
    } finally {
      await iam.send(
        new UpdateAssumeRolePolicyCommand({
          RoleName: 'luneo-fis-dr-drill',
          PolicyDocument: trust('fis.amazonaws.com'),
        }),
      );
      iam.destroy();
    }
  });

  it('a secret under a KMS key the drill role may not use: named with the key, and the grant', async () => {
    const key = 'arn:aws:kms:eu-west-1:111122223333:key/other-team-key';
    // The drill role may decrypt through Secrets Manager with Luneo's own key only.
    const doc = JSON.parse(readFileSync(DEFAULT_POLICY_FILE, 'utf8')) as {
      Statement: { Sid: string; Resource?: unknown }[];
    };
    const policy = {
      ...doc,
      Statement: doc.Statement.map((s) =>
        s.Sid === 'UseSecretKeysThroughSecretsManager'
          ? { ...s, Resource: 'arn:aws:kms:*:*:key/luneo-secrets' }
          : s,
      ),
    };
    const sm = client(SecretsManagerClient, 'eu-west-1');
    await control('/iam-policy', policy);
    await sm.send(new UpdateSecretCommand({ SecretId: 'prod/luneo/DATABASE_URL', KmsKeyId: key }));
    try {
      const results = await check('secrets');
      const decrypt = failed(results, 'kms:Decrypt of prod/luneo/DATABASE_URL');
      expect(decrypt.reason).toContain(`kms:Decrypt on ${key} (implicitDeny)`);
      expect(decrypt.fix).toContain(`grant kms:Decrypt on ${key}`);
      expect(results.find((r) => r.name === 'kms:Decrypt of prod/luneo/REDIS_URL')?.status).toBe('pass');
    } finally {
      await sm.send(new UpdateSecretCommand({ SecretId: 'prod/luneo/DATABASE_URL', KmsKeyId: '' }));
      await control('/iam-policy', {});
      sm.destroy();
    }
  });

  it('a Kubernetes verb the drill identity may not use: named per context, with how to check it', async () => {
    // ABAC: the core API group and access reviews in full, every other group read-only: the fence's scale and the
    // deployments' patches (apps) are denied, every read is allowed.
    await control('/kube-abac', {
      region: 'eu-west-1',
      policies: [
        { user: '*', namespace: '*', resource: '*', apiGroup: '*', readonly: true },
        { user: '*', namespace: '*', resource: '*', apiGroup: '' },
        { user: '*', namespace: '*', resource: '*', apiGroup: 'authorization.k8s.io' },
      ],
    });
    try {
      const kube = failed(await check('kube luneo-prod-eks-primary'), 'kube context luneo-prod-eks-primary');
      expect(kube.reason).toContain("the drill's identity may not ");
      expect(kube.reason).toContain('patch deployments.apps in luneo-platform (No policy matched.)');
      expect(kube.reason).toContain('patch deployments/scale.apps in luneo-platform (No policy matched.)');
      expect(kube.reason).not.toMatch(/(get|list) [a-z]/);
      expect(kube.fix).toContain('kubectl auth can-i --context luneo-prod-eks-primary');
      // The secondary cluster's authorizer is its own.
      expect((await check('kube luneo-prod-eks-secondary')).every((r) => r.status === 'pass')).toBe(true);
    } finally {
      await control('/kube-abac', { region: 'eu-west-1', policies: null });
    }
  });

  it('the live prod target aimed at the lab: `pnpm drill preflight --json` makes zero mutating calls', async () => {
    const started = performance.now();
    const before = await lab.mutations();
    const { code, output } = await runDrill(
      ['preflight', 'aurora-outage', '--target', LIVE_STYLE_TARGET, '--json'],
      liveStyleEnv(lab.info),
    );
    timings.push(`prod preflight ${Math.round(performance.now() - started)} ms`);
    const report = JSON.parse(output.slice(output.indexOf('{'))) as {
      ready: boolean;
      checks: ReadinessResult[];
    };
    expect(await lab.mutations()).toEqual(before);
    // It reached the lab's account and resources through the default credential chain and AWS_ENDPOINT_URL.
    expect(report.checks.find((c) => c.name === 'aws-account')?.status).toBe('pass');
    expect(report.checks.find((c) => c.name === 'global cluster luneo-prod-aurora-global')?.status).toBe(
      'pass',
    );
    expect(report.checks.find((c) => c.name === 'FIS role luneo-fis-dr-drill')?.status).toBe('pass');
    // What the lab does not have, prod names: its abort alarm (the FIS stop condition) is not in the lab.
    expect(report.checks.find((c) => c.name === 'alarm luneo-prod-dr-abort')?.status).toBe('fail');
    expect(report.ready).toBe(false);
    expect(code).toBe(1);
  });
});

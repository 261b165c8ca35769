// Issue 22 item 4: the preflight asks IAM for every action the drill's calls need, not only the calls' own
// actions. A drill role that may create the FIS template but not pass its role to FIS (or passes roles to
// another service only) is refused before anything is injected, naming iam:PassRole; on AWS the drill would
// meet AccessDenied at CreateExperimentTemplate, after the preflight said "allowed". The lab's IAM policy
// simulator evaluates the role's policy with the request's condition keys (lab/aws/iam/).
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileAuditLog } from '../../../core/audit.ts';
import { createClock } from '../../../core/clock.ts';
import type { PlannedCall, RunContext, Scenario } from '../../../core/model.ts';
import { Redactor } from '../../../core/redact.ts';
import { checkPermissions } from '../../../core/safety/gates.ts';
import type { SafetyPlatform } from '../../../core/safety/types.ts';
import { DEFAULT_POLICY_FILE } from '../../../lab/aws/iam/drill-role.ts';
import { type S3TestEndpoint, startS3TestEndpoint } from '../../../lab/aws/s3/testing.ts';
import type { LuneoRun } from '../context.ts';
import type { LuneoResources } from '../resources.ts';
import apiCrashloop from '../scenarios/api-crashloop.ts';
import apiPodKill from '../scenarios/api-pod-kill.ts';
import auroraOutage from '../scenarios/aurora-outage.ts';
import regionOutage from '../scenarios/region-outage.ts';
import switchback from '../scenarios/switchback.ts';
import labTarget from '../targets/lab.ts';
import { luneoSafetyPlatform } from './luneo.ts';

const ACCOUNT = '111122223333';
const FIS_ROLE = `arn:aws:iam::${ACCOUNT}:role/luneo-fis-dr-drill`;
const signal = new AbortController().signal;
let s3Lab: S3TestEndpoint;
let dir: string;
let platform: SafetyPlatform;
let target: typeof labTarget;
let ctx: LuneoRun;

/** Every AWS call a scenario plans, as the run's plan phase lists them. */
function planOf(
  scenario: Scenario<LuneoResources>,
): { stepId: string; title: string; calls: PlannedCall[] }[] {
  const run = ctx as unknown as RunContext<LuneoResources>;
  const steps = [
    ...scenario.steadyState,
    scenario.fault,
    ...scenario.failover,
    ...scenario.recovery,
    ...scenario.verify,
    ...(scenario.restore ?? []),
  ];
  return steps.map((s, i) => ({
    stepId: `${i}`,
    title: 'title' in s ? s.title : s.name,
    calls: s.plan?.(run) ?? [],
  }));
}

const gate = (scenario: Scenario<LuneoResources>) =>
  checkPermissions({
    target,
    targetFile: 'apps/luneo/targets/lab.ts',
    plan: planOf(scenario),
    platform,
    signal,
  } as never);

/** The default drill-role policy with `edit` applied to its statements. */
function policy(edit: (statements: { Sid: string; Condition?: object }[]) => object[]): object {
  const doc = JSON.parse(readFileSync(DEFAULT_POLICY_FILE, 'utf8')) as { Statement: { Sid: string }[] };
  return { ...doc, Statement: edit(doc.Statement) };
}

const lab = {
  get server() {
    return s3Lab.harness.server;
  },
};

beforeAll(async () => {
  // The AWS endpoint with the lab's S3 (buckets and their replication role), and the Luneo secrets.
  s3Lab = await startS3TestEndpoint();
  const sm = new SecretsManagerClient(s3Lab.harness.client('eu-west-1'));
  await sm.send(
    new CreateSecretCommand({
      Name: 'prod/luneo/REDIS_URL',
      SecretString: 'redis://cache.eu-west-1.luneo.lab:6379',
    }),
  );
  sm.destroy();
  dir = mkdtempSync(join(tmpdir(), 'drill-permissions-lab-'));
  const kubeconfig = join(dir, 'kubeconfig');
  writeFileSync(
    kubeconfig,
    JSON.stringify({ apiVersion: 'v1', kind: 'Config', clusters: [], contexts: [], users: [] }),
  );
  writeFileSync(
    join(dir, 'lab.json'),
    JSON.stringify({
      version: 1,
      dir,
      pid: process.pid,
      startedAt: new Date().toISOString(),
      bootMs: 0,
      publicUrl: 'http://127.0.0.1:1',
      aws: {
        endpoint: lab.server.url,
        accessKeyId: 'AKIALAB',
        secretAccessKey: 'lab-secret',
        accountId: ACCOUNT,
      },
      kubeconfig,
      hostedZoneId: 'Z1',
      healthChecks: { primary: 'hc-1' },
    }),
  );
  target = { ...labTarget, resources: { ...labTarget.resources, lab: { dir } } };
  ctx = {
    runId: 'run-1',
    target,
    signal,
    dryRun: false,
    clock: createClock(),
    log: { info: () => {}, warn: () => {}, debug: () => {} },
    audit: new FileAuditLog({
      file: join(dir, 'actions.jsonl'),
      redactor: new Redactor(),
      dryRun: false,
    }).bind({
      phase: 'preflight',
    }),
    state: new Map(),
  } as unknown as LuneoRun;
  platform = await luneoSafetyPlatform(ctx);
});
afterAll(async () => {
  await s3Lab?.close();
});

describe('the preflight permission gate, against the lab simulator', () => {
  it('the default least-privilege drill role may make every call the scenarios plan', async () => {
    expect(target.resources.fis.roleArn).toBe(FIS_ROLE);
    for (const scenario of [auroraOutage, regionOutage, switchback, apiPodKill, apiCrashloop]) {
      const check = await gate(scenario);
      expect(check.status, `${scenario.name}: ${check.detail}`).toBe('ok');
    }
  });

  it('a role without iam:PassRole is refused at preflight, naming the action and the role', async () => {
    lab.server.setDrillRolePolicy(policy((s) => s.filter((x) => x.Sid !== 'PassTheExperimentRoleToFis')));
    try {
      const check = await gate(auroraOutage);
      expect(check.status).toBe('refused');
      expect(check.detail).toContain(`iam:PassRole on ${FIS_ROLE} in eu-west-1 (implicitDeny)`);
    } finally {
      lab.server.setDrillRolePolicy(null);
    }
  });

  it('a role that may pass the FIS role to another service only is refused the same way', async () => {
    lab.server.setDrillRolePolicy(
      policy((s) =>
        s.map((x) =>
          x.Sid === 'PassTheExperimentRoleToFis'
            ? { ...x, Condition: { StringEquals: { 'iam:PassedToService': 'ec2.amazonaws.com' } } }
            : x,
        ),
      ),
    );
    try {
      const check = await gate(auroraOutage);
      expect(check.status).toBe('refused');
      expect(check.detail).toContain(`iam:PassRole on ${FIS_ROLE} in eu-west-1 (implicitDeny)`);
    } finally {
      lab.server.setDrillRolePolicy(null);
    }
  });

  it("switchback needs to pass the bucket's replication role to S3, read from its replication configuration", async () => {
    lab.server.setDrillRolePolicy(policy((s) => s.filter((x) => x.Sid !== 'PassTheReplicationRoleToS3')));
    try {
      const check = await gate(switchback);
      expect(check.status).toBe('refused');
      expect(check.detail).toContain(`iam:PassRole on arn:aws:iam::${ACCOUNT}:role/luneo-s3-replication`);
    } finally {
      lab.server.setDrillRolePolicy(null);
    }
  });
});

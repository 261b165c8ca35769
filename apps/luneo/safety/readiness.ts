// The Luneo targets' readiness checks (`pnpm drill preflight`, and a live drill's preflight): every bound resource,
// the alarms and the lag metric, the FIS quota and role, the secrets and their keys, the Kubernetes verbs. Read-only:
// each check lists its calls, and readiness.test.ts holds them against the IAM access levels.

import type { PlannedCall } from '../../../core/model.ts';
import type { ReadinessCheck } from '../../../core/preflight/types.ts';
import { read } from '../../../targets/safety/readiness-result.ts';
import type { LuneoRun } from '../context.ts';
import { alarmChecks } from './readiness-alarms.ts';
import { fisChecks } from './readiness-fis.ts';
import { kubeChecks } from './readiness-kube.ts';
import { resourceChecks } from './readiness-resources.ts';
import { secretChecks } from './readiness-secrets.ts';

export function luneoReadiness(ctx: LuneoRun, calls: PlannedCall[]): ReadinessCheck[] {
  return [
    ...resourceChecks(ctx),
    ...alarmChecks(ctx),
    ...secretChecks(ctx),
    ...fisChecks(ctx),
    ...kubeChecks(ctx, calls),
  ];
}

/** What the Luneo safety platform's own questions read (luneo.ts), with the plan's lookups (permissions.ts). */
export function luneoPlatformReads(ctx: LuneoRun): PlannedCall[] {
  const r = ctx.target.resources;
  const regions = ctx.target.aws.regions;
  return [
    read('sts', 'GetCallerIdentity', r.primary.region),
    ...regions.map((region) => read('fis', 'ListExperiments', region)),
    ...regions.map((region) => read('cloudwatch', 'DescribeAlarms', region)),
    read('cloudwatch', 'GetMetricData', r.secondary.region),
    read('iam', 'SimulatePrincipalPolicy', 'global'),
    ...regions.map((region) => read('s3', 'GetBucketReplication', region)),
    ...regions.map((region) => read('secretsmanager', 'DescribeSecret', region)),
    // The lock is only read (SecretsManagerLockStore.read).
    read('secretsmanager', 'GetSecretValue', r.primary.region),
  ];
}

// The safety platform of the Luneo targets (lab and prod): STS, the kubeconfig, FIS, CloudWatch and the
// Secrets Manager drill lock, through the run's own audited clients (apps/luneo/context.ts).
import { homedir } from 'node:os';
import { join } from 'node:path';
import { ListExperimentsCommand } from '@aws-sdk/client-fis';
import { DescribeSecretCommand } from '@aws-sdk/client-secrets-manager';
import { KubeConfig } from '@kubernetes/client-node';
import { S3, s3Client } from '../../../clients/aws/s3.ts';
import { isClientError } from '../../../clients/errors.ts';
import type { PlannedCall, TargetSafety } from '../../../core/model.ts';
import type {
  ActiveExperiment,
  AlarmReading,
  PermissionReport,
  SafetyPlatform,
} from '../../../core/safety/types.ts';
import { SecretsManagerLockStore } from '../../../targets/safety/aws-lock.ts';
import {
  checkPlanPermissions,
  type PermissionPlan,
  type PlanLookups,
  permissionPlan,
} from '../../../targets/safety/permissions.ts';
import { type LuneoRun, luneo } from '../context.ts';
import type { LuneoResources } from '../resources.ts';
import { reportedRpoLag } from '../steps/database.ts';
import { luneoPlatformReads, luneoReadiness } from './readiness.ts';

const ACTIVE_STATES = new Set(['pending', 'initiating', 'running']);

export const lockSecretId = (targetName: string) => `drill/lock/${targetName}`;

/** `safety:` of a Luneo target: its abort alarms and the platform below. */
export function luneoSafety(
  opts: Omit<TargetSafety<LuneoResources>, 'platform'> = {},
): TargetSafety<LuneoResources> {
  return { ...opts, platform: (ctx) => luneoSafetyPlatform(ctx) };
}

export async function luneoSafetyPlatform(ctx: LuneoRun): Promise<SafetyPlatform> {
  const l = await luneo(ctx);
  const primary = l.r.primary.region;
  const kubeconfigPath = l.kubeconfig ?? process.env.KUBECONFIG ?? join(homedir(), '.kube', 'config');
  return {
    callerIdentity: (signal) => l.aws.sts(primary).getCallerIdentity({ signal }),
    async kubeContexts() {
      const kc = new KubeConfig();
      if (l.kubeconfig) kc.loadFromFile(l.kubeconfig);
      else kc.loadFromDefault();
      return { kubeconfig: kubeconfigPath, contexts: kc.getContexts().map((c) => c.name) };
    },
    async activeExperiments(regions, signal) {
      const found = new Map<string, ActiveExperiment>();
      for (const region of regions) {
        const fis = l.aws.fis(region);
        let nextToken: string | undefined;
        do {
          const page = await fis.caller.send(
            'ListExperiments',
            undefined,
            (abortSignal) =>
              fis.client.send(
                new ListExperimentsCommand({ maxResults: 100, ...(nextToken ? { nextToken } : {}) }),
                { abortSignal },
              ),
            { signal },
          );
          for (const e of page.experiments ?? []) {
            const state = e.state?.status ?? 'unknown';
            if (!e.id || !ACTIVE_STATES.has(state) || found.has(e.id)) continue;
            found.set(e.id, {
              id: e.id,
              state,
              region,
              ...(e.experimentTemplateId ? { templateId: e.experimentTemplateId } : {}),
            });
          }
          nextToken = page.nextToken;
        } while (nextToken);
      }
      return [...found.values()];
    },
    async replicationLagMs(signal) {
      const lag = await reportedRpoLag({ ...ctx, signal });
      return lag?.value ?? null;
    },
    async alarmStates(alarms, signal) {
      const readings: AlarmReading[] = [];
      for (const region of new Set(alarms.map((a) => a.region))) {
        const names = alarms.filter((a) => a.region === region).map((a) => a.name);
        const found = await l.aws.cloudWatch(region).describeAlarms(names, { signal });
        for (const name of names) {
          const alarm = found.find((a) => a.name === name);
          readings.push(
            alarm
              ? {
                  name,
                  region,
                  state: alarm.state as AlarmReading['state'],
                  ...(alarm.reason ? { reason: alarm.reason } : {}),
                }
              : { name, region, state: 'MISSING' },
          );
        }
      }
      return readings;
    },
    checkPermissions: (calls, signal): Promise<PermissionReport> =>
      checkPlanPermissions(l.aws.sts(primary), l.aws.iam(), calls, signal, planLookups(ctx, primary)),
    lock: new SecretsManagerLockStore(l.aws.secrets(primary), lockSecretId(ctx.target.name)),
    readiness: (calls) => luneoReadiness(ctx, calls),
    readCalls: luneoPlatformReads(ctx),
  };
}

/** The permission plan of `calls` as the preflight's checkPermissions builds it (for `drill iam-policy`). */
export async function luneoPermissionPlan(
  ctx: LuneoRun,
  calls: PlannedCall[],
  signal: AbortSignal,
): Promise<PermissionPlan> {
  const l = await luneo(ctx);
  const primary = l.r.primary.region;
  return permissionPlan(l.aws.sts(primary), calls, signal, planLookups(ctx, primary));
}

/** Reads, for the permission check, the replication role a bucket passes and the KMS key of a secret. */
function planLookups(ctx: LuneoRun, primary: string): PlanLookups {
  return {
    async replicationRole(region = primary, bucket, signal) {
      const l = await luneo(ctx);
      const s3 = new S3(s3Client(l.aws.factory.config, region), region, {
        audit: ctx.audit,
        retry: l.aws.factory.retryPolicy,
      });
      return (await s3.getBucketReplication(bucket, { signal })).Role;
    },
    async secretKmsKey(region = primary, secretId, signal) {
      const secrets = (await luneo(ctx)).aws.secrets(region);
      try {
        const out = await secrets.caller.send(
          'DescribeSecret',
          { kind: 'secret', id: secretId },
          (abortSignal) =>
            secrets.client.send(new DescribeSecretCommand({ SecretId: secretId }), { abortSignal }),
          { signal },
        );
        // DescribeSecret omits KmsKeyId for the AWS managed key aws/secretsmanager.
        return out.KmsKeyId ?? null;
      } catch (error) {
        // No such secret: its calls fail as not found, whatever key the caller may use.
        if (isClientError(error, 'E_NOT_FOUND')) return null;
        throw error;
      }
    },
  };
}

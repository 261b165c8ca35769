// The preflight is read-only by construction: every call any readiness check (and the safety platform's own
// questions) may make is a Read or List action in the Service Authorization Reference, for every scenario on the lab
// and prod targets; and a mutation that slipped through would be refused by the preflight's audit log unsent.
import { describe, expect, it } from 'vitest';
import { permissionsOf } from '../../../clients/aws/iam-actions.ts';
import { createClock } from '../../../core/clock.ts';
import type { PlannedCall, RunContext, Scenario } from '../../../core/model.ts';
import { ReadOnlyAudit } from '../../../core/preflight/command.ts';
import { scenarioPlan } from '../../../core/preflight/plan.ts';
import type { LuneoRun } from '../context.ts';
import apiCrashloop from '../scenarios/api-crashloop.ts';
import apiPodKill from '../scenarios/api-pod-kill.ts';
import auroraOutage from '../scenarios/aurora-outage.ts';
import regionOutage from '../scenarios/region-outage.ts';
import switchback from '../scenarios/switchback.ts';
import labTarget from '../targets/lab.ts';
import prodTarget from '../targets/prod.ts';
import { luneoPlatformReads, luneoReadiness } from './readiness.ts';
import { kubeAccesses } from './readiness-kube.ts';

/**
 * The access level of each IAM action a preflight call is authorized as (clients/aws/iam-actions.ts maps calls to
 * actions): the "Access level" column of its service's page in the Service Authorization Reference
 * (https://docs.aws.amazon.com/service-authorization/latest/reference/). Only Read and List belong here: a call
 * whose action is missing, or is Write, Tagging or Permissions management, fails the test.
 */
const ACCESS_LEVEL: Record<string, 'Read' | 'List'> = {
  'rds:DescribeGlobalClusters': 'List',
  'route53:ListResourceRecordSets': 'List',
  'route53:GetHealthCheck': 'Read',
  'route53:TestDNSAnswer': 'Read',
  'route53:GetHealthCheckStatus': 'Read',
  's3:GetReplicationConfiguration': 'Read',
  'elasticache:DescribeGlobalReplicationGroups': 'List',
  'cloudwatch:DescribeAlarms': 'List',
  'cloudwatch:GetMetricData': 'Read',
  'cloudwatch:ListMetrics': 'List',
  'secretsmanager:DescribeSecret': 'Read',
  'secretsmanager:GetSecretValue': 'Read',
  'kms:Decrypt': 'Read',
  'iam:SimulatePrincipalPolicy': 'Read',
  'iam:GetRole': 'Read',
  'fis:ListExperiments': 'List',
  'servicequotas:GetServiceQuota': 'Read',
  'servicequotas:GetAWSDefaultServiceQuota': 'Read',
  'tag:GetResources': 'Read',
};
/** STS GetCallerIdentity needs no permission at all ("No permissions are required", API_GetCallerIdentity). */
const NO_PERMISSION = new Set(['sts:GetCallerIdentity']);
/** Kubernetes: a SelfSubjectAccessReview is a question, never stored ("checks whether the current user can
 *  perform an action", https://kubernetes.io/docs/reference/kubernetes-api/authorization-resources/self-subject-access-review-v1/). */
const KUBE_READ_ONLY = new Set(['create selfsubjectaccessreviews']);

const SCENARIOS = [auroraOutage, regionOutage, switchback, apiPodKill, apiCrashloop] as Scenario<unknown>[];

function contextOf(target: typeof labTarget, scenario: Scenario<unknown>): LuneoRun {
  return {
    runId: 'preflight-test',
    scenario,
    target,
    signal: new AbortController().signal,
    dryRun: false,
    clock: createClock(),
    log: { info: () => {}, warn: () => {}, debug: () => {} },
    audit: new ReadOnlyAudit(),
    state: new Map(),
    attach: async () => ({ name: '', contentType: '', path: '' }),
  } as unknown as LuneoRun;
}

function preflightCalls(target: typeof labTarget, scenario: Scenario<unknown>): PlannedCall[] {
  const ctx = contextOf(target, scenario);
  const plan = scenarioPlan(scenario, ctx as unknown as RunContext<unknown>).flatMap((e) => e.calls);
  return [...luneoReadiness(ctx, plan).flatMap((c) => c.calls), ...luneoPlatformReads(ctx)];
}

describe('every call the preflight plans is read-only', () => {
  for (const target of [labTarget, prodTarget]) {
    for (const scenario of SCENARIOS) {
      it(`${scenario.name} on ${target.name}`, () => {
        const calls = preflightCalls(target, scenario);
        expect(calls.length).toBeGreaterThan(10);
        for (const call of calls) {
          const key = `${call.service}:${call.operation}`;
          expect(call.mutating, key).toBe(false);
          if (call.service === 'kubernetes') expect(KUBE_READ_ONLY.has(call.operation), key).toBe(true);
          else {
            const permissions = permissionsOf(call.service, call.operation);
            expect(permissions, `${key}: not in clients/aws/iam-actions.ts`).toBeDefined();
            if (NO_PERMISSION.has(key)) expect(permissions?.actions).toEqual([]);
            for (const { action } of permissions?.actions ?? [])
              expect(ACCESS_LEVEL[action], `${key} → ${action}: not a Read or List action`).toMatch(
                /^(Read|List)$/,
              );
          }
        }
      });
    }
  }

  it('knows the Kubernetes verbs of every planned Kubernetes call of every scenario', () => {
    for (const scenario of SCENARIOS) {
      const ctx = contextOf(prodTarget, scenario);
      const plan = scenarioPlan(scenario, ctx as unknown as RunContext<unknown>).flatMap((e) => e.calls);
      for (const side of ['primary', 'secondary'] as const) {
        const context = prodTarget.resources[side].kubeContext;
        expect(kubeAccesses(plan, context, 'luneo-platform').unknown, `${scenario.name} ${context}`).toEqual(
          [],
        );
      }
    }
  });

  it('the patch of a deployment is asked as patch deployments.apps; scale as the scale subresource', () => {
    const calls: PlannedCall[] = [
      { service: 'kubernetes', operation: 'scale deployment/luneo-api', scope: 'ctx', mutating: true },
      { service: 'kubernetes', operation: 'patch configmap/dr-overrides', scope: 'ctx', mutating: true },
    ];
    const { accesses } = kubeAccesses(calls, 'ctx', 'ns');
    expect(accesses).toContainEqual({
      verb: 'patch',
      group: 'apps',
      resource: 'deployments',
      subresource: 'scale',
      namespace: 'ns',
    });
    expect(accesses).toContainEqual({ verb: 'patch', resource: 'configmaps', namespace: 'ns' });
    expect(accesses).toContainEqual({ verb: 'list', resource: 'nodes' });
  });

  it('a mutation reaching the preflight audit log is refused and never performed', async () => {
    const audit = new ReadOnlyAudit();
    let performed = false;
    await expect(
      audit.mutate(
        { service: 'rds', operation: 'FailoverGlobalCluster', scope: 'us-east-1', mutating: true },
        async () => {
          performed = true;
        },
      ),
    ).rejects.toThrow('the preflight is read-only: rds FailoverGlobalCluster @us-east-1 was not sent');
    expect(performed).toBe(false);
    expect(audit.refused).toHaveLength(1);
  });
});

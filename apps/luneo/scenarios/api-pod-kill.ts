// A smaller fault to see the probes and the RTO math at work: every luneo-api pod of the serving region is
// deleted under load (FIS aws:eks:pod-delete); Kubernetes replaces them; no failover (runbook §5).

import { defineFault, defineScenario, defineStep } from '../../../core/model.ts';
import { luneo } from '../context.ts';
import { luneoProbes } from '../probes.ts';
import type { LuneoResources } from '../resources.ts';

const TEMPLATE = 'luneo-primary-api-pod-delete';

const podDelete = defineFault<LuneoResources>({
  title: 'Every luneo-api pod in eu-west-1 is deleted (FIS aws:eks:pod-delete)',
  runbook: '§5',
  timeout: '2m',
  plan: (ctx) => [
    {
      service: 'fis',
      operation: 'CreateExperimentTemplate',
      scope: ctx.target.resources.primary.region,
      // The role FIS runs as: the permission check asks iam:PassRole on it.
      params: { name: TEMPLATE, actionId: 'aws:eks:pod-delete', roleArn: ctx.target.resources.fis.roleArn },
      mutating: true,
    },
    {
      service: 'fis',
      operation: 'StartExperiment',
      scope: ctx.target.resources.primary.region,
      mutating: true,
    },
  ],
  async inject(ctx) {
    const l = await luneo(ctx);
    const fis = l.aws.fis(l.r.primary.region);
    const { id: templateId } = await fis.createExperimentTemplate(
      {
        name: TEMPLATE,
        description: 'drill: delete every luneo-api pod in the primary cluster',
        roleArn: l.r.fis.roleArn,
        stopConditions: [{ source: 'none' }],
        targets: {
          ApiPods: {
            resourceType: 'aws:eks:pod',
            parameters: {
              clusterIdentifier: l.r.primary.kubeContext.split('/').pop() ?? l.r.primary.kubeContext,
              namespace: l.r.kube.namespace,
              selectorType: 'labelSelector',
              selectorValue: `app=${l.r.deployments.api}`,
            },
            selectionMode: 'ALL',
          },
        },
        actions: {
          DeletePods: {
            actionId: 'aws:eks:pod-delete',
            parameters: { kubernetesServiceAccount: 'fis-experiment', gracePeriodSeconds: '0' },
            targets: { Pods: 'ApiPods' },
          },
        },
        tags: { Name: TEMPLATE, 'drill:managed': 'true' },
      },
      { signal: ctx.signal },
    );
    const started = await fis.startExperiment(
      { templateId, clientToken: `${ctx.runId}-fault`, tags: { 'drill:run-id': ctx.runId } },
      { signal: ctx.signal },
    );
    const done = await fis.waitForExperimentState(started.id, ['running', 'completed'], {
      signal: ctx.signal,
      intervalMs: 100,
      maxIntervalMs: 500,
      timeoutMs: 60_000,
    });
    return { detail: `FIS experiment ${done.id} ${done.status}`, undoData: { experimentId: done.id } };
  },
  async revert() {
    // Deleted pods are not restored: their deployment replaces them.
  },
});

const selfHeal = defineStep<LuneoResources>({
  id: 'kubernetes',
  title: 'Kubernetes replaces the deleted pods (deployment luneo-api back to its ready replicas)',
  runbook: '§5',
  plannedAt: '2m',
  timeout: '5m',
  plan: (ctx) => [
    {
      service: 'kubernetes',
      operation: 'get deployment/luneo-api',
      scope: ctx.target.resources.primary.kubeContext,
      mutating: false,
    },
  ],
  async run(ctx) {
    const l = await luneo(ctx);
    const d = await l.kube('primary').waitForRollout(l.r.kube.namespace, l.r.deployments.api, {
      signal: ctx.signal,
      intervalMs: 100,
      maxIntervalMs: 500,
      timeoutMs: 290_000,
    });
    return { detail: `${d.name} ${d.readyReplicas}/${d.replicas} ready` };
  },
});

export default defineScenario<LuneoResources>({
  name: 'api-pod-kill',
  summary:
    'Every luneo-api pod in eu-west-1 deleted under load: Kubernetes heals it, no failover (runbook §5)',
  objectives: { rto: '5m', rpo: '5m', stableFor: '5s', availabilitySlo: 0.999 },
  steadyState: [luneoProbes.primaryServes(), luneoProbes.order()],
  ledger: luneoProbes.canary('100ms'),
  background: [luneoProbes.load({ rate: 20 })],
  fault: podDelete,
  failover: [selfHeal],
  recovery: [
    luneoProbes.health({
      name: 'health',
      expect: { region: 'eu-west-1', role: 'writer' },
      interval: '250ms',
    }),
    luneoProbes.order({ interval: '250ms' }), // on the health probe's slots: both drive the RTO's bracket
  ],
  verify: [luneoProbes.version(), luneoProbes.order({ name: 'order-after' })],
  recoveryTimeout: '5m',
  tags: ['kubernetes', 'workload'],
});

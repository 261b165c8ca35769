// Runbook §5 when only the API's pods go: FIS deletes every luneo-api pod of the primary cluster (aws:eks:pod-delete),
// and the deployment replaces them; no failover.
import { declaredFault, declaredStep } from '../../../actions/declared.ts';
import { luneo } from '../context.ts';
import type { LuneoResources } from '../resources.ts';

const TEMPLATE = 'luneo-primary-api-pod-delete';

/** FIS aws:eks:pod-delete on every luneo-api pod of the primary cluster; Kubernetes replaces them. */
export const apiPodDelete = declaredFault<LuneoResources>({
  title: 'Every luneo-api pod in eu-west-1 is deleted (FIS aws:eks:pod-delete)',
  runbook: '§5',
  timeout: '2m',
  calls: (ctx) => [
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

/** No failover: the primary's deployment brings its pods back (runbook §5). */
export const apiPodsReplaced = declaredStep<LuneoResources>({
  id: 'kubernetes',
  title: 'Kubernetes replaces the deleted pods (deployment luneo-api back to its ready replicas)',
  runbook: '§5',
  plannedAt: '2m',
  timeout: '5m',
  calls: (ctx) => [
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

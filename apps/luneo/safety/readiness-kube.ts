// Readiness on Kubernetes: each context the target names is in the kubeconfig, and its identity may do every verb
// the drill uses there, asked with SelfSubjectAccessReview (the question `kubectl auth can-i` asks:
// https://kubernetes.io/docs/reference/kubernetes-api/authorization-resources/self-subject-access-review-v1/).
// The verbs come from the plan's Kubernetes calls (clients/kube/kube-model.ts names them) and the reads the
// drill makes around them.
import { AuthorizationV1Api, KubeConfig, type V1ResourceAttributes } from '@kubernetes/client-node';
import { KubeCaller } from '../../../clients/kube/kube-call.ts';
import type { PlannedCall } from '../../../core/model.ts';
import type { ReadinessCheck, ReadinessResult } from '../../../core/preflight/types.ts';
import { couldNotCheck, fail, pass, read, readFailure } from '../../../targets/safety/readiness-result.ts';
import type { LuneoRun } from '../context.ts';
import { luneo } from '../context.ts';

export type KubeAccess = Required<Pick<V1ResourceAttributes, 'verb' | 'resource'>> &
  Pick<V1ResourceAttributes, 'group' | 'subresource' | 'namespace'>;

/** The kinds the drill's plans name (clients/kube), with their API group and resource. */
const KINDS: Record<string, { group?: string; resource: string }> = {
  deployment: { group: 'apps', resource: 'deployments' },
  configmap: { resource: 'configmaps' },
  pod: { resource: 'pods' },
  pods: { resource: 'pods' },
  nodes: { resource: 'nodes' },
  deployments: { group: 'apps', resource: 'deployments' },
  configmaps: { resource: 'configmaps' },
  scaledobject: { group: 'keda.sh', resource: 'scaledobjects' },
  application: { group: 'argoproj.io', resource: 'applications' },
  applications: { group: 'argoproj.io', resource: 'applications' },
  scaledobjects: { group: 'keda.sh', resource: 'scaledobjects' },
  horizontalpodautoscalers: { group: 'autoscaling', resource: 'horizontalpodautoscalers' },
  rollouts: { group: 'argoproj.io', resource: 'rollouts' },
};
/** The Kubernetes requests behind each planned verb: `kubectl scale` patches the scale subresource, `rollout
 *  restart` and `annotate` patch the object (after reading it), `apply` creates or patches. */
const VERBS: [RegExp, (kind: { group?: string; resource: string }) => Omit<KubeAccess, 'namespace'>[]][] = [
  [/^scale (\w+)[/ ]/, (k) => [{ verb: 'patch', ...k, subresource: 'scale' }]],
  [
    /^(?:rollout restart|annotate|patch|label) (\w+)[/ ]/,
    (k) => [
      { verb: 'get', ...k },
      { verb: 'list', ...k },
      { verb: 'patch', ...k },
    ],
  ],
  [
    /^apply (\w+)[/ ]/,
    (k) => [
      { verb: 'get', ...k },
      { verb: 'create', ...k },
      { verb: 'patch', ...k },
    ],
  ],
  [/^delete (\w+)[/ ]/, (k) => [{ verb: 'delete', ...k }]],
  [/^(?:get|read) (\w+)\//, (k) => [{ verb: 'get', ...k }]],
];

function accessesOf(operation: string): Omit<KubeAccess, 'namespace'>[] | undefined {
  // Reads the plans list too, e.g. "list nodes, pods".
  const reads = /^(get|list|watch) ([\w, ]+)$/.exec(operation);
  if (reads) {
    const kinds = (reads[2] as string).split(/,\s*/).map((k) => KINDS[k]);
    if (kinds.every((k) => k !== undefined)) return kinds.map((k) => ({ verb: reads[1] as string, ...k }));
  }
  for (const [pattern, build] of VERBS) {
    const kind = KINDS[pattern.exec(operation)?.[1] ?? ''];
    if (kind) return build(kind);
  }
  return undefined;
}

/** What the drill reads in each context whatever it plans: rollouts, pods, the overrides configmap, nodes. */
const READS: Omit<KubeAccess, 'namespace'>[] = [
  { verb: 'get', group: 'apps', resource: 'deployments' },
  { verb: 'list', resource: 'pods' },
  { verb: 'get', resource: 'configmaps' },
  { verb: 'list', resource: 'nodes' },
];

/** The accesses a context needs: the reads, and the requests of each planned call there; unknown operations apart. */
export function kubeAccesses(
  calls: PlannedCall[],
  context: string,
  namespace: string,
): { accesses: KubeAccess[]; unknown: string[] } {
  const wanted = new Map<string, KubeAccess>();
  const unknown: string[] = [];
  const add = (a: Omit<KubeAccess, 'namespace'>) => {
    const access = a.resource === 'nodes' ? a : { ...a, namespace };
    wanted.set(JSON.stringify(access), access);
  };
  READS.forEach(add);
  for (const call of calls.filter((c) => c.service === 'kubernetes' && c.scope === context)) {
    const found = accessesOf(call.operation);
    if (found) found.forEach(add);
    else unknown.push(call.operation);
  }
  return { accesses: [...wanted.values()], unknown };
}

export const describeAccess = (a: KubeAccess) =>
  `${a.verb} ${a.resource}${a.subresource ? `/${a.subresource}` : ''}${a.group ? `.${a.group}` : ''}${a.namespace ? ` in ${a.namespace}` : ''}`;

export function kubeChecks(ctx: LuneoRun, calls: PlannedCall[]): ReadinessCheck[] {
  const r = ctx.target.resources;
  return (['primary', 'secondary'] as const).map((side) => {
    const context = r[side].kubeContext;
    return {
      name: `kube ${context}`,
      calls: [read('kubernetes', 'create selfsubjectaccessreviews', context)],
      async run(signal): Promise<ReadinessResult[]> {
        const l = await luneo(ctx);
        const kc = new KubeConfig();
        if (l.kubeconfig) kc.loadFromFile(l.kubeconfig);
        else kc.loadFromDefault();
        const name = `kube context ${context}`;
        if (!kc.getContexts().some((c) => c.name === context))
          return [
            fail(
              name,
              `not in the kubeconfig (contexts: ${
                kc
                  .getContexts()
                  .map((c) => c.name)
                  .join(', ') || 'none'
              })`,
              `aws eks update-kubeconfig --region ${r[side].region} --name <cluster>, or fix ${side}.kubeContext in targets/${ctx.target.name}.ts`,
            ),
          ];
        kc.setCurrentContext(context);
        const api = kc.makeApiClient(AuthorizationV1Api);
        const caller = new KubeCaller(context, ctx.audit);
        const { accesses, unknown } = kubeAccesses(calls, context, r.kube.namespace);
        const results: ReadinessResult[] = [];
        const denied: string[] = [];
        for (const access of accesses) {
          try {
            const review = await caller.send(
              'create selfsubjectaccessreviews',
              { kind: 'access review', id: describeAccess(access) },
              (options) =>
                api.createSelfSubjectAccessReview(
                  {
                    body: {
                      apiVersion: 'authorization.k8s.io/v1',
                      kind: 'SelfSubjectAccessReview',
                      spec: { resourceAttributes: access },
                    },
                  },
                  options,
                ),
              { signal },
            );
            if (!review.status?.allowed)
              denied.push(
                `${describeAccess(access)}${review.status?.reason ? ` (${review.status.reason})` : ''}`,
              );
          } catch (error) {
            return [
              readFailure(
                name,
                error,
                '',
                'create selfsubjectaccessreviews.authorization.k8s.io (every authenticated user may)',
              ),
            ];
          }
        }
        results.push(
          denied.length > 0
            ? fail(
                name,
                `the drill's identity may not ${denied.join('; ')}`,
                `grant these verbs to the drill's identity in ${context} (a Role/RoleBinding in ${r.kube.namespace}; on EKS, an access entry or aws-auth mapping of its IAM role), then check with kubectl auth can-i --context ${context}`,
              )
            : pass(name, `may ${accesses.map(describeAccess).join(', ')}`),
        );
        if (unknown.length > 0)
          results.push(
            couldNotCheck(
              `${name} (unmapped)`,
              `the preflight does not know which verbs ${unknown.join(', ')} need`,
              'add its verb or kind to VERBS / KINDS in apps/luneo/safety/readiness-kube.ts',
            ),
          );
        return results;
      },
    };
  });
}

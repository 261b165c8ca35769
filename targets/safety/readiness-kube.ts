// Readiness on Kubernetes: each context the target names is in the kubeconfig, and its identity may do every verb
// the drill uses there, asked with SelfSubjectAccessReview (the question `kubectl auth can-i` asks:
// https://kubernetes.io/docs/reference/kubernetes-api/authorization-resources/self-subject-access-review-v1/).
// The verbs come from the plan's Kubernetes calls (clients/kube/kube-model.ts names them) and the reads the
// drill makes around them.
import { AuthorizationV1Api, KubeConfig, type V1ResourceAttributes } from '@kubernetes/client-node';
import type { LuneoRun } from '../../actions/luneo/context.ts';
import { luneo } from '../../actions/luneo/context.ts';
import { KubeCaller } from '../../clients/kube/kube-call.ts';
import type { PlannedCall } from '../../core/model.ts';
import type { ReadinessCheck, ReadinessResult } from '../../core/preflight/types.ts';
import { couldNotCheck, fail, pass, read, readFailure } from './readiness-result.ts';

export type KubeAccess = Required<Pick<V1ResourceAttributes, 'verb' | 'resource'>> &
  Pick<V1ResourceAttributes, 'group' | 'subresource' | 'namespace'>;

const deployments = { group: 'apps', resource: 'deployments' };
/** The Kubernetes requests behind each planned operation (`kubectl scale` patches the scale subresource, etc.). */
const PLANNED: [RegExp, Omit<KubeAccess, 'namespace'>[]][] = [
  [/^scale deployment\//, [{ verb: 'patch', ...deployments, subresource: 'scale' }]],
  [/^(rollout restart|annotate) deployment\//, [{ verb: 'patch', ...deployments }]],
  [
    /^apply configmap\//,
    [
      { verb: 'create', resource: 'configmaps' },
      { verb: 'patch', resource: 'configmaps' },
    ],
  ],
  [/^patch configmap\//, [{ verb: 'patch', resource: 'configmaps' }]],
  [/^delete configmap\//, [{ verb: 'delete', resource: 'configmaps' }]],
  [/^delete pods?[/ ]/, [{ verb: 'delete', resource: 'pods' }]],
];
/** What the drill reads in each context whatever it plans: rollouts, pods, the overrides configmap, nodes. */
const READS: Omit<KubeAccess, 'namespace'>[] = [
  { verb: 'get', ...deployments },
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
    const found = PLANNED.find(([pattern]) => pattern.test(call.operation));
    if (found) found[1].forEach(add);
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
        if (l.lab) kc.loadFromFile(l.lab.kubeconfig);
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
              'add it to PLANNED in targets/safety/readiness-kube.ts',
            ),
          );
        return results;
      },
    };
  });
}

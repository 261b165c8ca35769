// The resources this API server serves, with what discovery says about each.

export interface ResourceType {
  plural: string;
  singular: string;
  kind: string;
  /** '' for the core group. */
  group: string;
  version: string;
  namespaced: boolean;
  verbs: string[];
  shortNames?: string[];
  categories?: string[];
  /** Subresources served: `scale`, `status`, `log`. */
  subresources?: string[];
  /** A custom resource: the CRD's name (`<plural>.<group>`); served only by clusters that install it. */
  crd?: CustomResourceName;
}

/** The custom resources a lab cluster can install (their CRDs), as the Luneo runbook's tools define them. */
export type CustomResourceName =
  | 'rollouts.argoproj.io'
  | 'applications.argoproj.io'
  | 'scaledobjects.keda.sh';

const CRUD = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

export const RESOURCES: readonly ResourceType[] = [
  {
    plural: 'namespaces',
    singular: 'namespace',
    kind: 'Namespace',
    group: '',
    version: 'v1',
    namespaced: false,
    verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
    shortNames: ['ns'],
  },
  {
    plural: 'nodes',
    singular: 'node',
    kind: 'Node',
    group: '',
    version: 'v1',
    namespaced: false,
    verbs: ['get', 'list', 'watch'],
    shortNames: ['no'],
  },
  {
    plural: 'pods',
    singular: 'pod',
    kind: 'Pod',
    group: '',
    version: 'v1',
    namespaced: true,
    verbs: CRUD,
    shortNames: ['po'],
    categories: ['all'],
    subresources: ['status', 'log'],
  },
  {
    plural: 'configmaps',
    singular: 'configmap',
    kind: 'ConfigMap',
    group: '',
    version: 'v1',
    namespaced: true,
    verbs: CRUD,
    shortNames: ['cm'],
  },
  {
    plural: 'secrets',
    singular: 'secret',
    kind: 'Secret',
    group: '',
    version: 'v1',
    namespaced: true,
    verbs: CRUD,
  },
  {
    plural: 'events',
    singular: 'event',
    kind: 'Event',
    group: '',
    version: 'v1',
    namespaced: true,
    verbs: CRUD,
    shortNames: ['ev'],
  },
  {
    plural: 'deployments',
    singular: 'deployment',
    kind: 'Deployment',
    group: 'apps',
    version: 'v1',
    namespaced: true,
    verbs: CRUD,
    shortNames: ['deploy'],
    categories: ['all'],
    subresources: ['scale', 'status'],
  },
  {
    plural: 'replicasets',
    singular: 'replicaset',
    kind: 'ReplicaSet',
    group: 'apps',
    version: 'v1',
    namespaced: true,
    verbs: ['get', 'list', 'watch', 'delete'],
    shortNames: ['rs'],
    categories: ['all'],
    subresources: ['status'],
  },
  // https://kubernetes.io/docs/reference/kubernetes-api/workload-resources/horizontal-pod-autoscaler-v2/
  {
    plural: 'horizontalpodautoscalers',
    singular: 'horizontalpodautoscaler',
    kind: 'HorizontalPodAutoscaler',
    group: 'autoscaling',
    version: 'v2',
    namespaced: true,
    verbs: CRUD,
    shortNames: ['hpa'],
    categories: ['all'],
    subresources: ['status'],
  },
  // Argo Rollouts' CRD (argoproj/argo-rollouts manifests/crds/rollout-crd.yaml): scale and status subresources.
  {
    plural: 'rollouts',
    singular: 'rollout',
    kind: 'Rollout',
    group: 'argoproj.io',
    version: 'v1alpha1',
    namespaced: true,
    verbs: CRUD,
    shortNames: ['ro'],
    subresources: ['scale', 'status'],
    crd: 'rollouts.argoproj.io',
  },
  // Argo CD's CRD (argoproj/argo-cd manifests/crds/application-crd.yaml): no subresources.
  {
    plural: 'applications',
    singular: 'application',
    kind: 'Application',
    group: 'argoproj.io',
    version: 'v1alpha1',
    namespaced: true,
    verbs: CRUD,
    shortNames: ['app', 'apps'],
    crd: 'applications.argoproj.io',
  },
  // KEDA's CRD (kedacore/keda config/crd/bases/keda.sh_scaledobjects.yaml): status subresource.
  {
    plural: 'scaledobjects',
    singular: 'scaledobject',
    kind: 'ScaledObject',
    group: 'keda.sh',
    version: 'v1alpha1',
    namespaced: true,
    verbs: CRUD,
    shortNames: ['so'],
    subresources: ['status'],
    crd: 'scaledobjects.keda.sh',
  },
];

/** What one cluster serves: the built-in resources and the custom resources whose CRDs it installed. */
export function servedBy(installed: ReadonlySet<string>): (r: ResourceType) => boolean {
  return (r) => r.crd === undefined || installed.has(r.crd);
}

export function apiVersionOf(resource: ResourceType): string {
  return resource.group ? `${resource.group}/${resource.version}` : resource.version;
}

export function resourceByPlural(
  group: string,
  version: string,
  plural: string,
  served: (r: ResourceType) => boolean = servedBy(new Set()),
): ResourceType | undefined {
  return RESOURCES.find(
    (r) => r.group === group && r.version === version && r.plural === plural && served(r),
  );
}

export function resourceByKind(kind: string): ResourceType | undefined {
  return RESOURCES.find((r) => r.kind === kind);
}

export function groupVersions(
  served: (r: ResourceType) => boolean = servedBy(new Set()),
): { group: string; version: string }[] {
  const seen = new Map<string, { group: string; version: string }>();
  for (const r of RESOURCES.filter(served))
    seen.set(`${r.group}/${r.version}`, { group: r.group, version: r.version });
  return [...seen.values()];
}

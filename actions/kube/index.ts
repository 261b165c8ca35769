// Generic Kubernetes steps, for any app: each takes its cluster, namespace and workloads through selectors.
export * from './configmap.ts';
export * from './deployment.ts';
export * from './rollout-restart.ts';
export * from './scale.ts';

// The lab's Kubernetes: one API server per cluster, pods as processes.
export { KubeCluster, type KubeClusterOptions } from './cluster.ts';
export { eksClusterArn, type KubeconfigCluster, writeKubeconfig } from './kubeconfig.ts';
export { POD_PORT_ANNOTATION, type PodIdentity } from './kubelet.ts';
export { FAST_TIMING, type KubeTiming, type KubeTimingMode, REALISTIC_TIMING } from './timing.ts';

// The cluster's nodes: Ready, in the cluster's region, named like EKS worker nodes.

import { KUBE_VERSION } from './discovery.ts';
import type { KubeObject } from './types.ts';

export function nodeNames(region: string, count: number): string[] {
  return Array.from({ length: count }, (_, i) => `ip-10-0-${i + 1}-10.${region}.compute.internal`);
}

export function nodeObject(name: string, region: string, cluster: string, index: number): KubeObject {
  const zone = `${region}${'abc'[index % 3]}`;
  const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      labels: {
        'kubernetes.io/hostname': name,
        'kubernetes.io/os': 'linux',
        'kubernetes.io/arch': 'amd64',
        'topology.kubernetes.io/region': region,
        'topology.kubernetes.io/zone': zone,
        'eks.amazonaws.com/nodegroup': `${cluster}-default`,
      },
    },
    spec: { providerID: `aws:///${zone}/i-0lab${index}` },
    status: {
      conditions: [
        {
          type: 'MemoryPressure',
          status: 'False',
          reason: 'KubeletHasSufficientMemory',
          message: 'kubelet has sufficient memory available',
          lastHeartbeatTime: now,
          lastTransitionTime: now,
        },
        {
          type: 'DiskPressure',
          status: 'False',
          reason: 'KubeletHasNoDiskPressure',
          message: 'kubelet has no disk pressure',
          lastHeartbeatTime: now,
          lastTransitionTime: now,
        },
        {
          type: 'PIDPressure',
          status: 'False',
          reason: 'KubeletHasSufficientPID',
          message: 'kubelet has sufficient PID available',
          lastHeartbeatTime: now,
          lastTransitionTime: now,
        },
        {
          type: 'Ready',
          status: 'True',
          reason: 'KubeletReady',
          message: 'kubelet is posting ready status',
          lastHeartbeatTime: now,
          lastTransitionTime: now,
        },
      ],
      addresses: [
        { type: 'InternalIP', address: '127.0.0.1' },
        { type: 'Hostname', address: name },
      ],
      capacity: { cpu: '2', memory: '8Gi', pods: '110' },
      allocatable: { cpu: '2', memory: '8Gi', pods: '110' },
      nodeInfo: {
        kubeletVersion: KUBE_VERSION.gitVersion,
        kubeProxyVersion: KUBE_VERSION.gitVersion,
        containerRuntimeVersion: 'process://lab',
        operatingSystem: 'linux',
        architecture: 'amd64',
        osImage: 'drill lab',
        kernelVersion: '',
        machineID: '',
        systemUUID: '',
        bootID: '',
      },
    },
  };
}

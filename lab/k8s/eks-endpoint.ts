// EKS cluster endpoint access (resourcesVpcConfig.endpointPublicAccess / endpointPrivateAccess) and what a network
// outage of the cluster's subnets does to it. The control plane runs in AWS's own VPC: the public endpoint keeps
// answering from the internet, while the nodes lose the API server whichever way they reach it (through a NAT to
// the public endpoint, or to the private endpoint's ENIs in the cluster's subnets). A private-only cluster is
// reached from inside the VPC (or a connected network) only, through those same cut subnets: the drill loses it too.
// https://docs.aws.amazon.com/eks/latest/userguide/cluster-endpoint.html
// https://docs.aws.amazon.com/eks/latest/APIReference/API_VpcConfigRequest.html (public true, private false by default)
import type { Link } from '../net/link.ts';
import type { KubeCluster } from './cluster.ts';

export type EndpointAccess = 'public' | 'private' | 'public-and-private';

export const ENDPOINT_ACCESS: readonly EndpointAccess[] = ['public', 'private', 'public-and-private'];

/** LAB_EKS_ENDPOINT_ACCESS=public|private|public-and-private, else `fallback`. */
export function endpointAccessFromEnv(
  fallback: EndpointAccess,
  env: NodeJS.ProcessEnv = process.env,
): EndpointAccess {
  const value = env.LAB_EKS_ENDPOINT_ACCESS;
  if (value === undefined || value === '') return fallback;
  if ((ENDPOINT_ACCESS as readonly string[]).includes(value)) return value as EndpointAccess;
  throw new Error(`LAB_EKS_ENDPOINT_ACCESS=${value}: use ${ENDPOINT_ACCESS.join(', ')}`);
}

/** Whether a client outside the VPC (the drill's runner) still reaches the API server while the subnets are cut. */
export function reachableDuringSubnetOutage(access: EndpointAccess): boolean {
  return access !== 'private';
}

/** One EKS cluster as the drill reaches it: the API server behind `link` (the drill's network path to it). */
export class EksEndpoint {
  constructor(
    readonly cluster: KubeCluster,
    readonly link: Link,
    readonly access: EndpointAccess,
  ) {}

  /**
   * The cluster's subnets lose their network: the kubelets lose the API server; the drill loses it only when the
   * endpoint is private-only. Returns the revert.
   */
  cutSubnets(): () => void {
    this.cluster.cutOffNodes();
    const cutLink = !reachableDuringSubnetOutage(this.access);
    if (cutLink) this.link.cut();
    return () => {
      if (cutLink) this.link.restore();
      this.cluster.reconnectNodes();
    };
  }

  /** The whole region goes dark (the lab's regional outage): the control plane with it, whatever the access. */
  cutRegion(): () => void {
    this.cluster.cutOffNodes();
    this.link.cut();
    return () => {
      this.link.restore();
      this.cluster.reconnectNodes();
    };
  }
}

// Faults the lab can inject: FIS actions mapped onto lab parts, and the same faults by hand (`pnpm lab fault`).
import type { LabFaultAction, LabResource, LabRevert } from '../aws/backend.ts';
import { LabBackendError } from '../aws/backend.ts';
import type { ReplicatedDatabase } from '../db/replicated-database.ts';
import type { Link } from '../net/link.ts';
import { LUNEO, REGIONS, type Region } from '../regions.ts';

export type FaultKind =
  | 'region-outage'
  | 'db-isolation'
  | 'db-subnet-isolation'
  | 'db-crash'
  | 'wan-cut'
  | 'wan-latency'
  | 'pod-kill'
  | 's3-replication-paused';

export interface ActiveFault {
  id: number;
  kind: FaultKind;
  region?: Region;
  detail: string;
  since: string;
  source: 'fis' | 'hand';
  revert: LabRevert;
}

export interface FaultParts {
  db: ReplicatedDatabase;
  regionLinks: Record<Region, Link[]>;
  /** Each region's EKS cluster as the drill reaches it (lab/k8s/eks-endpoint.ts): what an outage does to it depends on its endpoint access. */
  eks?: Record<Region, { cutSubnets(): () => void; cutRegion(): () => void }>;
  kubeApi: Record<Region, string>;
  /** The lab's S3 (lab/aws/s3/lab-s3.ts): aws:s3:bucket-pause-replication holds its replication. */
  s3?: { pauseReplication(sourceBuckets: string[], parameters: Record<string, string>): () => void };
  /** The lab's Redis pair (lab/redis/replicated-cache.ts): a region outage isolates its cache too. */
  cache?: { isolate(region: Region): void; reconnect(region: Region): Promise<void> };
  log: (line: string) => void;
}

/** Applies and reverts faults, keeping the list of what is injected now (for status and heal). */
export class LabFaults {
  readonly #active = new Map<number, ActiveFault>();
  #nextId = 1;

  constructor(private readonly parts: FaultParts) {}

  active(): Omit<ActiveFault, 'revert'>[] {
    return [...this.#active.values()].map(({ revert: _revert, ...rest }) => rest);
  }

  /**
   * Whether the AWS endpoint of `service` in `region` answers. A regional outage takes the region's control plane
   * down with it (every service, as an SDK reaches it), so a drill rehearses failing over with the surviving
   * region's control plane only. One exception: an outage a FIS experiment injected leaves that region's FIS
   * answering: it is the simulation's off switch (the drill must see and stop its experiment), and during a real
   * FIS experiment the region's control plane is indeed up.
   */
  controlPlaneReachable(region: string, service: string | undefined): boolean {
    return ![...this.#active.values()].some(
      (f) => f.kind === 'region-outage' && f.region === region && !(f.source === 'fis' && service === 'fis'),
    );
  }

  /** Outage of a whole region: database, load balancer, Kubernetes API, WAN link, and its AWS endpoints. */
  async regionOutage(region: Region, source: ActiveFault['source'] = 'hand'): Promise<LabRevert> {
    const { db, regionLinks } = this.parts;
    db.isolate(region);
    this.parts.cache?.isolate(region);
    for (const link of regionLinks[region]) link.cut();
    // FIS cuts subnets: an EKS public endpoint (AWS's VPC) still answers while the nodes lose it. By hand: all dark.
    const eks = this.parts.eks?.[region];
    const healEks = source === 'fis' ? eks?.cutSubnets() : eks?.cutRegion();
    return this.#track(
      'region-outage',
      region,
      `${region} unreachable (database, load balancer, EKS nodes${source === 'fis' ? '' : ' and API'}, WAN, AWS endpoints${source === 'fis' ? ' but FIS' : ''})`,
      source,
      async () => {
        healEks?.();
        for (const link of regionLinks[region]) link.restore();
        db.reconnect(region);
        await this.parts.cache?.reconnect(region);
      },
    );
  }

  /** The region's database drops off the network: clients and replication cut, WAL in flight lost. */
  async dbIsolation(region: Region, source: ActiveFault['source'] = 'hand'): Promise<LabRevert> {
    this.parts.db.isolate(region);
    return this.#track('db-isolation', region, `${region} database unreachable`, source, async () =>
      this.parts.db.reconnect(region),
    );
  }

  /**
   * FIS on the database subnets: network ACLs deny the apps' traffic, while Aurora's storage replication runs
   * outside the VPC and keeps shipping every acknowledged write (nothing in flight is lost).
   */
  async dbSubnetIsolation(region: Region, source: ActiveFault['source'] = 'fis'): Promise<LabRevert> {
    this.parts.db.isolateSubnets(region);
    const detail = `${region} database subnets unreachable (replication continues)`;
    return this.#track('db-subnet-isolation', region, detail, source, async () =>
      this.parts.db.restoreSubnets(region),
    );
  }

  async dbCrash(region: Region): Promise<LabRevert> {
    await this.parts.db.crash(region);
    return this.#track('db-crash', region, `${region} PostgreSQL killed (kill -9)`, 'hand', async () =>
      this.parts.db.restart(region),
    );
  }

  async wanCut(): Promise<LabRevert> {
    this.parts.db.cutWan();
    return this.#track('wan-cut', undefined, 'replication link cut', 'hand', async () =>
      this.parts.db.restoreWan(),
    );
  }

  async wanLatency(ms: number, previousMs: number): Promise<LabRevert> {
    this.parts.db.setWanLatency(ms);
    return this.#track('wan-latency', undefined, `replication latency ${ms} ms`, 'hand', async () =>
      this.parts.db.setWanLatency(previousMs),
    );
  }

  /** Deletes pods through the cluster's Kubernetes API; the deployment replaces them. Nothing to revert. */
  async podKill(region: Region, podNames: string[]): Promise<void> {
    for (const name of podNames) {
      const url = `${this.parts.kubeApi[region]}/api/v1/namespaces/${LUNEO.namespace}/pods/${name}`;
      const response = await fetch(url, { method: 'DELETE' });
      if (!response.ok && response.status !== 404) {
        throw new LabBackendError(
          'InvalidParameterValue',
          `deleting pod ${name} in ${region}: HTTP ${response.status}`,
        );
      }
    }
    this.parts.log(`fault: deleted ${podNames.length} pod(s) in ${region}: ${podNames.join(', ')}`);
  }

  /** Reverts every injected fault, newest first; keeps going past errors. */
  async healAll(): Promise<string[]> {
    const errors: string[] = [];
    for (const fault of [...this.#active.values()].reverse()) {
      try {
        await fault.revert();
      } catch (error) {
        errors.push(`${fault.kind}: ${(error as Error).message}`);
      }
    }
    return errors;
  }

  /** A FIS action, with targets already resolved, mapped onto the lab. */
  async injectFisAction(action: LabFaultAction): Promise<LabRevert> {
    switch (action.actionId) {
      case 'aws:network:disrupt-connectivity':
        return this.#disruptSubnets(action.targets);
      case 'aws:rds:failover-db-cluster':
      case 'aws:rds:reboot-db-instances': {
        const writer = this.parts.db.writer();
        if (writer) await this.parts.db.restart(writer);
        return async () => {};
      }
      case 'aws:eks:pod-delete': {
        for (const region of REGIONS) {
          const pods = action.targets
            .filter((t) => t.type === 'aws:eks:pod' && t.region === region)
            .map((t) => t.id);
          if (pods.length > 0) await this.podKill(region, pods);
        }
        return async () => {};
      }
      case 'aws:s3:bucket-pause-replication': {
        const buckets = action.targets.filter((t) => t.type === 'aws:s3:bucket').map((t) => t.id);
        if (!this.parts.s3) throw new LabBackendError('ValidationException', 'the lab has no S3');
        const resume = this.parts.s3.pauseReplication(buckets, action.parameters);
        const detail = `S3 replication paused from ${buckets.join(', ')} (to ${action.parameters.region})`;
        return this.#track('s3-replication-paused', undefined, detail, 'fis', async () => resume());
      }
      case 'aws:fis:wait':
        return async () => {};
      default:
        throw new LabBackendError(
          'ValidationException',
          `the lab cannot inject FIS action ${action.actionId}`,
        );
    }
  }

  /**
   * Subnets of a region: the database tier alone cuts the apps off their database (replication keeps running, as
   * on AWS); every tier of a region is the lab's stand-in for a regional outage, which FIS has no action for, so it
   * cuts replication too, as a real regional outage does. On AWS the same experiment leaves Aurora replicating.
   */
  async #disruptSubnets(targets: LabResource[]): Promise<LabRevert> {
    const reverts: LabRevert[] = [];
    for (const region of REGIONS) {
      const tiers = new Set(
        targets.filter((t) => t.type === 'aws:ec2:subnet' && t.region === region).map((t) => t.tags.Tier),
      );
      if (tiers.size === 0) continue;
      if (tiers.has('app')) reverts.push(await this.regionOutage(region, 'fis'));
      else reverts.push(await this.dbSubnetIsolation(region, 'fis'));
    }
    return async () => {
      for (const revert of reverts.reverse()) await revert();
    };
  }

  #track(
    kind: FaultKind,
    region: Region | undefined,
    detail: string,
    source: ActiveFault['source'],
    undo: LabRevert,
  ): LabRevert {
    const id = this.#nextId++;
    let done = false;
    const revert = async () => {
      if (done) return;
      done = true;
      this.#active.delete(id);
      await undo();
      this.parts.log(`fault reverted: ${detail}`);
    };
    this.#active.set(id, { id, kind, region, detail, since: new Date().toISOString(), source, revert });
    this.parts.log(`fault injected: ${detail}`);
    return revert;
  }
}

/** Subnets per region and tier, as FIS sees them (tag Tier=database|app, DisruptSubnet=Allowed). */
export function subnetResources(accountId: string): LabResource[] {
  return REGIONS.flatMap((region) =>
    (['database', 'app'] as const).map((tier) => {
      const id = `subnet-luneo-${tier}-${region}`;
      return {
        arn: `arn:aws:ec2:${region}:${accountId}:subnet/${id}`,
        type: 'aws:ec2:subnet',
        region,
        id,
        tags: { Name: `luneo-prod-${tier}-${region}`, Tier: tier, Region: region, DisruptSubnet: 'Allowed' },
      };
    }),
  );
}

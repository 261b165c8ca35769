// The Aurora global cluster as AWS shows it, read from the backend's real database roles. Failover and
// switchover are accepted at once and run in the background, as on AWS.
import { REGIONS, type Region } from '../../regions.ts';
import type { DbRole } from '../backend.ts';
import type { AwsContext } from '../context.ts';
import { AwsError, toAwsError } from '../protocol/errors.ts';

export interface RdsSeed {
  globalClusterId: string;
  clusters: Record<Region, string>;
}

export interface FailoverStateView {
  status: 'pending' | 'failing-over' | 'switching-over';
  fromArn: string;
  toArn: string;
  isDataLossAllowed: boolean;
}

export interface MemberView {
  region: Region;
  clusterId: string;
  arn: string;
  role: DbRole;
  isWriter: boolean;
  readers: string[];
  syncStatus: 'connected' | 'pending-resync';
}

export interface GlobalClusterView {
  id: string;
  arn: string;
  status: 'available' | 'failing-over' | 'switching-over';
  /** Host of the current writer's endpoint (the global writer endpoint follows the writer). */
  endpoint: string | undefined;
  members: MemberView[];
  failoverState: FailoverStateView | undefined;
}

interface Operation {
  kind: 'failover' | 'switchover';
  state: FailoverStateView;
}

/** Backend errors raised within this window are answered to the caller (nothing was applied). */
const ACCEPTANCE_WINDOW_MS = 100;

export class GlobalCluster {
  private operation: Operation | undefined;
  private readonly ctx: AwsContext;
  readonly seed: RdsSeed;

  constructor(ctx: AwsContext, seed: RdsSeed) {
    this.ctx = ctx;
    this.seed = seed;
  }

  get arn(): string {
    return `arn:aws:rds::${this.ctx.accountId}:global-cluster:${this.seed.globalClusterId}`;
  }

  clusterArn(region: Region): string {
    return `arn:aws:rds:${region}:${this.ctx.accountId}:cluster:${this.seed.clusters[region]}`;
  }

  /** The lab region of a cluster given by id or ARN (an ARN's region must match), or undefined. */
  regionOf(idOrArn: string): Region | undefined {
    return REGIONS.find(
      (region) => idOrArn === this.seed.clusters[region] || idOrArn === this.clusterArn(region),
    );
  }

  matches(idOrArn: string): boolean {
    return idOrArn === this.seed.globalClusterId || idOrArn === this.arn;
  }

  async describe(): Promise<GlobalClusterView> {
    const db = this.ctx.backend.database;
    const roles = await Promise.all(REGIONS.map((region) => db.role(region)));
    const members: MemberView[] = REGIONS.map((region, index) => {
      const role = roles[index] as DbRole;
      const isWriter = role === 'writer';
      return {
        region,
        clusterId: this.seed.clusters[region],
        arn: this.clusterArn(region),
        role,
        isWriter,
        readers: isWriter ? REGIONS.filter((r) => r !== region).map((r) => this.clusterArn(r)) : [],
        syncStatus: db.syncStatus(region),
      };
    });
    const writer = members.find((member) => member.isWriter);
    const kind = this.operation?.kind;
    return {
      id: this.seed.globalClusterId,
      arn: this.arn,
      status: kind === 'failover' ? 'failing-over' : kind === 'switchover' ? 'switching-over' : 'available',
      endpoint: writer ? db.endpoint(writer.region).host : undefined,
      members,
      failoverState: this.operation ? { ...this.operation.state } : undefined,
    };
  }

  /** True while a failover/switchover runs and `region` is its source or target. */
  isChanging(region: Region): boolean {
    const state = this.operation?.state;
    return !!state && (state.fromArn === this.clusterArn(region) || state.toArn === this.clusterArn(region));
  }

  /** FailoverGlobalCluster (allowDataLoss) or SwitchoverGlobalCluster: validate, accept, run in background. */
  async change(
    kind: 'failover' | 'switchover',
    target: string,
    allowDataLoss: boolean,
  ): Promise<GlobalClusterView> {
    const to = this.regionOf(target);
    if (!to) {
      throw new AwsError(
        'DBClusterNotFoundFault',
        404,
        `DBCluster ${target} is not a member of global cluster ${this.seed.globalClusterId}. Members: ${REGIONS.map((r) => this.clusterArn(r)).join(', ')}.`,
      );
    }
    if (this.operation) {
      throw new AwsError(
        'InvalidGlobalClusterStateFault',
        400,
        `Global cluster ${this.seed.globalClusterId} is ${this.operation.state.status}: wait until its Status is available before another failover or switchover.`,
      );
    }
    const db = this.ctx.backend.database;
    if ((await db.role(to)) === 'writer') {
      throw new AwsError(
        'InvalidGlobalClusterStateFault',
        400,
        `DB cluster ${this.seed.clusters[to]} is already the primary (writer) cluster of global cluster ${this.seed.globalClusterId}.`,
      );
    }
    const from = REGIONS.find((r) => r !== to) as Region;
    const operation: Operation = {
      kind,
      state: {
        status: 'pending',
        fromArn: this.clusterArn(from),
        toArn: this.clusterArn(to),
        isDataLossAllowed: allowDataLoss,
      },
    };
    this.operation = operation;
    const work = kind === 'switchover' ? db.switchover(to) : db.failover(to, { allowDataLoss });
    const outcome = work.then(
      () => ({ ok: true as const }),
      (error: unknown) => ({ ok: false as const, error }),
    );
    const early = await Promise.race([outcome, delay(ACCEPTANCE_WINDOW_MS).then(() => undefined)]);
    if (early && !early.ok) {
      this.operation = undefined;
      throw toAwsError(early.error, 'InvalidGlobalClusterStateFault');
    }
    // The answer shows the operation just accepted, as AWS does, even if the lab already finished it.
    const view = await this.describe();
    view.status = kind === 'switchover' ? 'switching-over' : 'failing-over';
    view.failoverState = { ...operation.state };
    this.ctx.mutated(kind === 'switchover' ? 'SwitchoverGlobalCluster' : 'FailoverGlobalCluster');
    this.ctx.log(
      `rds: ${kind} of ${this.seed.globalClusterId} to ${to} accepted (allowDataLoss=${allowDataLoss})`,
    );
    if (!early) operation.state.status = kind === 'switchover' ? 'switching-over' : 'failing-over';
    void outcome.then((result) => {
      if (this.operation === operation) this.operation = undefined;
      const detail = result.ok
        ? 'completed'
        : `failed: ${(result.error as Error)?.message ?? String(result.error)}`;
      this.ctx.log(`rds: ${kind} of ${this.seed.globalClusterId} to ${to} ${detail}`);
    });
    return view;
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

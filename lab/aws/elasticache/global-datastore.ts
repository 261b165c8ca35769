// The ElastiCache Global Datastore as AWS shows it, read from the lab's real Redis roles. A failover is accepted
// at once and runs in the background (Status "modifying"), as on AWS.
import { REGIONS, type Region } from '../../regions.ts';
import type { AwsContext } from '../context.ts';
import { AwsError, toAwsError } from '../protocol/errors.ts';

/** What the Global Datastore needs of the lab's Redis pair (lab/redis/replicated-cache.ts implements it). */
export interface LabCache {
  /** The region promoted last. */
  primary(): Region;
  /** What the server itself says; 'down' when it does not answer. */
  role(region: Region): Promise<'primary' | 'replica' | 'down'>;
  endpoint(region: Region): { host: string; port: number };
  failover(to: Region): Promise<unknown>;
}

export interface CacheSeed {
  /** e.g. 'ldgnf-luneo-prod-redis' (AWS prefixes the id you give with five letters). */
  globalReplicationGroupId: string;
  /** Replication group id per region. */
  replicationGroups: Record<Region, string>;
}

export interface MemberView {
  region: Region;
  replicationGroupId: string;
  role: 'PRIMARY' | 'SECONDARY';
  /** 'associated' once the server's own role agrees; an old primary not yet rejoined is 'associating'. */
  status: 'associated' | 'associating';
  serverRole: 'primary' | 'replica' | 'down';
}

export interface GlobalDatastoreView {
  id: string;
  arn: string;
  status: 'available' | 'modifying';
  members: MemberView[];
}

/** Backend errors raised within this window are answered to the caller (nothing was applied). */
const ACCEPTANCE_WINDOW_MS = 100;

export class GlobalDatastore {
  private changing: Region | undefined;

  constructor(
    private readonly ctx: AwsContext,
    private readonly cache: LabCache,
    readonly seed: CacheSeed,
  ) {}

  get arn(): string {
    return `arn:aws:elasticache::${this.ctx.accountId}:globalreplicationgroup:${this.seed.globalReplicationGroupId}`;
  }

  replicationGroupArn(region: Region): string {
    return `arn:aws:elasticache:${region}:${this.ctx.accountId}:replicationgroup:${this.seed.replicationGroups[region]}`;
  }

  matches(id: string): boolean {
    return id === this.seed.globalReplicationGroupId;
  }

  regionOf(replicationGroupId: string): Region | undefined {
    return REGIONS.find((r) => this.seed.replicationGroups[r] === replicationGroupId);
  }

  endpoint(region: Region): { host: string; port: number } {
    return this.cache.endpoint(region);
  }

  get isChanging(): boolean {
    return this.changing !== undefined;
  }

  async describe(): Promise<GlobalDatastoreView> {
    const primary = this.cache.primary();
    const roles = await Promise.all(REGIONS.map((r) => this.cache.role(r)));
    const members = REGIONS.map((region, i): MemberView => {
      const serverRole = roles[i] ?? 'down';
      const role = region === primary ? 'PRIMARY' : 'SECONDARY';
      const agrees = (role === 'PRIMARY' ? 'primary' : 'replica') === serverRole;
      return {
        region,
        replicationGroupId: this.seed.replicationGroups[region],
        role,
        status: agrees ? 'associated' : 'associating',
        serverRole,
      };
    });
    return {
      id: this.seed.globalReplicationGroupId,
      arn: this.arn,
      status: this.changing ? 'modifying' : 'available',
      members,
    };
  }

  /** FailoverGlobalReplicationGroup: validate, accept, promote in the background. */
  async failover(primaryRegion: string, primaryReplicationGroupId: string): Promise<GlobalDatastoreView> {
    const to = this.regionOf(primaryReplicationGroupId);
    if (!to || to !== primaryRegion) {
      const members = REGIONS.map((r) => `${this.seed.replicationGroups[r]} (${r})`).join(', ');
      throw new AwsError(
        'InvalidParameterValue',
        400,
        `Replication group ${primaryReplicationGroupId} in ${primaryRegion} is not a member of Global datastore ${this.seed.globalReplicationGroupId}. Members: ${members}.`,
      );
    }
    if (this.changing) {
      throw new AwsError(
        'InvalidGlobalReplicationGroupState',
        400,
        `Global datastore ${this.seed.globalReplicationGroupId} is modifying: wait until its Status is available before another failover.`,
      );
    }
    if (this.cache.primary() === to) {
      throw new AwsError(
        'InvalidGlobalReplicationGroupState',
        400,
        `Replication group ${primaryReplicationGroupId} is already the primary of Global datastore ${this.seed.globalReplicationGroupId}.`,
      );
    }
    this.changing = to;
    const outcome = this.cache.failover(to).then(
      () => ({ ok: true as const }),
      (error: unknown) => ({ ok: false as const, error }),
    );
    const early = await Promise.race([outcome, delay(ACCEPTANCE_WINDOW_MS).then(() => undefined)]);
    if (early && !early.ok) {
      this.changing = undefined;
      throw toAwsError(early.error, 'InvalidGlobalReplicationGroupState');
    }
    const view = await this.describe();
    view.status = 'modifying'; // the answer shows the operation just accepted, as AWS does
    this.ctx.mutated('FailoverGlobalReplicationGroup');
    this.ctx.log(`elasticache: failover of ${this.seed.globalReplicationGroupId} to ${to} accepted`);
    void outcome.then((result) => {
      this.changing = undefined;
      const detail = result.ok ? 'completed' : `failed: ${(result.error as Error)?.message}`;
      this.ctx.log(`elasticache: failover of ${this.seed.globalReplicationGroupId} to ${to} ${detail}`);
    });
    return view;
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

// The entry point for steps and probes: typed wrappers per service, sharing one SDK client per (service, region).

import type { AuditLog } from '../../core/model.ts';
import type { RetryPolicy } from '../retry.ts';
import { CloudWatch } from './cloudwatch.ts';
import { type AwsClientConfig, AwsClientFactory } from './config.ts';
import { ElastiCache } from './elasticache.ts';
import { Fis } from './fis.ts';
import { Iam } from './iam.ts';
import { Rds } from './rds.ts';
import { Route53 } from './route53.ts';
import { Secrets } from './secrets.ts';
import { Sts } from './sts.ts';

export class AwsClients {
  readonly factory: AwsClientFactory;
  readonly #wrappers = new Map<string, unknown>();

  constructor(
    config: AwsClientConfig | AwsClientFactory,
    readonly options: { audit?: AuditLog; retry?: Partial<RetryPolicy> } = {},
  ) {
    this.factory = config instanceof AwsClientFactory ? config : new AwsClientFactory(config, options.retry);
  }

  /** The same SDK clients (and connections), with calls recorded in `audit`: one view per step or probe. */
  withAudit(audit: AuditLog): AwsClients {
    return new AwsClients(this.factory, { ...this.options, audit });
  }

  get region(): string {
    return this.factory.config.region;
  }

  #wrap<T>(key: string, build: () => T): T {
    let w = this.#wrappers.get(key) as T | undefined;
    if (!w) {
      w = build();
      this.#wrappers.set(key, w);
    }
    return w;
  }

  #opts() {
    return { ...(this.options.audit ? { audit: this.options.audit } : {}), retry: this.factory.retryPolicy };
  }

  /** FailoverGlobalCluster belongs in the target's region, SwitchoverGlobalCluster in the current primary's. */
  rds(region = this.region): Rds {
    return this.#wrap(`rds@${region}`, () => new Rds(this.factory.rds(region), region, this.#opts()));
  }
  route53(): Route53 {
    return this.#wrap('route53', () => new Route53(this.factory.route53(), this.#opts()));
  }
  fis(region = this.region): Fis {
    return this.#wrap(`fis@${region}`, () => new Fis(this.factory.fis(region), region, this.#opts()));
  }
  secrets(region = this.region): Secrets {
    return this.#wrap(
      `secrets@${region}`,
      () => new Secrets(this.factory.secretsManager(region), region, this.#opts()),
    );
  }
  cloudWatch(region = this.region): CloudWatch {
    return this.#wrap(
      `cloudwatch@${region}`,
      () => new CloudWatch(this.factory.cloudWatch(region), region, this.#opts()),
    );
  }
  /** FailoverGlobalReplicationGroup belongs in the region of the member being promoted. */
  elastiCache(region = this.region): ElastiCache {
    return this.#wrap(
      `elasticache@${region}`,
      () => new ElastiCache(this.factory.elastiCache(region), region, this.#opts()),
    );
  }
  sts(region = this.region): Sts {
    return this.#wrap(`sts@${region}`, () => new Sts(this.factory.sts(region), region, this.#opts()));
  }
  /** IAM policy simulation (a global service). */
  iam(): Iam {
    return this.#wrap('iam', () => new Iam(this.factory.iam(), this.#opts()));
  }

  destroy(): void {
    this.factory.destroy();
    this.#wrappers.clear();
  }
}

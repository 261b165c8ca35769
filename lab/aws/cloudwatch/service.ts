// CloudWatch: lab metrics sampled every second (replication lag, ALB 5xx, health checks), the three lab alarms,
// and the operations drills call. Handlers return plain objects with Dates; wire.ts renders JSON or Query XML.
// Regional, as AWS: each region has its own metrics and alarms, and a call sees only the region it was signed for
// ("CloudWatch does not aggregate data across Regions",
// https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch_concepts.html#CloudWatchRegions;
// moto keeps one CloudWatch backend per region too). Where each metric is published:
// - AuroraGlobalDBRPOLag: by the secondary cluster, in its region
//   (https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database-monitoring.html);
// - AWS/ApplicationELB: in the load balancer's region;
// - AWS/Route53 HealthCheckStatus: only in us-east-1, so alarms on it live there
//   (https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/monitoring-health-checks.html).
import { REGIONS, type Region } from '../../regions.ts';
import type { AwsContext } from '../context.ts';
import { AwsError } from '../protocol/errors.ts';
import { timestampInput } from '../protocol/json.ts';
import type { HealthCheckers } from '../route53/health-checks.ts';
import type { AwsSeed } from '../seed.ts';
import { type AlarmDefinition, type AlarmState, Alarms, COMPARISONS, type Comparison } from './alarms.ts';
import { type Dimension, type MetricId, MetricStore, parseStatistic } from './metrics.ts';

type Input = Record<string, unknown>;

export function loadBalancerName(region: Region): string {
  return `app/luneo-prod-alb-${region}/0000000000000000`;
}

export function labAlarmDefinitions(seed: AwsSeed, primaryHealthCheckId: string): AlarmDefinition[] {
  const a = seed.alarms ?? {};
  const prefix = a.namePrefix ?? 'luneo-prod-';
  const primary = seed.failoverRecords.primary.region;
  const secondary = seed.failoverRecords.secondary.region;
  return [
    {
      name: `${prefix}aurora-replication-lag`,
      region: secondary,
      description: 'Aurora global database RPO lag of the secondary cluster is above the threshold.',
      metric: {
        namespace: 'AWS/RDS',
        name: 'AuroraGlobalDBRPOLag',
        dimensions: [{ Name: 'DBClusterIdentifier', Value: seed.clusters[secondary] }],
      },
      statistic: 'Maximum',
      periodSeconds: 10,
      evaluationPeriods: 1,
      threshold: a.replicationLagThresholdMs ?? 60_000,
      comparison: 'GreaterThanThreshold',
    },
    {
      name: `${prefix}alb-5xx`,
      region: primary,
      description: 'The primary load balancer answered too many 5xx.',
      metric: {
        namespace: 'AWS/ApplicationELB',
        name: 'HTTPCode_ELB_5XX_Count',
        dimensions: [{ Name: 'LoadBalancer', Value: loadBalancerName(primary) }],
      },
      statistic: 'Sum',
      periodSeconds: a.alb5xxWindowSeconds ?? 10,
      evaluationPeriods: 1,
      threshold: a.alb5xxThreshold ?? 5,
      comparison: 'GreaterThanThreshold',
    },
    {
      name: `${prefix}route53-healthcheck`,
      region: ROUTE53_METRICS_REGION,
      description: 'The Route 53 health check of the primary region is unhealthy.',
      metric: {
        namespace: 'AWS/Route53',
        name: 'HealthCheckStatus',
        dimensions: [{ Name: 'HealthCheckId', Value: primaryHealthCheckId }],
      },
      statistic: 'Minimum',
      periodSeconds: 10,
      evaluationPeriods: 1,
      threshold: 1,
      comparison: 'LessThanThreshold',
    },
  ];
}

function metricId(raw: unknown): MetricId {
  const m = (raw ?? {}) as { Namespace?: string; MetricName?: string; Dimensions?: Dimension[] };
  if (!m.Namespace || !m.MetricName) {
    throw new AwsError('InvalidParameterValue', 400, 'A metric needs a Namespace and a MetricName.');
  }
  return { namespace: m.Namespace, name: m.MetricName, dimensions: m.Dimensions ?? [] };
}

function timeRange(input: Input): { startMs: number; endMs: number } {
  const startMs = timestampInput(input.StartTime);
  const endMs = timestampInput(input.EndTime);
  if (startMs === undefined || endMs === undefined) {
    throw new AwsError('MissingParameter', 400, 'The parameters StartTime and EndTime are required.');
  }
  return { startMs, endMs };
}

/** Route 53 publishes health-check metrics in US East (N. Virginia) only. */
export const ROUTE53_METRICS_REGION = 'us-east-1';

export class CloudWatchService {
  private readonly stores = new Map<string, MetricStore>();
  readonly alarms: Alarms;
  private readonly ctx: AwsContext;
  private readonly seed: AwsSeed;
  private readonly checkers: HealthCheckers;
  private readonly lastAlb = new Map<Region, { requests: number; errors5xx: number }>();
  private timer: NodeJS.Timeout | undefined;
  private sampling = false;
  /** Clusters that have published AuroraGlobalDBRPOLag at least once. */
  private readonly published = new Set<string>();

  constructor(ctx: AwsContext, seed: AwsSeed, checkers: HealthCheckers, primaryHealthCheckId: string) {
    this.ctx = ctx;
    this.seed = seed;
    this.checkers = checkers;
    this.alarms = new Alarms(ctx.accountId, labAlarmDefinitions(seed, primaryHealthCheckId));
  }

  /** The metrics of one region (an empty store for a region nothing publishes in). */
  store(region: string): MetricStore {
    let store = this.stores.get(region);
    if (!store) {
      store = new MetricStore();
      this.stores.set(region, store);
    }
    return store;
  }

  start(intervalMs: number): void {
    this.timer ??= setInterval(() => void this.sample(), intervalMs);
    void this.sample();
  }

  /**
   * Samples until the secondary cluster has published its replication lag: a global database that exists has
   * AuroraGlobalDBRPOLag datapoints (published by its secondary cluster, see the monitoring guide above), so the
   * lab is not ready before its first one. False if `timeoutMs` passed without it.
   */
  async awaitReplicationLagPublished(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      await this.sample();
      if (this.published.size > 0) return true;
      if (Date.now() >= deadline) return false;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Take one sample of every lab metric, then evaluate the alarms. */
  async sample(): Promise<void> {
    if (this.sampling) return;
    this.sampling = true;
    try {
      const now = Date.now();
      const db = this.ctx.backend.database;
      const roles = await Promise.all(REGIONS.map((r) => db.role(r)));
      const replica = REGIONS.find((_, i) => roles[i] === 'replica');
      const lag = await db.replicationLagMs();
      if (replica && lag !== null) {
        const dims = [{ Name: 'DBClusterIdentifier', Value: this.seed.clusters[replica] }];
        this.store(replica).put(
          { namespace: 'AWS/RDS', name: 'AuroraGlobalDBRPOLag', dimensions: dims },
          lag,
          now,
        );
        this.published.add(this.seed.clusters[replica]);
      }
      for (const region of REGIONS) {
        const stats = this.ctx.backend.loadBalancerStats(region);
        const last = this.lastAlb.get(region) ?? stats;
        this.lastAlb.set(region, stats);
        const dims = [{ Name: 'LoadBalancer', Value: loadBalancerName(region) }];
        this.store(region).put(
          { namespace: 'AWS/ApplicationELB', name: 'RequestCount', dimensions: dims },
          stats.requests - last.requests,
          now,
        );
        this.store(region).put(
          { namespace: 'AWS/ApplicationELB', name: 'HTTPCode_ELB_5XX_Count', dimensions: dims },
          stats.errors5xx - last.errors5xx,
          now,
        );
      }
      for (const check of this.checkers.list()) {
        const dims = [{ Name: 'HealthCheckId', Value: check.id }];
        this.store(ROUTE53_METRICS_REGION).put(
          { namespace: 'AWS/Route53', name: 'HealthCheckStatus', dimensions: dims },
          this.checkers.isHealthy(check.id) ? 1 : 0,
          now,
        );
      }
      this.alarms.evaluate((region) => this.store(region), now);
    } catch (error) {
      this.ctx.log(`cloudwatch: sampling failed: ${(error as Error).message}`);
    } finally {
      this.sampling = false;
    }
  }

  /** One call, answered from the metrics and alarms of `region` (the region the call was signed for). */
  handle(operation: string, input: Input, region: string): Record<string, unknown> {
    const store = this.store(region);
    switch (operation) {
      case 'DescribeAlarms': {
        const names = (input.AlarmNames as string[] | undefined) ?? [];
        const prefix = input.AlarmNamePrefix as string | undefined;
        const state = input.StateValue as string | undefined;
        const alarms = this.alarms
          .list(region)
          .filter((a) => names.length === 0 || names.includes(a.definition.name))
          .filter((a) => !prefix || a.definition.name.startsWith(prefix))
          .filter((a) => !state || a.state === state);
        return {
          MetricAlarms: alarms.map((a) => ({
            AlarmName: a.definition.name,
            AlarmArn: a.arn,
            AlarmDescription: a.definition.description,
            ActionsEnabled: false,
            StateValue: a.state,
            StateReason: a.reason,
            StateUpdatedTimestamp: a.updatedAt,
            Namespace: a.definition.metric.namespace,
            MetricName: a.definition.metric.name,
            Dimensions: a.definition.metric.dimensions,
            Statistic: a.definition.statistic,
            Period: a.definition.periodSeconds,
            EvaluationPeriods: a.definition.evaluationPeriods,
            Threshold: a.definition.threshold,
            ComparisonOperator: a.definition.comparison,
            TreatMissingData: 'missing',
          })),
          CompositeAlarms: [],
        };
      }
      case 'SetAlarmState': {
        const alarm = this.alarms.find(String(input.AlarmName ?? ''), region);
        if (!alarm)
          throw new AwsError('ResourceNotFound', 404, `Alarm ${String(input.AlarmName)} does not exist.`);
        const value = input.StateValue as AlarmState;
        if (!['OK', 'ALARM', 'INSUFFICIENT_DATA'].includes(value)) {
          throw new AwsError(
            'InvalidParameterValue',
            400,
            `StateValue must be OK, ALARM or INSUFFICIENT_DATA, got "${String(value)}".`,
          );
        }
        this.alarms.set(alarm, value, String(input.StateReason ?? 'Set by SetAlarmState'));
        this.ctx.mutated('SetAlarmState');
        return {};
      }
      case 'GetMetricData': {
        const { startMs, endMs } = timeRange(input);
        const ascending = input.ScanBy === 'TimestampAscending';
        const queries = (input.MetricDataQueries as Input[] | undefined) ?? [];
        const results = queries
          .filter((q) => q.ReturnData !== false && q.ReturnData !== 'false')
          .map((q) => {
            const stat = q.MetricStat as Input | undefined;
            if (!stat) {
              throw new AwsError(
                'InvalidParameterValue',
                400,
                `Query ${String(q.Id)}: the lab answers MetricStat queries only (no Expression).`,
              );
            }
            const id = metricId(stat.Metric);
            const points = store.statistics(id, {
              startMs,
              endMs,
              periodSeconds: Number(stat.Period),
              stat: parseStatistic(stat.Stat),
              ascending,
            });
            return {
              Id: q.Id,
              Label: (q.Label as string | undefined) ?? id.name,
              Timestamps: points.map((p) => p.timestamp),
              Values: points.map((p) => p.value),
              StatusCode: 'Complete',
            };
          });
        return { MetricDataResults: results, Messages: [] };
      }
      case 'GetMetricStatistics': {
        const { startMs, endMs } = timeRange(input);
        const id = metricId(input);
        const statistics = ((input.Statistics as string[] | undefined) ?? []).map(parseStatistic);
        const byTime = new Map<number, Record<string, unknown>>();
        for (const stat of statistics) {
          for (const p of store.statistics(id, {
            startMs,
            endMs,
            periodSeconds: Number(input.Period),
            stat,
            ascending: true,
          })) {
            const row = byTime.get(p.timestamp.getTime()) ?? {
              Timestamp: p.timestamp,
              Unit: id.name.endsWith('Lag') ? 'Milliseconds' : 'Count',
            };
            row[stat] = p.value;
            byTime.set(p.timestamp.getTime(), row);
          }
        }
        return { Label: id.name, Datapoints: [...byTime.values()] };
      }
      case 'ListMetrics': {
        // "If you specify one dimension name and a metric has that dimension and also other dimensions, it will be
        // returned"; a filter without Value matches any value (API_ListMetrics, DimensionFilter).
        const filters = (input.Dimensions as { Name?: string; Value?: string }[] | undefined) ?? [];
        return {
          Metrics: store
            .list()
            .filter((m) => !input.Namespace || m.namespace === input.Namespace)
            .filter((m) => !input.MetricName || m.name === input.MetricName)
            .filter((m) =>
              filters.every((f) =>
                m.dimensions.some((d) => d.Name === f.Name && (f.Value === undefined || d.Value === f.Value)),
              ),
            )
            .map((m) => ({ Namespace: m.namespace, MetricName: m.name, Dimensions: m.dimensions })),
        };
      }
      // https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html: in the region of
      // the call; a single-metric alarm (metric-math Metrics and anomaly bands are not served by the lab).
      case 'PutMetricAlarm': {
        const name = String(input.AlarmName ?? '');
        if (!name) throw new AwsError('MissingParameter', 400, 'The parameter AlarmName is required.');
        if (input.Metrics !== undefined)
          throw new AwsError(
            'InvalidParameterValue',
            400,
            'The lab serves single-metric alarms only (no Metrics).',
          );
        const comparison = input.ComparisonOperator as Comparison;
        if (!COMPARISONS.includes(comparison))
          throw new AwsError(
            'InvalidParameterValue',
            400,
            `The lab evaluates ComparisonOperator ${COMPARISONS.join(', ')}, not "${String(comparison)}".`,
          );
        this.alarms.put({
          name,
          region,
          description: String(input.AlarmDescription ?? ''),
          metric: metricId(input),
          statistic: parseStatistic(input.Statistic),
          periodSeconds: Number(input.Period),
          evaluationPeriods: Number(input.EvaluationPeriods),
          threshold: Number(input.Threshold),
          comparison,
        });
        this.ctx.mutated('PutMetricAlarm');
        return {};
      }
      // https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_DeleteAlarms.html: "If you specify an
      // incorrect alarm name or make any other error in the operation, no alarms are deleted."
      case 'DeleteAlarms': {
        const names = (input.AlarmNames as string[] | undefined) ?? [];
        const missing = names.filter((n) => !this.alarms.find(n, region));
        if (missing.length > 0)
          throw new AwsError(
            'ResourceNotFound',
            404,
            `Alarm(s) ${missing.join(', ')} do not exist in ${region}.`,
          );
        for (const n of names) this.alarms.delete(region, n);
        this.ctx.mutated('DeleteAlarms');
        return {};
      }
      default:
        throw new AwsError('InvalidAction', 400, `The lab's CloudWatch has no operation ${operation}.`);
    }
  }
}

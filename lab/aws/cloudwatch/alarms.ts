// The lab's CloudWatch alarms, evaluated from their region's metric store every sample; listeners hear every
// state change. An alarm exists in one region only: CloudWatch does not aggregate across Regions
// (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch_concepts.html#CloudWatchRegions).
import { aggregate, type MetricId, type MetricStore, type Statistic } from './metrics.ts';

export type AlarmState = 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';

export interface AlarmDefinition {
  name: string;
  region: string;
  description: string;
  metric: MetricId;
  statistic: Statistic;
  periodSeconds: number;
  evaluationPeriods: number;
  threshold: number;
  comparison: Comparison;
}

/** ComparisonOperator values of the cloudwatch model the lab evaluates (not the anomaly-band ones). */
export const COMPARISONS = [
  'GreaterThanThreshold',
  'GreaterThanOrEqualToThreshold',
  'LessThanThreshold',
  'LessThanOrEqualToThreshold',
] as const;
export type Comparison = (typeof COMPARISONS)[number];

function breaches(value: number, comparison: Comparison, threshold: number): boolean {
  switch (comparison) {
    case 'GreaterThanThreshold':
      return value > threshold;
    case 'GreaterThanOrEqualToThreshold':
      return value >= threshold;
    case 'LessThanThreshold':
      return value < threshold;
    case 'LessThanOrEqualToThreshold':
      return value <= threshold;
  }
}

export interface Alarm {
  definition: AlarmDefinition;
  arn: string;
  state: AlarmState;
  reason: string;
  updatedAt: Date;
}

export class Alarms {
  /** By `${region}|${name}`: the same name may exist in two regions as two alarms. */
  private readonly alarms = new Map<string, Alarm>();
  private readonly listeners = new Set<(alarm: Alarm) => void>();

  constructor(
    private readonly accountId: string,
    definitions: AlarmDefinition[],
  ) {
    for (const definition of definitions) this.put(definition);
  }

  /** PutMetricAlarm: creates the alarm, or replaces the definition of the one of that name in its region
   *  (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html: a new alarm
   *  starts in INSUFFICIENT_DATA; an update keeps its state until the next evaluation). */
  put(definition: AlarmDefinition): Alarm {
    const key = alarmKey(definition.region, definition.name);
    const existing = this.alarms.get(key);
    if (existing) {
      existing.definition = definition;
      return existing;
    }
    const alarm: Alarm = {
      definition,
      arn: `arn:aws:cloudwatch:${definition.region}:${this.accountId}:alarm:${definition.name}`,
      state: 'INSUFFICIENT_DATA',
      reason: 'Unchecked: Initial alarm creation',
      updatedAt: new Date(),
    };
    this.alarms.set(key, alarm);
    return alarm;
  }

  /** DeleteAlarms, in one region. */
  delete(region: string, name: string): boolean {
    return this.alarms.delete(alarmKey(region, name));
  }

  /** The alarms of one region (every region when none is given). */
  list(region?: string): Alarm[] {
    return [...this.alarms.values()].filter((a) => region === undefined || a.definition.region === region);
  }

  /** By ARN (arn:aws:cloudwatch:<region>:<account>:alarm:<name>: the ARN names its region), or by name in `region`. */
  find(nameOrArn: string, region?: string): Alarm | undefined {
    const arn = /^arn:aws[a-z-]*:cloudwatch:([a-z0-9-]+):\d*:alarm:(.+)$/.exec(nameOrArn);
    if (arn) return this.alarms.get(alarmKey(arn[1] as string, arn[2] as string));
    return region === undefined ? undefined : this.alarms.get(alarmKey(region, nameOrArn));
  }

  onChange(listener: (alarm: Alarm) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  set(alarm: Alarm, state: AlarmState, reason: string): void {
    if (alarm.state === state) return;
    alarm.state = state;
    alarm.reason = reason;
    alarm.updatedAt = new Date();
    for (const listener of this.listeners) listener(alarm);
  }

  /** Each alarm reads the metrics of its own region only. */
  evaluate(storeOf: (region: string) => MetricStore, now = Date.now()): void {
    for (const alarm of this.alarms.values()) {
      const d = alarm.definition;
      const values = storeOf(d.region).values(
        d.metric,
        now - d.periodSeconds * d.evaluationPeriods * 1000,
        now + 1,
      );
      if (values.length === 0) {
        this.set(
          alarm,
          'INSUFFICIENT_DATA',
          `Insufficient Data: no datapoints for ${d.metric.name} in the last ${d.periodSeconds * d.evaluationPeriods} s.`,
        );
        continue;
      }
      const value = aggregate(values, d.statistic);
      const breaching = breaches(value, d.comparison, d.threshold);
      const relation = d.comparison
        .replace(/Threshold$/, '')
        .replace(/([a-z])([A-Z])/g, '$1 $2')
        .toLowerCase();
      this.set(
        alarm,
        breaching ? 'ALARM' : 'OK',
        `Threshold Crossed: the ${d.statistic} [${value}] over ${d.periodSeconds * d.evaluationPeriods} s was ${breaching ? '' : 'not '}${relation} the threshold (${d.threshold}).`,
      );
    }
  }
}

function alarmKey(region: string, name: string): string {
  return `${region}|${name}`;
}

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
  comparison: 'GreaterThanThreshold' | 'LessThanThreshold';
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

  constructor(accountId: string, definitions: AlarmDefinition[]) {
    for (const definition of definitions) {
      this.alarms.set(alarmKey(definition.region, definition.name), {
        definition,
        arn: `arn:aws:cloudwatch:${definition.region}:${accountId}:alarm:${definition.name}`,
        state: 'INSUFFICIENT_DATA',
        reason: 'Unchecked: Initial alarm creation',
        updatedAt: new Date(),
      });
    }
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
      const breaching = d.comparison === 'GreaterThanThreshold' ? value > d.threshold : value < d.threshold;
      const relation = d.comparison === 'GreaterThanThreshold' ? 'greater than' : 'less than';
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

// The lab's CloudWatch alarms, evaluated from the metric store every sample; listeners hear every state change.
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
  private readonly alarms = new Map<string, Alarm>();
  private readonly listeners = new Set<(alarm: Alarm) => void>();

  constructor(accountId: string, definitions: AlarmDefinition[]) {
    for (const definition of definitions) {
      this.alarms.set(definition.name, {
        definition,
        arn: `arn:aws:cloudwatch:${definition.region}:${accountId}:alarm:${definition.name}`,
        state: 'INSUFFICIENT_DATA',
        reason: 'Unchecked: Initial alarm creation',
        updatedAt: new Date(),
      });
    }
  }

  list(): Alarm[] {
    return [...this.alarms.values()];
  }

  /** By name or ARN. */
  find(nameOrArn: string): Alarm | undefined {
    const name = nameOrArn.includes(':alarm:')
      ? nameOrArn.slice(nameOrArn.indexOf(':alarm:') + 7)
      : nameOrArn;
    return this.alarms.get(name);
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

  evaluate(store: MetricStore, now = Date.now()): void {
    for (const alarm of this.alarms.values()) {
      const d = alarm.definition;
      const values = store.values(d.metric, now - d.periodSeconds * d.evaluationPeriods * 1000, now + 1);
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

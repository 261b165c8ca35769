// A ring buffer of datapoints per metric, and the period statistics CloudWatch computes from them.
import { AwsError } from '../protocol/errors.ts';

export interface Dimension {
  Name: string;
  Value: string;
}

export interface MetricId {
  namespace: string;
  name: string;
  dimensions: Dimension[];
}

interface Point {
  t: number;
  v: number;
}

export const STATISTICS = ['Maximum', 'Minimum', 'Average', 'Sum', 'SampleCount'] as const;
export type Statistic = (typeof STATISTICS)[number];

function seriesKey(id: MetricId): string {
  const dims = [...id.dimensions]
    .sort((a, b) => (a.Name < b.Name ? -1 : 1))
    .map((d) => `${d.Name}=${d.Value}`);
  return `${id.namespace}|${id.name}|${dims.join(',')}`;
}

export function aggregate(values: number[], stat: Statistic): number {
  switch (stat) {
    case 'Maximum':
      return Math.max(...values);
    case 'Minimum':
      return Math.min(...values);
    case 'Sum':
      return values.reduce((a, b) => a + b, 0);
    case 'SampleCount':
      return values.length;
    case 'Average':
      return values.reduce((a, b) => a + b, 0) / values.length;
  }
}

export function parseStatistic(value: unknown): Statistic {
  if (STATISTICS.includes(value as Statistic)) return value as Statistic;
  throw new AwsError(
    'InvalidParameterValue',
    400,
    `The statistic "${String(value)}" is not supported by the lab: use one of ${STATISTICS.join(', ')}.`,
  );
}

export class MetricStore {
  private readonly series = new Map<string, { id: MetricId; points: Point[] }>();
  private readonly capacity: number;

  constructor(capacity = 7200) {
    this.capacity = capacity;
  }

  put(id: MetricId, value: number, at = Date.now()): void {
    const key = seriesKey(id);
    let series = this.series.get(key);
    if (!series) {
      series = { id, points: [] };
      this.series.set(key, series);
    }
    series.points.push({ t: at, v: value });
    if (series.points.length > this.capacity) series.points.shift();
  }

  /** Raw values with startMs <= t < endMs. */
  values(id: MetricId, startMs: number, endMs: number): number[] {
    const points = this.series.get(seriesKey(id))?.points ?? [];
    return points.filter((p) => p.t >= startMs && p.t < endMs).map((p) => p.v);
  }

  /** One datapoint per period bucket (aligned to the period), newest first unless ascending. */
  statistics(
    id: MetricId,
    opts: { startMs: number; endMs: number; periodSeconds: number; stat: Statistic; ascending?: boolean },
  ): { timestamp: Date; value: number }[] {
    if (!(opts.periodSeconds >= 1)) {
      throw new AwsError(
        'InvalidParameterValue',
        400,
        `The parameter Period must be at least 1 second, got ${opts.periodSeconds}.`,
      );
    }
    const periodMs = opts.periodSeconds * 1000;
    const buckets = new Map<number, number[]>();
    for (const p of this.series.get(seriesKey(id))?.points ?? []) {
      if (p.t < opts.startMs || p.t >= opts.endMs) continue;
      const bucket = Math.floor(p.t / periodMs) * periodMs;
      const list = buckets.get(bucket) ?? [];
      list.push(p.v);
      buckets.set(bucket, list);
    }
    const out = [...buckets.entries()].map(([t, values]) => ({
      timestamp: new Date(t),
      value: aggregate(values, opts.stat),
    }));
    out.sort((a, b) =>
      opts.ascending
        ? a.timestamp.getTime() - b.timestamp.getTime()
        : b.timestamp.getTime() - a.timestamp.getTime(),
    );
    return out;
  }

  list(): MetricId[] {
    return [...this.series.values()].map((s) => s.id);
  }
}

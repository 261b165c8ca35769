// CloudWatch: alarm states (and a waiter) and the latest datapoint of a metric, e.g. AuroraGlobalDBRPOLag.

import {
  type CloudWatchClient,
  DescribeAlarmsCommand,
  GetMetricDataCommand,
} from '@aws-sdk/client-cloudwatch';
import type { CallOptions } from '../abort.ts';
import { ClientError } from '../errors.ts';
import { pollUntil, type WaitOptions } from '../poll.ts';
import { AwsCaller } from './call.ts';
import type { AwsWrapperOptions } from './config.ts';

export type AlarmState = 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';

export interface AlarmInfo {
  name: string;
  state: string;
  reason: string;
  updatedAt: Date | undefined;
}

/** An alarm and the region it lives in: CloudWatch is regional, an alarm is found only where it was created. */
export interface AlarmLocation {
  name: string;
  region: string;
}

/** One alarm read where it lives: its state, absent from its region, or its region did not answer. */
export type RegionalAlarm = AlarmLocation &
  ({ status: 'found'; alarm: AlarmInfo } | { status: 'missing' } | { status: 'unreachable'; error: string });

/**
 * Reads each alarm in its own region: one DescribeAlarms per region, in parallel. A region that fails or does
 * not answer within `regionTimeoutMs` is reported unreachable and the other regions still count: during a
 * regional outage that region's CloudWatch is dark too, and the alarms elsewhere are what detects it.
 */
export async function describeAlarmsWhereTheyLive(
  cloudWatch: (region: string) => CloudWatch,
  alarms: AlarmLocation[],
  opts: { signal?: AbortSignal; regionTimeoutMs: number },
): Promise<RegionalAlarm[]> {
  const readRegion = async (region: string): Promise<RegionalAlarm[]> => {
    const wanted = alarms.filter((a) => a.region === region);
    const deadline = AbortSignal.timeout(opts.regionTimeoutMs);
    const signal = opts.signal ? AbortSignal.any([opts.signal, deadline]) : deadline;
    try {
      const found = await cloudWatch(region).describeAlarms(
        wanted.map((a) => a.name),
        { signal },
      );
      return wanted.map((a): RegionalAlarm => {
        const alarm = found.find((f) => f.name === a.name);
        return alarm ? { ...a, status: 'found', alarm } : { ...a, status: 'missing' };
      });
    } catch (error) {
      if (opts.signal?.aborted) throw error;
      const why = deadline.aborted ? `no answer within ${opts.regionTimeoutMs} ms` : (error as Error).message;
      return wanted.map((a): RegionalAlarm => ({ ...a, status: 'unreachable', error: why }));
    }
  };
  const read = (await Promise.all([...new Set(alarms.map((a) => a.region))].map(readRegion))).flat();
  return alarms.map((a) => read.find((r) => r.name === a.name && r.region === a.region) as RegionalAlarm);
}

/** How an alarm reads in a progress line, e.g. "luneo-prod-alb-5xx (eu-west-1) OK". */
export function describeRegionalAlarm(a: RegionalAlarm): string {
  const state =
    a.status === 'found' ? a.alarm.state : a.status === 'missing' ? 'MISSING' : `UNREACHABLE (${a.error})`;
  return `${a.name} (${a.region}) ${state}`;
}

export interface MetricQuery {
  namespace: string;
  metricName: string;
  dimensions: Record<string, string>;
  /** Default "Maximum". */
  stat?: string;
  /** Seconds; default 60. */
  periodSec?: number;
  /** How far back to look for a datapoint; default 15 minutes. */
  lookbackMs?: number;
  /** End of the window; default now. */
  now?: Date;
}

/** The metric AWS says to gate Aurora PostgreSQL global failover on (ms, published for the secondary cluster). */
export function rpoLagQuery(secondaryClusterId: string): MetricQuery {
  return {
    namespace: 'AWS/RDS',
    metricName: 'AuroraGlobalDBRPOLag',
    dimensions: { DBClusterIdentifier: secondaryClusterId },
    stat: 'Maximum',
    periodSec: 60,
  };
}

export class CloudWatch {
  readonly caller: AwsCaller;
  constructor(
    readonly client: CloudWatchClient,
    readonly region: string,
    opts: AwsWrapperOptions = {},
  ) {
    this.caller = new AwsCaller('cloudwatch', region, opts.audit, opts.retry);
  }

  /** Metric and composite alarms by name, following pagination. */
  async describeAlarms(names: string[], opts: CallOptions = {}): Promise<AlarmInfo[]> {
    const alarms: AlarmInfo[] = [];
    let nextToken: string | undefined;
    do {
      const page = await this.caller.send(
        'DescribeAlarms',
        { kind: 'alarm', id: names.join(', ') },
        (abortSignal) =>
          this.client.send(
            new DescribeAlarmsCommand({
              AlarmNames: names,
              AlarmTypes: ['MetricAlarm', 'CompositeAlarm'],
              ...(nextToken ? { NextToken: nextToken } : {}),
            }),
            { abortSignal },
          ),
        opts,
      );
      for (const a of [...(page.MetricAlarms ?? []), ...(page.CompositeAlarms ?? [])]) {
        alarms.push({
          name: a.AlarmName ?? '',
          state: a.StateValue ?? 'INSUFFICIENT_DATA',
          reason: a.StateReason ?? '',
          updatedAt: a.StateUpdatedTimestamp,
        });
      }
      nextToken = page.NextToken;
    } while (nextToken);
    return alarms;
  }

  waitForAlarmState(name: string, state: AlarmState, wait: WaitOptions = {}): Promise<AlarmInfo> {
    return pollUntil({
      site: this.caller.site('DescribeAlarms'),
      what: `alarm "${name}" to be ${state}`,
      timeoutMs: wait.timeoutMs ?? 300_000,
      intervalMs: wait.intervalMs ?? 5_000,
      ...(wait.maxIntervalMs ? { maxIntervalMs: wait.maxIntervalMs } : {}),
      ...(wait.signal ? { signal: wait.signal } : {}),
      check: async () => {
        const [alarm] = await this.describeAlarms([name], { signal: wait.signal });
        if (!alarm) {
          throw new ClientError({
            code: 'E_NOT_FOUND',
            message: `alarm "${name}" not found in ${this.region}`,
            ...this.caller.site('DescribeAlarms'),
          });
        }
        return alarm.state === state
          ? { done: true, value: alarm }
          : { done: false, seen: `${alarm.state}${alarm.reason ? ` (${alarm.reason})` : ''}` };
      },
    });
  }

  /** The newest datapoint in the look-back window, or null when the metric has none (e.g. it went stale). */
  async getLatestMetric(
    query: MetricQuery,
    opts: CallOptions = {},
  ): Promise<{ value: number; at: Date } | null> {
    const end = query.now ?? new Date();
    const start = new Date(end.getTime() - (query.lookbackMs ?? 15 * 60_000));
    const out = await this.caller.send(
      'GetMetricData',
      { kind: 'metric', id: `${query.namespace}/${query.metricName}` },
      (abortSignal) =>
        this.client.send(
          new GetMetricDataCommand({
            MetricDataQueries: [
              {
                Id: 'latest',
                MetricStat: {
                  Metric: {
                    Namespace: query.namespace,
                    MetricName: query.metricName,
                    Dimensions: Object.entries(query.dimensions).map(([Name, Value]) => ({ Name, Value })),
                  },
                  Period: query.periodSec ?? 60,
                  Stat: query.stat ?? 'Maximum',
                },
                ReturnData: true,
              },
            ],
            StartTime: start,
            EndTime: end,
            ScanBy: 'TimestampDescending',
          }),
          { abortSignal },
        ),
      opts,
    );
    const result = out.MetricDataResults?.find((r) => r.Id === 'latest');
    const stamps = result?.Timestamps ?? [];
    const values = result?.Values ?? [];
    let best: { value: number; at: Date } | null = null;
    stamps.forEach((at, i) => {
      const value = values[i];
      if (value !== undefined && (!best || at.getTime() > best.at.getTime())) best = { value, at };
    });
    return best;
  }
}

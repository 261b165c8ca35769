// Readiness: each alarm the drill waits for (resources.alarms) or aborts on (safety.abortAlarms) exists in the
// region the target says, watches the metric the drill expects, and that metric has recent datapoints; the
// replication lag metric is published with the dimensions the drill reads (rpoLagQuery). CloudWatch is regional:
// an alarm created in another region is not found where the target looks
// (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch_concepts.html#CloudWatchRegions).
import { DescribeAlarmsCommand, ListMetricsCommand, type MetricAlarm } from '@aws-sdk/client-cloudwatch';
import { type CloudWatch, rpoLagQuery } from '../../../clients/aws/cloudwatch.ts';
import type { ReadinessCheck, ReadinessResult } from '../../../core/preflight/types.ts';
import { fail, pass, read, readFailure } from '../../../targets/safety/readiness-result.ts';
import type { LuneoRun } from '../context.ts';
import { luneo } from '../context.ts';
import { targetFileOf } from './readiness-resources.ts';

/** The metric an alarm must watch: namespace, name, and the dimension values the drill knows. */
interface ExpectedMetric {
  namespace: string;
  metricName: string;
  dimensions: Record<string, string>;
}

interface AlarmToCheck {
  name: string;
  region: string;
  field: string;
  expected?: (signal: AbortSignal) => Promise<ExpectedMetric>;
}

/** How far back a datapoint counts as recent. */
const RECENT_MS = 15 * 60_000;

// Elastic Load Balancing reports a load balancer's metrics only while requests flow through it, and a count of
// errors only when there are some: a quiet HTTPCode_ELB_5XX_Count is healthy, so its RequestCount is what must
// have datapoints (https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-cloudwatch-metrics.html).
const REPORTED_ONLY_WHEN_NONZERO = /^HTTPCode_/;

function alarmsOf(ctx: LuneoRun): AlarmToCheck[] {
  const r = ctx.target.resources;
  const a = r.alarms;
  const list: AlarmToCheck[] = [
    {
      ...a.replicationLag,
      field: 'resources.alarms.replicationLag',
      expected: async () => ({
        namespace: 'AWS/RDS',
        metricName: 'AuroraGlobalDBRPOLag',
        dimensions: { DBClusterIdentifier: r.secondary.clusterId },
      }),
    },
    {
      ...a.alb5xx,
      field: 'resources.alarms.alb5xx',
      expected: async () => ({
        namespace: 'AWS/ApplicationELB',
        metricName: 'HTTPCode_ELB_5XX_Count',
        dimensions: {},
      }),
    },
    {
      ...a.route53HealthCheck,
      field: 'resources.alarms.route53HealthCheck',
      expected: async () => ({
        namespace: 'AWS/Route53',
        metricName: 'HealthCheckStatus',
        dimensions: { HealthCheckId: await (await luneo(ctx)).primaryHealthCheckId() },
      }),
    },
  ];
  const s3 = r.s3;
  if (a.s3ReplicationLatency && s3)
    list.push({
      ...a.s3ReplicationLatency,
      field: 'resources.alarms.s3ReplicationLatency',
      expected: async () => ({
        namespace: 'AWS/S3',
        metricName: 'ReplicationLatency',
        dimensions: { SourceBucket: s3.primaryBucket, DestinationBucket: s3.drBucket },
      }),
    });
  for (const [i, abort] of (ctx.target.safety?.abortAlarms ?? []).entries())
    list.push({ ...abort, field: `safety.abortAlarms[${i}]` });
  return list;
}

async function describeAlarm(
  cw: CloudWatch,
  name: string,
  signal: AbortSignal,
): Promise<MetricAlarm | undefined> {
  const out = await cw.caller.send(
    'DescribeAlarms',
    { kind: 'alarm', id: name },
    (abortSignal) => cw.client.send(new DescribeAlarmsCommand({ AlarmNames: [name] }), { abortSignal }),
    { signal },
  );
  return out.MetricAlarms?.find((m) => m.AlarmName === name);
}

/** The alarm's own metric (a single-metric alarm, or the first MetricStat of a metric-math alarm). */
function watched(alarm: MetricAlarm) {
  const stat = alarm.Metrics?.find((m) => m.MetricStat)?.MetricStat;
  const metric = stat?.Metric ?? {
    Namespace: alarm.Namespace,
    MetricName: alarm.MetricName,
    Dimensions: alarm.Dimensions,
  };
  return {
    namespace: metric.Namespace ?? '',
    metricName: metric.MetricName ?? '',
    dimensions: Object.fromEntries((metric.Dimensions ?? []).map((d) => [d.Name ?? '', d.Value ?? ''])),
    stat: stat?.Stat ?? alarm.Statistic ?? alarm.ExtendedStatistic ?? 'Maximum',
    periodSec: stat?.Period ?? alarm.Period ?? 60,
  };
}

const describe = (m: { namespace: string; metricName: string; dimensions: Record<string, string> }) =>
  `${m.namespace} ${m.metricName}${
    Object.keys(m.dimensions).length
      ? ` {${Object.entries(m.dimensions)
          .map(([k, v]) => `${k}=${v}`)
          .join(', ')}}`
      : ''
  }`;

async function checkAlarm(ctx: LuneoRun, alarm: AlarmToCheck, signal: AbortSignal): Promise<ReadinessResult> {
  const name = `alarm ${alarm.name}`;
  const file = targetFileOf(ctx);
  const l = await luneo(ctx);
  let found: MetricAlarm | undefined;
  try {
    found = await describeAlarm(l.aws.cloudWatch(alarm.region), alarm.name, signal);
  } catch (error) {
    return readFailure(name, error, '', 'cloudwatch:DescribeAlarms');
  }
  if (!found) {
    const elsewhere: string[] = [];
    for (const region of ctx.target.aws.regions.filter((x) => x !== alarm.region)) {
      const there = await describeAlarm(l.aws.cloudWatch(region), alarm.name, signal).catch(() => undefined);
      if (there) elsewhere.push(region);
    }
    return elsewhere.length > 0
      ? fail(
          name,
          `does not exist in ${alarm.region} (${alarm.field}.region) but in ${elsewhere.join(', ')}: CloudWatch is regional, and the drill looks in ${alarm.region}`,
          `create the alarm in the region its metric is published in (aws cloudwatch put-metric-alarm --region <region> --alarm-name ${alarm.name} ...), or set ${alarm.field}.region in ${file} to where its metric lives`,
        )
      : fail(
          name,
          `does not exist in ${alarm.region} (nor in ${ctx.target.aws.regions.filter((x) => x !== alarm.region).join(', ') || 'any other target region'})`,
          `create it (aws cloudwatch put-metric-alarm --region ${alarm.region} --alarm-name ${alarm.name} ...), or fix ${alarm.field}.name in ${file}`,
        );
  }
  const metric = watched(found);
  if (alarm.expected) {
    let expected: ExpectedMetric;
    try {
      expected = await alarm.expected(signal);
    } catch (error) {
      return readFailure(name, error, 'fix the record health check', 'route53:ListResourceRecordSets');
    }
    const wrong =
      metric.namespace !== expected.namespace ||
      metric.metricName !== expected.metricName ||
      Object.entries(expected.dimensions).some(([k, v]) => metric.dimensions[k] !== v);
    if (wrong)
      return fail(
        name,
        `watches ${describe(metric)}, the drill expects ${describe(expected)}`,
        `point the alarm at ${describe(expected)} (aws cloudwatch put-metric-alarm --region ${alarm.region} --alarm-name ${alarm.name} ...)`,
      );
  }
  const probe = REPORTED_ONLY_WHEN_NONZERO.test(metric.metricName)
    ? { ...metric, metricName: 'RequestCount', stat: 'Sum' }
    : metric;
  try {
    const latest = await l.aws.cloudWatch(alarm.region).getLatestMetric(
      {
        namespace: probe.namespace,
        metricName: probe.metricName,
        dimensions: probe.dimensions,
        stat: probe.stat,
        periodSec: probe.periodSec,
        lookbackMs: RECENT_MS,
      },
      { signal },
    );
    if (!latest)
      return fail(
        name,
        `${describe(probe)} has no datapoint in ${alarm.region} in the last ${RECENT_MS / 60_000} min: the alarm cannot fire (it stays INSUFFICIENT_DATA)`,
        "check that the resource publishes the metric with these dimensions in this region, or fix the alarm's dimensions",
      );
    return pass(
      name,
      `in ${alarm.region}, ${found.StateValue}, watches ${describe(metric)}; last datapoint ${latest.at.toISOString()}`,
    );
  } catch (error) {
    return readFailure(name, error, '', 'cloudwatch:GetMetricData');
  }
}

export function alarmChecks(ctx: LuneoRun): ReadinessCheck[] {
  const regions = ctx.target.aws.regions;
  const r = ctx.target.resources;
  return [
    {
      name: 'alarms',
      calls: [
        ...regions.flatMap((region) => [
          read('cloudwatch', 'DescribeAlarms', region),
          read('cloudwatch', 'GetMetricData', region),
        ]),
        read('route53', 'ListResourceRecordSets', 'global'),
      ],
      run: (signal) => Promise.all(alarmsOf(ctx).map((alarm) => checkAlarm(ctx, alarm, signal))),
    },
    {
      name: 'replication-lag-metric',
      calls: [
        read('cloudwatch', 'ListMetrics', r.secondary.region),
        read('cloudwatch', 'GetMetricData', r.secondary.region),
      ],
      async run(signal) {
        const query = rpoLagQuery(r.secondary.clusterId);
        const name = `metric ${query.namespace} ${query.metricName} in ${r.secondary.region}`;
        const l = await luneo(ctx);
        const cw = l.aws.cloudWatch(r.secondary.region);
        const wanted = Object.entries(query.dimensions).map(([Name, Value]) => ({ Name, Value }));
        try {
          const out = await cw.caller.send(
            'ListMetrics',
            { kind: 'metric', id: `${query.namespace}/${query.metricName}` },
            (abortSignal) =>
              cw.client.send(
                new ListMetricsCommand({
                  Namespace: query.namespace,
                  MetricName: query.metricName,
                  Dimensions: wanted,
                }),
                { abortSignal },
              ),
            { signal },
          );
          const exact = (out.Metrics ?? []).find(
            (m) =>
              (m.Dimensions ?? []).length === wanted.length &&
              wanted.every((w) => m.Dimensions?.some((d) => d.Name === w.Name && d.Value === w.Value)),
          );
          if (!exact)
            return [
              fail(
                name,
                `not published with ${wanted.map((w) => `${w.Name}=${w.Value}`).join(', ')}, the dimensions the drill reads`,
                `check secondary.clusterId and secondary.region in ${targetFileOf(ctx)}: Aurora publishes it for the secondary cluster, in its region`,
              ),
            ];
          const latest = await cw.getLatestMetric(query, { signal });
          if (!latest)
            return [
              fail(
                name,
                'published, but no datapoint in the last 15 min',
                'check that the global database replicates (aws rds describe-global-clusters)',
              ),
            ];
          return [
            pass(
              name,
              `published with ${wanted.map((w) => `${w.Name}=${w.Value}`).join(', ')}; latest ${latest.value} ms at ${latest.at.toISOString()}`,
            ),
          ];
        } catch (error) {
          return [readFailure(name, error, '', 'cloudwatch:ListMetrics and cloudwatch:GetMetricData')];
        }
      },
    },
  ];
}

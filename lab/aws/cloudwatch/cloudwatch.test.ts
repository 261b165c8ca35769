import {
  CloudWatchClient,
  DescribeAlarmsCommand,
  GetMetricDataCommand,
  GetMetricStatisticsCommand,
  ListMetricsCommand,
  SetAlarmStateCommand,
} from '@aws-sdk/client-cloudwatch';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type Harness, startHarness } from '../testing/harness.ts';

let h: Harness;
let cw: CloudWatchClient;
beforeEach(async () => {
  h = await startHarness();
  cw = new CloudWatchClient(h.client('us-east-1'));
});
afterEach(async () => {
  cw.destroy();
  await h.close();
});

const LAG = {
  Namespace: 'AWS/RDS',
  MetricName: 'AuroraGlobalDBRPOLag',
  Dimensions: [{ Name: 'DBClusterIdentifier', Value: 'luneo-prod-aurora-secondary' }],
};

async function alarmState(name: string, region = 'us-east-1'): Promise<string | undefined> {
  const client = region === 'us-east-1' ? cw : new CloudWatchClient(h.client(region));
  try {
    const { MetricAlarms } = await client.send(new DescribeAlarmsCommand({ AlarmNames: [name] }));
    return MetricAlarms?.[0]?.StateValue;
  } finally {
    if (client !== cw) client.destroy();
  }
}

describe('CloudWatch', () => {
  it('serves AuroraGlobalDBRPOLag sampled from the backend through GetMetricData and GetMetricStatistics', async () => {
    h.backend.lagMs = 412;
    const StartTime = new Date(Date.now() - 60_000);
    const query = () =>
      cw.send(
        new GetMetricDataCommand({
          StartTime,
          EndTime: new Date(Date.now() + 60_000),
          MetricDataQueries: [
            { Id: 'rpolag', MetricStat: { Metric: LAG, Period: 60, Stat: 'Maximum' }, ReturnData: true },
          ],
        }),
      );
    await vi.waitFor(async () => expect((await query()).MetricDataResults?.[0]?.Values?.[0]).toBe(412), {
      interval: 20,
    });
    const [result] = (await query()).MetricDataResults ?? [];
    expect(result).toMatchObject({ Id: 'rpolag', Label: 'AuroraGlobalDBRPOLag', StatusCode: 'Complete' });
    expect(result?.Timestamps?.[0]).toBeInstanceOf(Date);
    const stats = await cw.send(
      new GetMetricStatisticsCommand({
        ...LAG,
        StartTime,
        EndTime: new Date(Date.now() + 60_000),
        Period: 60,
        Statistics: ['Maximum', 'SampleCount'],
      }),
    );
    expect(stats.Datapoints?.[0]?.Maximum).toBe(412);
    expect(stats.Datapoints?.[0]?.Unit).toBe('Milliseconds');
  });

  it('keeps alarms and metrics per region: each call sees only the region it was signed for', async () => {
    const names = (alarms: { AlarmName?: string }[] | undefined) => alarms?.map((a) => a.AlarmName);
    const euw1 = new CloudWatchClient(h.client('eu-west-1'));
    try {
      // Route 53 health-check metrics and their alarms exist in us-east-1 only; the RPO lag alarm lives where
      // the secondary cluster publishes AuroraGlobalDBRPOLag; the ALB alarm lives in the ALB's region.
      const inUse1 = await cw.send(new DescribeAlarmsCommand({ AlarmNamePrefix: 'luneo-prod-' }));
      expect(inUse1.MetricAlarms?.map((a) => [a.AlarmName, a.AlarmArn, a.Threshold])).toEqual([
        [
          'luneo-prod-aurora-replication-lag',
          'arn:aws:cloudwatch:us-east-1:111122223333:alarm:luneo-prod-aurora-replication-lag',
          60000,
        ],
        [
          'luneo-prod-route53-healthcheck',
          'arn:aws:cloudwatch:us-east-1:111122223333:alarm:luneo-prod-route53-healthcheck',
          1,
        ],
      ]);
      const inEuw1 = await euw1.send(
        new DescribeAlarmsCommand({
          AlarmNames: [
            'luneo-prod-aurora-replication-lag',
            'luneo-prod-alb-5xx',
            'luneo-prod-route53-healthcheck',
          ],
        }),
      );
      expect(names(inEuw1.MetricAlarms)).toEqual(['luneo-prod-alb-5xx']);
      expect(inEuw1.MetricAlarms?.[0]?.AlarmArn).toBe(
        'arn:aws:cloudwatch:eu-west-1:111122223333:alarm:luneo-prod-alb-5xx',
      );
      // Metrics too: the lag is listed in us-east-1 only, the health-check status too.
      await vi.waitFor(
        async () => {
          const use1 = await cw.send(new ListMetricsCommand({ MetricName: 'AuroraGlobalDBRPOLag' }));
          expect(use1.Metrics).toHaveLength(1);
        },
        { interval: 20 },
      );
      const lagInEuw1 = await euw1.send(new ListMetricsCommand({ MetricName: 'AuroraGlobalDBRPOLag' }));
      expect(lagInEuw1.Metrics).toEqual([]);
      const healthInEuw1 = await euw1.send(new ListMetricsCommand({ Namespace: 'AWS/Route53' }));
      expect(healthInEuw1.Metrics).toEqual([]);
      const albInUse1 = await cw.send(
        new ListMetricsCommand({ Namespace: 'AWS/ApplicationELB', MetricName: 'HTTPCode_ELB_5XX_Count' }),
      );
      expect(albInUse1.Metrics?.map((m) => m.Dimensions?.[0]?.Value)).toEqual([
        'app/luneo-prod-alb-us-east-1/0000000000000000',
      ]);
      // SetAlarmState by name finds the alarm in the signing region only.
      await expect(
        euw1.send(
          new SetAlarmStateCommand({
            AlarmName: 'luneo-prod-route53-healthcheck',
            StateValue: 'ALARM',
            StateReason: 'test',
          }),
        ),
      ).rejects.toMatchObject({ name: 'ResourceNotFound' });
    } finally {
      euw1.destroy();
    }
  });

  it('evaluates alarms from lab metrics: replication lag, ALB 5xx, primary health check', async () => {
    await vi.waitFor(async () => expect(await alarmState('luneo-prod-aurora-replication-lag')).toBe('OK'), {
      interval: 20,
    });
    h.backend.lagMs = 75_000;
    await vi.waitFor(
      async () => expect(await alarmState('luneo-prod-aurora-replication-lag')).toBe('ALARM'),
      { interval: 20 },
    );

    expect(await alarmState('luneo-prod-alb-5xx', 'eu-west-1')).toBe('OK');
    h.backend.lb['eu-west-1'] = { requests: 10, errors5xx: 6 };
    await vi.waitFor(async () => expect(await alarmState('luneo-prod-alb-5xx', 'eu-west-1')).toBe('ALARM'), {
      interval: 20,
    });

    expect(await alarmState('luneo-prod-route53-healthcheck')).toBe('OK');
    h.primaryHealth.status = 503;
    await vi.waitFor(async () => expect(await alarmState('luneo-prod-route53-healthcheck')).toBe('ALARM'), {
      interval: 20,
    });
  });

  it('speaks the Query protocol too, and answers unknown JSON operations with the query-compatible error', async () => {
    // Unsigned: answered as us-east-1, where the Route 53 health-check alarm lives.
    const body =
      'Action=DescribeAlarms&Version=2010-08-01&AlarmNames.member.1=luneo-prod-route53-healthcheck';
    const res = await fetch(h.server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body,
    });
    const xml = await res.text();
    expect(res.status).toBe(200);
    expect(xml).toContain(
      '<DescribeAlarmsResponse xmlns="http://monitoring.amazonaws.com/doc/2010-08-01/"><DescribeAlarmsResult><MetricAlarms><member><AlarmName>luneo-prod-route53-healthcheck</AlarmName>',
    );
    const unknown = await fetch(h.server.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.0',
        'x-amz-target': 'GraniteServiceVersion20100801.PutDashboard',
      },
      body: '{}',
    });
    expect(unknown.status).toBe(400);
    expect(unknown.headers.get('x-amzn-query-error')).toBe('InvalidAction;Sender');
    expect(await unknown.json()).toMatchObject({ __type: 'com.amazonaws.cloudwatch#InvalidAction' });
  });
});

import {
  CloudWatchClient,
  DescribeAlarmsCommand,
  GetMetricDataCommand,
  GetMetricStatisticsCommand,
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

async function alarmState(name: string): Promise<string | undefined> {
  const { MetricAlarms } = await cw.send(new DescribeAlarmsCommand({ AlarmNames: [name] }));
  return MetricAlarms?.[0]?.StateValue;
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

  it('lists the three lab alarms by prefix', async () => {
    const { MetricAlarms } = await cw.send(new DescribeAlarmsCommand({ AlarmNamePrefix: 'luneo-prod-' }));
    expect(MetricAlarms?.map((a) => [a.AlarmName, a.AlarmArn, a.Threshold])).toEqual([
      [
        'luneo-prod-aurora-replication-lag',
        'arn:aws:cloudwatch:us-east-1:111122223333:alarm:luneo-prod-aurora-replication-lag',
        60000,
      ],
      ['luneo-prod-alb-5xx', 'arn:aws:cloudwatch:eu-west-1:111122223333:alarm:luneo-prod-alb-5xx', 5],
      [
        'luneo-prod-route53-healthcheck',
        'arn:aws:cloudwatch:us-east-1:111122223333:alarm:luneo-prod-route53-healthcheck',
        1,
      ],
    ]);
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

    expect(await alarmState('luneo-prod-alb-5xx')).toBe('OK');
    h.backend.lb['eu-west-1'] = { requests: 10, errors5xx: 6 };
    await vi.waitFor(async () => expect(await alarmState('luneo-prod-alb-5xx')).toBe('ALARM'), {
      interval: 20,
    });

    expect(await alarmState('luneo-prod-route53-healthcheck')).toBe('OK');
    h.primaryHealth.status = 503;
    await vi.waitFor(async () => expect(await alarmState('luneo-prod-route53-healthcheck')).toBe('ALARM'), {
      interval: 20,
    });
  });

  it('speaks the Query protocol too, and answers unknown JSON operations with the query-compatible error', async () => {
    const body = 'Action=DescribeAlarms&Version=2010-08-01&AlarmNames.member.1=luneo-prod-alb-5xx';
    const res = await fetch(h.server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body,
    });
    const xml = await res.text();
    expect(res.status).toBe(200);
    expect(xml).toContain(
      '<DescribeAlarmsResponse xmlns="http://monitoring.amazonaws.com/doc/2010-08-01/"><DescribeAlarmsResult><MetricAlarms><member><AlarmName>luneo-prod-alb-5xx</AlarmName>',
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

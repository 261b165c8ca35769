import { CloudWatchClient, DescribeAlarmsCommand, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { beforeEach, describe, expect, it } from 'vitest';
import { awsError, FAST_RETRY, mockClientInSuite } from '../testing.ts';
import { CloudWatch, rpoLagQuery } from './cloudwatch.ts';
import { Sts } from './sts.ts';

const cwMock = mockClientInSuite(CloudWatchClient);
const stsMock = mockClientInSuite(STSClient);
let cw: CloudWatch;

beforeEach(() => {
  cwMock.reset();
  stsMock.reset();
  cw = new CloudWatch(new CloudWatchClient({ region: 'us-east-1' }), 'us-east-1', { retry: FAST_RETRY });
});

const alarm = (state: string) => ({
  MetricAlarms: [
    {
      AlarmName: 'luneo-dr-abort',
      StateValue: state as never,
      StateReason: 'Threshold Crossed',
      StateUpdatedTimestamp: new Date(1_763_632_000_000),
    },
  ],
  CompositeAlarms: [],
});

describe('describeAlarms', () => {
  it('maps name, state, reason and update time', async () => {
    cwMock.on(DescribeAlarmsCommand).resolves(alarm('OK'));
    expect(await cw.describeAlarms(['luneo-dr-abort'])).toEqual([
      {
        name: 'luneo-dr-abort',
        state: 'OK',
        reason: 'Threshold Crossed',
        updatedAt: new Date(1_763_632_000_000),
      },
    ]);
    expect(cwMock.commandCalls(DescribeAlarmsCommand)[0]!.args[0].input).toEqual({
      AlarmNames: ['luneo-dr-abort'],
      AlarmTypes: ['MetricAlarm', 'CompositeAlarm'],
    });
  });

  it('retries TooManyRequests (429)', async () => {
    cwMock
      .on(DescribeAlarmsCommand)
      .rejectsOnce(awsError('TooManyRequestsException', 429))
      .resolves(alarm('OK'));
    expect(await cw.describeAlarms(['luneo-dr-abort'])).toHaveLength(1);
    expect(cwMock.commandCalls(DescribeAlarmsCommand)).toHaveLength(2);
  });
});

describe('waitForAlarmState', () => {
  it('polls until the alarm reaches the state', async () => {
    cwMock.on(DescribeAlarmsCommand).resolvesOnce(alarm('OK')).resolves(alarm('ALARM'));
    expect((await cw.waitForAlarmState('luneo-dr-abort', 'ALARM', { intervalMs: 1 })).state).toBe('ALARM');
  });

  it('fails at once for an unknown alarm', async () => {
    cwMock.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [], CompositeAlarms: [] });
    await expect(cw.waitForAlarmState('ghost', 'OK', { intervalMs: 1 })).rejects.toThrow(
      'alarm "ghost" not found in us-east-1',
    );
    expect(cwMock.commandCalls(DescribeAlarmsCommand)).toHaveLength(1);
  });

  it('says what it last saw on timeout', async () => {
    cwMock.on(DescribeAlarmsCommand).resolves(alarm('OK'));
    await expect(cw.waitForAlarmState('luneo-dr-abort', 'ALARM', { timeoutMs: 0 })).rejects.toThrow(
      'timed out after 0ms waiting for alarm "luneo-dr-abort" to be ALARM; last seen: OK (Threshold Crossed) (raise timeoutMs to wait longer)',
    );
  });
});

describe('getLatestMetric', () => {
  const now = new Date('2026-11-20T10:00:00Z');

  it('asks for AuroraGlobalDBRPOLag Maximum/60 on the secondary and returns the newest datapoint', async () => {
    cwMock.on(GetMetricDataCommand).resolves({
      MetricDataResults: [
        {
          Id: 'latest',
          Timestamps: [new Date('2026-11-20T09:58:00Z'), new Date('2026-11-20T09:59:00Z')],
          Values: [900, 412],
          StatusCode: 'Complete',
        },
      ],
    });
    expect(await cw.getLatestMetric({ ...rpoLagQuery('luneo-prod-aurora-secondary'), now })).toEqual({
      value: 412,
      at: new Date('2026-11-20T09:59:00Z'),
    });
    expect(cwMock.commandCalls(GetMetricDataCommand)[0]!.args[0].input).toEqual({
      MetricDataQueries: [
        {
          Id: 'latest',
          MetricStat: {
            Metric: {
              Namespace: 'AWS/RDS',
              MetricName: 'AuroraGlobalDBRPOLag',
              Dimensions: [{ Name: 'DBClusterIdentifier', Value: 'luneo-prod-aurora-secondary' }],
            },
            Period: 60,
            Stat: 'Maximum',
          },
          ReturnData: true,
        },
      ],
      StartTime: new Date('2026-11-20T09:45:00Z'),
      EndTime: now,
      ScanBy: 'TimestampDescending',
    });
  });

  it('returns null when the metric has no datapoint (stale)', async () => {
    cwMock
      .on(GetMetricDataCommand)
      .resolves({ MetricDataResults: [{ Id: 'latest', Timestamps: [], Values: [] }] });
    expect(await cw.getLatestMetric(rpoLagQuery('x'))).toBeNull();
  });
});

describe('sts getCallerIdentity', () => {
  it('returns account, arn and user id', async () => {
    stsMock
      .on(GetCallerIdentityCommand)
      .resolves({ Account: '111122223333', Arn: 'arn:aws:iam::111122223333:user/drill', UserId: 'AIDA' });
    const sts = new Sts(new STSClient({ region: 'eu-west-1' }), 'eu-west-1', { retry: FAST_RETRY });
    expect(await sts.getCallerIdentity()).toEqual({
      account: '111122223333',
      arn: 'arn:aws:iam::111122223333:user/drill',
      userId: 'AIDA',
    });
  });

  it('maps expired credentials to E_ACCESS_DENIED without retrying', async () => {
    stsMock
      .on(GetCallerIdentityCommand)
      .rejects(
        awsError('ExpiredTokenException', 400, 'The security token included in the request is expired'),
      );
    const sts = new Sts(new STSClient({ region: 'eu-west-1' }), 'eu-west-1', { retry: FAST_RETRY });
    await expect(sts.getCallerIdentity()).rejects.toMatchObject({
      code: 'E_ACCESS_DENIED',
      retryable: false,
    });
    expect(stsMock.commandCalls(GetCallerIdentityCommand)).toHaveLength(1);
  });
});

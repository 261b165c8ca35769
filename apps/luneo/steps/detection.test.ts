// §4 detection and the alarms-ok probe against the lab's AWS endpoint, whose CloudWatch is regional as AWS's:
// each alarm is read where it lives, and a dark region does not keep the others from detecting the outage.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AwsClients } from '../../../clients/aws/clients.ts';
import { type Harness, startHarness } from '../../../lab/aws/testing/harness.ts';
import { testRun, useConnection } from '../testing.ts';
import { alarmsOk, detectOutage } from './detection.ts';

let h: Harness;
let aws: AwsClients;
beforeEach(async () => {
  h = await startHarness();
  aws = new AwsClients({ ...h.client('eu-west-1'), maxAttempts: 1, requestTimeoutMs: 10_000 });
});
afterEach(async () => {
  aws.destroy();
  await h.close();
});

/** A run on the lab target's resource names, connected to this test's endpoint. */
function run() {
  return useConnection(testRun({}, { t0: 0 }), { aws });
}

describe('alarms-ok', () => {
  it('finds every runbook alarm in its own region and passes once all are OK', async () => {
    const ctx = run();
    const outcome = await alarmsOk().check(ctx, { signal: ctx.signal });
    expect(outcome).toEqual({
      ok: true,
      detail:
        'luneo-prod-aurora-replication-lag (us-east-1), luneo-prod-alb-5xx (eu-west-1), luneo-prod-route53-healthcheck (us-east-1): OK',
    });
    // One DescribeAlarms per region, each naming only the alarms that live there.
    expect(alarmsOk().plan?.(ctx)).toEqual([
      {
        service: 'cloudwatch',
        operation: 'DescribeAlarms',
        scope: 'us-east-1',
        params: { AlarmNames: ['luneo-prod-aurora-replication-lag', 'luneo-prod-route53-healthcheck'] },
        mutating: false,
      },
      {
        service: 'cloudwatch',
        operation: 'DescribeAlarms',
        scope: 'eu-west-1',
        params: { AlarmNames: ['luneo-prod-alb-5xx'] },
        mutating: false,
      },
    ]);
  });
});

describe('detection', () => {
  it('sees the Route 53 health-check alarm, which lives in us-east-1 only', async () => {
    const ctx = run();
    h.primaryHealth.status = 503;
    const result = await detectOutage({ timeout: '30s' }).run(ctx);
    expect(result?.detail).toMatch(
      /^in ALARM: luneo-prod-route53-healthcheck in us-east-1 \(Threshold Crossed/,
    );
  });

  it('detects from the surviving region while the primary region answers nothing', async () => {
    const ctx = run();
    h.backend.darkRegions.add('eu-west-1');
    h.primaryHealth.status = 503;
    const result = await detectOutage({ timeout: '30s' }).run(ctx);
    expect(result?.detail).toMatch(/^in ALARM: luneo-prod-route53-healthcheck in us-east-1 /);
  }, 30_000);
});

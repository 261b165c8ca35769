import {
  ChangeResourceRecordSetsCommand,
  CreateHealthCheckCommand,
  GetChangeCommand,
  GetHealthCheckCommand,
  GetHealthCheckStatusCommand,
  GetHostedZoneCommand,
  ListHostedZonesByNameCommand,
  ListResourceRecordSetsCommand,
  Route53Client,
  TestDNSAnswerCommand,
  UpdateHealthCheckCommand,
} from '@aws-sdk/client-route-53';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type Harness, startHarness } from '../testing/harness.ts';

let h: Harness;
let r53: Route53Client;
async function start(options: Parameters<typeof startHarness>[0] = {}) {
  h = await startHarness(options);
  r53 = new Route53Client(h.client());
}
afterEach(async () => {
  r53.destroy();
  await h.close();
});

const upsert = (value: string) => ({
  Action: 'UPSERT' as const,
  ResourceRecordSet: {
    Name: 'www.luneo.app.',
    Type: 'CNAME' as const,
    TTL: 30,
    ResourceRecords: [{ Value: value }],
  },
});

describe('hosted zone and records', () => {
  it('finds the zone by name and lists the failover records with their health checks', async () => {
    await start();
    const { HostedZones } = await r53.send(new ListHostedZonesByNameCommand({ DNSName: 'luneo.app' }));
    expect(HostedZones?.[0]?.Name).toBe('luneo.app.');
    expect(HostedZones?.[0]?.Id).toBe(`/hostedzone/${h.server.zoneId()}`);
    const zone = await r53.send(new GetHostedZoneCommand({ Id: h.server.zoneId() }));
    expect(zone.DelegationSet?.NameServers).toHaveLength(4);
    const { ResourceRecordSets } = await r53.send(
      new ListResourceRecordSetsCommand({
        HostedZoneId: h.server.zoneId(),
        StartRecordName: 'api.luneo.app.',
        StartRecordType: 'CNAME',
      }),
    );
    const { primary, secondary } = h.server.healthCheckIds();
    expect(ResourceRecordSets?.slice(0, 2)).toEqual([
      {
        Name: 'api.luneo.app.',
        Type: 'CNAME',
        SetIdentifier: 'primary-eu-west-1',
        Failover: 'PRIMARY',
        TTL: 5,
        ResourceRecords: [{ Value: 'alb.eu-west-1.luneo.lab' }],
        HealthCheckId: primary,
      },
      {
        Name: 'api.luneo.app.',
        Type: 'CNAME',
        SetIdentifier: 'secondary-us-east-1',
        Failover: 'SECONDARY',
        TTL: 5,
        ResourceRecords: [{ Value: 'alb.us-east-1.luneo.lab' }],
        HealthCheckId: secondary,
      },
    ]);
  });

  it('answers NoSuchHostedZone with 404', async () => {
    await start();
    const error = await r53.send(new GetHostedZoneCommand({ Id: 'ZNOPE' })).catch((e) => e);
    expect(error.name).toBe('NoSuchHostedZone');
    expect(error.$metadata.httpStatusCode).toBe(404);
  });

  it('applies a batch, keeps it PENDING until it propagates, then INSYNC and visible to resolvers', async () => {
    await start({ changePropagationMs: 150 });
    const { ChangeInfo } = await r53.send(
      new ChangeResourceRecordSetsCommand({
        HostedZoneId: h.server.zoneId(),
        ChangeBatch: { Comment: 'dr-drill', Changes: [upsert('a.luneo.lab')] },
      }),
    );
    expect(ChangeInfo?.Status).toBe('PENDING');
    expect(ChangeInfo?.Comment).toBe('dr-drill');
    expect(h.server.resolve('www.luneo.app')).toBeNull();
    const pending = await r53.send(new GetChangeCommand({ Id: ChangeInfo?.Id }));
    expect(pending.ChangeInfo?.Status).toBe('PENDING');
    await vi.waitFor(
      async () =>
        expect((await r53.send(new GetChangeCommand({ Id: ChangeInfo?.Id }))).ChangeInfo?.Status).toBe(
          'INSYNC',
        ),
      {
        interval: 20,
      },
    );
    expect(h.server.resolve('WWW.luneo.app.')).toEqual({
      value: 'a.luneo.lab',
      ttl: 30,
      setIdentifier: '',
      region: 'eu-west-1',
    });
    expect(h.server.mutationCounts()).toEqual({ ChangeResourceRecordSets: 1 });
  });

  it('rejects a whole batch with InvalidChangeBatch when one change is wrong', async () => {
    await start();
    const error = await r53
      .send(
        new ChangeResourceRecordSetsCommand({
          HostedZoneId: h.server.zoneId(),
          ChangeBatch: {
            Changes: [
              upsert('b.luneo.lab'),
              {
                Action: 'DELETE',
                ResourceRecordSet: {
                  Name: 'gone.luneo.app.',
                  Type: 'A',
                  TTL: 60,
                  ResourceRecords: [{ Value: '10.0.0.1' }],
                },
              },
            ],
          },
        }),
      )
      .catch((e) => e);
    expect(error.name).toBe('InvalidChangeBatch');
    expect(error.$metadata.httpStatusCode).toBe(400);
    expect(error.message).toBe(
      "[Tried to delete resource record set [name='gone.luneo.app.', type='A'] but it was not found]",
    );
    const { ResourceRecordSets } = await r53.send(
      new ListResourceRecordSetsCommand({ HostedZoneId: h.server.zoneId() }),
    );
    expect(ResourceRecordSets?.map((r) => r.Name)).not.toContain('www.luneo.app.');
    expect(h.server.mutationCounts()).toEqual({});
  });

  it('refuses to CREATE a record that exists', async () => {
    await start();
    const error = await r53
      .send(
        new ChangeResourceRecordSetsCommand({
          HostedZoneId: h.server.zoneId(),
          ChangeBatch: {
            Changes: [
              {
                Action: 'CREATE',
                ResourceRecordSet: {
                  Name: 'api.luneo.app.',
                  Type: 'CNAME',
                  SetIdentifier: 'primary-eu-west-1',
                  Failover: 'PRIMARY',
                  TTL: 5,
                  ResourceRecords: [{ Value: 'x' }],
                },
              },
            ],
          },
        }),
      )
      .catch((e) => e);
    expect(error.name).toBe('InvalidChangeBatch');
    expect(error.message).toBe(
      "[Tried to create resource record set [name='api.luneo.app.', type='CNAME', set-identifier='primary-eu-west-1'] but it already exists]",
    );
  });
});

describe('health checks and failover', () => {
  it('really probes: a 503 primary moves resolve() to SECONDARY, recovery moves it back', async () => {
    await start();
    const { primary } = h.server.healthCheckIds();
    expect(h.server.resolve('api.luneo.app')).toEqual({
      value: 'alb.eu-west-1.luneo.lab',
      ttl: 5,
      setIdentifier: 'primary-eu-west-1',
      region: 'eu-west-1',
    });
    h.primaryHealth.status = 503;
    await vi.waitFor(() => expect(h.server.resolve('api.luneo.app')?.region).toBe('us-east-1'), {
      interval: 10,
    });
    expect(h.server.resolve('api.luneo.app')).toEqual({
      value: 'alb.us-east-1.luneo.lab',
      ttl: 5,
      setIdentifier: 'secondary-us-east-1',
      region: 'us-east-1',
    });
    const status = await r53.send(new GetHealthCheckStatusCommand({ HealthCheckId: primary }));
    expect(status.HealthCheckObservations?.map((o) => o.StatusReport?.Status)).toContain(
      'Failure: HTTP Status Code 503, Service Unavailable',
    );
    expect(h.primaryHealth.hits).toBeGreaterThanOrEqual(2);
    h.primaryHealth.status = 200;
    await vi.waitFor(() => expect(h.server.resolve('api.luneo.app')?.region).toBe('eu-west-1'), {
      interval: 10,
    });
  });

  it('answers PRIMARY again when both regions are unhealthy, as Route 53 does', async () => {
    await start();
    h.primaryHealth.status = 503;
    await vi.waitFor(() => expect(h.server.resolve('api.luneo.app')?.region).toBe('us-east-1'), {
      interval: 10,
    });
    h.secondaryHealth.status = 503;
    await vi.waitFor(() => expect(h.server.resolve('api.luneo.app')?.region).toBe('eu-west-1'), {
      interval: 10,
    });
    expect(h.server.resolve('api.luneo.app')?.setIdentifier).toBe('primary-eu-west-1');
  });

  it('inverting the primary check fails over; Disabled alone does not; version mismatch is 409', async () => {
    await start();
    const { primary } = h.server.healthCheckIds();
    const { HealthCheck } = await r53.send(new GetHealthCheckCommand({ HealthCheckId: primary }));
    expect(HealthCheck?.HealthCheckConfig).toMatchObject({
      Type: 'HTTP',
      IPAddress: '127.0.0.1',
      Port: h.primaryHealth.port,
      ResourcePath: '/health',
      FailureThreshold: 2,
      Inverted: false,
    });
    const version = HealthCheck?.HealthCheckVersion as number;

    const disabled = await r53.send(
      new UpdateHealthCheckCommand({ HealthCheckId: primary, HealthCheckVersion: version, Disabled: true }),
    );
    expect(disabled.HealthCheck?.HealthCheckVersion).toBe(version + 1);
    expect(h.server.resolve('api.luneo.app')?.region).toBe('eu-west-1');

    const stale = await r53
      .send(
        new UpdateHealthCheckCommand({ HealthCheckId: primary, HealthCheckVersion: version, Inverted: true }),
      )
      .catch((e) => e);
    expect(stale.name).toBe('HealthCheckVersionMismatch');
    expect(stale.$metadata.httpStatusCode).toBe(409);

    await r53.send(
      new UpdateHealthCheckCommand({
        HealthCheckId: primary,
        HealthCheckVersion: version + 1,
        Disabled: false,
        Inverted: true,
      }),
    );
    expect(h.server.resolve('api.luneo.app')).toEqual({
      value: 'alb.us-east-1.luneo.lab',
      ttl: 5,
      setIdentifier: 'secondary-us-east-1',
      region: 'us-east-1',
    });
    expect(h.server.mutationCounts()).toEqual({ UpdateHealthCheck: 2 });
  });
});

describe('what Route 53 reports and what it answers', () => {
  const ask = () =>
    r53.send(
      new TestDNSAnswerCommand({
        HostedZoneId: h.server.zoneId(),
        RecordName: 'api.luneo.app',
        RecordType: 'CNAME',
      }),
    );

  it('GetHealthCheckStatus shows each checker raw; after Inverted only the answer changes', async () => {
    await start();
    const { primary } = h.server.healthCheckIds();
    const passing = async () => {
      const out = await r53.send(new GetHealthCheckStatusCommand({ HealthCheckId: primary }));
      return out.HealthCheckObservations ?? [];
    };
    // Every checker has reported once (a probe may time out on a loaded machine: 100 ms at this interval).
    await vi.waitFor(async () => expect(await passing()).toHaveLength(16), { interval: 10, timeout: 5000 });
    const observations = await passing();
    expect(new Set(observations.map((o) => o.Region))).toEqual(
      new Set([
        'us-east-1',
        'us-west-1',
        'us-west-2',
        'eu-west-1',
        'ap-southeast-1',
        'ap-southeast-2',
        'ap-northeast-1',
        'sa-east-1',
      ]),
    );
    expect(new Set(observations.map((o) => o.IPAddress)).size).toBe(16);
    expect(observations.every((o) => o.StatusReport?.CheckedTime instanceof Date)).toBe(true);
    expect(await ask()).toMatchObject({
      Nameserver: 'ns-101.awsdns-lab-12.com',
      RecordName: 'api.luneo.app.',
      RecordType: 'CNAME',
      RecordData: ['alb.eu-west-1.luneo.lab'],
      ResponseCode: 'NOERROR',
      Protocol: 'UDP',
    });

    await r53.send(new UpdateHealthCheckCommand({ HealthCheckId: primary, Inverted: true }));
    expect((await ask()).RecordData).toEqual(['alb.us-east-1.luneo.lab']);
    expect(h.server.resolve('api.luneo.app')?.value).toBe('alb.us-east-1.luneo.lab');
    // The checkers still see the endpoint pass: Inverted is applied where Route 53 combines them.
    const after = await passing();
    expect(after).toHaveLength(16);
    const successes = after.filter((o) => o.StatusReport?.Status === 'Success: HTTP Status Code 200, OK');
    expect(successes.length).toBeGreaterThan(0);
  });

  it('TestDNSAnswer follows the failover decision, answers NXDOMAIN for an unknown name, 404 for an unknown zone', async () => {
    await start();
    h.primaryHealth.status = 503;
    await vi.waitFor(async () => expect((await ask()).RecordData).toEqual(['alb.us-east-1.luneo.lab']), {
      interval: 10,
      timeout: 5000,
    });
    expect(h.server.resolve('api.luneo.app')?.setIdentifier).toBe('secondary-us-east-1');
    // A CNAME answers a query of any type (RFC 1034 §3.6.2).
    const typeA = await r53.send(
      new TestDNSAnswerCommand({
        HostedZoneId: h.server.zoneId(),
        RecordName: 'api.luneo.app',
        RecordType: 'A',
      }),
    );
    expect(typeA.RecordData).toEqual(['alb.us-east-1.luneo.lab']);
    const unknown = await r53.send(
      new TestDNSAnswerCommand({
        HostedZoneId: h.server.zoneId(),
        RecordName: 'nope.luneo.app',
        RecordType: 'A',
      }),
    );
    expect(unknown).toMatchObject({ RecordData: [], ResponseCode: 'NXDOMAIN' });
    const error = await r53
      .send(new TestDNSAnswerCommand({ HostedZoneId: 'ZNOPE', RecordName: 'api.luneo.app', RecordType: 'A' }))
      .catch((e) => e);
    expect(error.name).toBe('NoSuchHostedZone');
  });

  it('checks from the Regions a health check names (at least 3), two checkers each', async () => {
    await start();
    const { HealthCheck } = await r53.send(
      new CreateHealthCheckCommand({
        CallerReference: 'three-regions',
        HealthCheckConfig: {
          Type: 'HTTP',
          IPAddress: '127.0.0.1',
          Port: h.primaryHealth.port,
          ResourcePath: '/health',
          Regions: ['us-east-1', 'eu-west-1', 'sa-east-1'],
        },
      }),
    );
    expect(HealthCheck?.HealthCheckConfig?.Regions).toEqual(['us-east-1', 'eu-west-1', 'sa-east-1']);
    await vi.waitFor(
      async () => {
        const out = await r53.send(new GetHealthCheckStatusCommand({ HealthCheckId: HealthCheck?.Id }));
        expect(out.HealthCheckObservations).toHaveLength(6);
      },
      { interval: 10 },
    );
    const tooFew = await r53
      .send(
        new CreateHealthCheckCommand({
          CallerReference: 'two-regions',
          HealthCheckConfig: {
            Type: 'HTTP',
            IPAddress: '127.0.0.1',
            Port: h.primaryHealth.port,
            Regions: ['us-east-1', 'eu-west-1'],
          },
        }),
      )
      .catch((e) => e);
    expect(tooFew.name).toBe('InvalidInput');
  });
});

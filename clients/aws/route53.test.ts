import {
  ChangeResourceRecordSetsCommand,
  GetChangeCommand,
  GetHealthCheckCommand,
  GetHealthCheckStatusCommand,
  type HealthCheck,
  ListResourceRecordSetsCommand,
  Route53Client,
  TestDNSAnswerCommand,
  UpdateHealthCheckCommand,
} from '@aws-sdk/client-route-53';
import { beforeEach, describe, expect, it } from 'vitest';
import { awsError, FAST_RETRY, mockClientInSuite, RecordingAudit } from '../testing.ts';
import { Route53 } from './route53.ts';
import { planUpsertRecord } from './route53-records.ts';

const HC = '11111111-aaaa-bbbb-cccc-222222222222';
const r53Mock = mockClientInSuite(Route53Client);
let audit: RecordingAudit;
let r53: Route53;

/** A check held unhealthy (Disabled and Inverted) or not; `inverted` alone when only Inverted is set. */
function healthCheck(version: number, held: boolean, inverted = held): { HealthCheck: HealthCheck } {
  return {
    HealthCheck: {
      Id: HC,
      CallerReference: 'ref',
      HealthCheckVersion: version,
      HealthCheckConfig: {
        Type: 'HTTPS',
        FullyQualifiedDomainName: 'api-euw1.luneo.example',
        ResourcePath: '/healthz',
        Port: 443,
        Inverted: inverted,
        Disabled: held,
      },
    },
  };
}

const records = {
  ResourceRecordSets: [
    {
      Name: 'api.luneo.example.',
      Type: 'A' as const,
      SetIdentifier: 'primary-eu-west-1',
      Failover: 'PRIMARY' as const,
      TTL: 60,
      ResourceRecords: [{ Value: '10.0.0.1' }],
      HealthCheckId: HC,
    },
    {
      Name: 'api.luneo.example.',
      Type: 'A' as const,
      SetIdentifier: 'secondary-us-east-1',
      Failover: 'SECONDARY' as const,
      TTL: 60,
      ResourceRecords: [{ Value: '10.1.0.1' }],
    },
    { Name: 'api.luneo.example.', Type: 'TXT' as const, TTL: 300, ResourceRecords: [{ Value: '"v=1"' }] },
    { Name: 'www.luneo.example.', Type: 'A' as const, TTL: 60, ResourceRecords: [{ Value: '10.9.9.9' }] },
  ],
  IsTruncated: false,
  MaxItems: 100,
};

beforeEach(() => {
  r53Mock.reset();
  audit = new RecordingAudit();
  r53 = new Route53(new Route53Client({ region: 'us-east-1' }), { audit, retry: FAST_RETRY });
});

describe('listFailoverRecords', () => {
  it('returns only the PRIMARY/SECONDARY records of the name, with health check, TTL and values', async () => {
    r53Mock.on(ListResourceRecordSetsCommand).resolves(records);
    expect(await r53.listFailoverRecords('/hostedzone/Z0123', 'API.luneo.example')).toEqual([
      {
        name: 'api.luneo.example.',
        type: 'A',
        setIdentifier: 'primary-eu-west-1',
        failover: 'PRIMARY',
        healthCheckId: HC,
        ttl: 60,
        values: ['10.0.0.1'],
      },
      {
        name: 'api.luneo.example.',
        type: 'A',
        setIdentifier: 'secondary-us-east-1',
        failover: 'SECONDARY',
        ttl: 60,
        values: ['10.1.0.1'],
      },
    ]);
    expect(r53Mock.commandCalls(ListResourceRecordSetsCommand)[0]!.args[0].input).toEqual({
      HostedZoneId: 'Z0123',
      StartRecordName: 'api.luneo.example.',
    });
  });

  it('follows pagination while the pages still hold the name', async () => {
    r53Mock
      .on(ListResourceRecordSetsCommand)
      .resolvesOnce({
        ...records,
        ResourceRecordSets: records.ResourceRecordSets.slice(0, 1),
        IsTruncated: true,
        NextRecordName: 'api.luneo.example.',
        NextRecordType: 'A',
        NextRecordIdentifier: 'secondary-us-east-1',
      })
      .resolves({ ...records, ResourceRecordSets: records.ResourceRecordSets.slice(1) });
    const found = await r53.listFailoverRecords('Z0123', 'api.luneo.example.');
    expect(found.map((r) => r.setIdentifier)).toEqual(['primary-eu-west-1', 'secondary-us-east-1']);
    expect(r53Mock.commandCalls(ListResourceRecordSetsCommand)[1]!.args[0].input).toEqual({
      HostedZoneId: 'Z0123',
      StartRecordName: 'api.luneo.example.',
      StartRecordType: 'A',
      StartRecordIdentifier: 'secondary-us-east-1',
    });
  });

  it('names the hosted zone when it does not exist', async () => {
    r53Mock.on(ListResourceRecordSetsCommand).rejects(awsError('NoSuchHostedZone', 404));
    await expect(r53.listFailoverRecords('Z404', 'api.luneo.example')).rejects.toThrow(
      'hosted zone "Z404" not found in us-east-1 (NoSuchHostedZone)',
    );
  });
});

describe('holdHealthCheckUnhealthy', () => {
  it('reads the version then sends UpdateHealthCheck Disabled and Inverted with it, audited', async () => {
    r53Mock.on(GetHealthCheckCommand).resolves(healthCheck(3, false));
    r53Mock.on(UpdateHealthCheckCommand).resolves(healthCheck(4, true));
    expect(await r53.holdHealthCheckUnhealthy(HC, true)).toEqual({
      alreadyDone: false,
      held: true,
      version: 4,
    });
    expect(r53Mock.commandCalls(UpdateHealthCheckCommand)[0]!.args[0].input).toEqual({
      HealthCheckId: HC,
      HealthCheckVersion: 3,
      Disabled: true,
      Inverted: true,
    });
    expect(audit.operations).toEqual(['before:UpdateHealthCheck', 'after:UpdateHealthCheck']);
    expect(audit.events[0]!.call).toEqual({
      service: 'route53',
      operation: 'UpdateHealthCheck',
      scope: 'us-east-1',
      params: { HealthCheckId: HC, Disabled: true, Inverted: true },
      mutating: true,
    });
  });

  it('holds a check that is only inverted: inverted alone follows the endpoint', async () => {
    r53Mock.on(GetHealthCheckCommand).resolves(healthCheck(3, false, true));
    r53Mock.on(UpdateHealthCheckCommand).resolves(healthCheck(4, true));
    expect(await r53.holdHealthCheckUnhealthy(HC, true)).toMatchObject({ alreadyDone: false, held: true });
    expect(r53Mock.commandCalls(UpdateHealthCheckCommand)).toHaveLength(1);
  });

  it('is a no-op when the check is already in the wanted state', async () => {
    r53Mock.on(GetHealthCheckCommand).resolves(healthCheck(4, true));
    expect(await r53.holdHealthCheckUnhealthy(HC, true)).toEqual({
      alreadyDone: true,
      held: true,
      version: 4,
    });
    expect(r53Mock.commandCalls(UpdateHealthCheckCommand)).toHaveLength(0);
    expect(audit.events).toEqual([]);
  });

  it('retries once with the fresh version after 409 HealthCheckVersionMismatch', async () => {
    r53Mock.on(GetHealthCheckCommand).resolvesOnce(healthCheck(3, false)).resolves(healthCheck(5, false));
    r53Mock
      .on(UpdateHealthCheckCommand)
      .rejectsOnce(awsError('HealthCheckVersionMismatch', 409))
      .resolves(healthCheck(6, true));
    expect(await r53.holdHealthCheckUnhealthy(HC, true)).toEqual({
      alreadyDone: false,
      held: true,
      version: 6,
    });
    expect(
      r53Mock.commandCalls(UpdateHealthCheckCommand).map((c) => c.args[0].input.HealthCheckVersion),
    ).toEqual([3, 5]);
  });

  it('stops after the re-read when someone else already held it', async () => {
    r53Mock.on(GetHealthCheckCommand).resolvesOnce(healthCheck(3, false)).resolves(healthCheck(4, true));
    r53Mock.on(UpdateHealthCheckCommand).rejects(awsError('HealthCheckVersionMismatch', 409));
    expect(await r53.holdHealthCheckUnhealthy(HC, true)).toEqual({
      alreadyDone: false,
      held: true,
      version: 4,
    });
    expect(r53Mock.commandCalls(UpdateHealthCheckCommand)).toHaveLength(1);
  });

  it('gives up after a second version mismatch with a conflict error', async () => {
    r53Mock.on(GetHealthCheckCommand).resolvesOnce(healthCheck(3, false)).resolves(healthCheck(5, false));
    r53Mock
      .on(UpdateHealthCheckCommand)
      .rejects(awsError('HealthCheckVersionMismatch', 409, 'stale version'));
    await expect(r53.holdHealthCheckUnhealthy(HC, true)).rejects.toMatchObject({
      code: 'E_CONFLICT',
      message: `route53 UpdateHealthCheck on health check "${HC}" in us-east-1 failed: stale version (HealthCheckVersionMismatch)`,
    });
    expect(r53Mock.commandCalls(UpdateHealthCheckCommand)).toHaveLength(2);
    expect(audit.operations).toEqual(['before:UpdateHealthCheck', 'error:UpdateHealthCheck']);
  });

  it('retries PriorRequestNotComplete throttling', async () => {
    r53Mock.on(GetHealthCheckCommand).resolves(healthCheck(3, true));
    r53Mock
      .on(UpdateHealthCheckCommand)
      .rejectsOnce(awsError('PriorRequestNotComplete', 400))
      .resolves(healthCheck(4, false));
    expect(await r53.holdHealthCheckUnhealthy(HC, false)).toEqual({
      alreadyDone: false,
      held: false,
      version: 4,
    });
    expect(r53Mock.commandCalls(UpdateHealthCheckCommand)).toHaveLength(2);
  });
});

describe('getHealthCheck and getHealthCheckStatus', () => {
  it('maps the health check', async () => {
    r53Mock.on(GetHealthCheckCommand).resolves(healthCheck(7, true));
    expect(await r53.getHealthCheck(HC)).toEqual({
      id: HC,
      version: 7,
      inverted: true,
      disabled: true,
      type: 'HTTPS',
      fqdn: 'api-euw1.luneo.example',
      port: 443,
      resourcePath: '/healthz',
    });
  });

  it('counts healthy observations', async () => {
    const at = new Date('2026-11-20T10:00:00Z');
    r53Mock.on(GetHealthCheckStatusCommand).resolves({
      HealthCheckObservations: [
        {
          Region: 'eu-west-1',
          IPAddress: '15.177.62.21',
          StatusReport: { Status: 'Failure: HTTP Status Code 503, Service Unavailable', CheckedTime: at },
        },
        {
          Region: 'us-east-1',
          IPAddress: '15.177.0.1',
          StatusReport: { Status: 'Success: HTTP Status Code 200, OK', CheckedTime: at },
        },
      ],
    });
    const status = await r53.getHealthCheckStatus(HC);
    expect(status.healthyCount).toBe(1);
    expect(status.observations[0]).toEqual({
      region: 'eu-west-1',
      ipAddress: '15.177.62.21',
      status: 'Failure: HTTP Status Code 503, Service Unavailable',
      checkedAt: at,
      healthy: false,
    });
  });
});

describe('testDnsAnswer', () => {
  it('asks for the fully qualified name in the bare zone id and returns the record data', async () => {
    r53Mock.on(TestDNSAnswerCommand).resolves({
      Nameserver: 'ns-2048.awsdns-64.com',
      RecordName: 'api.luneo.example.',
      RecordType: 'A',
      RecordData: ['10.1.0.1'],
      ResponseCode: 'NOERROR',
      Protocol: 'UDP',
    });
    expect(await r53.testDnsAnswer('/hostedzone/Z0LAB', 'API.luneo.example', 'A')).toEqual({
      nameserver: 'ns-2048.awsdns-64.com',
      recordData: ['10.1.0.1'],
      responseCode: 'NOERROR',
    });
    expect(r53Mock.commandCalls(TestDNSAnswerCommand)[0]?.args[0].input).toEqual({
      HostedZoneId: 'Z0LAB',
      RecordName: 'api.luneo.example.',
      RecordType: 'A',
    });
  });
});

describe('upsertRecord, waitForChange, changeTtl', () => {
  const record = {
    name: 'api.luneo.example',
    type: 'A',
    setIdentifier: 'primary-eu-west-1',
    failover: 'PRIMARY' as const,
    ttl: 30,
    values: ['10.0.0.1'],
    healthCheckId: HC,
  };

  it('sends one UPSERT and returns the bare change id', async () => {
    r53Mock
      .on(ChangeResourceRecordSetsCommand)
      .resolves({ ChangeInfo: { Id: '/change/C2682N5HXP0BZ4', Status: 'PENDING', SubmittedAt: new Date() } });
    expect(await r53.upsertRecord('Z0123', record)).toEqual({
      changeId: 'C2682N5HXP0BZ4',
      status: 'PENDING',
    });
    expect(r53Mock.commandCalls(ChangeResourceRecordSetsCommand)[0]!.args[0].input).toEqual({
      HostedZoneId: 'Z0123',
      ChangeBatch: {
        Comment: 'dr-drill',
        Changes: [
          {
            Action: 'UPSERT',
            ResourceRecordSet: {
              Name: 'api.luneo.example.',
              Type: 'A',
              SetIdentifier: 'primary-eu-west-1',
              Failover: 'PRIMARY',
              HealthCheckId: HC,
              TTL: 30,
              ResourceRecords: [{ Value: '10.0.0.1' }],
            },
          },
        ],
      },
    });
    expect(audit.events[0]!.call).toEqual(planUpsertRecord('Z0123', record));
    expect(planUpsertRecord('/hostedzone/Z0123', record).params).toEqual({
      HostedZoneId: 'Z0123',
      Action: 'UPSERT',
      Name: 'api.luneo.example.',
      Type: 'A',
      SetIdentifier: 'primary-eu-west-1',
      TTL: 30,
      Values: ['10.0.0.1'],
    });
  });

  it('a lost answer whose UPSERT was applied is not sent again: the record is read back, changeId null', async () => {
    // The first attempt reached Route 53 (the record now reads TTL 60 → as wanted) but its answer was lost.
    const wanted = { ...record, ttl: 60 };
    r53Mock
      .on(ChangeResourceRecordSetsCommand)
      .rejects(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }));
    r53Mock.on(ListResourceRecordSetsCommand).resolves(records);
    expect(await r53.upsertRecord('Z0123', { ...wanted, values: ['10.0.0.1'] })).toEqual({
      changeId: null,
      status: 'APPLIED',
    });
    expect(r53Mock.commandCalls(ChangeResourceRecordSetsCommand)).toHaveLength(1);
    expect(audit.events.map((e) => e.phase)).toEqual(['before', 'after']);
  });

  it('a failed UPSERT that did not land is retried until it answers', async () => {
    r53Mock
      .on(ChangeResourceRecordSetsCommand)
      .rejectsOnce(awsError('Throttling', 400))
      .resolves({ ChangeInfo: { Id: '/change/C9', Status: 'PENDING', SubmittedAt: new Date() } });
    r53Mock.on(ListResourceRecordSetsCommand).resolves(records);
    // TTL 30 is not what the zone holds (60): the throttled attempt changed nothing.
    expect(await r53.upsertRecord('Z0123', record)).toEqual({ changeId: 'C9', status: 'PENDING' });
    expect(r53Mock.commandCalls(ChangeResourceRecordSetsCommand)).toHaveLength(2);
  });

  it('an UPSERT refused with an answer (throttled, then 5xx) is sent again, even when the zone already holds it', async () => {
    // Re-asserting a record as it is: a read-back would find it in place although no attempt was applied.
    const asItIs = { ...record, ttl: 60 };
    r53Mock
      .on(ChangeResourceRecordSetsCommand)
      .rejectsOnce(awsError('Throttling', 400))
      .rejectsOnce(awsError('ServiceUnavailable', 503))
      .resolves({ ChangeInfo: { Id: '/change/C7', Status: 'PENDING', SubmittedAt: new Date() } });
    r53Mock.on(ListResourceRecordSetsCommand).resolves(records);
    expect(await r53.upsertRecord('Z0123', asItIs)).toEqual({ changeId: 'C7', status: 'PENDING' });
    expect(r53Mock.commandCalls(ChangeResourceRecordSetsCommand)).toHaveLength(3);
    expect(r53Mock.commandCalls(ListResourceRecordSetsCommand)).toHaveLength(0);
    expect(audit.events.map((e) => e.phase)).toEqual(['before', 'after']);
  });

  it('an UPSERT whose request timed out is read back before anything is sent again', async () => {
    r53Mock
      .on(ChangeResourceRecordSetsCommand)
      .rejects(Object.assign(new Error('request timed out'), { name: 'TimeoutError', code: 'ETIMEDOUT' }));
    r53Mock.on(ListResourceRecordSetsCommand).resolves(records);
    expect(await r53.upsertRecord('Z0123', { ...record, ttl: 60 })).toEqual({
      changeId: null,
      status: 'APPLIED',
    });
    expect(r53Mock.commandCalls(ChangeResourceRecordSetsCommand)).toHaveLength(1);
    expect(r53Mock.commandCalls(ListResourceRecordSetsCommand)).toHaveLength(1);
  });

  it('waits for INSYNC', async () => {
    r53Mock
      .on(GetChangeCommand)
      .resolvesOnce({ ChangeInfo: { Id: '/change/C1', Status: 'PENDING', SubmittedAt: new Date() } })
      .resolves({ ChangeInfo: { Id: '/change/C1', Status: 'INSYNC', SubmittedAt: new Date() } });
    await r53.waitForChange('/change/C1', { intervalMs: 1 });
    expect(r53Mock.commandCalls(GetChangeCommand).map((c) => c.args[0].input)).toEqual([
      { Id: 'C1' },
      { Id: 'C1' },
    ]);
  });

  it('says which change it waited for on timeout', async () => {
    r53Mock
      .on(GetChangeCommand)
      .resolves({ ChangeInfo: { Id: '/change/C1', Status: 'PENDING', SubmittedAt: new Date() } });
    await expect(r53.waitForChange('C1', { timeoutMs: 0 })).rejects.toThrow(
      'timed out after 0ms waiting for Route 53 change C1 to be INSYNC; last seen: status PENDING (raise timeoutMs to wait longer)',
    );
  });

  it('changeTtl upserts the same record with the new TTL and returns the previous one', async () => {
    r53Mock.on(ListResourceRecordSetsCommand).resolves(records);
    r53Mock
      .on(ChangeResourceRecordSetsCommand)
      .resolves({ ChangeInfo: { Id: '/change/C9', Status: 'PENDING', SubmittedAt: new Date() } });
    expect(
      await r53.changeTtl(
        'Z0123',
        { name: 'api.luneo.example', type: 'A', setIdentifier: 'secondary-us-east-1' },
        5,
      ),
    ).toEqual({
      previousTtl: 60,
      changeId: 'C9',
    });
    const sent = r53Mock.commandCalls(ChangeResourceRecordSetsCommand)[0]!.args[0].input.ChangeBatch
      ?.Changes?.[0]?.ResourceRecordSet;
    expect(sent).toEqual({
      Name: 'api.luneo.example.',
      Type: 'A',
      SetIdentifier: 'secondary-us-east-1',
      Failover: 'SECONDARY',
      TTL: 5,
      ResourceRecords: [{ Value: '10.1.0.1' }],
    });
  });

  it('changeTtl sends nothing when the TTL is already right, and names a missing record', async () => {
    r53Mock.on(ListResourceRecordSetsCommand).resolves(records);
    expect(await r53.changeTtl('Z0123', { name: 'api.luneo.example', type: 'TXT' }, 300)).toEqual({
      previousTtl: 300,
      changeId: null,
    });
    expect(r53Mock.commandCalls(ChangeResourceRecordSetsCommand)).toHaveLength(0);
    await expect(
      r53.changeTtl('Z0123', { name: 'api.luneo.example', type: 'A', setIdentifier: 'nope' }, 5),
    ).rejects.toThrow('record api.luneo.example. A (nope) not found in hosted zone "Z0123"');
  });
});

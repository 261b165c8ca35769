// Route 53: failover records, health checks (the drill fails DNS over by inverting the primary's check),
// UPSERT changes and the INSYNC waiter. Route 53 is global: the client is always signed for us-east-1.

import {
  ChangeResourceRecordSetsCommand,
  GetChangeCommand,
  GetHealthCheckCommand,
  GetHealthCheckStatusCommand,
  ListResourceRecordSetsCommand,
  type ListResourceRecordSetsCommandOutput,
  type Route53Client,
  type RRType,
  TestDNSAnswerCommand,
  UpdateHealthCheckCommand,
} from '@aws-sdk/client-route-53';
import { type CallOptions, sleep } from '../abort.ts';
import { ClientError, isClientError } from '../errors.ts';
import { pollUntil, type WaitOptions } from '../poll.ts';
import { backoffDelay } from '../retry.ts';
import { AwsCaller } from './call.ts';
import { type AwsWrapperOptions, ROUTE53_SIGNING_REGION } from './config.ts';
import {
  bareId,
  type DnsRecord,
  type FailoverRecord,
  fromRecordSet,
  normalizeName,
  planHoldHealthCheckUnhealthy,
  planUpsertRecord,
  recordLabel,
  sameRecord,
  toRecordSet,
} from './route53-records.ts';

export interface HealthCheckInfo {
  id: string;
  version: number;
  inverted: boolean;
  disabled: boolean;
  type: string;
  fqdn?: string;
  ipAddress?: string;
  port?: number;
  resourcePath?: string;
}

export interface HealthCheckStatus {
  observations: {
    region: string;
    ipAddress: string;
    status: string;
    checkedAt: Date | undefined;
    healthy: boolean;
  }[];
  healthyCount: number;
}

/** TestDNSAnswer: what a Route 53 name server answers for a name and type now. */
export interface DnsAnswer {
  nameserver: string;
  recordData: string[];
  /** DNS RCODE, e.g. NOERROR, NXDOMAIN. */
  responseCode: string;
}

export class Route53 {
  readonly caller: AwsCaller;
  constructor(
    readonly client: Route53Client,
    opts: AwsWrapperOptions = {},
  ) {
    this.caller = new AwsCaller('route53', ROUTE53_SIGNING_REGION, opts.audit, opts.retry);
  }

  /** Every record of `name` (optionally of one type), following pagination. */
  async listRecords(
    zoneId: string,
    name: string,
    type?: string,
    opts: CallOptions = {},
  ): Promise<DnsRecord[]> {
    const wanted = normalizeName(name);
    const records: DnsRecord[] = [];
    let start: { name: string; type?: string; identifier?: string } | undefined = {
      name: wanted,
      ...(type ? { type } : {}),
    };
    while (start) {
      const page: ListResourceRecordSetsCommandOutput = await this.caller.send(
        'ListResourceRecordSets',
        { kind: 'hosted zone', id: bareId(zoneId) },
        (abortSignal) =>
          this.client.send(
            new ListResourceRecordSetsCommand({
              HostedZoneId: bareId(zoneId),
              StartRecordName: start!.name,
              ...(start!.type ? { StartRecordType: start!.type as RRType } : {}),
              ...(start!.identifier ? { StartRecordIdentifier: start!.identifier } : {}),
            }),
            { abortSignal },
          ),
        opts,
      );
      const sets = page.ResourceRecordSets ?? [];
      for (const rrs of sets) {
        if (normalizeName(rrs.Name ?? '') === wanted && (!type || rrs.Type === type))
          records.push(fromRecordSet(rrs));
      }
      // Records come sorted by name: stop once the page moved past ours.
      const passed = sets.some((r) => normalizeName(r.Name ?? '') !== wanted);
      start =
        page.IsTruncated && !passed && page.NextRecordName
          ? {
              name: page.NextRecordName,
              ...(page.NextRecordType ? { type: page.NextRecordType } : {}),
              ...(page.NextRecordIdentifier ? { identifier: page.NextRecordIdentifier } : {}),
            }
          : undefined;
    }
    return records;
  }

  /** The PRIMARY/SECONDARY records of `name`, with their health check ids, TTL and values. */
  async listFailoverRecords(zoneId: string, name: string, opts: CallOptions = {}): Promise<FailoverRecord[]> {
    const all = await this.listRecords(zoneId, name, undefined, opts);
    return all.filter((r): r is FailoverRecord => r.failover !== undefined && r.setIdentifier !== undefined);
  }

  async getHealthCheck(id: string, opts: CallOptions = {}): Promise<HealthCheckInfo> {
    const out = await this.caller.send(
      'GetHealthCheck',
      { kind: 'health check', id },
      (abortSignal) => this.client.send(new GetHealthCheckCommand({ HealthCheckId: id }), { abortSignal }),
      opts,
    );
    const hc = out.HealthCheck;
    const cfg = hc?.HealthCheckConfig;
    return {
      id: hc?.Id ?? id,
      version: hc?.HealthCheckVersion ?? 0,
      inverted: cfg?.Inverted === true,
      disabled: cfg?.Disabled === true,
      type: cfg?.Type ?? 'unknown',
      ...(cfg?.FullyQualifiedDomainName ? { fqdn: cfg.FullyQualifiedDomainName } : {}),
      ...(cfg?.IPAddress ? { ipAddress: cfg.IPAddress } : {}),
      ...(cfg?.Port !== undefined ? { port: cfg.Port } : {}),
      ...(cfg?.ResourcePath ? { resourcePath: cfg.ResourcePath } : {}),
    };
  }

  /** Diagnostic only (not for calculated checks): each checker's raw last result, before Inverted/Disabled
   *  (combine with route53-health.ts routedHealthy for the status Route 53 routes on). */
  async getHealthCheckStatus(id: string, opts: CallOptions = {}): Promise<HealthCheckStatus> {
    const out = await this.caller.send(
      'GetHealthCheckStatus',
      { kind: 'health check', id },
      (abortSignal) =>
        this.client.send(new GetHealthCheckStatusCommand({ HealthCheckId: id }), { abortSignal }),
      opts,
    );
    const observations = (out.HealthCheckObservations ?? []).map((o) => {
      const status = o.StatusReport?.Status ?? '';
      return {
        region: o.Region ?? '',
        ipAddress: o.IPAddress ?? '',
        status,
        checkedAt: o.StatusReport?.CheckedTime,
        healthy: status.startsWith('Success'),
      };
    });
    return { observations, healthyCount: observations.filter((o) => o.healthy).length };
  }

  /** What Route 53 answers a resolver for `name`/`type` now, failover and health checks applied (TestDNSAnswer). */
  async testDnsAnswer(
    zoneId: string,
    name: string,
    type: string,
    opts: CallOptions = {},
  ): Promise<DnsAnswer> {
    const out = await this.caller.send(
      'TestDNSAnswer',
      { kind: 'record', id: recordLabel({ name, type }) },
      (abortSignal) =>
        this.client.send(
          new TestDNSAnswerCommand({
            HostedZoneId: bareId(zoneId),
            RecordName: normalizeName(name),
            RecordType: type as RRType,
          }),
          { abortSignal },
        ),
      opts,
    );
    return {
      nameserver: out.Nameserver ?? '',
      recordData: out.RecordData ?? [],
      responseCode: out.ResponseCode ?? '',
    };
  }

  /**
   * The drill's DNS failover: hold the primary's health check unhealthy whatever its endpoint shows
   * (UpdateHealthCheck Disabled=true, Inverted=true), or release it (both false). Route 53 considers a disabled
   * check healthy, and "if you want to stop routing traffic to a resource, change the value of Inverted"
   * (API_UpdateHealthCheck, Disabled): disabled and inverted it reads unhealthy even once the primary recovers,
   * so traffic stays in the DR region until the switchback releases it. Inverted alone would follow the endpoint:
   * a failing primary would read healthy, and a recovered one would take the traffic back. No-op when already in
   * the wanted state; on 409 HealthCheckVersionMismatch it re-reads the check and retries once.
   */
  async holdHealthCheckUnhealthy(
    id: string,
    held: boolean,
    opts: CallOptions = {},
  ): Promise<{ alreadyDone: boolean; held: boolean; version: number }> {
    let hc = await this.getHealthCheck(id, opts);
    const inPlace = (c: HealthCheckInfo) => c.inverted === held && c.disabled === held;
    if (inPlace(hc)) return { alreadyDone: true, held, version: hc.version };
    return this.caller.mutate(planHoldHealthCheckUnhealthy(id, held), async () => {
      for (let mismatches = 0; ; ) {
        try {
          const out = await this.caller.send(
            'UpdateHealthCheck',
            { kind: 'health check', id },
            (abortSignal) =>
              this.client.send(
                new UpdateHealthCheckCommand({
                  HealthCheckId: id,
                  HealthCheckVersion: hc.version,
                  Disabled: held,
                  Inverted: held,
                }),
                { abortSignal },
              ),
            opts,
          );
          return {
            alreadyDone: false,
            held,
            version: out.HealthCheck?.HealthCheckVersion ?? hc.version + 1,
          };
        } catch (err) {
          if (!(isClientError(err) && err.remoteCode === 'HealthCheckVersionMismatch') || mismatches++ >= 1)
            throw err;
          hc = await this.getHealthCheck(id, opts);
          // Someone (or our own timed-out attempt) already applied it.
          if (inPlace(hc)) return { alreadyDone: false, held, version: hc.version };
        }
      }
    });
  }

  /**
   * UPSERT one record; returns the change id to wait on. Route 53 takes no idempotency token. An error answer
   * (throttling, 5xx) means the batch was refused (batches are all or nothing): it is sent again. An attempt
   * that got no answer (connection lost, request timeout) may have been applied: the record is read back, and
   * when it is in place nothing is sent again and `changeId` is null (its change id was in the lost answer).
   * A record that was already as wanted reads back in place too: re-sending it would change nothing.
   */
  async upsertRecord(
    zoneId: string,
    record: DnsRecord,
    opts: CallOptions & { comment?: string } = {},
  ): Promise<{ changeId: string | null; status: string }> {
    const resource = { kind: 'record', id: recordLabel(record) };
    return this.caller.mutate(planUpsertRecord(zoneId, record), async () => {
      for (let attempt = 1; ; attempt++) {
        try {
          const out = await this.caller.once(
            'ChangeResourceRecordSets',
            resource,
            (abortSignal) =>
              this.client.send(
                new ChangeResourceRecordSetsCommand({
                  HostedZoneId: bareId(zoneId),
                  ChangeBatch: {
                    Comment: opts.comment ?? 'dr-drill',
                    Changes: [{ Action: 'UPSERT', ResourceRecordSet: toRecordSet(record) }],
                  },
                }),
                { abortSignal },
              ),
            opts,
          );
          return { changeId: bareId(out.ChangeInfo?.Id ?? ''), status: out.ChangeInfo?.Status ?? 'PENDING' };
        } catch (err) {
          if (!(isClientError(err) && err.retryable) || attempt >= this.caller.retry.maxAttempts) throw err;
          await sleep(
            backoffDelay(attempt, this.caller.retry),
            this.caller.site('ChangeResourceRecordSets'),
            opts.signal,
          );
          if (err.status !== undefined) continue;
          const now = await this.listRecords(zoneId, record.name, record.type, opts);
          if (now.some((r) => sameRecord(r, record))) return { changeId: null, status: 'APPLIED' };
        }
      }
    });
  }

  /** Polls GetChange until INSYNC. */
  waitForChange(changeId: string, wait: WaitOptions = {}): Promise<void> {
    const id = bareId(changeId);
    return pollUntil({
      site: this.caller.site('GetChange'),
      what: `Route 53 change ${id} to be INSYNC`,
      timeoutMs: wait.timeoutMs ?? 300_000,
      intervalMs: wait.intervalMs ?? 2_000,
      ...(wait.maxIntervalMs ? { maxIntervalMs: wait.maxIntervalMs } : {}),
      ...(wait.signal ? { signal: wait.signal } : {}),
      check: async () => {
        const out = await this.caller.send(
          'GetChange',
          { kind: 'change', id },
          (abortSignal) => this.client.send(new GetChangeCommand({ Id: id }), { abortSignal }),
          { signal: wait.signal },
        );
        const status = out.ChangeInfo?.Status ?? 'unknown';
        return status === 'INSYNC'
          ? { done: true, value: undefined }
          : { done: false, seen: `status ${status}` };
      },
    });
  }

  /**
   * Sets the TTL of one record (e.g. lower it before a failover); returns the previous TTL for undo.
   * No change is sent when the TTL already has that value.
   */
  async changeTtl(
    zoneId: string,
    which: { name: string; type: string; setIdentifier?: string },
    ttl: number,
    opts: CallOptions = {},
  ): Promise<{ previousTtl: number; changeId: string | null }> {
    const records = await this.listRecords(zoneId, which.name, which.type, opts);
    const record = records.find((r) => (r.setIdentifier ?? '') === (which.setIdentifier ?? ''));
    const site = this.caller.site('ListResourceRecordSets');
    if (!record) {
      throw new ClientError({
        code: 'E_NOT_FOUND',
        message: `record ${recordLabel(which)} not found in hosted zone "${bareId(zoneId)}"`,
        ...site,
      });
    }
    if (record.alias || record.ttl === undefined) {
      throw new ClientError({
        code: 'E_INVALID_STATE',
        message: `record ${recordLabel(which)} is an alias record: it has no TTL to change (set the TTL on its target)`,
        ...site,
      });
    }
    if (record.ttl === ttl) return { previousTtl: ttl, changeId: null };
    const { changeId } = await this.upsertRecord(
      zoneId,
      { ...record, ttl },
      { ...opts, comment: `dr-drill: TTL ${record.ttl} → ${ttl}` },
    );
    return { previousTtl: record.ttl, changeId };
  }
}
